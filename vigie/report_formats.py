"""Marketplaces' own listing reports, recognised from their header: each row becomes an Offer (its product URL and
the seller's references), or says why it cannot.

- Amazon Seller Central All Listings / Active Listings / inventory report: tab-separated, English or French
  headers, UTF-8 or Windows-1252; `https://www.amazon.<site>/dp/<asin1>`, the site given by the caller.
- eBay Seller Hub "Active listings" report: CSV UTF-8 with a BOM; `https://www.ebay.<site>/itm/<Item number>`, the
  site read from the row's Listing site; a multi-variation listing's variation rows fold into it.
- Mirakl offers export (OF51/OF52, `;`-separated): a URL only where the marketplace has a stable product URL for the
  product-sku (mirakl_sites.MIRAKL_SITES); never guessed.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

from spiders.amazon_page import DOMAINS as AMAZON_DOMAINS
from spiders.ebay_sites import DOMAINS as EBAY_DOMAINS
from vigie import limits
from vigie.mirakl_sites import MIRAKL_SITES, mirakl_url
from vigie.report_text import ReportFileError, Table, decode, first_line, separator_of, table

# Amazon.fr writes its report headers in French (seen in public integrations: see tests/fixtures/reports/README.md)
AMAZON_FRENCH = {
    "nom-produit": "item-name", "description-article": "item-description", "id-offre": "listing-id",
    "numero-offre": "listing-id", "sku-vendeur": "seller-sku", "prix": "price", "quantité": "quantity",
    "date-ouverture": "open-date", "date-de-creation": "open-date", "type-id-produit": "product-id-type",
    "id-produit": "product-id", "canal-traitement": "fulfillment-channel", "état": "status", "etat": "status",
    "état-produit": "item-condition", "note-état-article": "item-note", "livraison-express": "expedited-shipping",
    "groupe-expédition-vendeur": "merchant-shipping-group", "expédition-international": "will-ship-internationally",
}
AMAZON_ACTIVE = frozenset({"active", "actif", "active listing", "aktiv", "attivo", "activo"})
AMAZON_EAN_TYPES = frozenset({"3", "4"})  # product-id-type: 1 ASIN, 2 ISBN, 3 UPC, 4 EAN
_ASIN = re.compile(r"[A-Z0-9]{10}")
_GTIN = re.compile(r"\d{8,14}")
_ITEM_NUMBER = re.compile(r"\d{9,15}")
# eBay's Listing site column holds its SiteCodeType names (US, UK, France, Germany...)
EBAY_SITES = {
    "us": "ebay.com", "ebaymotors": "ebay.com", "uk": "ebay.co.uk", "france": "ebay.fr", "germany": "ebay.de",
    "italy": "ebay.it", "spain": "ebay.es", "netherlands": "ebay.nl", "belgium_french": "ebay.be",
    "belgium_dutch": "ebay.be", "austria": "ebay.at", "switzerland": "ebay.ch", "ireland": "ebay.ie",
    "canada": "ebay.ca", "canadafrench": "ebay.ca", "australia": "ebay.com.au", "poland": "ebay.pl",
}
FALSE = frozenset({"false", "0", "no", "non", "n", ""})


@dataclass(frozen=True)
class Offer:
    """One offer of the report: the product page to watch and the seller's own references."""

    line: int
    url: str | None  # None: `problem` says why no URL can be built
    scope: str  # what a later report of the same kind replaces: "amazon:amazon.fr", "ebay", "mirakl:darty.com"
    seller_sku: str | None = None
    offer_ref: str | None = None  # the marketplace's id of the offer: Amazon listing-id, eBay item number, Mirakl offer-id
    ean: str | None = None
    title: str | None = None
    inactive: str | None = None  # why the report says it is not on sale (status Inactive, deleted...)
    problem: str | None = None
    # the URL is `url_form` with `product_id` in it, the id matched by a strict pattern (ASIN, item number...):
    # one URL of a form validated whole stands for the others (vigie.report_import)
    url_form: str | None = None
    product_id: str | None = None


@dataclass(frozen=True)
class Report:
    kind: str  # "amazon", "ebay", "mirakl"
    name: str  # said to the user: "Amazon All Listings report (French headers, Windows-1252)"
    site: str | None
    offers: list[Offer]
    scopes: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Detected:
    """A recognised report, read as a table, not yet turned into offers (the site may still be needed)."""

    kind: str
    name: str
    table: Table
    columns: dict[str, int]  # canonical column name → index
    needs_site: bool


def detect(data: bytes) -> Detected | None:
    """The report `data` is, or None when it is none of them (a plain CSV of URLs)."""
    try:
        text, encoding = decode(data)
    except ReportFileError:
        return None  # the plain CSV reader names what is wrong with it
    header = first_line(text)
    for kind, expected, columns_of in (("amazon", AMAZON_MARKS, _amazon_columns), ("ebay", EBAY_MARKS, _ebay_columns),
                                       ("mirakl", MIRAKL_MARKS, _mirakl_columns)):
        separator = separator_of(header, expected)
        if separator is None:
            continue
        found = table(text, separator, encoding)
        named = columns_of(found)
        if named is not None:
            columns, name = named
            return Detected(kind=kind, name=f"{name} ({encoding})", table=found, columns=columns,
                            needs_site=kind != "ebay")
    return None


AMAZON_MARKS = ("seller-sku", "sku-vendeur", "sku")
EBAY_MARKS = ("item number",)
MIRAKL_MARKS = ("offer-id",)


def _names(found: Table, aliases: dict[str, str] | None = None) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(found.header):
        name = cell.strip().strip('"').strip().lower()
        columns.setdefault((aliases or {}).get(name, name), index)
    return columns


def _amazon_columns(found: Table) -> tuple[dict[str, int], str] | None:
    columns = _names(found, AMAZON_FRENCH)
    french = any(cell.strip().lower() in AMAZON_FRENCH for cell in found.header)
    language = "French headers" if french else "English headers"
    if found.separator == "\t" and {"seller-sku", "item-name"} <= columns.keys() and (
            "asin1" in columns or "product-id" in columns):
        report = "All Listings report" if "status" in columns else "Active Listings report"
        return columns, f"Amazon {report}, {language}"
    if found.separator == "\t" and {"sku", "asin"} <= columns.keys():  # the inventory report: sku asin price quantity
        columns["seller-sku"], columns["asin1"] = columns["sku"], columns["asin"]
        return columns, "Amazon inventory report"
    return None


def _ebay_columns(found: Table) -> tuple[dict[str, int], str] | None:
    columns = _names(found)
    if found.separator == "," and {"item number", "title"} <= columns.keys():
        return columns, "eBay Seller Hub active listings report"
    return None


def _mirakl_columns(found: Table) -> tuple[dict[str, int], str] | None:
    columns = _names(found)
    if {"offer-id", "product-sku"} <= columns.keys() or {"offer-id", "shop-sku"} <= columns.keys():
        return columns, "Mirakl offers export (OF51/OF52)"
    return None


def read(detected: Detected, *, site: str | None) -> Report:
    """The offers of a detected report; `site` is the marketplace site (amazon.fr, darty.com...) where the report
    does not say it (eBay's rows do)."""
    readers: dict[str, Callable[[Detected, str | None], list[Offer]]] = {
        "amazon": _amazon_offers, "ebay": _ebay_offers, "mirakl": _mirakl_offers}
    offers = readers[detected.kind](detected, site)
    return Report(kind=detected.kind, name=detected.name, site=site, offers=offers,
                  scopes=frozenset(o.scope for o in offers))


def _cells(row: list[str], columns: dict[str, int]) -> Callable[[str], str]:
    def cell(name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""
    return cell


def label_of(title: str) -> str | None:
    """A title fit for a label: one line, at most limits.TEXT_CHARS (marketplace titles run to 500)."""
    if not title.isprintable():  # control characters (a tab, a NUL) have no place in a label
        title = "".join(" " if unicodedata.category(c) == "Cc" else c for c in title)
    text = " ".join(title.split())
    return (text if len(text) <= limits.TEXT_CHARS else text[:limits.TEXT_CHARS - 1] + "…") or None


def _ref(value: str, limit: int = limits.MARKETPLACE_REF_CHARS) -> str | None:
    return value[:limit] or None


def _amazon_offers(detected: Detected, site: str | None) -> list[Offer]:
    assert site is not None
    scope, offers = f"amazon:{site}", []
    for line, row in detected.table.rows:
        cell = _cells(row, detected.columns)
        asin = cell("asin1").upper()
        if not asin and cell("product-id-type") == "1":
            asin = cell("product-id").upper()
        status = cell("status")
        ean = cell("product-id") if cell("product-id-type") in AMAZON_EAN_TYPES else ""
        common = dict(line=line, scope=scope, seller_sku=_ref(cell("seller-sku"), limits.TEXT_CHARS),
                      offer_ref=_ref(cell("listing-id")), ean=ean if _GTIN.fullmatch(ean) else None,
                      title=label_of(cell("item-name")))
        if not asin:
            offers.append(Offer(url=None, problem="no ASIN (asin1 is empty): no product page to watch", **common))
        elif not _ASIN.fullmatch(asin):
            offers.append(Offer(url=None, problem=f"asin1 {limits.shown(asin)} is not an ASIN", **common))
        else:
            inactive = f"status {status}" if status and status.lower() not in AMAZON_ACTIVE else None
            offers.append(Offer(url=f"https://www.{site}/dp/{asin}", inactive=inactive,
                                url_form=f"https://www.{site}/dp/{{}}", product_id=asin, **common))
    return offers


def _ebay_offers(detected: Detected, site: str | None) -> list[Offer]:
    """One offer per item number: a multi-variation listing's parent row and its variation rows fold into one."""
    by_item: dict[str, Offer] = {}
    offers: list[Offer] = []
    for line, row in detected.table.rows:
        cell = _cells(row, detected.columns)
        number = cell("item number")
        if number in by_item:  # a variation row: its listing is the one watched (its SKU stays the parent's)
            continue
        common = dict(line=line, scope="ebay", seller_sku=_ref(cell("custom label (sku)"), limits.TEXT_CHARS),
                      offer_ref=_ref(number), title=label_of(cell("title")),
                      ean=cell("p:ean") if _GTIN.fullmatch(cell("p:ean")) else None)
        if not _ITEM_NUMBER.fullmatch(number):
            offers.append(Offer(url=None, problem=f"Item number {limits.shown(number)} is not an eBay item number",
                                **common))
            continue
        listing_site, problem = _ebay_site(cell("listing site"), site)
        if listing_site is None:
            offers.append(Offer(url=None, problem=problem, **common))
            continue
        by_item[number] = Offer(url=f"https://www.{listing_site}/itm/{number}", product_id=number,
                                url_form=f"https://www.{listing_site}/itm/{{}}", **common)
    offers.extend(by_item.values())
    return sorted(offers, key=lambda o: o.line)


def _ebay_site(value: str, site: str | None) -> tuple[str | None, str | None]:
    name = value.strip().lower().removeprefix("ebay ").replace(" ", "_")
    if not name:
        return (site, None) if site else (None, "no Listing site: give --site (ebay.fr, ebay.de, ...)")
    if name in EBAY_SITES:
        return EBAY_SITES[name], None
    if f"ebay.{name}" in EBAY_DOMAINS:
        return f"ebay.{name}", None
    return None, f"Listing site {limits.shown(value)} is not an eBay site Vigie knows"


def _mirakl_offers(detected: Detected, site: str | None) -> list[Offer]:
    assert site is not None
    scope, offers = f"mirakl:{site}", []
    for line, row in detected.table.rows:
        cell = _cells(row, detected.columns)
        product_id, id_type = cell("product-id"), cell("product-id-type").upper()
        ean = product_id if id_type in ("EAN", "UPC", "GTIN") and _GTIN.fullmatch(product_id) else None
        common = dict(line=line, scope=scope, seller_sku=_ref(cell("shop-sku"), limits.TEXT_CHARS),
                      offer_ref=_ref(cell("offer-id")), ean=ean,
                      title=label_of(cell("product-title") or cell("description")))
        url, problem = mirakl_url(site, cell("product-sku"))
        form = MIRAKL_SITES[site].url if url else None
        inactive = None
        if cell("deleted").lower() not in FALSE:
            inactive = "deleted"
        elif "active" in detected.columns and cell("active").lower() in FALSE:
            inactive = "active=false"
        offers.append(Offer(url=url, problem=problem, inactive=inactive, url_form=form,
                            product_id=cell("product-sku") if url else None, **common))
    return offers


def amazon_site(given: str) -> str:
    """`amazon.fr`, `www.amazon.fr` or `https://www.amazon.fr/` → `amazon.fr`; ReportFileError for any other."""
    site = _bare(given)
    if site not in AMAZON_DOMAINS:
        raise ReportFileError(f"--site {limits.shown(given)} is not an Amazon site (amazon.fr, amazon.de, "
                              "amazon.co.uk, ...)")
    return site


def ebay_site(given: str) -> str:
    site = _bare(given)
    if site not in EBAY_DOMAINS:
        raise ReportFileError(f"--site {limits.shown(given)} is not an eBay site (ebay.fr, ebay.de, ...)")
    return site


def _bare(given: str) -> str:
    site = given.strip().lower().removeprefix("https://").removeprefix("http://").split("/", 1)[0]
    return site.removeprefix("www.")
