from datetime import date

import pytest
from sqlalchemy import func, select

from store.db import session_scope
from store.models import Listing
from store.models_observatory import StatementOfReasons
from tests.observatory.conftest import PASSWORD, csrf_of, log_in


def test_root_answers_the_login_page_until_one_logs_in(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert 'action="/login"' in page.text
    assert client.get("/listings", follow_redirects=False).status_code == 303


def test_wrong_password_and_missing_csrf_are_refused(client):
    assert log_in(client, "alice@example.org", "not the password").status_code == 401
    client.get("/login")
    forged = client.post("/login", data={"email": "alice@example.org", "password": PASSWORD, "csrf": "forged"})
    assert forged.status_code == 403


def test_a_seller_sees_only_their_account(client, world):
    assert log_in(client, "alice@example.org").status_code == 303
    listings = client.get("/listings").text
    assert "B0ALICE001" in listings and "bob" not in listings.lower()
    assert client.get(f"/listings/{world.seeded.bob_listing}").status_code == 404
    assert client.get(f"/listings/{world.seeded.bob_listing}/snapshots/1/page").status_code == 404
    assert client.get(f"/listings/{world.seeded.bob_listing}/evidence.zip").status_code == 404
    assert "Bob secret" not in client.get("/events").text
    assert "cdiscount" not in client.get("/").text


def test_an_investigator_reads_every_account_but_registers_nothing(client, world):
    log_in(client, "ivy@example.org")
    listings = client.get("/listings").text
    assert "B0ALICE001" in listings and "cdiscount.com" in listings
    assert client.get("/listings?account=bob-shop").text.count("/listings/") >= 1
    assert "B0ALICE001" not in client.get("/listings?account=bob-shop").text
    page = client.get(f"/listings/{world.seeded.bob_listing}")
    assert page.status_code == 200
    refused = client.post("/register", data={"url": "https://www.amazon.fr/dp/B0IVY00001", "csrf": csrf_of(page.text)})
    assert refused.status_code == 403


def test_listing_page_has_chart_timeline_events_diff_and_sandboxed_page(client, world):
    log_in(client, "alice@example.org")
    page = client.get(f"/listings/{world.seeded.alice_listing}?a=1&b=2").text
    assert '<svg id="price-chart"' in page and 'class="series-price"' in page and 'class="series-fee"' in page
    assert "price_change" in page and "19.90" in page and "24.90" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert 'sandbox title=' in page and "allow-scripts" not in page
    assert "Snapshot 1 → 2" in page and "shipping_fee" in page
    assert "intact (5 snapshots)" in page


def test_stored_page_is_served_under_a_strict_policy(client, world):
    log_in(client, "alice@example.org")
    stored = client.get(f"/listings/{world.seeded.alice_listing}/snapshots/2/page")
    assert stored.status_code == 200 and b"<script>" in stored.content
    policy = stored.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "img-src data:" in policy and "script-src" not in policy
    assert "sandbox" in policy


def test_statement_of_reasons_is_recorded_and_judged(client, sessions, world):
    log_in(client, "alice@example.org")
    page = client.get(f"/listings/{world.seeded.alice_listing}")
    url = f"/listings/{world.seeded.alice_listing}/events/{world.seeded.delisted_event}/statement"
    assert client.post(url, data={"received_on": "2026-03-04"}).status_code == 403  # no CSRF token
    done = client.post(url, data={"received_on": "2026-03-04", "account_termination": "1",
                                  "csrf": csrf_of(page.text)}, follow_redirects=False)
    assert done.status_code == 303
    with session_scope(sessions) as s:
        row = s.scalar(select(StatementOfReasons))
        assert row.received_on == date(2026, 3, 4) and row.account_termination
    page = client.get(f"/listings/{world.seeded.alice_listing}").text
    assert "before or at the restriction" in page and "less than 30 days" in page


def test_register_form_and_csv_upload_for_a_seller(client, sessions, world):
    log_in(client, "alice@example.org")
    csrf = csrf_of(client.get("/register").text)
    one = client.post("/register", data={"url": "https://www.amazon.fr/dp/B0NEW00001", "csrf": csrf,
                                         "browser": "true"}, follow_redirects=False)
    assert one.status_code == 303
    csv = "url,label\nhttps://www.amazon.fr/dp/B0NEW00002,two\nnot a url,bad\n"
    upload = client.post("/register/csv", data={"csrf": csrf}, files={"file": ("l.csv", csv, "text/csv")})
    assert "1 added, 1 refused" in upload.text and "line 3" in upload.text
    with session_scope(sessions) as s:
        owners = {l.canonical_url: l.account_id for l in s.scalars(select(Listing))}
        browsers = {l.canonical_url: l.browser for l in s.scalars(select(Listing))}
    assert owners["https://www.amazon.fr/dp/B0NEW00001"] == world.seeded.alice_account
    assert browsers["https://www.amazon.fr/dp/B0NEW00001"] is True  # the box was ticked
    assert browsers["https://www.amazon.fr/dp/B0NEW00002"] is False
    assert owners["https://www.amazon.fr/dp/B0NEW00002"] == world.seeded.alice_account


def test_a_csv_upload_with_a_bad_header_is_refused_whole(client, sessions, world):
    log_in(client, "alice@example.org")
    csrf = csrf_of(client.get("/register").text)
    with session_scope(sessions) as s:
        before = s.scalar(select(func.count()).select_from(Listing))
    csv = "url,colour\nhttps://www.amazon.fr/dp/B0NEW00003,red\n"
    upload = client.post("/register/csv", data={"csrf": csrf}, files={"file": ("l.csv", csv, "text/csv")})
    assert upload.status_code == 400 and "unknown column(s) colour" in upload.text
    with session_scope(sessions) as s:
        assert s.scalar(select(func.count()).select_from(Listing)) == before


def test_dashboard_counts_per_marketplace_and_week(client):
    log_in(client, "ivy@example.org")
    page = client.get("/").text
    assert "2026-W10" in page and "Amazon" in page and "Cdiscount" in page
    assert "20%" in page  # one blocked check among five on amazon that week


def test_logout_needs_csrf_and_ends_the_session(client):
    log_in(client, "alice@example.org")
    csrf = csrf_of(client.get("/listings").text)
    assert client.post("/logout", data={}).status_code == 403
    client.post("/logout", data={"csrf": csrf})
    assert client.get("/listings", follow_redirects=False).status_code == 303


def test_times_are_shown_in_paris_time_for_french_readers_and_utc_for_english_ones():
    from datetime import UTC, datetime

    from observatory.i18n import load_catalogues, ui_for

    catalogues = load_catalogues()
    fr, en = ui_for(catalogues, "fr"), ui_for(catalogues, "en")
    assert fr.when(datetime(2026, 7, 1, 12, 0, tzinfo=UTC)) == "1 juil. 2026, 14:00"  # CEST
    assert fr.when(datetime(2026, 12, 1, 12, 0, tzinfo=UTC)) == "1 déc. 2026, 13:00"  # CET
    assert en.when(datetime(2026, 12, 1, 12, 0, tzinfo=UTC)) == "Dec 1, 2026, 12:00 UTC"
