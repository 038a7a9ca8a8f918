"""Benchmark as a user runs it: nginx serves static pages from disk; bare Scrapy and `vigie check --all`
fetch the same URLs in the same run, each as a whole process (start-up included). Medians of 3.

    .venv/bin/python bench/nginx_pages.py [--set generic|corpus|both] [--pages 2000] [--corpus-copies 500]
                                          [--database sqlite|postgresql|both] [--runs 3]

Set "generic": N schema.org product pages of ~30 KB. Set "corpus": the real pages of ../shared/corpus,
served `--corpus-copies` times in all under distinct URLs, each registered with its marketplace's adapter
(those that need a browser left out), spread over `--corpus-hosts` loopback addresses so that the adapters'
politeness delays (1-2 s between two requests to one host) do not make it minutes of waiting; its figure of
merit is CPU per check against the adapters' own extraction time.
PostgreSQL: a scratch database `vigie_bench` on VIGIE_BENCH_POSTGRES (default 127.0.0.1:5432, user postgres).
Prints whole-process and crawl-only rates, the ratio Vigie ÷ bare, and CPU per check. Needs Debian's nginx.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / ".." / "shared" / "corpus"
PG_SERVER = os.environ.get("VIGIE_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
PAGE_BYTES = 30_000


@dataclass
class Timed:
    wall: float  # the whole process
    crawl: float  # as the process reports it
    cpu: float  # user + system of the process and its children
    count: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_nginx(root: Path, work: Path, hosts: int = 1) -> tuple[subprocess.Popen, str]:
    """nginx serving `root` on 127.0.0.1 (and 127.0.0.2 … 127.0.0.<hosts>, the same port); returns its base URL."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        sys.exit("bench: needs nginx (Debian: apt-get install nginx-light)")
    port = free_port()
    user = "user root;" if os.geteuid() == 0 else ""  # the pages live in a private temporary directory
    listens = " ".join(f"listen 127.0.0.{n}:{port};" for n in range(1, hosts + 1))
    conf = work / "nginx.conf"
    conf.write_text(f"""{user}
worker_processes 1; daemon off; pid {work}/nginx.pid; error_log {work}/nginx.err warn;
events {{ worker_connections 1024; }}
http {{ access_log off; default_type text/html; sendfile on; keepalive_requests 100000;
  client_body_temp_path {work}/tmp; proxy_temp_path {work}/tmp; fastcgi_temp_path {work}/tmp;
  uwsgi_temp_path {work}/tmp; scgi_temp_path {work}/tmp;
  server {{ {listens} root {root}; }} }}
""")
    (work / "tmp").mkdir()
    process = subprocess.Popen([binary, "-c", str(conf), "-p", str(work)])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    process.kill()
    sys.exit(f"bench: nginx did not start, see {work}/nginx.err")


def generic_pages(root: Path, count: int) -> list[tuple[str, str]]:
    """~30 KB schema.org pages: the sandbox's generic markup, padded as a shop's page is (menus, text)."""
    from sandbox.catalog import Catalog
    from sandbox.render import Renderer

    renderer, catalog = Renderer(), Catalog()
    (root / "a").mkdir()
    paths = []
    for product in catalog.bulk(count, prefix="a"):
        page = renderer.product_page(product).decode()
        filler = "<p>Description détaillée du produit, conseils d'entretien et avis clients.</p>\n"
        padding = filler * max(0, (PAGE_BYTES - len(page)) // len(filler))
        page = page.replace("</body>", f"<section class='details'>{padding}</section></body>")
        (root / "a" / f"{product.id}.html").write_text(page)
        paths.append((f"/a/{product.id}.html", ""))
    return paths


def corpus_pages(root: Path, copies: int) -> tuple[list[tuple[str, str]], list[Path]]:
    from spiders import registry

    # static checks only: the marketplaces that need a browser are measured by bench/browser_checks.py
    static = {m.name for m in registry.all_marketplaces() if not m.needs_browser}
    rows = [row for row in csv.DictReader((CORPUS / "EXPECTED.tsv").open(encoding="utf-8"), delimiter="\t")
            if row["marketplace"] in static]
    if not rows:
        sys.exit(f"bench: no corpus at {CORPUS}")
    (root / "b").mkdir()
    paths, files = [], []
    for n in range(copies):
        row = rows[n % len(rows)]
        source = (CORPUS / row["file"]).resolve()
        name = f"b/{n:05d}-{source.name}"
        os.symlink(source, root / name)
        paths.append((f"/{name}", row["marketplace"]))
        files.append(source)
    return paths, files


def extraction_ms(files: list[Path], marketplaces: list[str]) -> float:
    """Mean time the adapters take to extract these pages, in this process (the yardstick for CPU per check)."""
    from spiders import registry
    from spiders.page import PageInput

    cache: dict[Path, float] = {}
    for path, name in zip(files, marketplaces):
        if path not in cache:
            adapter, body = registry.by_name(name), path.read_bytes()
            host = adapter.domains[0] if adapter.domains else "example.com"
            runs = []
            for _ in range(5):
                started = time.perf_counter()
                adapter.observe(PageInput(url=f"https://www.{host}/", body=body))
                runs.append(time.perf_counter() - started)
            cache[path] = statistics.median(runs)
    return 1000 * statistics.mean(cache[path] for path in files)


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(f"bench: {' '.join(command[:4])} failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def run_bare(urls_file: Path, concurrency: int) -> Timed:
    wall, cpu, out = timed([sys.executable, str(HERE / "bare_spider.py"), str(urls_file), str(concurrency)],
                           dict(os.environ))
    data = json.loads(out)
    return Timed(wall, data["seconds"], cpu, data["pages"])


def run_vigie(env: dict[str, str]) -> Timed:
    wall, cpu, out = timed([sys.executable, "-m", "vigie", "check", "--all", "--json"], env)
    data = json.loads(out)
    return Timed(wall, data["elapsed_seconds"], cpu, data["checked"])


def fresh_postgres() -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS vigie_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE vigie_bench")
    return f"{PG_SERVER.replace('postgresql://', 'postgresql+psycopg://')}/vigie_bench"


def median(runs: list[Timed], field: str) -> float:
    return statistics.median(getattr(run, field) for run in runs)


def urls_of(base: str, paths: list[tuple[str, str]], spread: int) -> list[str]:
    """The page URLs, the n-th on loopback host 127.0.0.<1 + n % spread>."""
    return [base.replace("127.0.0.1", f"127.0.0.{1 + n % spread}") + path for n, (path, _) in enumerate(paths)]


def bench(label: str, base: str, paths: list[tuple[str, str]], database: str, work: Path, args,
          yardstick=None) -> dict:
    """`yardstick`: measured once per run too (the corpus set's extraction time), its median reported."""
    # The corpus set is registered with the marketplaces' adapters, whose politeness delays (1-2 s between two
    # requests to one host) would make 500 pages on one host take 9 minutes of waiting: spread over loopback
    # hosts, each still waited for, the set takes seconds. Its figure of merit is CPU per check, not wall time.
    spread = args.corpus_hosts if label == "corpus" else 1
    data = work / f"data-{label}-{database}"
    url = f"sqlite:///{data}/bench.db" if database == "sqlite" else fresh_postgres()
    data.mkdir()
    env = {**os.environ, "VIGIE_DATA_DIR": str(data), "VIGIE_DATABASE_URL": url, "VIGIE_ALLOW_PRIVATE_HOSTS": "1",
           "VIGIE_CONCURRENCY": str(args.concurrency), "VIGIE_SMTP_URL": ""}  # emails to .eml files
    listings = data / "listings.csv"
    with listings.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["url", "marketplace"])
        writer.writerows([url, marketplace] for url, (_, marketplace) in zip(urls_of(base, paths, spread), paths))
    urls = data / "urls.txt"
    urls.write_text("\n".join(urls_of(base, paths, spread)))
    subprocess.run([sys.executable, "-m", "vigie", "import", str(listings)], env=env, check=True,
                   capture_output=True)
    bare, vigie, yardsticks = [], [], []
    for _ in range(args.runs):  # interleaved, so a slow moment of the machine hits all of them
        bare.append(run_bare(urls, args.concurrency))
        vigie.append(run_vigie(env))
        if yardstick is not None:
            yardsticks.append(yardstick())
    n = len(paths)
    result = {"set": label, "database": database, "pages": n,
              "bare_pages_per_s_whole": n / median(bare, "wall"), "bare_pages_per_s_crawl": n / median(bare, "crawl"),
              "vigie_checks_per_s_whole": n / median(vigie, "wall"),
              "vigie_checks_per_s_crawl": n / median(vigie, "crawl"),
              "vigie_cpu_ms_per_check": 1000 * median(vigie, "cpu") / n,
              "bare_cpu_ms_per_page": 1000 * median(bare, "cpu") / n,
              "checked": [run.count for run in vigie], "fetched": [run.count for run in bare]}
    if yardsticks:
        result["extraction_ms"] = statistics.median(yardsticks)
        result["cpu_over_extraction"] = (result["vigie_cpu_ms_per_check"] - 1) / result["extraction_ms"]
    result["ratio_whole"] = result["vigie_checks_per_s_whole"] / result["bare_pages_per_s_whole"]
    result["ratio_crawl"] = result["vigie_checks_per_s_crawl"] / result["bare_pages_per_s_crawl"]
    return result


def report(result: dict) -> None:
    print(f"\n{result['set']} pages × {result['pages']} on {result['database']} (medians of runs):")
    print(f"  bare scrapy  {result['bare_pages_per_s_whole']:7.0f} pages/s whole process, "
          f"{result['bare_pages_per_s_crawl']:7.0f} crawl only, {result['bare_cpu_ms_per_page']:.2f} ms CPU/page")
    print(f"  vigie check  {result['vigie_checks_per_s_whole']:7.0f} checks/s whole process, "
          f"{result['vigie_checks_per_s_crawl']:7.0f} crawl only, {result['vigie_cpu_ms_per_check']:.2f} ms CPU/check")
    print(f"  ratio        {result['ratio_whole']:.2f} whole process, {result['ratio_crawl']:.2f} crawl only")
    if "extraction_ms" in result:
        print(f"  extraction   {result['extraction_ms']:.2f} ms/page by the adapters alone → CPU per check = "
              f"{result['cpu_over_extraction']:.2f} × extraction + 1 ms (target ≤ 1.3 ×); bare Scrapy's fetch "
              f"alone is {result['bare_cpu_ms_per_page'] / result['extraction_ms']:.2f} × extraction")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", choices=["generic", "corpus", "both"], default="both")
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--corpus-copies", type=int, default=500)
    parser.add_argument("--corpus-hosts", type=int, default=100, help="loopback hosts the corpus set is spread over")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = parser.parse_args()
    if not 1 <= args.corpus_hosts <= 254:
        parser.error(f"--corpus-hosts must be 1 to 254 (loopback addresses 127.0.0.1 …), not {args.corpus_hosts}")
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    with tempfile.TemporaryDirectory(prefix="vigie-nginx-bench-") as tmp:
        work = Path(tmp)
        root = work / "www"
        root.mkdir()
        sets: dict[str, list[tuple[str, str]]] = {}
        corpus_files: list[Path] = []
        if args.set in ("generic", "both"):
            sets["generic"] = generic_pages(root, args.pages)
        if args.set in ("corpus", "both"):
            sets["corpus"], corpus_files = corpus_pages(root, args.corpus_copies)
        nginx, base = start_nginx(root, work, hosts=args.corpus_hosts if "corpus" in sets else 1)
        results = []
        try:
            for label, paths in sets.items():
                for database in databases:
                    yardstick = None
                    if label == "corpus":
                        yardstick = lambda: extraction_ms(corpus_files, [m for _, m in paths])  # noqa: E731
                    result = bench(label, base, paths, database, work, args, yardstick)
                    report(result)
                    results.append(result)
        finally:
            nginx.terminate()
            nginx.wait(10)
    if args.json:
        print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
