"""Each command loads only its own module: the mapping in `vigie.cli.main` must name every command."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal

from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from vigie.cli.main import COMMAND_MODULES, cli, register_commands

# what a static pass has no use for: the browser (until a check needs it), Scrapy's unused components
# (RemoteControl → aiohttp, CookiesMiddleware → tldextract) and extruct's microformat reader (mf2py → bs4)
NOT_FOR_A_STATIC_PASS = ("playwright", "scrapy_playwright.handler", "aiohttp", "tldextract", "mf2py.parser", "bs4")


def test_every_command_is_in_the_mapping_and_in_the_module_it_names():
    register_commands([])  # everything, as `vigie --help` does
    assert set(cli.commands) == set(COMMAND_MODULES)
    for name, module in COMMAND_MODULES.items():
        assert cli.commands[name].callback.__module__ == f"vigie.cli.{module}", name


def test_a_check_does_not_load_the_web_app_the_scheduler_or_the_email_templates(tmp_path):
    probe = ("import sys; from vigie.cli.main import register_commands; register_commands(['check', '--all']);"
             "print(sorted(m for m in ('fastapi', 'apscheduler', 'vigie.cli.observatory', 'jinja2', 'babel')"
             " if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert done.stdout.strip() == "[]"


def test_a_command_on_an_up_to_date_database_does_not_load_alembic(tmp_path, database_url):
    probe = ("import sys; from vigie.settings import load; from vigie.cli.app import App;"
             f"app = App(load({{'VIGIE_DATABASE_URL': {database_url!r}, 'VIGIE_DATA_DIR': {str(tmp_path)!r}}}));"
             "app.engine; app.close(); print('alembic' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert done.stdout.strip() == "False", done.stderr


def test_a_static_pass_loads_no_browser_nor_what_scrapy_and_extruct_would_import_unused(tmp_path, database_url):
    env = {**os.environ, "VIGIE_DATA_DIR": str(tmp_path / "data"), "VIGIE_DATABASE_URL": database_url,
           "VIGIE_ALLOW_PRIVATE_HOSTS": "1"}
    loaded = tmp_path / "loaded.json"
    probe = ("import atexit, json, sys;"
             f"atexit.register(lambda: open({str(loaded)!r}, 'w').write(json.dumps("
             f"sorted(m for m in {NOT_FOR_A_STATIC_PASS!r} if m in sys.modules))));"
             "from vigie.cli.main import main; main(sys.argv[1:])")
    catalog = Catalog([Product(id="lamp", title="Lampe", price=Decimal("19.90"), seller="Boutique")])
    with run_in_thread(catalog) as sandbox:
        subprocess.run([sys.executable, "-m", "vigie", "add", f"{sandbox.url}/p/lamp"], env=env, cwd=tmp_path,
                       check=True, capture_output=True)
        done = subprocess.run([sys.executable, "-c", probe, "check", "--all", "--json"], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [r["outcome"] for r in json.loads(done.stdout)["results"]] == ["listed"]
    assert json.loads(loaded.read_text()) == []
