"""Reading what Vigie found: events, history, and offline extraction of a saved page."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from spiders import registry
from spiders.extract import extract_file, extract_results_file, observation_json, results_json
from spiders.results import KINDS
from store.db import session_scope
from store.models import Listing
from store.pages import event_pages, snapshot_pages
from vigie.cli.app import App, BadInput
from vigie.cli.main import cli
from vigie.cli.output import print_json, print_json_stream, print_table, print_table_pages
from vigie.cli.params import ID


def _since(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"--since {text!r} is not an ISO 8601 date or time") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@cli.command()
@click.option("--listing", "listing_id", type=ID)
@click.option("--since", help="Only events detected at or after this ISO 8601 time.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def events(app: App, listing_id: int | None, since: str | None, as_json: bool) -> None:
    """Events found so far, oldest first."""
    since_at = _since(since)
    if listing_id is not None:
        with session_scope(app.sessions) as session:
            if session.get(Listing, listing_id) is None:
                raise BadInput(f"no listing with id {listing_id}")
    pages = event_pages(app.sessions, listing_id=listing_id, since=since_at)  # written as read
    if as_json:
        print_json_stream(pages)
        return
    print_table_pages("Events", ["id", "listing", "kind", "detected (UTC)", "before", "after"],
                      ([[d["id"], d["listing_id"], d["kind"], d["detected_at"][:19], d["before"], d["after"]]
                        for d in page] for page in pages),
                      empty=_no_events(listing_id, since))


def _no_events(listing_id: int | None, since: str | None) -> str:
    return ("no events" + (f" for listing {listing_id}" if listing_id is not None else "")
            + (f" since {since}" if since else "") + " yet")


CHAIN_SHOWN = 12  # hex digits of the chain hash in the table, as git shortens commits; --json has all 64


@cli.command()
@click.argument("listing_id", type=ID)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def history(app: App, listing_id: int, as_json: bool) -> None:
    """Every snapshot of one listing, oldest first, with its chain hash (shortened; in full with --json)."""
    with session_scope(app.sessions) as session:
        if session.get(Listing, listing_id) is None:
            raise BadInput(f"no listing with id {listing_id}")
    pages = snapshot_pages(app.sessions, listing_id)  # written as read: a listing may have years of checks
    if as_json:
        print_json_stream(pages)
        return
    print_table_pages(f"History of listing {listing_id}", ["seq", "fetched (UTC)", "outcome", "http", "price",
                                                           "shipping", "via", "chain", "seller"],
                      ([[d["seq"], d["fetched_at"][:19], d["outcome"], d["http_status"],
                         f"{d['price']} {d['currency'] or ''}" if d["price"] else None, d["shipping_fee"],
                         d["fetch_method"], d["chain_hash"][:CHAIN_SHOWN], d["seller"]] for d in page]
                       for page in pages),
                      empty=f"listing {listing_id} has not been checked yet")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--marketplace", required=True, help=f"Adapter: {', '.join(registry.names())}.")
@click.option("--kind", type=click.Choice(KINDS), help="Read a storefront (shop) or search results page instead "
                                                       "of a product page.")
@click.option("--url", help="The page's URL (some adapters judge redirects by it; results links are made absolute "
                            "against it).")
@click.option("--status", type=click.IntRange(100, 599), default=200, show_default=True)
@click.option("--seller", help="The registered seller, to tell offer_gone.")
@click.option("--json", "as_json", is_flag=True)
def extract(file: Path, marketplace: str, kind: str | None, url: str | None, status: int, seller: str | None,
            as_json: bool) -> None:
    """Classify and extract one saved page, offline."""
    if not file.is_file():
        raise BadInput(f"{file}: no such file")
    try:
        registry.by_name(marketplace)
    except KeyError as exc:
        raise BadInput(exc.args[0]) from None
    if kind is not None:
        if seller:
            raise BadInput("--seller applies to product pages; a --kind shop/search page lists offers, not a seller")
        _extract_results(file, kind, marketplace, url, status, as_json)
        return
    data = observation_json(extract_file(file, marketplace=marketplace, url=url, status=status, seller=seller))
    if as_json:
        print_json(data)
        return
    for key in ("outcome", "price", "currency", "shipping_fee", "seller", "title", "availability"):
        click.echo(f"{key:>13}: {'' if data[key] is None else data[key]}")
    for reason in data["reasons"]:
        click.echo(f"       reason: {reason}")


def _extract_results(file: Path, kind: str, marketplace: str, url: str | None, status: int, as_json: bool) -> None:
    """`vigie extract --kind shop|search`: the offers a storefront or search results page lists."""
    try:
        page = extract_results_file(file, kind=kind, marketplace=marketplace, url=url, status=status)
    except KeyError as exc:
        raise BadInput(exc.args[0]) from None
    data = results_json(page)
    if as_json:
        print_json(data)
        return
    click.echo(f"     complete: {'yes' if data['complete'] else 'no'}")
    click.echo(f"    next page: {data['next_page'] or ''}")
    if data["total_results"] is not None:
        click.echo(f"      results: {data['total_results']}")
    print_table(f"{kind} page ({marketplace})", ["position", "id", "sponsored", "price", "title"],
                [[item["position"], item["id"], "yes" if item["sponsored"] else "",
                  f"{item['price']} {item['currency'] or ''}" if item["price"] else None, item["title"]]
                 for item in data["items"]])
    for reason in data["reasons"]:
        click.echo(f"       reason: {reason}")
