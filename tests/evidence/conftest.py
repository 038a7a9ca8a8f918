"""One watched listing taken through three real `vigie check` passes against the sandbox over loopback, with a
real RFC 3161 authority (OpenSSL) that is down for the second pass; then exported as WACZ and as zip.

Built once per test session (the passes cost a few seconds each) in a SQLite store of its own; the tests read the
exports and alter copies of them."""
from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Iterator
from unittest import mock

import pytest

from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from tests.cli.runner import Run, Vigie
from tests.evidence.local_tsa import LocalTSA
from vigie.cli.main import main


@dataclass
class World:
    vigie: Vigie
    tsa: LocalTSA
    page_url: str
    listing_id: int
    passes: list[Run]
    wacz: Path
    bundle: Path


def in_process(vigie: Vigie, *args: str) -> None:
    """A command that starts no crawl, run in this process (a child's start-up is seconds on a busy machine);
    the checks run in children, as Scrapy's reactor starts once per process."""
    with mock.patch.dict(os.environ, vigie.env, clear=True):
        try:
            main(list(args))
        except SystemExit as exit:
            assert exit.code in (0, None), f"vigie {' '.join(args)} exited {exit.code}"


@pytest.fixture(scope="session")
def tsa() -> Iterator[LocalTSA]:
    authority = LocalTSA()
    yield authority
    authority.close()


@pytest.fixture(scope="session")
def world(tmp_path_factory, tsa) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("evidence")
    catalog = Catalog([Product(id="lamp", title="Lampe Dupont", price=Decimal("24.90"), seller="Atelier Dupont")])
    with run_in_thread(catalog) as sandbox:
        vigie = Vigie(folder / "data", f"sqlite:///{folder / 'vigie.db'}", VIGIE_TSA_URL=tsa.url,
                      VIGIE_TSA_CERTS=str(tsa.ca_pem), VIGIE_CONFIRMATIONS="1")
        url = f"{sandbox.url}/p/lamp"
        in_process(vigie, "add", url, "--seller", "Atelier Dupont")
        listing_id = 1
        passes = [vigie.ok("check", "--all", "--json")]
        sandbox.catalog.patch("lamp", state="redirect_search")
        tsa.available = False
        passes.append(vigie.ok("check", "--all", "--json"))  # the authority is down: the check still passes
        tsa.available = True
        passes.append(vigie.ok("check", "--json"))  # nothing is due; the pending batch is stamped
        wacz, bundle = folder / "lamp.wacz", folder / "lamp.zip"
        in_process(vigie, "export-evidence", str(listing_id), "--out", str(wacz))
        in_process(vigie, "export-evidence", str(listing_id), "--out", str(bundle))
        yield World(vigie, tsa, url, listing_id, passes, wacz, bundle)
