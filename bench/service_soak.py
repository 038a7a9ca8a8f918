"""Soak benchmark: `vigie run` over N sandbox listings with shortened intervals.

    .venv/bin/python bench/service_soak.py [--listings 5000] [--minutes 20] [--every 600] [--delist 5]

Reports sustained checks/s, scheduling lag p50/p99 (from the service's own stats lines), the
service's RSS over time, and detection latency from a delisting in the sandbox to its email at a
real SMTP server. Targets (issue 5): RSS growth ≤ 10 %, p99 lag ≤ 60 s, latency ≤ interval +
recheck delay + 60 s. Listings are written straight into the database (registration would refuse
intervals under 5 minutes); their first checks are spread over one interval, as a running service's are.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from alerts.catcher import SmtpCatcher
from sandbox.catalog import Catalog
from sandbox.server import run_in_thread
from store.db import make_engine, session_factory, session_scope, sqlite_url
from store.migrate import upgrade
from store.models import Account, Listing, Recipient, Snapshot


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def seed(sessions, urls: list[str], every: int) -> None:
    now = datetime.now(UTC)
    with session_scope(sessions) as session:
        account = Account(name="soak", lang="en", created_at=now)
        account.recipients = [Recipient(email="soak@example.org")]
        session.add(account)
        session.flush()
        session.add_all(Listing(account_id=account.id, url=url, canonical_url=url, marketplace="generic",
                                every_seconds=every, created_at=now, detector_state={},
                                next_check_at=now + timedelta(seconds=every * i / len(urls)))
                        for i, url in enumerate(urls))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listings", type=int, default=5000)
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--every", type=int, default=600, help="seconds between two checks of a listing")
    parser.add_argument("--recheck", default="30s")
    parser.add_argument("--delist", type=int, default=5)
    args = parser.parse_args()
    catalog = Catalog()
    catalog.bulk(args.listings, prefix="s")
    with tempfile.TemporaryDirectory(prefix="vigie-soak-") as tmp, run_in_thread(catalog) as sandbox, \
            SmtpCatcher() as smtp:
        data = Path(tmp) / "data"
        data.mkdir()
        engine = make_engine(sqlite_url(data))
        upgrade(engine)
        sessions = session_factory(engine)
        products = catalog.all()
        seed(sessions, [f"{sandbox.url}/p/{p.id}" for p in products], args.every)
        env = {**os.environ, "VIGIE_DATA_DIR": str(data), "VIGIE_DATABASE_URL": sqlite_url(data),
               "VIGIE_ALLOW_PRIVATE_HOSTS": "1", "VIGIE_SMTP_URL": smtp.url, "VIGIE_TICK": "1s",
               "VIGIE_ALERT_EVERY": "2s", "VIGIE_RECHECK_DELAY": args.recheck, "PYTHONUNBUFFERED": "1"}
        log = Path(tmp) / "run.log"
        with open(log, "wb") as handle:
            service = subprocess.Popen([sys.executable, "-m", "vigie", "run"], env=env, stdout=handle, stderr=handle)
        started = time.monotonic()
        end = started + args.minutes * 60
        delist_at = started + min(args.minutes * 60 / 3, 300)
        delisted: dict[str, float] = {}
        arrived: dict[str, float] = {}
        seen_messages = 0
        rss: list[tuple[float, float]] = []
        counts: list[tuple[float, int]] = []
        next_sample = started
        while time.monotonic() < end and service.poll() is None:
            now = time.monotonic()
            if now >= next_sample:
                with session_scope(sessions) as session:
                    counts.append((now - started, session.scalar(select(func.count()).select_from(Snapshot))))
                rss.append((now - started, rss_mb(service.pid)))
                next_sample += 15
            if not delisted and now >= delist_at:
                # only listings whose baseline check is done: a first check that finds a page gone is a
                # baseline (no email, by design), not a delisting to time
                checked = products[: int(len(products) * (delist_at - started - 60) / args.every)]
                for product in checked[:: max(1, len(checked) // args.delist)][: args.delist]:
                    catalog.patch(product.id, state="not_found")
                    delisted[f"{sandbox.url}/p/{product.id}"] = time.monotonic()
            messages = smtp.messages
            for message in messages[seen_messages:]:  # polled twice a second: arrival time ± 0.5 s
                body = message.get_body(("plain",)).get_content()
                for url in delisted:
                    if url in body and url not in arrived:
                        arrived[url] = time.monotonic()
            seen_messages = len(messages)
            time.sleep(0.5)
        service.send_signal(signal.SIGTERM)
        stop_started = time.monotonic()
        code = service.wait(timeout=60)
        stop_seconds = time.monotonic() - stop_started
        stats = [json.loads(line.split("service: ", 1)[1]) for line in log.read_text().splitlines()
                 if "service: {" in line]
        window = [c for c in counts if c[0] >= 60] or counts
        rate = (window[-1][1] - window[0][1]) / max(1.0, window[-1][0] - window[0][0])
        print(json.dumps({
            "listings": args.listings, "every_s": args.every, "minutes": args.minutes, "exit_code": code,
            "stop_seconds": round(stop_seconds, 1), "checks_per_s_sustained": round(rate, 2),
            "needed_checks_per_s": round(args.listings / args.every, 2),
            "last_stats": stats[-1] if stats else None,
            "rss_mb": [(round(t), round(m, 1)) for t, m in rss][:: max(1, len(rss) // 12)],
            "rss_first_last_mb": [round(rss[0][1], 1), round(rss[-1][1], 1)] if rss else None,
            "emails": len(smtp.messages), "delisted": len(delisted),
            "detection_latency_s": [round(arrived[u] - t, 1) if u in arrived else None for u, t in delisted.items()],
        }, indent=1))
        engine.dispose()


if __name__ == "__main__":
    main()
