"""One watched listing taken through three real `vigie check` passes against the sandbox over loopback, with a
real RFC 3161 authority (OpenSSL) that is down for the second pass; then exported as WACZ and as zip.

Built once per test session (the passes cost a few seconds each) in a SQLite store of its own; the tests read the
exports and alter copies of them."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import pytest

from sandbox.catalog import Catalog, Product
from sandbox.server import run_in_thread
from tests.cli.runner import Run, Vigie
from tests.evidence.local_tsa import LocalTSA


@dataclass
class World:
    vigie: Vigie
    tsa: LocalTSA
    page_url: str
    listing_id: int
    passes: list[Run]
    wacz: Path
    bundle: Path


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
        listing_id = vigie.ok("add", url, "--seller", "Atelier Dupont", "--json").json()["id"]
        passes = [vigie.ok("check", "--all", "--json")]
        sandbox.catalog.patch("lamp", state="redirect_search")
        tsa.available = False
        passes.append(vigie.ok("check", "--all", "--json"))  # the authority is down: the check still passes
        tsa.available = True
        passes.append(vigie.ok("check", "--json"))  # nothing is due; the pending batch is stamped
        wacz, bundle = folder / "lamp.wacz", folder / "lamp.zip"
        vigie.ok("export-evidence", str(listing_id), "--out", str(wacz))
        vigie.ok("export-evidence", str(listing_id), "--out", str(bundle))
        yield World(vigie, tsa, url, listing_id, passes, wacz, bundle)
