"""One listing, one URL string: the canonical form registration and the crawler both use.

Two links to the same product differ by case, default ports, fragments, parameter order and
the tracking parameters marketing and affiliate links add; `canonical_url` removes all of that
so a listing is registered once and its evidence is filed under one address.
"""
from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from said import N_, Refusal

DEFAULT_PORTS = {"http": 80, "https": 443}

# Parameters that say who sent the visitor, never which product the page shows.
TRACKING_PARAMS = frozenset({
    "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "fbclid", "msclkid", "yclid", "twclid", "ttclid", "igshid",
    "li_fat_id", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "srsltid", "ref", "ref_", "tag",
    "affid", "affiliate", "aff_id", "campaign", "cmpid", "xtor", "spm", "scm",
    # Amazon search and affiliate crumbs (not `smid` or `psc`: those pick the offer shown)
    "qid", "sr", "crid", "sprefix", "dib", "dib_tag", "linkcode", "linkid", "ascsubtag", "creative",
    "creativeasin", "camp", "content-id",
    # eBay tracking
    "_trksid", "_trkparms", "mkevt", "mkcid", "mkrid", "campid", "toolid", "customid", "hash",
})
TRACKING_PREFIXES = ("utm_", "pf_rd_", "pd_rd_", "mtm_", "pk_", "hsa_")
_HOST = re.compile(r"^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")


class BadURL(Refusal, ValueError):
    """A URL that cannot be a listing: the message is one line, fit for the CLI's stderr (and translated on a
    page: said.Refusal)."""


def canonical_url(url: str) -> str:
    """`HTTPS://Shop.example:443/p/1?utm_source=x&b=2&a=1#top` → `https://shop.example/p/1?a=1&b=2`."""
    text = (url or "").strip()
    if not text:
        raise BadURL(N_("empty URL"))
    if any(ord(c) < 32 or c == "\x7f" for c in text):
        raise BadURL(N_("URL contains control characters: %(url)s"), url=repr(text))
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise BadURL(N_("unparseable URL %(url)s: %(why)s"), url=repr(text), why=exc) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        if not scheme or "." in scheme:
            raise BadURL(N_("not an http(s) URL: %(url)s (missing https://?)"), url=repr(text))
        raise BadURL(N_("not an http(s) URL: %(url)s"), url=repr(text))
    if parts.username is not None or parts.password is not None:
        raise BadURL(N_("URL with credentials (user:password@) refused"))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise BadURL(N_("URL has no host: %(url)s"), url=repr(text))
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    query = "&".join(piece for piece in parts.query.split("&") if piece and not _is_tracking(piece))
    try:
        canonical = canonicalize_url(urlunsplit((scheme, netloc, parts.path or "/", query, "")))
    except (ValueError, UnicodeError) as exc:
        raise BadURL(N_("unparseable URL %(url)s: %(why)s"), url=repr(text), why=exc) from None
    checked = urlsplit(canonical).hostname or ""
    if ":" not in checked and not _HOST.match(checked):
        raise BadURL(N_("invalid host name %(host)s"), host=repr(host))
    return canonical


def _is_tracking(piece: str) -> bool:
    key = unquote_plus(piece.split("=", 1)[0]).strip().lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)
