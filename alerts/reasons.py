"""What a person reads of a check's reasons, and the marketplace's name as they know it.

The page objects and the crawler explain an outcome in internal terms ("http status 404", "static fetch
says gone: confirm it in a browser", "seller 'X' not among the offers"): those stay as they are in the
store, the API, the exports and the logs. An email shows a sentence in its own language for each reason it
knows and leaves out the plumbing (fields not found, browser escalations' internals); a reason it does not
know is left out too, never shown raw, so a new page object cannot leak jargon into a seller's mailbox.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

QUOTED = r"""(?:'(?P<q1>[^']*)'|"(?P<q2>[^"]*)")"""


@dataclass(frozen=True)
class Phrase:
    pattern: re.Pattern[str]
    fr: str
    en: str

    def say(self, found: re.Match[str], lang: str) -> str:
        groups = {k: v for k, v in found.groupdict().items() if v is not None}
        quoted = groups.pop("q1", None) or groups.pop("q2", None) or groups.pop("said", None) or ""
        return (self.fr if lang == "fr" else self.en).format(**groups, said=" ".join(quoted.split())[:100])


def _p(pattern: str, fr: str, en: str) -> Phrase:
    return Phrase(re.compile(pattern, re.I), fr, en)


# the crawler's re-fetch through a browser, which backs up what was seen: said once, last
BROWSER = _p(r"^(?:static fetch says \w+: confirm it in a browser|browser re-fetch\b.*)$",
             "constat confirmé en ouvrant la page dans un navigateur",
             "confirmed by opening the page in a browser")
# first match wins; each phrase is a full sentence fragment a seller can act on
PHRASES = (
    _p(r"^http status (?P<code>404|410)\b",
       "la page répond « introuvable » (erreur HTTP {code})",
       "the page answers “not found” (HTTP error {code})"),
    _p(r"^http status (?P<code>403|429)\b",
       "la place de marché a refusé la lecture de la page (HTTP {code})",
       "the marketplace refused to show the page (HTTP {code})"),
    _p(r"^(?:empty body \()?http status (?P<code>5\d\d)\b",
       "le site de la place de marché était en erreur (HTTP {code})",
       "the marketplace's site was failing (HTTP {code})"),
    _p(r"^empty body\b", "la page est arrivée vide", "the page came back empty"),
    _p(r"^redirected to the home page\b",
       "l’adresse de l’annonce renvoie vers la page d’accueil",
       "the listing's address now leads to the home page"),
    _p(r"^redirected to a (?:search|search/category) page\b",
       "l’adresse de l’annonce renvoie vers une page de recherche",
       "the listing's address now leads to a search page"),
    _p(r"^redirected to a category page\b",
       "l’adresse de l’annonce renvoie vers une page de catégorie",
       "the listing's address now leads to a category page"),
    _p(r"^redirected to another item\b",
       "l’adresse de l’annonce renvoie vers un autre produit",
       "the listing's address now leads to another product"),
    _p(r"^(?:redirected\b|runParams redirect\b)",
       "l’adresse de l’annonce renvoie vers une autre page",
       "the listing's address now leads to another page"),
    _p(rf"^page says {QUOTED}",
       "la page indique « {said} »", "the page says “{said}”"),
    _p(r"^(?:removed ad|removed product|ended listing): (?P<said>.*)$",
       "la page indique « {said} »", "the page says “{said}”"),
    _p(rf"^(?:AliExpress removal page|Amazon page-not-found page) \({QUOTED}\)",
       "la page indique « {said} »", "the page says “{said}”"),
    _p(r"^(?:Amazon page-not-found \(dogs\) page|Next\.js error page\b)",
       "la place de marché affiche sa page « introuvable »",
       "the marketplace shows its “page not found” page"),
    _p(r"^(?:item status \S+ \(taken offline\)|ad status\b)",
       "la place de marché indique que l’annonce n’est plus en ligne",
       "the marketplace says the listing is no longer online"),
    _p(rf"^seller {QUOTED} not among the offers",
       "le vendeur « {said} » ne figure plus parmi les offres de la page",
       "the seller “{said}” is no longer among the page's offers"),
    _p(r"captcha|challenge|bot check|\bwall\b",
       "une protection anti-robots a répondu à la place de la page",
       "an anti-bot protection answered instead of the page"),
)


def human_reasons(raw: str | None, lang: str) -> list[str]:
    """The sentences for a "; "-joined reasons string (as events store it), in order, each once."""
    said: list[str] = []
    in_browser = False
    for reason in filter(None, (part.strip() for part in (raw or "").split("; "))):
        if BROWSER.pattern.search(reason):
            in_browser = True
            continue
        found = next(((phrase, m) for phrase in PHRASES if (m := phrase.pattern.search(reason))), None)
        if found and (sentence := found[0].say(found[1], lang)) not in said:
            said.append(sentence)
    if in_browser and said:  # a confirmation of nothing a person was told is not worth a line
        said.append(BROWSER.fr if lang == "fr" else BROWSER.en)
    return said


# the shops' own spelling, for the first label of a host that names one ("www.amazon.fr" → "Amazon.fr")
# (leboncoin and laredoute write themselves as their host does)
BRANDS = {
    "amazon": "Amazon", "ebay": "eBay", "cdiscount": "Cdiscount", "fnac": "Fnac", "darty": "Darty",
    "rakuten": "Rakuten", "aliexpress": "AliExpress", "alibaba": "Alibaba", "manomano": "ManoMano",
    "conforama": "Conforama",
}


def marketplace_name(marketplace: str, url: str) -> str:
    """"Amazon.fr", "eBay.de", "Cdiscount.com"... from the listing's host; for any other site its host
    without "www." ("boutique.example.fr"); the adapter's name when the URL has no host."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if not host:
        return marketplace
    labels = host.split(".")
    for index, label in enumerate(labels[:-1]):
        if label in BRANDS:
            return ".".join([BRANDS[label], *labels[index + 1:]])
    return host.removeprefix("www.")
