"""Recognising a seller's storefront URL: which marketplace, which seller, and its one canonical form.

Each marketplace writes a storefront address its own way; a URL none of them recognises is refused
with the forms that are (guessing would watch a search page or a category as if it were a shop).
The sandbox's `/shop/<seller>` form (what `vigie sandbox` serves) is recognised on localhost and IP addresses, and
on any host with `--marketplace sandbox`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from crawler.urls import BadURL, canonical_url
from said import N_
from spiders import registry


@dataclass(frozen=True)
class Storefront:
    url: str  # canonical
    marketplace: str  # a spiders.registry name, or "sandbox"
    seller_ref: str  # the marketplace's seller id or store name, as the URL gives it


@dataclass(frozen=True)
class Form:
    marketplace: str
    example: str
    read: Callable[[str, dict[str, list[str]]], tuple[str, str] | None]  # (path, query) → (ref, canonical path?query)


def _query_form(path: str, key: str) -> Callable[[str, dict[str, list[str]]], tuple[str, str] | None]:
    def read(got: str, query: dict[str, list[str]]) -> tuple[str, str] | None:
        value = (query.get(key) or [""])[0].strip()
        if got.rstrip("/") != path or not re.fullmatch(r"[\w.-]{1,100}", value):
            return None
        return value, f"{path}?{urlencode({key: value})}"
    return read


def _path_form(pattern: str) -> Callable[[str, dict[str, list[str]]], tuple[str, str] | None]:
    compiled = re.compile(pattern)

    def read(got: str, query: dict[str, list[str]]) -> tuple[str, str] | None:
        found = compiled.fullmatch(got.rstrip("/") if not got.endswith(".html") else got)
        return None if found is None else (found.group("ref"), found.group(0))
    return read


FORMS: tuple[Form, ...] = (
    Form("amazon", "https://www.amazon.fr/s?me=A1B2C3D4E5F6G7", _query_form("/s", "me")),
    Form("amazon", "https://www.amazon.fr/sp?seller=A1B2C3D4E5F6G7", _query_form("/sp", "seller")),
    Form("ebay", "https://www.ebay.fr/str/maboutique", _path_form(r"/str/(?P<ref>[\w.-]{1,100})")),
    Form("ebay", "https://www.ebay.fr/sch/i.html?_ssn=vendeur", _query_form("/sch/i.html", "_ssn")),
    Form("cdiscount", "https://www.cdiscount.com/mpv-12345-Boutique.html",
         _path_form(r"/mpv-(?P<ref>\d{1,20})-[\w.-]{1,200}\.html")),
    Form("rakuten", "https://fr.shopping.rakuten.com/boutique/maboutique",
         _path_form(r"/boutique/(?P<ref>[\w.-]{1,100})")),
    Form("aliexpress", "https://www.aliexpress.com/store/1234567", _path_form(r"/store/(?P<ref>\d{1,20})")),
    Form("leboncoin", "https://www.leboncoin.fr/boutique/12345/ma_boutique.htm",
         _path_form(r"/boutique/(?P<ref>\d{1,20})(?:/[\w.-]{1,200}\.htm)?")),
)
SANDBOX = Form("sandbox", "http://127.0.0.1:8000/shop/atelier-dupont", _path_form(r"/shop/(?P<ref>[a-z0-9-]{1,100})"))


def _local(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost"
    return True


def storefront(url: str, marketplace: str | None = None) -> Storefront:
    """The storefront this URL is; BadURL (one line, with the forms known) when it is none."""
    canonical = canonical_url(url)
    parts = urlsplit(canonical)
    query = parse_qs(parts.query)
    wanted = (marketplace or "").strip().lower() or None
    for form in (*FORMS, SANDBOX):
        if wanted is not None and form.marketplace != wanted:
            continue
        if form is not SANDBOX and not registry.by_name(form.marketplace).serves(canonical):
            continue
        if form is SANDBOX and wanted is None and not _local(parts.hostname or ""):
            continue  # another site's /shop/ path is not the sandbox's: on a named host, --marketplace sandbox
        found = form.read(parts.path, query)
        if found is not None:
            ref, path = found
            shop_path, _, shop_query = path.partition("?")
            return Storefront(urlunsplit((parts.scheme, parts.netloc, shop_path, shop_query, "")), form.marketplace, ref)
    names = sorted({f.marketplace for f in (*FORMS, SANDBOX)})
    if wanted is not None and wanted not in names:
        raise BadURL(N_("no storefront reader for marketplace %(marketplace)s; known: %(known)s"),
                     marketplace=repr(wanted), known=", ".join(names))
    raise BadURL(N_("not a storefront URL: %(url)s; storefronts look like %(examples)s, ..."),
                 url=repr(url.strip()[:200]), examples=", ".join(f.example for f in FORMS[:4]))
