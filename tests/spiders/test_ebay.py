from pathlib import Path

import pytest

from spiders import registry
from spiders.ebay import canonicalize, ebay_page, identify
from spiders.ebay_layouts import EbayClassicPage, EbayJsonLdPage, EbayModernPage, EbayPage
from spiders.page import PageInput
from tests.spiders.fixture_cases import check_case, load_cases


@pytest.mark.parametrize("case", load_cases("ebay"))
def test_fixture(case):
    check_case(case)


@pytest.mark.parametrize("url, number, canonical", [
    ("https://www.ebay.fr/itm/303181010478", "303181010478", "https://www.ebay.fr/itm/303181010478"),
    ("https://www.ebay.fr/itm/DOUDOU-PELUCHE-OURS/303181010478?hash=item4697&_trksid=p2047675",
     "303181010478", "https://www.ebay.fr/itm/303181010478"),
    ("https://www.ebay.de/itm/198187151691#viTabs", "198187151691", "https://www.ebay.de/itm/198187151691"),
    ("https://www.ebay.com/itm/Outdoor-Wicker/381228738769", "381228738769", "https://www.ebay.com/itm/381228738769"),
    ("https://cgi.ebay.co.uk/ws/eBayISAPI.dll?ViewItem&item=123456789012", "123456789012",
     "https://www.ebay.co.uk/itm/123456789012"),
    ("https://www.ebay.it/itm/123456789012", "123456789012", "https://www.ebay.it/itm/123456789012"),
    ("https://www.ebay.es/itm/123456789012", "123456789012", "https://www.ebay.es/itm/123456789012"),
    ("https://www.ebay.nl/itm/123456789012", "123456789012", "https://www.ebay.nl/itm/123456789012"),
    ("https://befr.ebay.be/itm/123456789012", "123456789012", "https://www.ebay.be/itm/123456789012"),
    ("https://www.ebay.be/itm/slug/123456789012", "123456789012", "https://www.ebay.be/itm/123456789012"),
    ("https://www.ebay.at/itm/123456789012", "123456789012", "https://www.ebay.at/itm/123456789012"),
    ("https://www.ebay.ch/itm/123456789012", "123456789012", "https://www.ebay.ch/itm/123456789012"),
    ("https://www.ebay.ie/itm/123456789012", "123456789012", "https://www.ebay.ie/itm/123456789012"),
    ("https://www.ebay.ca/itm/123456789012", "123456789012", "https://www.ebay.ca/itm/123456789012"),
    ("https://www.ebay.com.au/itm/123456789012", "123456789012", "https://www.ebay.com.au/itm/123456789012"),
    ("https://www.ebay.pl/itm/123456789012", "123456789012", "https://www.ebay.pl/itm/123456789012"),
    ("https://m.ebay.fr/itm/123456789012?item=1", "123456789012", "https://www.ebay.fr/itm/123456789012"),
])
def test_identity(url, number, canonical):
    assert identify(url) == number
    assert canonicalize(url) == canonical
    assert registry.for_url(url).name == "ebay"


def test_two_variants_of_one_item_are_one_listing():
    assert canonicalize("https://www.ebay.fr/itm/Titre/303181010478?var=1") == canonicalize(
        "https://www.ebay.fr/itm/303181010478")


def test_urls_without_an_item_number():
    assert identify("https://www.ebay.fr/sch/i.html?_nkw=casque") is None
    assert canonicalize("https://www.ebay.fr/b/Casques/112529#x") == "https://www.ebay.fr/b/Casques/112529"


def test_other_sites_are_not_ebay():
    assert registry.for_url("https://www.notebay.fr/itm/123456789012").name != "ebay"


@pytest.mark.parametrize("case, layout", [
    ("classic_paid_shipping_fr", EbayClassicPage),
    ("modern_paid_shipping_fr", EbayModernPage),
    ("jsonld_2026_paid_shipping_de", EbayJsonLdPage),
    ("wall_pardon_our_interruption", EbayPage),
])
def test_layout_switch(case, layout):
    (param,) = [p for p in load_cases("ebay") if p.id == case]
    assert type(ebay_page(param.values[0].page_input())) is layout


def test_price_in_dot_format_read_on_a_comma_site():
    """The two cents digits decide the separator, so `vigie extract` with the wrong site URL still reads it."""
    body = b'<html><body><h1 id="itemTitle">X</h1><span id="prcIsum" itemprop="price">US $1,136.00</span></body></html>'
    page = ebay_page(PageInput(url="https://www.ebay.fr/itm/123456789012", body=body))
    assert str(page.price()) == "1136.00"
    assert page.currency() == "USD"


ENDED_TEMPLATE = (Path(__file__).parents[1] / "fixtures" / "ebay" / "modern_ended_by_seller_en.html").read_text()
ENDED_MESSAGE = "This listing was ended by the seller because the item is no longer available."


@pytest.mark.parametrize("site, message", [
    ("com", "Bidding has ended on this item. The seller has relisted this item or one like this."),
    ("co.uk", "This listing sold on Sat, 2 Mar at 14:03."),
    ("fr", "Le vendeur a mis fin à cette annonce, car l'objet n'est plus disponible."),
    ("fr", "Les enchères sur cet objet sont terminées."),
    ("de", "Der Verkäufer hat dieses Angebot vorzeitig beendet, weil der Artikel nicht mehr verfügbar ist."),
    ("de", "Die Auktion ist beendet."),
    ("it", "Il venditore ha chiuso questa inserzione perché l'oggetto non è più disponibile."),
    ("es", "El vendedor ha finalizado esta publicación porque el artículo ya no está disponible."),
    ("es", "Las pujas por este artículo han finalizado."),
])
def test_ended_and_sold_listings_in_the_seed_sites_languages_are_gone(site, message):
    body = ENDED_TEMPLATE.replace(ENDED_MESSAGE, message).encode()
    observation = registry.for_url(f"https://www.ebay.{site}/itm/226612345678").observe(
        PageInput(url=f"https://www.ebay.{site}/itm/226612345678", body=body))
    assert observation.outcome.value == "gone", observation.reasons
    assert observation.reasons[0].startswith("ended listing")


def test_a_live_listing_mentioning_an_ended_auction_elsewhere_in_a_script_is_not_gone():
    live = ENDED_TEMPLATE.replace(ENDED_MESSAGE, "Plus de 10 disponibles")
    observation = registry.for_url("https://www.ebay.fr/itm/226612345678").observe(
        PageInput(url="https://www.ebay.fr/itm/226612345678", body=live.encode()))
    assert observation.outcome.value != "gone", observation.reasons
