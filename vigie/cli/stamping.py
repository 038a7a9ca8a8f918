"""RFC 3161 stamping of chain heads from the CLI: after each `vigie check` pass and as a `vigie run` job.

Stamping never fails a check: an authority that is down leaves its batch pending (store.timestamps), said in
one line, and the next pass or the next run of the job asks again.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from crawler.service import BackgroundJob
from store.timestamps import StampReport, stamp_pending
from vigie.cli.app import App

log = logging.getLogger(__name__)
JOB_EVERY = timedelta(minutes=1)  # the job looks this often (pending retries); a new batch waits VIGIE_TSA_EVERY


def stamp_heads(app: App, *, every: timedelta = timedelta(0), service: bool = False) -> StampReport | None:
    """None when no authority is configured. The service waits out a failed batch's retry delay; a pass
    (`vigie check`) asks for every pending batch."""
    url = app.settings.tsa_url
    if not url:
        return None
    try:
        return stamp_pending(app.sessions, tsa_url=url, now=app.now(), every=every, wait_retry=service)
    except Exception as exc:  # noqa: BLE001 (a stamping bug or a database blip must not fail the pass)
        log.exception("timestamping failed")
        return StampReport(problem=f"timestamping failed: {type(exc).__name__}: {exc}")


def timestamp_job(app: App) -> BackgroundJob | None:
    s = app.settings
    if not s.tsa_url:
        return None
    every = s.tsa_every

    def stamp() -> None:
        report = stamp_heads(app, every=every, service=True)
        if report is not None and report.problem:
            log.warning("timestamps wait (%d pending): %s", report.pending, report.problem)

    return BackgroundJob("timestamps", min(every, JOB_EVERY).total_seconds(), stamp)


def stamp_summary(report: StampReport) -> str:
    line = f"timestamps: {report.stamped} batch(es) stamped, {report.pending} pending"
    return line + (f" — {report.problem}; retried later" if report.problem else "")
