"""Issue 26, part 1: the web upload and POST /api/import read marketplace listing reports, name the format, keep
the seller's references for the listing page and the exports, and sync on re-import."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select

from store.db import session_scope
from store.models import Account, Listing
from tests.observatory.conftest import csrf_of, log_in, world  # noqa: F401 (fixtures)

REPORTS = Path(__file__).parents[1] / "fixtures" / "reports"


def bearer(world, email):
    return {"Authorization": f"Bearer {world.tokens[email]}"}


def upload(client, name: str, **form):
    csrf = csrf_of(client.get("/register").text)
    return client.post("/register/csv", data={"csrf": csrf, **form},
                       files={"file": (name, (REPORTS / name).read_bytes(), "text/plain")})


def test_a_seller_uploads_an_amazon_report_in_french(client, sessions, world):
    log_in(client, "alice@example.org")
    missing = upload(client, "amazon-all-listings-fr-cp1252.txt")
    assert missing.status_code == 400 and "give --site amazon.fr" in missing.text
    page = upload(client, "amazon-all-listings-fr-cp1252.txt", site="amazon.fr")
    assert page.status_code == 200
    assert "read as Amazon All Listings report, French headers (Windows-1252), site amazon.fr" in page.text
    assert "2 added" in page.text and "BOUGIE-FIG-180: status Inactif in the report, not watched" in page.text
    with session_scope(sessions) as s:
        listing = s.scalar(select(Listing).where(Listing.seller_sku == "TABLIER-LIN"))
        assert listing.account_id == world.seeded.alice_account and listing.offer_ref == "0205GHIJKL3"
        assert s.get(Account, world.seeded.alice_account).report_sites == {"amazon": "amazon.fr"}
        listing_id = listing.id
    assert "SKU TABLIER-LIN" in client.get("/listings").text
    assert "SKU TABLIER-LIN" in client.get("/listings", params={"q": "tablier-lin"}).text  # found by the SKU
    shown = client.get(f"/listings/{listing_id}").text
    assert "Your SKU <code>TABLIER-LIN</code>" in shown and "offer id <code>0205GHIJKL3</code>" in shown


def test_the_api_imports_a_mirakl_export_and_a_reimport_syncs(client, sessions, world):
    alice = bearer(world, "alice@example.org")
    export = (REPORTS / "mirakl-offers-of52.csv").read_bytes()
    made = client.post("/api/import", params={"site": "darty.com"}, headers=alice,
                       files={"file": ("offres.csv", export, "text/csv")})
    assert made.status_code == 200, made.text
    report = made.json()
    assert report["format"] == "Mirakl offers export (OF51/OF52) (UTF-8)"
    assert [row["url"] for row in report["added"]] == ["https://www.darty.com/nav/codic/4186934"]
    assert [row["line"] for row in report["refused"]] == [5, 6]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/export/listings.csv", headers=alice).text)))
    exported = {row["seller_sku"]: row for row in rows if row["seller_sku"]}
    assert exported["THE-FONTE-12"]["offer_ref"] == "2031" and exported["THE-FONTE-12"]["ean"] == "3760123456789"
    # the next export has the teapot marked inactive: listed, then, with sync, no longer watched
    header, teapot, *rest = export.decode().splitlines()
    inactive = "\n".join([header, teapot.replace(";true;;;false;", ";false;;;false;"), *rest]) + "\n"
    synced = client.post("/api/import", params={"sync": "true"}, headers=alice,
                         files={"file": ("offres.csv", inactive.encode(), "text/csv")})
    assert synced.status_code == 200, synced.text  # nothing new, but the file was read: the sync applies
    assert [row["seller_sku"] for row in synced.json()["absent"]] == ["THE-FONTE-12"]
    assert synced.json()["stopped_watching_absent"] is True and synced.json()["site"] == "darty.com"
    with session_scope(sessions) as s:
        assert s.scalar(select(Listing.active).where(Listing.seller_sku == "THE-FONTE-12")) is False


def test_an_investigator_cannot_import_and_an_unreadable_file_is_a_422(client, world):
    ivy = bearer(world, "ivy@example.org")
    report = (REPORTS / "ebay-active-listings.csv").read_bytes()
    assert client.post("/api/import", headers=ivy, files={"file": ("r.csv", report, "text/csv")}).status_code == 403
    alice = bearer(world, "alice@example.org")
    odd = client.post("/api/import", headers=alice, files={"file": ("r.csv", b"lien|x\nhttps://a.example/|y\n",
                                                                     "text/csv")})
    assert odd.status_code == 422 and "commas, semicolons or tabs" in odd.json()["detail"]
    header = (REPORTS / "ebay-active-listings.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    unread = client.post("/api/import", headers=alice, params={"sync": "true"},
                         files={"file": ("r.csv", f"{header}\nn/a,Objet\n".encode(), "text/csv")})
    assert unread.status_code == 422 and unread.json()["detail"].startswith("no row could be imported: line 2")
    ebay = client.post("/api/import", headers=alice, files={"file": ("r.csv", report, "text/csv")})
    assert ebay.status_code == 200 and len(ebay.json()["added"]) == 3
