"""One check pass (`vigie check`) and alert delivery."""
from __future__ import annotations

import click

from alerts.sender import deliver_pending
from alerts.transport import transport_from_url
from crawler.recorder import Recorder, RecorderConfig
from crawler.runner import CrawlOptions, PassReport, due_targets, run_pass
from store.db import session_scope
from store.models import Listing
from vigie.cli.app import App, BadInput
from vigie.cli.main import cli
from vigie.cli.output import print_json, print_table, say


def recorder_for(app: App) -> Recorder:
    s = app.settings
    return Recorder(app.sessions, RecorderConfig(confirmations=s.confirmations, price_threshold=s.price_threshold,
                                                 lang=s.lang))


def crawl_options(app: App) -> CrawlOptions:
    s = app.settings
    return CrawlOptions(allow_private_hosts=s.allow_private_hosts, timeout=s.timeout, concurrency=s.concurrency,
                        user_agent=s.user_agent, browser_path=s.browser_path)


def send_alerts(app: App):
    try:
        transport = transport_from_url(app.settings.smtp_url, outbox_dir=app.settings.outbox_dir)
    except ValueError as exc:
        raise BadInput(f"VIGIE_SMTP_URL: {exc}") from None
    report = deliver_pending(app.sessions, transport, now=app.now(), mail_from=app.settings.mail_from)
    return transport, report


@cli.command()
@click.option("--all", "every", is_flag=True, help="Check every active listing now, ignoring schedules.")
@click.option("--listing", "listing_id", type=int, help="Check only this listing, now.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def check(app: App, every: bool, listing_id: int | None, as_json: bool) -> None:
    """One pass: check due listings, store snapshots, detect events, send pending alerts."""
    try:  # a bad VIGIE_SMTP_URL is said before a long pass, not after it
        transport_from_url(app.settings.smtp_url, outbox_dir=app.settings.outbox_dir)
    except ValueError as exc:
        raise BadInput(f"VIGIE_SMTP_URL: {exc}") from None
    with session_scope(app.sessions) as session:
        if listing_id is not None:
            listing = session.get(Listing, listing_id)
            if listing is None or not listing.active:
                raise BadInput(f"no active listing with id {listing_id}")
        targets = due_targets(session, now=app.now(), every=every, listing_id=listing_id)
    report = run_pass(targets, recorder_for(app), crawl_options(app)) if targets else PassReport()
    transport, delivery = send_alerts(app)
    results = [{
        "listing_id": result.target.listing_id,
        "url": result.target.url,
        "outcome": recorded.outcome,
        "http_status": result.http_status,
        "price": None if result.observation.price is None else str(result.observation.price),
        "currency": result.observation.currency,
        "events": list(recorded.events),
        "snapshot_id": recorded.snapshot_id,
        "reasons": list(result.observation.reasons),
    } for result, recorded in sorted(report.results, key=lambda r: r[0].target.listing_id)]
    if as_json:
        print_json({"checked": len(results), "elapsed_seconds": round(report.elapsed_seconds, 3),
                    "results": results, "events": report.events,
                    "emails": {"sent": delivery.sent, "retrying": delivery.retried + delivery.deferred,
                               "failed": delivery.failed,
                               "transport": transport.describe()}})
        return
    if results:
        print_table(f"{len(results)} listing(s) checked", ["id", "outcome", "http", "price", "events", "url"],
                    [[r["listing_id"], r["outcome"], r["http_status"], r["price"], ", ".join(r["events"]),
                      r["url"]] for r in results])
    else:
        say("no listing is due; `vigie check --all` checks every listing now")
    if delivery.sent or delivery.retried or delivery.failed or delivery.deferred:
        say(f"emails: {delivery.sent} sent, {delivery.retried + delivery.deferred} to retry, "
            f"{delivery.failed} failed — {transport.describe()}")
