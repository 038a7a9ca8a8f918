"""Text that sellers and pages control — labels, seller names, titles — stays text everywhere Vigie shows it:
pages and their inline SVG chart, CSV exports opened in a spreadsheet, email headers and bodies."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from alerts.catcher import SmtpCatcher
from alerts.outbox import enqueue
from alerts.sender import deliver_pending
from alerts.transport import transport_from_url
from store.db import session_scope
from store.models import Event, Listing
from tests.alerts.rows import T0, add_event, make_world
from tests.observatory.conftest import app, client, log_in, world  # noqa: F401 (fixtures)

SCRIPT_LABEL = '<script>alert("label")</script>Lampe'
IMG_SELLER = '"><img src=x onerror=alert("seller")>'
FORMULAS = ('=HYPERLINK("http://evil.example","clic")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1")


def _set(sessions, listing_id: int, **values) -> None:
    with session_scope(sessions) as s:
        listing = s.get(Listing, listing_id)
        for name, value in values.items():
            setattr(listing, name, value)


def test_markup_in_labels_seller_names_and_titles_is_escaped_in_every_page(client, sessions, world):
    listing = world.seeded.alice_listing
    _set(sessions, listing, label=SCRIPT_LABEL, seller=IMG_SELLER)
    log_in(client, "alice@example.org")
    for path in ("/", "/dashboard", "/listings", f"/listings/{listing}", "/events", f"/listings?q=%3Cscript%3E"):
        page = client.get(path)
        assert page.status_code == 200, path
        body = page.text
        assert "<script>alert(" not in body and "<img src=x" not in body, path
    detail = client.get(f"/listings/{listing}").text
    assert "&lt;script&gt;alert(" in detail  # the label, shown as text
    assert "<svg" in detail and "onerror" not in detail.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "Lampe &lt;script&gt;alert(1)&lt;/script&gt;" in detail  # the page's own title, from the snapshot


def test_csv_exports_neutralise_every_cell_a_spreadsheet_would_run(client, sessions, world):
    _set(sessions, world.seeded.alice_listing, label=FORMULAS[0], seller=FORMULAS[4])
    with session_scope(sessions) as s:  # the event columns carry page text too
        for event, value in zip(s.scalars(select(Event).where(Event.listing_id == world.seeded.alice_listing)),
                                FORMULAS[1:]):
            event.before, event.after = value, FORMULAS[5]
    headers = {"Authorization": f"Bearer {world.tokens['alice@example.org']}"}
    cells = []
    for path in ("/api/export/listings.csv", "/api/export/events.csv"):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        cells += [cell for row in csv.reader(io.StringIO(response.text)) for cell in row]
    assert any(cell == "'" + FORMULAS[0] for cell in cells)
    assert any(cell == "'" + FORMULAS[4] for cell in cells)
    dangerous = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert dangerous == []


def test_cr_lf_in_a_label_never_becomes_an_email_header(sessions, tmp_path):
    label = "Chaise\r\nBcc: victim@example.org\r\nX-Injected: yes\n\n<script>alert(1)</script>"
    made = make_world(sessions, account_emails=("owner@example.com",), label=label)
    event_id = add_event(sessions, made.listing_id, kind="delisted")
    with session_scope(sessions) as session:
        enqueue(session, session.get(Event, event_id), now=T0, default_lang="en")
    with SmtpCatcher() as catcher:
        transport = transport_from_url(catcher.url, outbox_dir=tmp_path / "unused")
        report = deliver_pending(sessions, transport, now=T0, mail_from="Vigie <vigie@example.org>")
        messages = catcher.wait_for(1)
        envelopes = catcher.envelope_recipients
    assert report.sent == 1 and len(messages) == 1
    message = messages[0]
    assert envelopes == [["owner@example.com"]]  # nobody was added to the envelope
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert all("\n" not in str(value) and "\r" not in str(value) for value in message.values())
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
