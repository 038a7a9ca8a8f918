"""Each command loads only its own module: the mapping in `vigie.cli.main` must name every command."""
from __future__ import annotations

import subprocess
import sys

from vigie.cli.main import COMMAND_MODULES, cli, register_commands


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
