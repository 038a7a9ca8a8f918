"""A sandbox served over loopback, shared by the tests of a module (each test uses its own ids)."""
from __future__ import annotations

from typing import Iterator

import pytest

from sandbox.catalog import Catalog
from sandbox.server import RunningSandbox, run_in_thread


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with run_in_thread(Catalog()) as running:
        yield running
