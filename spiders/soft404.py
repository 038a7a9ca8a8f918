"""Removed listings that do not say 404: removal wording on a 200 page, redirects away from the product.

Reusable by every adapter: call with the site's own extra words, search paths or query keys.
Both helpers return a one-line reason, or None when the page is not a removal.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable
from urllib.parse import parse_qsl, urlsplit

# Compared after folding accents and case (see `fold`), so "désactivée" and "DESACTIVEE" match.
GONE_WORDS: tuple[str, ...] = (
    # fr
    "page introuvable", "page non trouvee", "produit introuvable", "n'existe plus", "n'existe pas",
    "annonce desactivee", "cette annonce n'est plus disponible", "cette annonce a expire",
    "annonce a ete supprimee", "ce produit n'est plus disponible", "cette page n'est plus disponible",
    "erreur 404",
    # en
    "page not found", "no longer available", "this listing has ended", "this listing was ended",
    "listing has been removed", "product not found", "item not found", "page does not exist",
    "page doesn't exist", "page you requested could not be found", "we couldn't find that page",
    "404 not found",
    # de, es, it
    "seite nicht gefunden", "angebot wurde beendet", "pagina no encontrada", "pagina non trovata",
)

# where marketplaces send the buyer of a removed product
SEARCH_PATHS: tuple[str, ...] = ("/search", "/recherche", "/s", "/sch", "/catalogsearch", "/suche", "/buscar")
SEARCH_KEYS: tuple[str, ...] = ("q", "k", "keywords", "keyword", "query", "search", "searchterm", "kw", "_nkw")

# path words that say nothing about which product a URL is
_BLAND = frozenset({
    "www", "html", "htm", "php", "asp", "aspx", "jsp", "index", "product", "products", "produit", "produits",
    "item", "items", "itm", "detail", "details", "page", "shop", "store", "boutique", "fr", "en", "de", "es",
    "it", "uk", "us", "mp", "dp", "gp", "ref",
})
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def fold(text: str) -> str:
    """Accents and case folded, typographic apostrophes made plain, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(text.split())


def says_gone(text: str | None, extra_words: Iterable[str] = ()) -> str | None:
    """`'page says "page introuvable"'` when the text carries removal wording.

    Call it only on pages without product data: a live product page may well say
    "no longer available" about some other item in a carousel.
    """
    if not text:
        return None
    folded = fold(text)
    for word in (*extra_words, *GONE_WORDS):
        if has_words(folded, fold(word)):
            return f"page says {word!r}"
    return None


def has_words(text: str, phrase: str) -> bool:
    """`phrase` in `text` as whole words: "oups" is not in "searchautocompletegroups", "disponible" not in
    "indisponible". Both are expected folded."""
    start = text.find(phrase)
    while start >= 0:
        end = start + len(phrase)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() and phrase[:1].isalnum()) and not (after.isalnum() and phrase[-1:].isalnum()):
            return True
        start = text.find(phrase, start + 1)
    return False


def redirect_gone(
    requested_url: str | None,
    final_url: str,
    *,
    has_product: bool = False,
    extra_search_paths: Iterable[str] = (),
    extra_search_keys: Iterable[str] = (),
) -> str | None:
    """A reason when a redirect landed on the home page, a search page or an unrelated page.

    "Unrelated" (no meaningful path word in common with the requested product URL, as a
    category page) counts only when the final page shows no product: a shop that renamed
    the product's slug still shows the product.
    """
    if not requested_url or requested_url == final_url:
        return None
    requested, final = urlsplit(requested_url), urlsplit(final_url)
    req_path, final_path = _path(requested.path), _path(final.path)
    new_keys = _query_keys(final.query) - _query_keys(requested.query)
    if req_path == final_path and not new_keys:
        return None  # same page: scheme, host or tracking parameters changed
    if final_path == "/" and req_path != "/":
        return f"redirected to the home page ({final_url})"
    search_paths = {_path(p) for p in (*SEARCH_PATHS, *extra_search_paths)}
    if req_path != final_path and any(final_path == p or final_path.startswith(p + "/") for p in search_paths):
        return f"redirected to a search page ({final_url})"
    keys = {k.casefold() for k in (*SEARCH_KEYS, *extra_search_keys)}
    if new_keys & keys:
        return f"redirected to a search page ({final_url})"
    if not has_product and req_path != final_path and not (_words(req_path) & _words(final_path)):
        return f"redirected to an unrelated page ({final_url})"
    return None


def _path(path: str) -> str:
    path = path.casefold().rstrip("/")
    return path or "/"


def _query_keys(query: str) -> set[str]:
    return {key.casefold() for key, _ in parse_qsl(query, keep_blank_values=True)}


def _words(path: str) -> set[str]:
    """The words of a path that identify a product: slugs' words and ids, not "product" or "fr"."""
    words = set(re.split(r"[^0-9a-z]+", fold(path)))
    return {w for w in words if w not in _BLAND and (len(w) >= 3 or (w.isdigit() and len(w) >= 2))}
