"""`vigie`: the command line. Exit status 0 ok, 1 runtime failure, 2 bad input (one line on stderr)."""
from __future__ import annotations

import sys

import click

from vigie.cli.app import App, BadInput, Failure
from vigie.settings import SettingsError, load


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Vigie watches marketplace listings and tells sellers when one is delisted or its price or fees jump."""
    try:
        ctx.obj = App(load())
        ctx.call_on_close(ctx.obj.close)
    except SettingsError as exc:
        raise BadInput(f"bad setting: {exc}") from None


def _register_commands() -> None:
    # each module attaches its commands to `cli` on import
    from vigie.cli import checks, demo, listings, observatory, price_rules, reports, service  # noqa: F401


def main(argv: list[str] | None = None) -> None:
    _register_commands()
    try:
        cli.main(args=argv, prog_name="vigie", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("vigie: interrupted", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "vigie"
        click.echo(f"{command}: {exc.format_message()}", err=True)
        sys.exit(2)
    except BadInput as exc:
        click.echo(f"vigie: {exc}", err=True)
        sys.exit(2)
    except Failure as exc:
        click.echo(f"vigie: {exc}", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        click.echo(f"vigie: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:
        said = _storage_trouble(exc)
        if said is None:
            raise
        click.echo(f"vigie: {said}", err=True)
        sys.exit(1)
    sys.exit(0)


def _storage_trouble(exc: BaseException) -> str | None:
    """A database that is down or a full disk is the operator's to fix: one line, not a traceback."""
    from store.db import storage_trouble

    try:
        settings = load()
    except SettingsError:
        return None
    return storage_trouble(exc, database_url=settings.database_url, data_dir=settings.data_dir)


if __name__ == "__main__":
    main()
