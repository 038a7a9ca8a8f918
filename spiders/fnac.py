"""Fnac (fnac.com and its national sites) and Darty, one Fnac Darty adapter.

Fnac: a product is `https://www.fnac.<tld>/a<number>` whatever slug, `/w-4` or query it came
with. Darty: `https://www.darty.com/nav/codic/<codic>` for `/nav/achat/.../<slug>__<codic>.html`.
Fnac's page shows a "Prix Fnac" tab and a marketplace tab; the selected tab (`isActive`)
holds the main offer, and "Toutes les offres" lists every seller's offer.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.listing_spider import ListingSpider
from detector.model import Offer
from spiders.fr_retail import FrRetailPage, host_of, national_host
from spiders.marketplace import Marketplace
from spiders.page import PageInput

FNAC_TLDS = ("com", "be", "ch", "es", "pt")
_ARTICLE = re.compile(r"/(a\d{4,10}|mp\d{4,10})(?:/|$)", re.I)
_DARTY = re.compile(r"__([A-Za-z0-9_-]+?)\.html$|/nav/codic/([A-Za-z0-9_-]+)")


def identify(url: str) -> str | None:
    """`https://www.fnac.com/a15052046/...` → `"a15052046"`; Darty → its codic."""
    path = urlsplit(url).path
    if host_of(url).endswith("darty.com"):
        found = _DARTY.search(path)
        return (found.group(1) or found.group(2)).upper() if found else None
    found = _ARTICLE.search(path + "/")
    return found.group(1).lower() if found else None


def canonicalize(url: str) -> str:
    ref = identify(url)
    if ref and host_of(url).endswith("darty.com"):
        return f"https://www.darty.com/nav/codic/{ref}"
    host = national_host(url, "fnac", FNAC_TLDS)
    if ref and host:
        return f"https://{host}/{ref}"
    return url.split("#", 1)[0]


class FnacPage(FrRetailPage):
    marketplace = "fnac"
    house_seller = "FNAC.COM"
    title_xpaths = ('//h1[contains(@class,"f-productHeader-Title")]', "//h1")
    # the selected tab's buy box first; the mini product cards elsewhere on the page are other items
    price_xpaths = (
        '//*[contains(@class,"f-productOffers-contents")]/li[contains(@class,"isActive")]'
        '//*[contains(@class,"f-priceBox-price")]',
        '//*[contains(@class,"f-productOffers-content")]//*[contains(@class,"f-priceBox-price")]',
        '//*[contains(@class,"f-faPriceBox__price")]',
    )
    seller_xpaths = (
        '//li[contains(@class,"isActive")]//*[contains(@class,"f-shopBox-MPInfoSellerTitle")]',
        '//*[contains(@class,"f-buyBox-seller")]//*[contains(@class,"f-buyBox-sellerName")]',
    )
    seller_line_xpaths = ('//*[contains(@class,"f-buyBox-seller")]',)
    shipping_xpaths = (
        '//li[contains(@class,"isActive")]//*[contains(@class,"f-buyBox-shipping")]',
        '//*[contains(@class,"f-buyBox-shipping")]',
    )
    buybox_xpaths = (
        '//li[contains(@class,"isActive")]//*[contains(@class,"f-buyBox-availability")]',
        '//*[contains(@class,"f-productOffers")]//*[contains(@class,"f-buyBox-availability")]',
        '//*[contains(@class,"f-buyBox-unavailable")]',
    )
    buy_button_xpaths = ('//li[contains(@class,"isActive")]//*[contains(@class,"js-ProductBuy-add")]',)
    gone_words = ("cette page n'existe pas", "la page que vous demandez n'existe pas", "oups")

    def offers(self) -> list[Offer]:
        listed = [self._other_offer(item) for item in self.tree.xpath('//li[contains(@class,"f-otherOffers-item")]')]
        fnac_tab = self.first_text(('//*[contains(@class,"js-fnacOffersTab")]//*[contains(@class,"tabLabel--price")]',))
        if fnac_tab:
            listed.insert(0, Offer(seller=self.house_seller, price=self.amount(fnac_tab), currency="EUR"))
        return listed or super().offers()

    def _other_offer(self, item) -> Offer:
        def part(cls: str) -> str | None:
            nodes = item.xpath(f'.//*[contains(@class,"{cls}")]')
            return " ".join(" ".join(nodes[0].itertext()).split()) if nodes else None

        stock = part("f-otherOffers-stock") or ""
        return Offer(
            seller=part("f-otherOffers-sellerName"),
            price=self.amount(part("f-otherOffers-itemPrice")),
            currency="EUR",
            shipping_fee=self.fee_from_text(part("f-otherOffers-shipping")),
            available="stock" in stock.casefold() and "épuisé" not in stock.casefold(),
        )


class DartyPage(FrRetailPage):
    marketplace = "fnac"
    house_seller = "Darty"
    title_xpaths = ('//h1[contains(@class,"product_head")]', "//h1")
    price_xpaths = (
        '//*[contains(@class,"product_price")]//*[contains(@class,"darty_prix")]',
        '//*[@itemprop="price"]/@content',
    )
    seller_line_xpaths = ('//*[contains(@class,"product_seller")]', '//*[contains(@class,"market_place_seller")]')
    shipping_xpaths = ('//*[contains(@class,"delivery_price")]',)
    buybox_xpaths = ('//*[contains(@class,"product_availability")]', '//*[contains(@class,"product_buy")]')
    gone_words = ("cette page n'existe pas", "produit n'est plus commercialisé")


def fnac_darty_page(page: PageInput) -> FrRetailPage:
    """The switch: Darty's own markup on darty.com, Fnac's everywhere else."""
    return DartyPage(page) if host_of(page.url).endswith("darty.com") else FnacPage(page)


MARKETPLACE = Marketplace(
    name="fnac",
    domains=tuple(f"fnac.{tld}" for tld in FNAC_TLDS) + ("darty.com",),
    page=fnac_darty_page,
    needs_browser=False,
    identify=identify,
    canonicalize=canonicalize,
    concurrency=2,
    delay=2.0,
)


class FnacSpider(ListingSpider):
    name = "fnac"
    marketplace = MARKETPLACE
