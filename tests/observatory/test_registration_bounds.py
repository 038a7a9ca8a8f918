"""Issue 15, points 1, 3 and 4 through the observatory: size limits on what the API, the form and the CSV upload
register, absurd intervals, and hostile CSV files — refused in one short line, with nothing stored."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from store.db import session_scope
from store.models import Listing
from tests.observatory.conftest import csrf_of, log_in

URL = "http://127.0.0.1:9/p/1"  # loopback (allowed by the test app): no DNS wait


def bearer(world, email):
    return {"Authorization": f"Bearer {world.tokens[email]}"}


def count(sessions) -> int:
    with session_scope(sessions) as s:
        return s.scalar(select(func.count()).select_from(Listing))


@pytest.mark.parametrize("body, words", [
    ({"url": URL + "?q=" + "x" * 20_000}, "at most 2,000"),
    ({"url": URL, "label": "l" * 5_000}, "label is 5,000 characters long: at most 200"),
    ({"url": URL, "seller": "s" * 201}, "seller is 201 characters long: at most 200"),
    ({"url": URL, "seller": "Ma\x00Boutique"}, "control characters"),
    ({"url": URL, "emails": [f"a{i}@example.org" for i in range(20_000)]}, "20,000 email addresses: at most 20"),
    ({"url": URL, "every": "99999999999d"}, "at most 365d"),
    ({"url": URL, "every": "1000000d"}, "at most 365d"),
    ({"url": URL, "every": "9" * 5_000 + "d"}, "is not a duration"),
])
def test_the_api_refuses_oversized_fields_and_absurd_intervals(client, sessions, world, body, words):
    before = count(sessions)
    refused = client.post("/api/listings", headers=bearer(world, "alice@example.org"), json=body)
    assert refused.status_code == 422, refused.text[:300]
    assert words in refused.text and len(refused.text) < 400  # one short line, not the value echoed back
    assert count(sessions) == before


def test_an_admin_cannot_name_an_account_beyond_its_column(client, sessions, world):
    before = count(sessions)
    refused = client.post("/api/listings", headers=bearer(world, "root@example.org"),
                          json={"url": URL, "account": "a" * 300})
    assert refused.status_code == 422 and "account name is 300 characters long" in refused.text
    assert count(sessions) == before


def test_values_at_the_limits_are_accepted(client, world):
    made = client.post("/api/listings", headers=bearer(world, "alice@example.org"),
                       json={"url": "http://127.0.0.1:9/p/" + "a" * (2_000 - 21), "label": "l" * 200,
                             "seller": "s" * 200, "emails": [f"a{i}@example.org" for i in range(20)],
                             "every": "365d"})
    assert made.status_code == 201, made.text
    data = made.json()
    assert (len(data["url"]), len(data["label"]), len(data["emails"])) == (2_000, 200, 20)
    assert data["every_seconds"] == 365 * 86_400


def test_the_form_shows_the_refusal_and_stores_nothing(client, sessions, world):
    log_in(client, "alice@example.org")
    csrf = csrf_of(client.get("/register").text)
    before = count(sessions)
    refused = client.post("/register", data={"url": URL, "label": "l" * 201, "every": "1h", "csrf": csrf})
    assert refused.status_code == 400
    assert "label is 201 characters long: at most 200" in refused.text and 'name="url"' in refused.text
    assert count(sessions) == before


def upload(client, content: bytes):
    log_in(client, "alice@example.org")
    csrf = csrf_of(client.get("/register").text)
    return client.post("/register/csv", data={"csrf": csrf}, files={"file": ("l.csv", content, "text/csv")})


@pytest.mark.parametrize("content, words", [
    (b"url,label\n" + URL.encode() + b',"' + b"long line\n" * 14_000 + b'"\n', "a cell longer than 131,072"),
    (b"url,label\n" + URL.encode() + b",x\n" + b"x" * 140_000 + b"\n", "longer than 131,072 characters"),
    (b"url\n" + URL.encode() + b"\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
    (b"url,label\n" + URL.encode() + b",\xe9t\xe9\n", "not UTF-8 text"),
])
def test_an_upload_that_is_no_listings_file_is_refused_whole(client, sessions, world, content, words):
    before = count(sessions)
    refused = upload(client, content)
    assert refused.status_code == 400 and words in refused.text
    assert count(sessions) == before


def test_an_unclosed_quote_reports_the_rows_it_swallowed(client, sessions, world):
    before = count(sessions)
    content = (f"url,label\n{URL},kept\n"
               'http://127.0.0.1:9/p/2,"never closed\nhttp://127.0.0.1:9/p/3,lost\nhttp://127.0.0.1:9/p/4,lost\n')
    answer = upload(client, content.encode())
    assert "1 added, 1 refused" in answer.text
    assert "line 3: a quote opened on this line is never closed: lines 3–5" in answer.text
    assert count(sessions) == before + 1
