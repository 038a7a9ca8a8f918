"""What a newcomer or a packager reads beside the code (issue 25): the licence the package declares, its history,
and deployment steps that name the settings the code reads."""
from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]
# MD5 of the FSF's agpl-3.0.txt, the file the GNU project publishes (661 lines, 34,523 bytes)
AGPL_3_MD5 = "eb1e647870add0502f8f010b19de32af"


def test_the_licence_is_the_official_agpl_text_the_package_declares():
    licence = (ROOT / "LICENSE").read_bytes()
    assert hashlib.md5(licence).hexdigest() == AGPL_3_MD5
    assert licence.startswith(b"                    GNU AFFERO GENERAL PUBLIC LICENSE\n")
    assert len(licence.splitlines()) == 661
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    assert declared == "AGPL-3.0-or-later"  # "or later": the text's own section 14 allows it


def test_the_changelog_keeps_a_changelog():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "keepachangelog.com" in text
    sections = re.findall(r"^## (.+)$", text, re.M)
    assert sections[0] == "Unreleased" and any(s.startswith("0.1.0") for s in sections)
    assert set(re.findall(r"^### (\w+)$", text, re.M)) <= {"Added", "Changed", "Deprecated", "Removed", "Fixed",
                                                           "Security"}


def test_the_deploy_guide_builds_the_wheel_sets_up_postgresql_and_a_proxy_with_real_settings():
    guide = (ROOT / "deploy" / "README.md").read_text()
    assert "python3 -m pip wheel --no-deps -w dist ." in guide
    assert "createuser" in guide and "CREATE DATABASE vigie OWNER vigie" in guide
    assert "proxy_pass http://127.0.0.1:8000;" in guide and "X-Forwarded-For $remote_addr" in guide
    # the environment is read only by the settings and the CLI: every name the guide gives must be read there
    edges = "".join(p.read_text() for p in [ROOT / "vigie" / "settings.py", *(ROOT / "vigie" / "cli").glob("*.py")])
    for setting in re.findall(r"\bVIGIE_[A-Z_]+", guide):
        assert f'"{setting}"' in edges, f"{setting} is read nowhere"
    assert {"VIGIE_PUBLIC_URL", "VIGIE_TRUSTED_PROXIES"} <= set(re.findall(r"\bVIGIE_[A-Z_]+", guide))


def test_the_observatory_doc_says_what_the_code_does_with_forwarded_headers():
    doc = (ROOT / "docs" / "observatory.md").read_text()
    transport = (ROOT / "observatory" / "transport.py").read_text()
    assert "Forwarded headers are trusted from no one unless named" in transport  # what the code does
    assert "uvicorn's default of trusting" not in doc
    assert "VIGIE_TRUSTED_PROXIES" in doc and "believed from no one" in doc
