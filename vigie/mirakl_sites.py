"""Mirakl marketplaces whose product pages have a stable URL built from the operator's product SKU (the
`product-sku` of an OF51/OF52 offers export). A marketplace is listed only where that URL form is the one Vigie's
own adapter for it reads back (spiders/fnac.py for Darty, spiders/laredoute.py, spiders/conforama.py); for any
other, or an id of another shape, the row is refused with the reason: a guessed URL would watch a 404 and report a
delisting that never happened.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from vigie.limits import shown


@dataclass(frozen=True)
class MiraklSite:
    name: str
    product_sku: re.Pattern[str]  # what the site's product SKU looks like
    url: str  # its product page, with {} for the SKU
    described: str  # for the refusal: what a product-sku must be here


MIRAKL_SITES = {
    "darty.com": MiraklSite("Darty", re.compile(r"\d{6,9}"), "https://www.darty.com/nav/codic/{}",
                            "a Darty codic (6 to 9 digits)"),
    "laredoute.fr": MiraklSite("La Redoute", re.compile(r"\d{6,12}"), "https://www.laredoute.fr/ppdp/prod-{}.aspx",
                               "a La Redoute product number (digits)"),
    "conforama.fr": MiraklSite("Conforama", re.compile(r"[A-Za-z0-9]{3,20}"), "https://www.conforama.fr/p/{}",
                               "a Conforama product reference (3 to 20 letters or digits)"),
}
# Mirakl marketplaces a French seller meets whose product URLs carry a slug Vigie cannot build from an export
KNOWN_WITHOUT_URL = ("leroymerlin.fr", "carrefour.fr", "boulanger.com", "auchan.fr", "castorama.fr",
                     "decathlon.fr", "but.fr", "maisonsdumonde.com", "fnac.com")


def mirakl_site(given: str) -> str:
    """The site as MIRAKL_SITES names it; ValueError (one line) for one without a stable product URL form."""
    site = given.strip().lower().removeprefix("https://").removeprefix("http://").split("/", 1)[0]
    site = site.removeprefix("www.")
    if site in MIRAKL_SITES:
        return site
    known = ", ".join(MIRAKL_SITES)
    return_why = ("its product URLs carry a name Vigie cannot build from an export" if site in KNOWN_WITHOUT_URL
                  else "Vigie knows no stable product URL form for it")
    raise ValueError(f"--site {shown(given)}: {return_why}; a Mirakl export can be imported for {known} — register "
                     "that marketplace's product URLs with a plain CSV (url column) instead")


def mirakl_url(site: str, product_sku: str) -> tuple[str | None, str | None]:
    """(product URL, None), or (None, why not)."""
    spec = MIRAKL_SITES[site]
    if not product_sku:
        return None, "no product-sku: no product page to watch"
    if not spec.product_sku.fullmatch(product_sku):
        return None, f"product-sku {shown(product_sku)} is not {spec.described}: no URL is built from a guess"
    return spec.url.format(product_sku), None
