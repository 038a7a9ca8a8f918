"""`vigie status`: the operator's view per marketplace (and of the cluster's nodes), in its own module so that
it starts without importing the crawler: cron and monitoring run it often."""
from __future__ import annotations

import click

from vigie.cli.app import App, BadInput
from vigie.cli.main import cli
from vigie.cli.output import print_json, print_table


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
