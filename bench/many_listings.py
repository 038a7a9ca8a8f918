"""Memory and time of one `vigie check --all` over many listings (default 20,000), nginx serving the pages.

    .venv/bin/python bench/many_listings.py [--listings 20000] [--database sqlite|postgresql]

Reports the wall time and the peak RSS of the `vigie check` process alone (target: under 300 MB).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nginx_pages import fresh_postgres, generic_pages, start_nginx


def run_alone(command: list[str], env: dict[str, str]) -> tuple[int, float, float]:
    """Exit code, wall seconds and peak RSS (MB) of this one process."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as said:  # a file, not a pipe: nobody reads a pipe during wait4
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=said)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        code = os.waitstatus_to_exitcode(status)
        process.returncode = code
        if code not in (0, 1):
            said.seek(0)
            sys.exit(f"bench: {' '.join(command[2:5])} failed: {said.read().decode()[-2000:]}")
    return code, wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listings", type=int, default=20_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vigie-many-") as tmp:
        work = Path(tmp)
        root, data = work / "www", work / "data"
        root.mkdir()
        data.mkdir()
        paths = generic_pages(root, args.listings)
        nginx, base = start_nginx(root, work)
        try:
            url = f"sqlite:///{data}/bench.db" if args.database == "sqlite" else fresh_postgres()
            env = {**os.environ, "VIGIE_DATA_DIR": str(data), "VIGIE_DATABASE_URL": url,
                   "VIGIE_ALLOW_PRIVATE_HOSTS": "1", "VIGIE_CONCURRENCY": str(args.concurrency), "VIGIE_SMTP_URL": ""}
            vigie = [sys.executable, "-m", "vigie"]
            for start in range(0, len(paths), 10_000):  # `vigie import` takes files of up to 10,000 rows
                part = data / f"listings-{start}.csv"
                part.write_text("url\n" + "\n".join(f"{base}{path}" for path, _ in paths[start:start + 10_000]))
                _, wall, rss = run_alone([*vigie, "import", str(part)], env)
                print(f"import of {min(10_000, len(paths) - start)} listings: {wall:.1f} s, peak RSS {rss:.0f} MB")
            for label in ("first pass (baselines)", "second pass"):
                code, wall, rss = run_alone([*vigie, "check", "--all"], env)
                print(f"vigie check --all, {label}: {wall:.1f} s ({args.listings / wall:.0f} checks/s), "
                      f"peak RSS {rss:.0f} MB (target < 300), exit {code}")
        finally:
            nginx.terminate()
            nginx.wait(10)


if __name__ == "__main__":
    main()
