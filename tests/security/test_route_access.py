"""Who may do what, for every route of the observatory: generated from the app's route table, so a route
added without a line in POLICY fails here. Each role runs against a fresh seeded database; the target of every
per-listing route is Alice's listing, so Bob is the "other seller"."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from observatory.docs import ASSETS
from store.db import session_scope
from store.models import Listing
from store.models_channels import Channel
from store.models_observatory import User
from tests.alerts.receivers import Receiver
from tests.observatory.seed import T0
from tests.observatory.conftest import app, client, csrf_of, log_in, world  # noqa: F401 (fixtures)

ROLES = ("anonymous", "other_seller", "seller", "investigator", "admin")
EMAIL = {"other_seller": "bob@example.org", "seller": "alice@example.org", "investigator": "ivy@example.org",
         "admin": "root@example.org"}
OK = "ok"  # 2xx, or a 303 that is not to the login page
LOGIN = "login"  # 303 to /login (HTML) or 401 (API)

# what each kind of route answers, by role: anonymous, other seller, seller, investigator, admin
KINDS = {
    "public": (OK, OK, OK, OK, OK),
    "page": (LOGIN, OK, OK, OK, OK),
    "owned page": (LOGIN, 404, OK, OK, OK),
    "owned write": (LOGIN, 404, OK, 403, OK),
    "seller write": (LOGIN, OK, OK, 403, OK),
    "admin": (LOGIN, 403, 403, 403, OK),
    "seller's account": (LOGIN, OK, OK, 403, 403),  # a seller's own account settings (admins: the Users page)
    "logout": (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),  # back to the login page, with or without a session
}
POLICY = {
    ("GET", "/openapi.json"): "public", ("GET", "/docs"): "public", ("GET", "/docs/start.js"): "public",
    ("GET", ASSETS): None,  # Swagger UI's static files: a directory, no page of its own
    ("GET", "/login"): "public", ("GET", "/"): "public",
    ("POST", "/login"): None,  # its own test below: the login form is the way in
    ("POST", "/logout"): "logout",
    ("GET", "/dashboard"): "page", ("GET", "/listings"): "page", ("GET", "/events"): "page",
    ("GET", "/register"): "page", ("GET", "/register.js"): "public",
    ("GET", "/account"): "page", ("POST", "/account/language"): "page",
    ("POST", "/account/alert-language"): "seller's account", ("POST", "/users/{user_id}/language"): "admin",
    ("GET", "/listings/{listing_id}"): "owned page",
    ("GET", "/listings/{listing_id}/snapshots/{seq}/page"): "owned page",
    ("GET", "/listings/{listing_id}/snapshots/{seq}/screenshot"): "owned page",
    ("GET", "/listings/{listing_id}/evidence.zip"): "owned page",
    ("GET", "/listings/{listing_id}/evidence.wacz"): "owned page",
    ("GET", "/api/listings/{listing_id}/evidence.wacz"): "owned page",
    # search watches (issue 27); before the listing's removal below: a watch is added to a listing still watched
    ("GET", "/api/search-watches"): "page", ("GET", "/api/search-watches/{watch_id}"): "owned page",
    ("GET", "/api/search-watches/{watch_id}/checks"): "owned page", ("GET", "/search-watches/{watch_id}"): "owned page",
    ("GET", "/api/search-watches/{watch_id}/positions.{fmt}"): "owned page",
    ("POST", "/api/search-watches"): "seller write", ("POST", "/listings/{listing_id}/search-watches"): "owned write",
    ("POST", "/search-watches/{watch_id}/remove"): "owned write",
    ("DELETE", "/api/search-watches/{watch_id}"): "owned write",  # after the form removed it: answers the same
    ("POST", "/listings/{listing_id}/remove"): "owned write",
    ("POST", "/listings/{listing_id}/events/{event_id}/statement"): "owned write",
    ("POST", "/register"): "seller write", ("POST", "/register/csv"): "seller write",
    ("GET", "/users"): "admin", ("POST", "/users"): "admin", ("POST", "/users/{user_id}/active"): "admin",
    ("GET", "/api/listings"): "page", ("GET", "/api/events"): "page",
    ("GET", "/api/export/listings.{fmt}"): "page", ("GET", "/api/export/events.{fmt}"): "page",
    ("POST", "/api/listings"): "seller write", ("POST", "/api/import"): "seller write",
    ("GET", "/api/listings/{listing_id}"): "owned page", ("GET", "/api/listings/{listing_id}/snapshots"): "owned page",
    ("GET", "/api/listings/{listing_id}/evidence"): "owned page",
    ("DELETE", "/api/listings/{listing_id}"): "owned write",
    # storefront watches (issue 26)
    ("GET", "/api/shops"): "page", ("POST", "/api/shops"): "seller write",
    ("GET", "/api/shops/{shop_id}"): "owned page", ("GET", "/api/shops/{shop_id}/walks"): "owned page",
    ("DELETE", "/api/shops/{shop_id}"): "owned write", ("GET", "/shops/{shop_id}"): "owned page",
    # alert channels (issue 28): the target is Alice's chat channel, to a live receiver; removed last (the
    # writes go in this order), then DELETE finds it removed and answers the same (idempotent)
    ("GET", "/account"): "page", ("POST", "/account/channels"): "seller write",
    ("GET", "/api/channels"): "page", ("POST", "/api/channels"): "seller write",
    ("POST", "/account/channels/{channel_id}/test"): "owned write",
    ("POST", "/api/channels/{channel_id}/test"): "owned write",
    ("POST", "/account/channels/{channel_id}/remove"): "owned write",
    ("DELETE", "/api/channels/{channel_id}"): "owned write",
}


def route_table(app) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        for sub in route.original_router.routes if hasattr(route, "original_router") else [route]:
            # a Mount (static files) answers GET under its path
            for method in (getattr(sub, "methods", None) or {"GET"}) - {"HEAD"}:
                found.add((method, sub.path))
    return found


def test_every_route_has_an_access_policy(app):
    table = route_table(app)
    assert table - POLICY.keys() == set(), "routes without a policy: add them to POLICY"
    assert POLICY.keys() - table == set(), "policy for routes that no longer exist"


@pytest.fixture
def chat():
    with Receiver() as receiver:
        yield receiver


def _ids(sessions, world, chat=None):
    with session_scope(sessions) as s:
        user_id = s.scalar(select(User.id).where(User.email == "bob@example.org"))
        channel = Channel(account_id=world.seeded.alice_account, kind="apprise", active=True, created_at=T0,
                          target=f"json://127.0.0.1:{chat.port if chat else 9}/alice", shown="json://127.0.0.1/alice")
        s.add(channel)
        s.flush()
        channel_id = channel.id
        shop_id = _alice_shop(s, world)
        watch_id = _alice_search_watch(s, world)
        bob_searchable = _bob_amazon_listing(s, world)
    return {"listing_id": world.seeded.alice_listing, "seq": 1, "event_id": world.seeded.delisted_event,
            "fmt": "csv", "user_id": user_id, "channel_id": channel_id,
            "shop_id": shop_id, "watch_id": watch_id, "bob_searchable": bob_searchable}


def _bob_amazon_listing(session, world) -> int:
    """Bob's seeded listing is on Cdiscount, which has no search reader yet: one on Amazon for his own watches."""
    from tests.observatory.conftest import NOW

    url = "https://www.amazon.fr/dp/B0BOB00001"
    listing = Listing(account_id=world.seeded.bob_account, url=url, canonical_url=url, marketplace="amazon",
                      created_at=NOW, next_check_at=NOW, state="listed")
    session.add(listing)
    session.flush()
    return listing.id


def _alice_search_watch(session, world) -> int:
    from tests.observatory.conftest import NOW
    from vigie.search_watches import NewSearchWatch, add_search_watch

    return add_search_watch(session, NewSearchWatch(world.seeded.alice_listing, "tasse bleue"), allow_private=False,
                            now=NOW).listing_id


def _alice_shop(session, world) -> int:
    from store.models import Account
    from tests.observatory.conftest import NOW
    from vigie.shops import NewShop, store_shop, validate_shop

    checked = validate_shop(NewShop(url="https://www.amazon.fr/s?me=A1ALICE"), allow_private=True,
                            resolve=lambda *a: [(2, 1, 6, "", ("93.184.216.34", 443))])
    return store_shop(session, checked, account=session.get(Account, world.seeded.alice_account), now=NOW).listing_id


def _body(method: str, path: str, role: str, n: int, ids: dict | None = None) -> dict:
    """A valid request for the route, so that only the caller's rights decide its answer."""
    account = {"account": "alice-shop"} if role == "admin" else {}
    if path == "/api/search-watches" and method == "POST":  # a seller's own listing (Bob's for Bob)
        mine = (ids or {}).get("bob_searchable" if role == "other_seller" else "listing_id")
        return {"json": {"listing_id": mine, "query": f"lampe {n}"}}
    if path.endswith("/search-watches") and method == "POST":
        return {"data": {"query": f"lampe {n}", "pages": "2", "every": "1d"}}
    if path == "/api/listings" and method == "POST":
        return {"json": {"url": f"https://www.amazon.fr/dp/B0NEW{n:05d}", **account}}
    if path == "/api/shops" and method == "POST":
        return {"json": {"url": f"https://www.ebay.fr/str/shop{n:05d}", **account}}
    if path == "/register":
        return {"data": {"url": f"https://www.amazon.fr/dp/B0FORM{n:04d}", **account}}
    if path == "/register/csv":
        return {"data": account, "files": {"file": ("l.csv", f"url\nhttps://www.amazon.fr/dp/B0CSV{n:05d}\n",
                                                    "text/csv")}}
    if path == "/api/import":
        return {"params": account, "files": {"file": ("l.csv", f"url\nhttps://www.amazon.fr/dp/B0API{n:05d}\n",
                                                      "text/csv")}}
    if path == "/users":
        return {"data": {"email": f"new{n}@example.org", "role": "investigator", "password": "Vg!7qLm2#xR9-kT"}}
    if path.endswith("language"):
        return {"data": {"lang": "fr"}}
    if path.endswith("/active"):
        return {"data": {"active": "false"}}
    if path in ("/api/channels", "/account/channels") and method == "POST":
        url = f"mailto:team{n}@example.org"
        return {"json": {"url": url, **account}} if path.startswith("/api/") else {"data": {"url": url, **account}}
    if path.endswith("/statement"):
        return {"data": {"received_on": "2026-03-06", "note": "statement received by email"}}
    return {}


def _judge(expected, response, api: bool) -> bool:
    code = response.status_code
    to_login = code == 303 and response.headers.get("location", "").startswith("/login")
    if expected == LOGIN:
        return code == 401 if api else to_login
    if expected == OK:
        return (200 <= code < 300) or (code == 303 and not to_login)
    return code == expected


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_policy_says_on_every_route(role, client, sessions, world, app, chat):
    ids = _ids(sessions, world, chat)
    headers, csrf = {}, ""
    if role != "anonymous":
        log_in(client, EMAIL[role])
        csrf = csrf_of(client.get("/register").text)
    column = ROLES.index(role)
    # reads first, then writes, the session's end last
    order = sorted((key for key, kind in POLICY.items() if kind),
                   key=lambda key: (key[0] != "GET", key[0] == "DELETE", key[1] == "/logout"))
    wrong = []
    for n, (method, template) in enumerate(order):
        path = template.format(**ids)
        api = path.startswith("/api/")
        request = _body(method, path, role, n, ids)
        if api:
            client.cookies.clear()
            if role != "anonymous":
                headers = {"Authorization": f"Bearer {world.tokens[EMAIL[role]]}"}
        elif method == "POST":
            request.setdefault("data", {})["csrf"] = csrf
        response = client.request(method, path, headers=headers if api else {}, follow_redirects=False, **request)
        if api and role != "anonymous":  # the API calls dropped the cookie: log in again for the pages
            log_in(client, EMAIL[role])
            csrf = csrf_of(client.get("/register").text)
        expected = KINDS[POLICY[(method, template)]][column]
        if response.status_code >= 500 or not _judge(expected, response, api):
            wrong.append(f"{method} {path}: {response.status_code}, expected {expected}")
    assert wrong == [], "\n".join(wrong)


def test_other_sellers_listings_never_show_in_lists_or_exports(client, world):
    headers = {"Authorization": f"Bearer {world.tokens['bob@example.org']}"}
    for path in ("/api/listings", "/api/events", "/api/export/listings.csv", "/api/export/events.csv"):
        body = client.get(path, headers=headers).text
        assert "B0ALICE001" not in body and "alice" not in body.lower(), path
    log_in(client, "bob@example.org")
    for path in ("/listings", "/events", "/dashboard"):
        assert "B0ALICE001" not in client.get(path).text, path


FORMS = [key for key, kind in POLICY.items() if key[0] == "POST" and not key[1].startswith("/api/")]


@pytest.mark.parametrize("method,template", FORMS, ids=[path for _, path in FORMS])
@pytest.mark.parametrize("token", ["missing", "wrong"])
def test_every_form_refuses_a_request_without_its_csrf_token(method, template, token, client, sessions, world):
    ids = _ids(sessions, world)
    path = template.format(**ids)
    if path == "/login":
        client.get("/login")  # the login form's own token cookie
        request = {"data": {"email": "root@example.org", "password": "correct horse battery"}}
    else:
        log_in(client, "root@example.org")  # the admin may do everything: only the token is missing
        request = _body(method, path, "admin", 1, ids)
    if token == "wrong":
        request.setdefault("data", {})["csrf"] = "x" * 43
    with session_scope(sessions) as s:
        before = (s.scalar(select(func.count()).select_from(Listing)),
                  s.scalar(select(func.count()).select_from(User)),
                  s.scalar(select(func.count()).select_from(Listing).where(Listing.active)))
    response = client.post(path, follow_redirects=False, **request)
    assert response.status_code == 403, (path, response.status_code)
    with session_scope(sessions) as s:
        after = (s.scalar(select(func.count()).select_from(Listing)),
                 s.scalar(select(func.count()).select_from(User)),
                 s.scalar(select(func.count()).select_from(Listing).where(Listing.active)))
    assert after == before
    if path == "/logout":  # still logged in
        assert client.get("/dashboard", follow_redirects=False).status_code == 200
