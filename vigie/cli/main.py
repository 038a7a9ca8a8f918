"""`vigie`: the command line. Exit status 0 ok, 1 runtime failure, 2 bad input (one line on stderr)."""
from __future__ import annotations

import sys

import click

from vigie.cli.app import App, BadInput, Failure
from vigie.settings import SettingsError, load


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vigie", prog_name="vigie", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Vigie watches marketplace listings and tells sellers when one is delisted or its price or fees jump."""
    try:
        ctx.obj = App(load())
        ctx.call_on_close(ctx.obj.close)
    except SettingsError as exc:
        raise BadInput(f"bad setting: {exc}") from None


# which module attaches which commands to `cli` on import: a command loads only its own module (a check
# pass does not import the web app), `vigie --help` and unknown commands load them all
COMMAND_MODULES = {
    "check": "checks", "demo": "demo", "sandbox": "demo", "channel": "channels",
    "add": "listings", "import": "importing", "list": "listings", "remove": "listings",
    "serve": "observatory", "user": "observatory", "export-evidence": "observatory", "verify-evidence": "observatory",
    "price-rule": "price_rules", "events": "reports", "extract": "reports", "history": "reports",
    "add-shop": "shops", "shops": "shops", "remove-shop": "shops", "search": "search",
    "run": "service", "alert-mode": "service", "alert-lang": "service", "prune": "service", "status": "status",
}


# Scrapy's TLS module builds deprecated aliases with `inspect.stack()`, which, for every frame above it, reads
# its source and scans every loaded module. Imported by the crawl deep in its start-up, that took 0.2 s of
# each check pass; imported first thing by the commands that crawl, a tenth of that.
CRAWLING_MODULES = {"checks", "demo", "service"}
SHALLOW_FIRST = "scrapy.core.downloader.contextfactory"


def register_commands(argv: list[str]) -> None:
    import importlib

    command = next((arg for arg in argv if not arg.startswith("-")), None)
    if command is None and "--version" in argv:
        return  # answered by the group itself
    modules = [COMMAND_MODULES[command]] if command in COMMAND_MODULES else sorted(set(COMMAND_MODULES.values()))
    if CRAWLING_MODULES.intersection(modules):
        importlib.import_module(SHALLOW_FIRST)
    for module in modules:
        importlib.import_module(f"vigie.cli.{module}")


def main(argv: list[str] | None = None) -> None:
    register_commands(sys.argv[1:] if argv is None else argv)
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
