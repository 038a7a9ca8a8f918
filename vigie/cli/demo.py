"""The local marketplace simulator and the demo."""
from __future__ import annotations

from pathlib import Path

import click

from vigie.cli.app import Failure
from vigie.cli.main import cli


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
def sandbox(host: str, port: int) -> None:
    """Serve the local marketplace simulator (example products, one per state; control API under /_control)."""
    from sandbox.server import serve

    click.echo(f"sandbox on http://{host}:{port}/ — product pages at /p/<id>, control API at /_control/products",
               err=True)
    serve(host=host, port=port)


@cli.command()
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), help="Data directory to use and keep.")
def demo(keep: Path | None) -> None:
    """Run the whole loop against the sandbox: register, check, delist, alert."""
    from vigie.demo import run_demo

    try:
        run_demo(click.echo, keep_dir=keep)
    except RuntimeError as exc:
        raise Failure(str(exc)) from None
