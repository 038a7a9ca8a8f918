"""Issue 15, point 10: weak passwords and hostile account names are refused wherever they are set (the rules in
observatory.passwords and vigie.registration.account_name; the real `vigie` command line; the admin's web form)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from observatory.accounts import AccountError, add_user, authenticate, start_session
from observatory.passwords import WeakPassword, check_password, common_passwords
from store.db import session_scope
from store.models import Account
from store.models_observatory import LoginSession, User
from tests.security.one_line import refused
from tests.cli.runner import Run, Vigie
from tests.observatory.conftest import NOW, app, client, csrf_of, log_in, world  # noqa: F401
from vigie.registration import RegistrationError, account_name

WEAK = [
    ("aaaaaaaaaa", "one character repeated"),
    ("          ", "one character repeated"),
    ("abababababab", "only 2 different characters"),
    ("1212121212", "only 2 different characters"),
    ("1234567890", "most common"),
    ("azertyuiop", "most common"),
    ("Password2024!", "most common"),
    ("P@ssw0rd123", "most common"),
    ("motdepasse!!", "most common"),
    ("Correct Horse Battery Staple", "most common"),
    ("short", "at least 10 characters"),
    ("x" * 999 + "yzabc", "at most 1,000"),
]


@pytest.mark.parametrize(("password", "why"), WEAK)
def test_a_weak_password_is_refused_in_one_line_that_does_not_quote_it(password, why):
    with pytest.raises(WeakPassword) as refused:
        check_password(password, email="carla@example.org")
    message = str(refused.value)
    assert why in message and "\n" not in message and (not password.strip() or password not in message)


@pytest.mark.parametrize("password", ["carla.martin@example.org", "Carla.Martin", "carlamartin", "carla.martin2024"])
def test_the_users_email_or_its_local_part_is_not_a_password(password):
    with pytest.raises(WeakPassword, match="email address"):
        check_password(password, email="Carla.Martin@example.org")
    check_password(password + " et son chat", email="Carla.Martin@example.org")  # a passphrase around it is fine


@pytest.mark.parametrize("password", ["correct horse battery", "a long enough password", "Tr0mbone-Nuage-42",
                                      "mon chat aime la pluie", "unmotdepassesolide"])
def test_passphrases_and_unusual_passwords_pass(password):
    check_password(password, email="carla@example.org")


def test_the_bundled_list_is_read_from_the_package():
    words = common_passwords()
    assert {"password", "azerty", "qwertyuiop", "motdepasse"} <= words and len(words) > 150
    assert not any(word.startswith("#") for word in words)


@pytest.mark.parametrize(("raw", "why"), [
    ("\t=1+1", "starts with '='"), ("+33 shop", "starts with '+'"), ("-shop", "starts with '-'"),
    ("@shop", "starts with '@'"), ("shop\u202egnp.exe", "invisible characters"), ("zero\u200bwidth", "invisible"),
    ("a\tb", "control characters"), ("n" * 201, "at most 200"), (" \t ", "empty"),
])
def test_a_hostile_account_name_is_refused_in_one_line(raw, why):
    with pytest.raises(RegistrationError, match=why.replace("+", r"\+")) as refused:
        account_name(raw)
    assert "\n" not in str(refused.value)


def test_an_account_name_is_stored_stripped_and_in_one_unicode_spelling():
    decomposed = "  Cafe\u0301 Dupont\n"  # "é" as e + combining acute, as some keyboards and copies give it
    assert account_name(decomposed) == "Caf\u00e9 Dupont"
    assert account_name("shop=1+1") == "shop=1+1"  # only a first character makes a formula


def test_add_user_refuses_a_weak_password_and_stores_nothing(sessions):
    with session_scope(sessions) as s:
        with pytest.raises(AccountError, match="email address"):
            add_user(s, "dana.smith@example.org", "investigator", now=NOW, password="dana.smith@example.org")
        assert s.scalar(select(func.count()).select_from(User)) == 0


# --- the real command line ---------------------------------------------------------------------------------------

@pytest.fixture
def vigie(tmp_path, database_url) -> Vigie:
    return Vigie(tmp_path / "data", database_url)




def users_and_accounts(sessions) -> tuple[int, list[str]]:
    with session_scope(sessions) as s:
        return s.scalar(select(func.count()).select_from(User)), list(s.scalars(select(Account.name)))


def test_vigie_user_add_refuses_weak_passwords_and_bad_account_names(vigie, sessions):
    add = ("user", "add", "sam@example.org", "--role", "seller", "--password-stdin")
    refused(vigie(*add, "--account", "sam-shop", stdin="aaaaaaaaaaaa\n"), "one character repeated")
    refused(vigie(*add, "--account", "sam-shop", stdin="qwerty123456\n"), "most common")
    refused(vigie(*add, "--account", "sam-shop", stdin="sam@example.org\n"), "email address")
    refused(vigie(*add, "--account", "sam-shop", stdin="\n"), "no password")
    refused(vigie(*add, "--account", "\t=1+1", stdin="a long enough password\n"), "starts with '='")
    assert users_and_accounts(sessions) == (0, [])  # the account of a refused user is not kept either
    assert vigie(*add, "--account", "  sam-shop ", stdin="a long enough password\n").code == 0
    assert users_and_accounts(sessions) == (1, ["sam-shop"])


def test_vigie_user_password_keeps_the_rules_and_ends_browser_sessions(vigie, sessions):
    assert vigie("user", "add", "ivy@example.org", "--role", "investigator", "--password-stdin",
                 stdin="a long enough password\n").code == 0
    with session_scope(sessions) as s:
        start_session(s, s.scalar(select(User)), now=NOW, lifetime=timedelta(hours=1))
    change = ("user", "password", "ivy@example.org", "--password-stdin")
    refused(vigie(*change, stdin="ivy@example.org\n"), "email address")
    refused(vigie(*change, stdin="Azerty123456\n"), "most common")
    refused(vigie("user", "password", "ivy@example.org"), "--password-stdin")
    refused(vigie("user", "password", "nobody@example.org", "--password-stdin", stdin="a fresh passphrase\n"),
            "no user nobody@example.org")
    with session_scope(sessions) as s:  # nothing changed by the refusals
        assert authenticate(s, "ivy@example.org", "a long enough password") is not None
        assert s.scalar(select(func.count()).select_from(LoginSession)) == 1
    changed = vigie(*change, stdin="a fresh passphrase\n")
    assert changed.code == 0 and "1 browser session(s) ended" in changed.err + changed.out, changed
    with session_scope(sessions) as s:
        assert authenticate(s, "ivy@example.org", "a fresh passphrase") is not None
        assert authenticate(s, "ivy@example.org", "a long enough password") is None
        assert s.scalar(select(func.count()).select_from(LoginSession)) == 0


def test_vigie_add_and_import_refuse_a_formula_account_name(vigie):
    refused(vigie("add", "http://127.0.0.1:9/p/1", "--account", "=HYPERLINK(\"x\")"), "starts with '='")
    refused(vigie("import", "/nonexistent.csv", "--account", "@SUM(1)"), "starts with '@'")


# --- the admin's web form ----------------------------------------------------------------------------------------

def test_the_users_form_refuses_weak_passwords_and_bad_account_names(client, sessions, world):  # noqa: F811
    log_in(client, "root@example.org")
    csrf = csrf_of(client.get("/users").text)
    with session_scope(sessions) as s:
        before = s.scalar(select(func.count()).select_from(User)), set(s.scalars(select(Account.name)))
    for form, words in [
        ({"email": "fay@example.org", "role": "admin", "password": "zzzzzzzzzzzz"}, "one character repeated"),
        ({"email": "fay@example.org", "role": "admin", "password": "Azerty2024!"}, "most common"),
        ({"email": "fay.doe@example.org", "role": "admin", "password": "fay.doe@example.org"}, "email address"),
        ({"email": "gus@example.org", "role": "seller", "account": "\t=1+1", "password": "a long enough password"},
         "starts with"),
    ]:
        page = client.post("/users", data={"csrf": csrf, **form})
        assert page.status_code == 400 and words in page.text, (form, page.text[-2000:])
    with session_scope(sessions) as s:
        assert (s.scalar(select(func.count()).select_from(User)), set(s.scalars(select(Account.name)))) == before


def test_the_api_refuses_a_formula_account_name_and_creates_no_account(client, sessions, world):  # noqa: F811
    with session_scope(sessions) as s:
        before = set(s.scalars(select(Account.name)))
    refused = client.post("/api/listings", headers={"Authorization": f"Bearer {world.tokens['root@example.org']}"},
                          json={"url": "http://127.0.0.1:9/p/1", "account": "\t=1+1"})
    assert refused.status_code == 422 and "starts with '='" in refused.text and len(refused.text) < 300
    with session_scope(sessions) as s:
        assert set(s.scalars(select(Account.name))) == before
