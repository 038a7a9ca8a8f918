"""Does this static result need a browser re-fetch? A pure decision, made before anything is stored.

Two cases:
- the page looks like a client-rendered shell: no product data, a loading placeholder, an empty
  mount node, a <noscript> asking for JavaScript; what the buyer sees only exists after scripts run;
- the observation would move the listing toward a disappearance (`gone`, `offer_gone`): a
  delisting is a serious claim, the confirming sighting must see the page as a buyer does.

Bot walls, 5xx and empty bodies are not escalated: a browser would meet the same wall or outage,
and those outcomes never move a listing's state anyway.
"""
from __future__ import annotations

import re

from lxml import etree

from detector.model import Observation, Outcome
from spiders.page import PageInput

DISAPPEARANCES = frozenset({Outcome.GONE, Outcome.OFFER_GONE})

# what front-end frameworks mount into, empty until their scripts run
MOUNT_IDS = ("app", "root", "__next", "__nuxt", "svelte", "main-app")
PLACEHOLDER_CLASSES = frozenset({"loading", "loader", "spinner", "skeleton", "shimmer", "is-loading"})
PLACEHOLDER_SUFFIXES = ("-loading", "__loading", "-skeleton", "__skeleton", "-spinner", "__spinner")
PLACEHOLDER_TEXT = re.compile(r"^\W*(chargement|loading|veuillez patienter|please wait)\b", re.I)
NOSCRIPT_ASKS_JS = re.compile(r"javascript", re.I)
THIN_TEXT_CHARS = 200  # a real product page says far more than this to a buyer

_VISIBLE = etree.XPath(
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]")


def escalation_reason(observation: Observation, page: PageInput, *, confirmed: str | None = None) -> str | None:
    """Why this static result must be re-fetched through the browser, or None to keep it.

    `confirmed` is the listing's confirmed state when the caller knows it: a listing already
    confirmed gone is not re-confirmed at browser cost on every check.
    """
    outcome = observation.outcome
    if outcome in DISAPPEARANCES:
        if confirmed == outcome.value:
            return None
        return f"static fetch says {outcome.value}: confirm it in a browser"
    if outcome in (Outcome.BLOCKED,) or page.status >= 400 or not page.body.strip():
        return None
    # a page the adapter read as unavailable said so itself: only a page without product data (an error) or a
    # listed one missing its price may be a shell, and the walk over every element is kept for those
    if outcome is Outcome.ERROR or (outcome is Outcome.LISTED and observation.price is None):
        shell = client_rendered_shell(page)
        if shell:
            return f"static page has no product data ({shell})"
    return None


def client_rendered_shell(page: PageInput) -> str | None:
    """What makes this page look like a shell that scripts fill in later, or None."""
    tree = page.tree  # parsed once: the page object has usually read it already
    text = " ".join(" ".join(_VISIBLE(tree)).split())
    for element in tree.iter(tag=etree.Element):
        if element.get("aria-busy") == "true":
            return "aria-busy placeholder"
        if _placeholder_class(element.get("class")) and len(text) < 4 * THIN_TEXT_CHARS:
            return "loading placeholder"
    if PLACEHOLDER_TEXT.match(text):
        return "loading placeholder"
    scripts = tree.xpath("//script[not(@type) or @type='module' or @type='text/javascript']")
    for mount in MOUNT_IDS:
        node = tree.get_element_by_id(mount, None)
        if node is not None and not " ".join(node.itertext()).strip() and scripts:
            return f"empty #{mount} mount node"
    if len(text) < THIN_TEXT_CHARS and scripts:
        if any(NOSCRIPT_ASKS_JS.search(n.text_content()) for n in tree.iter("noscript")):
            return "noscript asks for JavaScript"
        return "almost no text, scripts only"
    return None


def _placeholder_class(classes: str | None) -> bool:
    tokens = (classes or "").lower().split()
    return any(t in PLACEHOLDER_CLASSES or t.endswith(PLACEHOLDER_SUFFIXES) for t in tokens)
