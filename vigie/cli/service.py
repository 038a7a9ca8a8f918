"""The long-running service and its operator commands: run, alert-mode, alert-lang, prune."""
from __future__ import annotations

import logging
import sys

import click

from alerts.transport import transport_from_url
from crawler.recorder import Recorder
from crawler.service import BackgroundJob, Service, ServiceConfig
from vigie.cli.app import App, BadInput
from vigie.cli.checks import crawl_options, deliver_alerts, recorder_for
from vigie.cli.main import cli
from vigie.cli.stamping import timestamp_job
from vigie.cli.output import print_table, say
from vigie.durations import parse_duration


def service_recorder(app: App) -> Recorder:
    return recorder_for(app, jitter=app.settings.jitter)


def alert_job(app: App) -> BackgroundJob:
    s = app.settings

    def deliver() -> None:
        from alerts.digest import HOLD_MARGIN

        transport = transport_from_url(s.smtp_url, outbox_dir=s.outbox_dir)
        deliver_alerts(app, transport, margin=HOLD_MARGIN)

    return BackgroundJob("alerts", s.alert_every.total_seconds(), deliver)


@cli.command()
@click.pass_obj
def run(app: App) -> None:
    """The long-running service: checks every listing on its schedule, detects, sends alerts. Stop with Ctrl-C."""
    s = app.settings
    if s.queue_url and not s.database_url.startswith("postgresql"):
        raise BadInput("VIGIE_QUEUE_URL needs VIGIE_DATABASE_URL on PostgreSQL: every node shares the store")
    try:
        transport = transport_from_url(s.smtp_url, outbox_dir=s.outbox_dir)
    except ValueError as exc:
        raise BadInput(f"VIGIE_SMTP_URL: {exc}") from None
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    # the service's own routine lines (running, stopping, its pace) at INFO; the libraries' at WARNING
    for ours in ("vigie", "alerts", "crawler", "cluster"):
        logging.getLogger(ours).setLevel(logging.INFO)
    app.engine  # migrate before the first tick, not during it
    say(f"vigie run: emails go to {transport.describe()}; robots.txt {'obeyed' if s.obey_robots else 'ignored'}")
    args = (app.sessions, service_recorder(app), crawl_options(app),
            ServiceConfig(tick=s.tick.total_seconds(), catchup_window=s.catchup_window, search_budget=s.search_budget))
    stamping = timestamp_job(app)
    background = (alert_job(app),) + ((stamping,) if stamping else ())
    common = {"obey_robots": s.obey_robots, "background": background, "clock": app.now}
    if s.queue_url:
        service = cluster_node(app, args, common)
    else:
        service = Service(*args, **common)
    status = service.run()
    if status:
        sys.exit(status)


def cluster_node(app: App, args: tuple, common: dict) -> Service:
    from cluster.node import ClusterConfig, ClusterService
    from cluster.politeness import default_rates
    from spiders.registry import all_marketplaces

    s = app.settings
    rates = {**default_rates({m.name: m for m in all_marketplaces()}), **dict(s.rate_limits)}
    config = ClusterConfig(queue_url=s.queue_url, lease=s.lease, node_timeout=s.node_timeout.total_seconds(),
                           threads=2 * s.concurrency, rates=tuple(rates.items()), search_rate=s.search_rate)
    say(f"vigie run: cluster node on {redacted(s.queue_url)}")
    return ClusterService(*args, cluster=config, **common)


def redacted(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return url.replace(f"{parts.password}@", "***@") if parts.password else url


@cli.command("alert-mode")
@click.argument("mode", type=click.Choice(["immediate", "digest"]))
@click.option("--account", default="default", show_default=True)
@click.pass_obj
def alert_mode(app: App, mode: str, account: str) -> None:
    """One email per event (immediate) or one a day (digest); delistings and fee changes are always immediate."""
    from store.db import session_scope
    from vigie.registration import find_account

    with session_scope(app.sessions) as session:
        row = find_account(session, account)
        if row is None:
            raise BadInput(f"no account named {account!r}")
        row.alert_mode, account = mode, row.name
    say(f"account {account}: alerts {mode}")


@cli.command("alert-lang")
@click.argument("lang", type=click.Choice(["fr", "en"]), metavar="fr|en")
@click.option("--account", default="default", show_default=True)
@click.pass_obj
def alert_lang(app: App, lang: str, account: str) -> None:
    """The language of the account's alerts from now on (VIGIE_LANG only sets it when an account is created)."""
    from store.db import session_scope
    from vigie.registration import find_account

    with session_scope(app.sessions) as session:
        row = find_account(session, account)
        if row is None:
            raise BadInput(f"no account named {account!r}")
        row.lang, account = lang, row.name
    say(f"account {account}: alerts in {'French' if lang == 'fr' else 'English'} ({lang})")


@cli.command()
@click.option("--older-than", "older_than", default="30d", show_default=True,
              help="Prune bodies of snapshots older than this (e.g. 30d).")
@click.option("--dry-run", is_flag=True, help="Say what would be pruned, prune nothing.")
@click.pass_obj
def prune(app: App, older_than: str, dry_run: bool) -> None:
    """Delete stored page bodies that are not evidence of any event; snapshot metadata and hashes stay."""
    from store.retention import prune_bodies
    from vigie.cli.progress import progress_for

    try:
        age = parse_duration(older_than)
    except ValueError as exc:
        raise BadInput(f"--older-than: {exc}") from None
    with progress_for("pruning: blobs examined", lines=True) as progress:
        report = prune_bodies(app.sessions, before=app.now() - age, dry_run=dry_run, progress=progress)
    verb = "would free" if dry_run else "freed"
    say(f"{report.snapshots} snapshot bod(ies) released, {report.blobs} blob(s) {verb} "
        f"({report.bytes} bytes); {report.kept_as_evidence} kept as evidence of an event")
