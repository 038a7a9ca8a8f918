"""When a static result is re-fetched through the browser, and when it is kept."""
from __future__ import annotations

from decimal import Decimal

import pytest

from crawler.escalation import client_rendered_shell, escalation_reason
from detector.model import Observation, Outcome
from spiders.generic import MARKETPLACE as GENERIC
from spiders.page import PageInput

SHELL = b"""<!DOCTYPE html><html><head><title>Shop</title></head><body>
<div id="app"><p class="loading">Chargement\xe2\x80\xa6</p></div>
<noscript>Activez JavaScript pour afficher cette page.</noscript>
<script>window.addEventListener("load", function () {});</script></body></html>"""

EMPTY_MOUNT = b"""<html><body><div id="root"></div><script src="/bundle.js"></script></body></html>"""

NOSCRIPT_ONLY = b"""<html><body><header>Shop</header>
<noscript>You need to enable JavaScript to run this app.</noscript><script src="/a.js"></script></body></html>"""

ARTICLE = ("<html><body><h1>Conditions g\u00e9n\u00e9rales</h1><p>" + "Texte des conditions. " * 40
           + "</p><script>var x = 1;</script></body></html>").encode()

PRODUCT = b"""<html><head><script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product",
"name": "Lampe", "offers": {"@type": "Offer", "price": "19.90", "priceCurrency": "EUR",
"availability": "https://schema.org/InStock", "seller": {"@type": "Organization", "name": "S"}}}</script></head>
<body><h1>Lampe</h1><div class="spinner-hidden"></div></body></html>"""


def page(body: bytes, status: int = 200) -> PageInput:
    return PageInput(url="https://shop.example/p/1", body=body, status=status, requested_url="https://shop.example/p/1")


@pytest.mark.parametrize("body, why", [
    (SHELL, "loading placeholder"),
    (EMPTY_MOUNT, "empty #root mount node"),
    (NOSCRIPT_ONLY, "noscript asks for JavaScript"),
    (b'<html><body><main aria-busy="true"></main><script>go()</script></body></html>', "aria-busy placeholder"),
])
def test_client_rendered_shells_are_recognised(body, why):
    assert client_rendered_shell(page(body)) == why


@pytest.mark.parametrize("body", [ARTICLE, PRODUCT, b"<html><body><p>Bonjour</p></body></html>"])
def test_pages_with_content_or_without_scripts_are_not_shells(body):
    assert client_rendered_shell(page(body)) is None


def test_a_shell_without_product_data_is_escalated():
    shell = page(SHELL)
    observation = GENERIC.observe(shell)
    assert observation.outcome is Outcome.ERROR
    assert escalation_reason(observation, shell) == "static page has no product data (loading placeholder)"


def test_a_listed_page_with_its_price_is_kept():
    product = page(PRODUCT)
    observation = GENERIC.observe(product)
    assert observation.outcome is Outcome.LISTED and observation.price == Decimal("19.90")
    assert escalation_reason(observation, product) is None


def test_an_error_page_that_is_no_shell_is_kept():
    article = page(ARTICLE)
    assert escalation_reason(Observation(Outcome.ERROR, reasons=("no product data",)), article) is None


@pytest.mark.parametrize("outcome", [Outcome.GONE, Outcome.OFFER_GONE])
def test_a_disappearance_is_confirmed_in_the_browser(outcome):
    reason = escalation_reason(Observation(outcome), page(b"<html><body>404</body></html>", status=404))
    assert reason == f"static fetch says {outcome.value}: confirm it in a browser"


@pytest.mark.parametrize("outcome", [Outcome.GONE, Outcome.OFFER_GONE])
def test_an_already_confirmed_disappearance_is_not_re_fetched(outcome):
    assert escalation_reason(Observation(outcome), page(b"x", status=404), confirmed=outcome.value) is None
    assert escalation_reason(Observation(outcome), page(b"x", status=404), confirmed="listed") is not None


@pytest.mark.parametrize("status, outcome", [(200, Outcome.BLOCKED), (503, Outcome.ERROR), (429, Outcome.BLOCKED)])
def test_walls_and_outages_are_never_escalated_even_on_a_shell(status, outcome):
    assert escalation_reason(Observation(outcome), page(SHELL, status=status)) is None


def test_an_empty_body_is_not_escalated():
    assert escalation_reason(Observation(Outcome.ERROR, reasons=("empty body",)), page(b"  ")) is None


OUT_OF_STOCK_APP = b"""<html><head><script type="application/ld+json">{"@context": "https://schema.org",
"@type": "Product", "name": "Lampe", "offers": {"@type": "Offer", "priceCurrency": "EUR",
"availability": "https://schema.org/OutOfStock"}}</script></head>
<body><div id="app"></div><script src="/bundle.js"></script></body></html>"""


def test_a_page_read_as_unavailable_is_kept_even_when_it_also_mounts_an_app():
    """Its product data says out of stock (no price, as such pages often show none): the page says what it
    has to say without scripts, so the empty mount node does not send it to the browser."""
    product = page(OUT_OF_STOCK_APP)
    observation = GENERIC.observe(product)
    assert observation.outcome is Outcome.UNAVAILABLE and observation.price is None
    assert client_rendered_shell(product) == "empty #app mount node"
    assert escalation_reason(observation, product) is None
