"""Which language a page is in: the browser's Accept-Language, else English; the user's own choice over both
(account page), an admin's for any user; the register form's marketplace picked without script."""
from __future__ import annotations

from sqlalchemy import select

from observatory.i18n import negotiate
from store.db import session_scope
from store.models import Account
from store.models_observatory import User
from tests.observatory.conftest import csrf_of, log_in

FR = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}


def test_the_browser_language_is_negotiated_by_quality():
    assert negotiate("fr-FR,fr;q=0.9,en;q=0.8") == "fr"
    assert negotiate("de-DE, en;q=0.5, fr;q=0.7") == "fr"
    assert negotiate("de, es") == negotiate("") == negotiate(None) == negotiate("en;q=0, fr;q=0") == "en"
    assert negotiate("x-klingon, fr;q=abc, en") == "en"  # a malformed quality counts as 0


def test_pages_follow_the_browser_and_then_the_users_choice(client, world, sessions):
    log_in(client, "alice@example.org")
    assert '<html lang="fr">' in client.get("/", headers=FR).text
    assert "Demande votre attention" in client.get("/", headers=FR).text
    assert '<html lang="en">' in client.get("/").text
    account = client.get("/account", headers=FR).text
    assert client.post("/account/language", data={"lang": "en", "csrf": csrf_of(account)},
                       follow_redirects=False).status_code == 303
    assert "Needs your attention" in client.get("/", headers=FR).text  # the user's choice wins over the browser
    assert client.post("/account/language", data={"lang": "de", "csrf": csrf_of(account)}).status_code == 400
    client.post("/account/alert-language", data={"lang": "en", "csrf": csrf_of(account)})
    with session_scope(sessions) as s:
        assert s.get(Account, world.seeded.alice_account).lang == "en"
        assert s.scalar(select(User.lang).where(User.email == "alice@example.org")) == "en"
    client.post("/account/language", data={"lang": "", "csrf": csrf_of(account)})
    assert "Demande votre attention" in client.get("/", headers=FR).text  # back to the browser's


def test_an_admin_sets_a_users_languages_and_others_cannot(client, world, sessions):
    with session_scope(sessions) as s:
        alice = s.scalar(select(User).where(User.email == "alice@example.org")).id
    log_in(client, "bob@example.org")
    csrf = csrf_of(client.get("/account").text)
    assert client.post(f"/users/{alice}/language", data={"lang": "en", "csrf": csrf}).status_code == 403
    client.cookies.clear()
    log_in(client, "root@example.org")
    csrf = csrf_of(client.get("/users").text)
    done = client.post(f"/users/{alice}/language", data={"lang": "fr", "alert_lang": "en", "csrf": csrf},
                       follow_redirects=False)
    assert done.status_code == 303
    with session_scope(sessions) as s:
        user = s.get(User, alice)
        assert user.lang == "fr" and user.account.lang == "en"


def test_the_register_form_detects_the_marketplace_without_script(client, world):
    log_in(client, "alice@example.org")
    form = client.get("/register", headers=FR).text
    assert '<option value="amazon" data-domains="amazon.fr' in form and '<script src="/register.js"' in form
    again = client.post("/register", data={"url": "https://www.cdiscount.com/f-1-x.html", "seller": "Alice",
                                           "detect": "1", "csrf": csrf_of(form)}, headers=FR)
    assert again.status_code == 200 and '<option value="cdiscount" data-domains="cdiscount.com cdiscount.fr" selected>' \
        in again.text and 'value="Alice"' in again.text
    assert "detect" not in client.get("/listings").text  # nothing was registered
    assert client.get("/register.js").headers["content-type"].startswith("text/javascript")


def test_ui_routes_answer_pages_and_api_routes_json_for_a_bad_id(client, world):
    log_in(client, "alice@example.org")
    page = client.get("/listings/abc", headers=FR)
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "« abc » n’est pas un numéro d’annonce" in page.text
    api = client.get("/api/listings/abc", headers={"Authorization": f"Bearer {world.tokens['alice@example.org']}"})
    assert api.status_code == 422 and api.json()["detail"][0]["loc"] == ["path", "listing_id"]
