"""An observatory app over a seeded database, with users of every role."""
from __future__ import annotations

import re
from dataclasses import dataclass

import warnings

import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette 1.x prefers the httpx2 fork but still works with httpx, which the project already has
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from observatory.accounts import add_user, issue_token
from observatory.app import create_app
from observatory.config import ObservatoryConfig
from store.db import session_scope
from store.models import Account
from tests.observatory.seed import T0, Seeded, seed

PASSWORD = "correct horse battery"
NOW = T0.replace(day=9)


@dataclass(frozen=True)
class World:
    seeded: Seeded
    tokens: dict[str, str]  # email -> API token


USERS = (("alice@example.org", "seller", "alice"), ("bob@example.org", "seller", "bob"),
         ("ivy@example.org", "investigator", None), ("root@example.org", "admin", None))


@pytest.fixture
def world(sessions) -> World:
    seeded = seed(sessions)
    tokens = {}
    with session_scope(sessions) as s:
        for email, role, owner in USERS:
            account = {"alice": s.get(Account, seeded.alice_account), "bob": s.get(Account, seeded.bob_account)}.get(
                owner or "")
            user = add_user(s, email, role, now=T0, account=account, password=PASSWORD)
            tokens[email] = issue_token(s, user, now=T0)
    return World(seeded, tokens)


@pytest.fixture
def app(sessions, world, tmp_path):
    # data_dir: where the instance's WACZ signing key is made, as `vigie serve` gives it
    return create_app(ObservatoryConfig(allow_private_hosts=True, clock=lambda: NOW, data_dir=tmp_path), sessions)


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def log_in(client: TestClient, email: str, password: str = PASSWORD):
    page = client.get("/login")
    return client.post("/login", data={"email": email, "password": password, "csrf": csrf_of(page.text),
                                       "next_url": "/"}, follow_redirects=False)
