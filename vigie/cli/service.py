"""The long-running service and its operator commands: run, status, prune."""
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
from vigie.cli.output import print_json, print_table, say
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
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def status(app: App, as_json: bool) -> None:
    """Per marketplace: listings watched, last check, how overdue, blocked and error rates, pending alerts."""
    from store.db import session_scope
    from store.status import marketplace_status

    with session_scope(app.sessions) as session:
        rows = marketplace_status(session, now=app.now())
    cluster = cluster_status(app.settings) if app.settings.queue_url else None
    if as_json:
        print_json({"marketplaces": [row.as_json() for row in rows], "cluster": cluster} if cluster is not None
                   else [row.as_json() for row in rows])
        return
    if cluster is not None:
        print_nodes(cluster, app.settings.node_timeout.total_seconds())
    print_table("Vigie status", ["marketplace", "listings", "last check (UTC)", "overdue", "blocked/h", "errors/h",
                                 "checks/h", "pending alerts"],
                [[r.marketplace, r.listings, r.last_check_at.isoformat()[:19] if r.last_check_at else "never",
                  f"{int(r.overdue_seconds)}s", f"{r.blocked_rate:.0%}", f"{r.error_rate:.0%}", r.checks_last_hour,
                  r.pending_alerts] for r in rows])


def cluster_status(s) -> dict:
    """The cluster's nodes and queue, read from the engine (Redis); nodes dead for over an hour only counted."""
    from cluster import engine, nodes

    timeout = s.node_timeout.total_seconds()
    broker = engine.make_broker(s.queue_url, node_timeout=timeout, check_timeout=s.timeout)
    try:
        listed = nodes.read(broker.client)
        recent = [node for node in listed if node["silent_s"] < nodes.FOLD_AFTER]
        for node in recent:
            node["leased"] = engine.leased_by(broker, node.get("broker_id", ""))
            node["alive"] = node["silent_s"] < node.get("node_timeout", timeout)
        return {"queued": engine.queued(broker), "nodes": recent, "folded": len(listed) - len(recent)}
    except Exception as error:
        raise BadInput(f"VIGIE_QUEUE_URL: cannot read the cluster ({type(error).__name__}: {error})") from None
    finally:
        broker.close()


def print_nodes(cluster: dict, timeout: float) -> None:
    # the node id is host:pid:suffix, kept whole on one line (operators copy it); the rest fits 80 columns
    notes = []
    if not all(n["alive"] for n in cluster["nodes"]):
        notes.append(f"dead: no heartbeat for {timeout:.0f} s (VIGIE_NODE_TIMEOUT); its leased checks go to others")
    if cluster["folded"]:
        notes.append(f"{cluster['folded']} node{'s' if cluster['folded'] > 1 else ''} dead for over 1 h, not listed")
    print_table(f"Cluster nodes ({cluster['queued']} check(s) queued)",
                ["node", "state", "heartbeat", "checks/min", "leased"],
                [[n["node"], "alive" if n["alive"] else "dead", f"{n['silent_s']:.0f}s ago",
                  n.get("checks_per_minute"), n["leased"]] for n in cluster["nodes"]],
                caption="\n".join(notes) or None, whole=("node", "state"))


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
