"""Storefront watches in the observatory: the API and the membership page."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from store.db import session_scope
from store.models import Account
from store.models_shops import ShopPass
from tests.observatory.conftest import NOW, app, client, log_in, world  # noqa: F401 (fixtures)
from vigie.shops import NewShop, store_shop, validate_shop

ALICE = "alice@example.org"


def _shop_with_walks(sessions, world) -> int:
    checked = validate_shop(NewShop(url="https://www.amazon.fr/s?me=A1ALICE"), allow_private=True,
                            resolve=lambda *a: [(2, 1, 6, "", ("93.184.216.34", 443))])
    with session_scope(sessions) as s:
        shop = store_shop(s, checked, account=s.get(Account, world.seeded.alice_account), now=NOW)
        offer = lambda i: {"id": i, "position": 1, "title": f"Offre {i}", "price": "9.90", "currency": "EUR",  # noqa: E731
                           "url": f"https://www.amazon.fr/dp/{i}"}
        walks = [(3, True, [offer("B1"), offer("B2")]), (2, True, [offer("B1"), offer("B2")]),
                 (1, False, []), (0, True, [offer("B1")])]
        for seq, (days_ago, complete, offers) in enumerate(walks, 1):
            when = NOW - timedelta(days=days_ago)
            s.add(ShopPass(shop_id=shop.listing_id, seq=seq, started_at=when, finished_at=when, complete=complete,
                           pages=1, reasons=[] if complete else ["page 1: blocked: DataDome captcha"], offers=offers))
        return shop.listing_id


def test_the_api_lists_shops_and_their_walks(client, sessions, world):
    shop_id = _shop_with_walks(sessions, world)
    alice = {"Authorization": f"Bearer {world.tokens[ALICE]}"}
    shops = client.get("/api/shops", headers=alice).json()
    assert [(s["id"], s["marketplace"], s["seller_ref"]) for s in shops] == [(shop_id, "amazon", "A1ALICE")]
    first = client.get(f"/api/shops/{shop_id}/walks?limit=2", headers=alice)
    assert [w["seq"] for w in first.json()] == [4, 3] and first.json()[1]["complete"] is False
    assert 'after=3' in first.headers["link"]
    bob = {"Authorization": f"Bearer {world.tokens['bob@example.org']}"}
    assert client.get(f"/api/shops/{shop_id}", headers=bob).status_code == 404
    assert client.get("/api/shops", headers=bob).json() == []


def test_the_api_registers_a_shop_and_refuses_what_is_not_one(client, world):
    alice = {"Authorization": f"Bearer {world.tokens[ALICE]}"}
    refused = client.post("/api/shops", headers=alice, json={"url": "https://www.amazon.fr/dp/B000000001"})
    assert refused.status_code == 422 and "not a storefront URL" in refused.json()["detail"]
    made = client.post("/api/shops", headers=alice, json={"url": "https://www.ebay.fr/str/alicestore"})
    assert made.status_code == 201 and made.json()["marketplace"] == "ebay"
    assert client.delete(f"/api/shops/{made.json()['id']}", headers=alice).json()["active"] is False


def test_the_page_shows_which_offers_were_there_on_which_day(client, sessions, world):
    shop_id = _shop_with_walks(sessions, world)
    log_in(client, ALICE)
    page = client.get(f"/shops/{shop_id}?days=5")
    assert page.status_code == 200
    html = page.text
    row = html.split('data-offer="B2"')[1].split("</tr>")[0]
    # five days: none, there, there, no complete walk (the blocked one), gone
    assert [cell for cell in ("?", "✓", "✓", "?", "✗")] == [c.split(">")[1][:1] for c in row.split("<td class=")[1:]]
    assert "1 incomplete walks" in html
    with session_scope(sessions) as s:
        assert s.scalar(select(ShopPass.id).where(ShopPass.shop_id == shop_id)) is not None


def test_the_shops_stored_pages_and_p2b_timeline_show_on_its_target_page(client, sessions, world):
    from store import snapshots
    from store.models import Event

    shop_id = _shop_with_walks(sessions, world)
    with session_scope(sessions) as s:
        for hours, outcome in ((0, "listed"), (1, "blocked"), (2, "listed")):
            snapshots.append(s, shop_id, fetched_at=NOW - timedelta(hours=3 - hours), requested_url="https://x",
                             outcome=outcome, title="storefront page 1",
                             offers=[{"id": "B1", "position": 1, "sponsored": False, "title": "t", "price": "1.00",
                                      "currency": "EUR"}])
        s.add(Event(listing_id=shop_id, kind="shop_offer_missing", detected_at=NOW - timedelta(minutes=30),
                    before="in the storefront", after="hidden",
                    details={"offer_id": "B2", "last_seen": (NOW - timedelta(hours=4)).isoformat()}))
    log_in(client, ALICE)
    page = client.get(f"/listings/{shop_id}")
    assert page.status_code == 200
    assert "shop_offer_missing" in page.text and "intact (3 snapshots)" in page.text
    assert page.text.count('class="p2b"') == 1


def test_the_shops_record_links_to_its_page_of_offers(client, sessions, world):
    shop_id = _shop_with_walks(sessions, world)
    log_in(client, ALICE)
    record = client.get(f"/listings/{shop_id}").text
    assert f'<a href="/shops/{shop_id}">' in record and 'id="kind-link"' in record
    assert client.get(f"/shops/{shop_id}").status_code == 200
