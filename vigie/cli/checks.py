"""One check pass (`vigie check`) and alert delivery."""
from __future__ import annotations

import sys
from collections import Counter
from datetime import timedelta

import click

from alerts.digest import hold_for_digest, send_due_digests
from alerts.operator import notify_blocked_marketplaces
from alerts.sender import DeliveryReport, deliver_pending
from alerts.transport import transport_from_url
from crawler.recorder import Recorder, RecorderConfig
from crawler.runner import CrawlOptions, PassReport, UnsafeCrawlSettings, due_targets, run_pass
from crawler.stored_search_budget import stored_search_limits
from store.db import session_scope
from store.models import Listing
from vigie.cli.app import App, BadInput, Failure
from vigie.cli.main import cli
from vigie.cli.output import print_json, print_table, say
from vigie.cli.params import ID
from vigie.cli.progress import progress_for
from vigie.durations import format_elapsed
from vigie.cli.stamping import stamp_heads, stamp_summary


def recorder_for(app: App, *, jitter: float = 0.0) -> Recorder:
    s = app.settings
    return Recorder(app.sessions, RecorderConfig(confirmations=s.confirmations, price_threshold=s.price_threshold,
                                                 lang=s.lang, recheck_after=s.recheck_delay, jitter=jitter))


def crawl_options(app: App) -> CrawlOptions:
    s = app.settings
    return CrawlOptions(allow_private_hosts=s.allow_private_hosts, allow_networks=s.allow_networks,
                        timeout=s.timeout, concurrency=s.concurrency,
                        user_agent=s.user_agent, browser_path=s.browser_path,
                        extra={"ROBOTSTXT_OBEY": s.obey_robots, "VIGIE_SHOP_MAX_PAGES": s.shop_max_pages,
                               "VIGIE_SEARCH_RATE": s.search_rate})


def deliver_alerts(app: App, transport, *, margin: timedelta = timedelta(0)) -> DeliveryReport:
    return deliver_everything(app, transport, margin=margin)[0]


def deliver_everything(app: App, transport, *, margin: timedelta = timedelta(0)):
    """Everything the outbox owes: digest holds, immediate emails, due digests, the operator's alert,
    and the channels' webhooks and chats (issue 28), sent meanwhile so that neither waits on the other;
    then the notices of channels failing for a day.

    `margin`: the service records while it delivers, so it holds rows at `now` and sends those due
    at `now - margin`; a one-shot pass has finished recording and needs none.
    """
    from concurrent.futures import ThreadPoolExecutor

    from vigie.cli.channels import deliver_channel_alerts, deliver_channel_notices

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="vigie-channels") as pool:
        channels = pool.submit(deliver_channel_alerts, app, margin=margin)
        report = deliver_emails(app, transport, margin=margin)
        result = report, channels.result()
    deliver_channel_notices(app, transport)  # after both: a channel's failures of this pass count
    return result


def deliver_emails(app: App, transport, *, margin: timedelta = timedelta(0)) -> DeliveryReport:
    s = app.settings
    now = app.now()
    hold_for_digest(app.sessions, now=now)
    report = deliver_pending(app.sessions, transport, now=now - margin, mail_from=s.mail_from)
    send_due_digests(app.sessions, transport, now=now, mail_from=s.mail_from, hour=s.digest_hour)
    if s.operator_email:
        notify_blocked_marketplaces(app.sessions, transport, now=now, mail_from=s.mail_from,
                                    operator=s.operator_email, after=s.blocked_alert_after, lang=s.lang)
    return report


def send_alerts(app: App):
    try:
        transport = transport_from_url(app.settings.smtp_url, outbox_dir=app.settings.outbox_dir)
    except ValueError as exc:
        raise BadInput(f"VIGIE_SMTP_URL: {exc}") from None
    return (transport, *deliver_everything(app, transport))


@cli.command()
@click.option("--all", "every", is_flag=True, help="Check every active listing now, ignoring schedules.")
@click.option("--listing", "listing_id", type=ID, help="Check only this listing, now.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--verbose", "-v", is_flag=True, help="List every listing checked, not only those with events or problems.")
@click.pass_obj
def check(app: App, every: bool, listing_id: int | None, as_json: bool, verbose: bool) -> None:
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
    with progress_for("checking") as progress:
        report = PassReport()
        if progress is not None:
            task = progress.add_task("checking", total=len(targets))
            report.on_result = lambda *_: progress.advance(task)
        if targets:
            try:
                # the day's search budget, as `vigie run` keeps it: read from the walks stored by every pass
                limits = stored_search_limits(app.sessions, app.settings.search_budget, app.now)
                report = run_pass(targets, recorder_for(app), crawl_options(app), report,
                                  room_arguments={"search": {"limits": limits}})
            except UnsafeCrawlSettings as exc:
                raise Failure(str(exc)) from None
    for note in report.notes:
        say(f"vigie: {note}")
    if report.left_due:
        say(f"vigie: {len(report.left_due)} search watch(es) left due: the day's search budget "
            f"(VIGIE_SEARCH_BUDGET) of {', '.join(sorted({t.marketplace for t in report.left_due}))} is spent")
    for result in report.unrecorded:
        say(f"vigie: listing {result.target.listing_id} was checked but could not be stored (see the log)")
    transport, delivery, channels = send_alerts(app)
    stamps = stamp_heads(app)
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
                               "failures": [{"recipient": who, "error": why} for who, why in delivery.failures],
                               "problem": delivery.problem,
                               "transport": transport.describe()},
                    "channels": {"sent": channels.sent, "retrying": channels.retried, "failed": channels.failed,
                                 "failures": [{"channel": who, "error": why} for who, why in channels.failures]},
                    "unrecorded": [r.target.listing_id for r in report.unrecorded], "lost": report.lost,
                    "left_due": [t.listing_id for t in report.left_due],
                    **({"timestamps": {"stamped": stamps.stamped, "pending": stamps.pending,
                                       "problem": stamps.problem}} if stamps is not None else {})})
    elif results:
        print_pass(results, report.elapsed_seconds, verbose=verbose)
    elif not targets:
        say("no listing is due; `vigie check --all` checks every listing now")
    for recipient, reason in delivery.failures:
        say(f"vigie: email to {recipient} failed for good: {reason}")
    if delivery.problem:
        say(f"vigie: emails wait for the next pass: {delivery.problem}")
    if stamps is not None and (stamps.problem or (not as_json and stamps.stamped)):
        say(f"vigie: {stamp_summary(stamps)}")
    for shown, reason in channels.failures:
        say(f"vigie: alert to channel {shown} failed for good: {reason}")
    if not as_json and (channels.sent or channels.retried or channels.failed):
        say(f"channels: {channels.sent} sent, {channels.retried} to retry, {channels.failed} failed")
    if not as_json and (delivery.sent or delivery.retried or delivery.failed or delivery.deferred):
        say(f"emails: {delivery.sent} sent, {delivery.retried + delivery.deferred} to retry, "
            f"{delivery.failed} failed — {transport.describe()}")
    if report.interrupted:
        say(f"vigie: interrupted: {len(results)} of {len(targets)} listing(s) checked and recorded; "
            f"the others stay due")
        sys.exit(130)
    if report.lost:
        raise Failure(f"{report.lost} of {report.produced} check(s) were fetched but never recorded: the crawl ran "
                      f"without Vigie's record pipeline")
    if report.unrecorded:
        raise Failure(f"{len(report.unrecorded)} check(s) could not be stored")
    missed = len(targets) - len(results) - len(report.unrecorded) - len(report.left_due)
    if missed > 0:
        raise Failure(f"{missed} of {len(targets)} due listing(s) were not checked (see the log); they stay due")


def print_pass(results: list[dict], elapsed: float, *, verbose: bool) -> None:
    """A summary line, then the rows worth reading: a pass over thousands of listings is not a table of thousands."""
    outcomes = Counter(r["outcome"] for r in results)
    events = sum(len(r["events"]) for r in results)
    say(f"{len(results)} listing(s) checked in {format_elapsed(elapsed)}: "
        + ", ".join(f"{count} {outcome}" for outcome, count in outcomes.most_common())
        + f"; {events} event(s)")
    shown = results if verbose else [r for r in results if r["events"] or r["outcome"] != "listed"]
    if shown:
        title = "listings checked" if verbose else "listings with events or problems (--verbose lists all)"
        print_table(title, ["id", "outcome", "http", "price", "events", "url"],
                    [[r["listing_id"], r["outcome"], r["http_status"], r["price"], ", ".join(r["events"]),
                      r["url"]] for r in shown])
