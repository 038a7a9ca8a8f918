"""Cluster throughput: one `vigie run` node vs two on the same listings (issue 13).

nginx serves ~30 KB static schema.org pages from disk; the store is PostgreSQL, the queue Redis.
Each run starts from a fresh database holding `--listings` due listings, starts the node processes
and times until every listing has its snapshot. Printed: whole time (node start-up included) and
the crawl window (first to last snapshot), checks per second, and the two-node ÷ one-node ratio.

    python bench/cluster.py [--listings 4000] [--runs 1]

Each run's times are printed with the machine's load average before it; then the medians.
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.nginx_pages import fresh_postgres, generic_pages, start_nginx  # noqa: E402

REDIS_URL = os.environ.get("VIGIE_BENCH_REDIS", "redis://127.0.0.1:6379/13")


def one_run(nodes: int, base: str, paths: list, work: Path) -> tuple[float, float]:
    import redis
    from sqlalchemy import create_engine, func, select

    from store.models import Snapshot

    redis.Redis.from_url(REDIS_URL).flushdb()
    url = fresh_postgres()
    data = work / f"data-{nodes}-{time.monotonic_ns()}"
    data.mkdir()
    env = {**os.environ, "VIGIE_DATA_DIR": str(data), "VIGIE_DATABASE_URL": url, "VIGIE_ALLOW_PRIVATE_HOSTS": "1",
           "VIGIE_SMTP_URL": "", "VIGIE_QUEUE_URL": REDIS_URL, "VIGIE_OBEY_ROBOTS": "0", "VIGIE_TICK": "1s",
           "VIGIE_CATCHUP_WINDOW": "1s", "VIGIE_JITTER": "0"}
    vigie = [sys.executable, "-m", "vigie"]
    for start in range(0, len(paths), 10_000):
        part = data / f"listings-{start}.csv"
        part.write_text("url\n" + "\n".join(f"{base}{path}" for path, _ in paths[start:start + 10_000]))
        subprocess.run([*vigie, "import", str(part)], env=env, check=True, capture_output=True)
    engine = create_engine(url)
    started = time.monotonic()
    procs = [subprocess.Popen([*vigie, "run"], env=env, stdout=subprocess.DEVNULL,
                              stderr=open(data / f"node{i}.log", "wb"), start_new_session=True) for i in range(nodes)]
    try:
        while True:
            with engine.connect() as conn:
                done = conn.scalar(select(func.count(func.distinct(Snapshot.listing_id))))
            if done >= len(paths):
                break
            if any(p.poll() is not None for p in procs):
                sys.exit(f"bench: a node exited early, see {data}")
            time.sleep(0.5)
        whole = time.monotonic() - started
        with engine.connect() as conn:
            first, last = conn.execute(select(func.min(Snapshot.fetched_at), func.max(Snapshot.fetched_at))).one()
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(60)
        engine.dispose()
    return whole, (last - first).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listings", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vigie-cluster-") as tmp:
        work = Path(tmp)
        root = work / "www"
        root.mkdir()
        paths = generic_pages(root, args.listings)
        nginx, base = start_nginx(root, work)
        try:
            results = {}
            for _ in range(args.runs):  # interleaved, so a slow moment of the machine hits both
                for nodes in (1, 2):
                    load = os.getloadavg()[0]
                    whole, window = one_run(nodes, base, paths, work)
                    results.setdefault(nodes, []).append((whole, window))
                    print(f"  {nodes} node(s): {whole:.1f} s whole, {window:.1f} s crawl window "
                          f"(load average before: {load:.2f}, {os.cpu_count()} cores)", flush=True)
        finally:
            nginx.terminate()
            nginx.wait(10)
    n = args.listings
    rate = {}
    for nodes, runs in results.items():
        whole = statistics.median(r[0] for r in runs)
        window = statistics.median(r[1] for r in runs)
        rate[nodes] = (n / whole, n / window)
        print(f"{nodes} node(s): {n} checks in {whole:.1f} s whole ({n / whole:.0f}/s), "
              f"crawl window {window:.1f} s ({n / window:.0f}/s)")
    print(f"two nodes ÷ one node: {rate[2][0] / rate[1][0]:.2f} whole, {rate[2][1] / rate[1][1]:.2f} crawl window "
          f"(target ≥ 1.6)")


if __name__ == "__main__":
    main()
