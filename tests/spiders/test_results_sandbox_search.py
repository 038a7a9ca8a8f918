"""The sandbox's search results reader: ids, organic positions, paid placements, and a page that does not hold
the results it announces (or is no results page) read as no answer."""
from __future__ import annotations

from spiders.page import PageInput
from spiders.results import parser_for, walk_positions

URL = "http://127.0.0.1:8000/search?q=bol"


def page(results: str, *, count: int, extra: str = "") -> PageInput:
    html = (f'<html><body><section class="search-results" data-total="12" data-count="{count}">{extra}'
            f'<ol class="results">{results}</ol><a rel="next" href="/search?q=bol&amp;page=2">suite</a>'
            f'</section></body></html>')
    return PageInput(url=URL, body=html.encode(), status=200, headers={"content-type": "text/html; charset=utf-8"})


def item(ident: str, css: str = "result") -> str:
    return (f'<li class="{css}" data-product-id="{ident}"><a href="/p/{ident}">Bol {ident}</a> '
            '<span class="result-price">9,90 €</span></li>')


def test_reads_organic_and_sponsored_results():
    read = parser_for("search", "sandbox")(page(item("a") + item("b"), count=2,
                                                extra=f'<ul>{item("z", "result sponsored")}</ul>'))
    assert read.complete and read.total_results == 12 and read.next_page == "http://127.0.0.1:8000/search?q=bol&page=2"
    assert [(i.id, i.sponsored) for i in read.items] == [("z", True), ("a", False), ("b", False)]
    assert [(i.id, i.position) for i in walk_positions([read, read])] == [
        ("z", None), ("a", 1), ("b", 2), ("z", None), ("a", 3), ("b", 4)]


def test_a_truncated_page_is_no_answer():
    read = parser_for("search", "sandbox")(page(item("a"), count=2))
    assert not read.complete and "partial page" in read.reasons[0]


def test_a_wall_an_error_or_another_page_is_no_answer():
    reader = parser_for("search", "sandbox")
    walled = PageInput(url=URL, body=b"<html><body>x</body></html>", status=429, headers={})
    assert not reader(walled).complete and reader(walled).items == ()
    gone = PageInput(url=URL, body=b"<html><body>introuvable</body></html>", status=404, headers={})
    assert not reader(gone).complete and not reader(gone).extra.get("gone")
    home = PageInput(url=URL, body=b"<html><body><h1>Bienvenue</h1></body></html>", status=200, headers={})
    assert not reader(home).complete and "unknown layout" in reader(home).reasons[0]
