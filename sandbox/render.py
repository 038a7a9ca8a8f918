"""HTML for the sandbox's pages, from one Jinja2 environment (`PackageLoader("sandbox")`).

Template context contract for product pages — every `sandbox/templates/<markup>.html.j2` gets:

    product   a `ProductView`:
              .id .title .markup .state (str)
              .price (Decimal) .currency ("EUR") .shipping_fee (Decimal, 0 = free delivery)
              .seller (who holds the main offer, as the page shows it)
              .in_stock (bool; False renders "Actuellement indisponible" and no buy button)
              .offers (list of `OfferView` .seller .price .shipping_fee .currency .in_stock,
                       the main offer first, then the other sellers')
              .other_offers (the same list without the main offer)
              .url ("/p/<id>")
              .jsonld (schema.org Product + Offer(s) as JSON, safe inside
                       <script type="application/ld+json">; see `_jsonld.html.j2`)
    fr_money  fr_money(Decimal, currency) -> "1 299,00 €" (plain spaces, symbol after)
    en_money  en_money(Decimal, currency) -> "€1,299.00"

A markup name without a template falls back to `generic.html.j2`.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound, select_autoescape
from markupsafe import Markup

from sandbox.catalog import Offer, Product, State

REPLACEMENT_SELLERS = ("Autre Vendeur", "Vendeur Partenaire")
_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}
SCHEMA = "https://schema.org/"


def _grouped(amount: Decimal, thousands: str, decimal: str) -> str:
    whole, cents = f"{amount.quantize(Decimal('0.01')):.2f}".split(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return f"{sign}{thousands.join(groups)}{decimal}{cents}"


def fr_money(amount: Decimal, currency: str = "EUR") -> str:
    """`Decimal("1299")` → `"1 299,00 €"` (French order and separators, plain spaces)."""
    return f"{_grouped(amount, ' ', ',')} {_SYMBOLS.get(currency, currency)}"


def en_money(amount: Decimal, currency: str = "EUR") -> str:
    """`Decimal("1299")` → `"€1,299.00"`; unknown currencies as `"CHF 1,299.00"`."""
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{_grouped(amount, ',', '.')}" if symbol else f"{currency} {_grouped(amount, ',', '.')}"


@dataclass(frozen=True)
class OfferView:
    seller: str
    price: Decimal
    shipping_fee: Decimal
    currency: str
    in_stock: bool


@dataclass(frozen=True)
class ProductView:
    id: str
    title: str
    markup: str
    state: str
    price: Decimal
    currency: str
    shipping_fee: Decimal
    seller: str
    in_stock: bool
    offers: list[OfferView]
    url: str
    jsonld: Markup

    @property
    def other_offers(self) -> list[OfferView]:
        return self.offers[1:]


def _holds(name: str, seller: str) -> bool:
    """Whether an offer by `name` would still pass for `seller`'s (same rule as the page objects:
    case-insensitive prefix), so an offer_removed page never keeps one by accident."""
    return name.casefold().startswith(seller.casefold())


def _offers(product: Product) -> list[Offer]:
    main = Offer(seller=product.seller, price=product.price, shipping_fee=product.shipping_fee)
    if product.state != State.OFFER_REMOVED:
        return [main, *product.other_offers]
    others = [offer for offer in product.other_offers if not _holds(offer.seller, product.seller)]
    if others:
        return others
    stand_in = next(name for name in REPLACEMENT_SELLERS if not _holds(name, product.seller))
    return [Offer(seller=stand_in, price=product.price, shipping_fee=product.shipping_fee)]


def view_of(product: Product) -> ProductView:
    """What a product page shows: for offer_removed, another seller holds the main offer."""
    in_stock = product.state != State.OUT_OF_STOCK
    offers = [
        OfferView(o.seller, o.price, o.shipping_fee, product.currency, in_stock) for o in _offers(product)
    ]
    main = offers[0]
    return ProductView(
        id=product.id,
        title=product.title,
        markup=product.markup,
        state=product.state.value,
        price=main.price,
        currency=product.currency,
        shipping_fee=main.shipping_fee,
        seller=main.seller,
        in_stock=in_stock,
        offers=offers,
        url=f"/p/{product.id}",
        jsonld=script_json(jsonld(product.id, product.title, offers)),
    )


def jsonld(product_id: str, title: str, offers: list[OfferView]) -> dict[str, Any]:
    def offer(o: OfferView) -> dict[str, Any]:
        return {
            "@type": "Offer",
            "price": str(o.price),
            "priceCurrency": o.currency,
            "availability": SCHEMA + ("InStock" if o.in_stock else "OutOfStock"),
            "itemCondition": SCHEMA + "NewCondition",
            "seller": {"@type": "Organization", "name": o.seller},
            "shippingDetails": {
                "@type": "OfferShippingDetails",
                "shippingRate": {"@type": "MonetaryAmount", "value": str(o.shipping_fee), "currency": o.currency},
                "shippingDestination": {"@type": "DefinedRegion", "addressCountry": "FR"},
            },
        }

    return {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": title,
        "sku": product_id,
        "offers": offer(offers[0]) if len(offers) == 1 else [offer(o) for o in offers],
    }


def script_json(data: object) -> Markup:
    """JSON that cannot close the <script> element it sits in."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


class Renderer:
    """Renders every page the sandbox serves. Holds only the (immutable once built) environment."""

    def __init__(self) -> None:
        self.env = Environment(
            loader=PackageLoader("sandbox"),
            autoescape=select_autoescape(default_for_string=True, default=True),
            undefined=StrictUndefined,
            auto_reload=False,
        )
        self.env.globals.update(fr_money=fr_money, en_money=en_money)

    def _render(self, name: str, **context: Any) -> bytes:
        return self.env.get_template(name).render(**context).encode("utf-8")

    def _markup_template(self, markup: str) -> str:
        name = f"{markup}.html.j2"
        try:
            self.env.get_template(name)
        except TemplateNotFound:
            return "generic.html.j2"
        return name

    def product_page(self, product: Product) -> bytes:
        """The page of a product that exists (listed, out of stock, offer removed), in its markup."""
        return self._render(self._markup_template(product.markup), product=view_of(product))

    def js_shell(self, product: Product) -> bytes:
        """The static HTML of a client-rendered page: no price, no JSON-LD, a placeholder."""
        return self._render("_js_shell.html.j2", product_id=product.id, hydrate_url=hydrate_url(product.id))

    def hydration(self, product: Product) -> bytes:
        """What the shell's script fetches: the full page it swaps in."""
        page = self.product_page(product).decode("utf-8")
        return json.dumps({"id": product.id, "html": page}, ensure_ascii=False).encode("utf-8")

    def soft_404(self, product: Product) -> bytes:
        return self._render("_soft_404.html.j2", product_id=product.id)

    def bot_wall(self, product: Product, host: str) -> bytes:
        digest = hashlib.sha256(f"{product.id}:{product.version}".encode()).hexdigest()
        return self._render("_bot_wall.html.j2", host=host, cid=digest[:48], hsh=digest[48:].upper())

    def error_page(self, status: int, title: str, message: str) -> bytes:
        return self._render("_error.html.j2", status=status, title=title, message=message)

    def home(self, featured: Iterable[Product]) -> bytes:
        return self._render("_home.html.j2", featured=[view_of(p) for p in featured])


def hydrate_url(product_id: str) -> str:
    return f"/api/p/{product_id}"
