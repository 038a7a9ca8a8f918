"""Managing users from the web: admins only, the rules of `vigie user add`, deactivation at once."""
from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from store.db import session_scope
from store.models import Account
from store.models_observatory import User
from tests.observatory.conftest import PASSWORD, csrf_of, log_in


def users_form(client: TestClient) -> str:
    page = client.get("/users")
    assert page.status_code == 200
    return csrf_of(page.text)


def count(sessions, model) -> int:
    with session_scope(sessions) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_an_admin_adds_a_seller_who_then_sees_only_their_account(app, client, sessions, world):
    log_in(client, "root@example.org")
    csrf = users_form(client)
    added = client.post("/users", data={"csrf": csrf, "email": "Carla@Example.org", "role": "seller",
                                        "account": "carla-shop", "password": "a long enough password"})
    assert added.status_code == 200 and "user carla@example.org added (seller)" in added.text
    with TestClient(app) as carla:
        assert log_in(carla, "carla@example.org", "a long enough password").status_code == 303
        assert "B0ALICE001" not in carla.get("/listings").text
        assert carla.get("/users").status_code == 403  # only admins manage users


def test_bad_users_are_refused_in_one_line_and_store_nothing(client, sessions, world):
    log_in(client, "root@example.org")
    csrf = users_form(client)
    users, accounts = count(sessions, User), count(sessions, Account)
    for form, words in [({"email": "alice@example.org", "role": "seller", "account": "new-shop"}, "already exists"),
                        ({"email": "not an email", "role": "investigator"}, "invalid email"),
                        ({"email": "dan@example.org", "role": "seller"}, "needs an account"),
                        ({"email": "eve@example.org", "role": "owner"}, "must be one of"),
                        ({"email": "fay@example.org", "role": "admin", "password": "short"}, "at least")]:
        refused = client.post("/users", data={"csrf": csrf, **form})
        assert refused.status_code == 400 and words in refused.text, form
    assert (count(sessions, User), count(sessions, Account)) == (users, accounts)  # "new-shop" was not kept


def test_deactivating_ends_the_users_session_and_tokens_at_once(app, client, sessions, world):
    with TestClient(app) as ivy:
        assert log_in(ivy, "ivy@example.org").status_code == 303
        token = {"Authorization": f"Bearer {world.tokens['ivy@example.org']}"}
        assert ivy.get("/api/listings", headers=token).status_code == 200
        log_in(client, "root@example.org")
        csrf = users_form(client)
        with session_scope(sessions) as s:
            ivy_id = s.scalar(select(User.id).where(User.email == "ivy@example.org"))
        done = client.post(f"/users/{ivy_id}/active", data={"csrf": csrf, "active": "false"}, follow_redirects=False)
        assert done.status_code == 303
        assert ivy.get("/listings", follow_redirects=False).status_code == 303  # back to the login page
        assert ivy.get("/api/listings", headers=token).status_code == 401
        assert log_in(ivy, "ivy@example.org").status_code == 401
        client.post(f"/users/{ivy_id}/active", data={"csrf": csrf, "active": "true"})
        assert log_in(ivy, "ivy@example.org", PASSWORD).status_code == 303


def test_only_admins_with_a_csrf_token_manage_users_and_never_lock_themselves_out(app, client, sessions, world):
    with session_scope(sessions) as s:
        root_id = s.scalar(select(User.id).where(User.email == "root@example.org"))
    with TestClient(app) as ivy:
        log_in(ivy, "ivy@example.org")
        csrf = csrf_of(ivy.get("/listings").text)
        assert ivy.get("/users").status_code == 403
        assert ivy.post("/users", data={"csrf": csrf, "email": "x@example.org", "role": "admin"}).status_code == 403
    log_in(client, "root@example.org")
    csrf = users_form(client)
    assert client.post("/users", data={"csrf": "forged", "email": "x@example.org", "role": "admin"}).status_code == 403
    assert client.post(f"/users/{root_id}/active", data={"csrf": csrf, "active": "false"}).status_code == 400
    assert client.post("/users/9999/active", data={"csrf": csrf, "active": "false"}).status_code == 404
    assert count(sessions, User) == 4
