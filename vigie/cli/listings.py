"""Registering and managing listings: add, list, remove (import: vigie.cli.importing)."""
from __future__ import annotations

import click

from store.db import session_scope
from store.models import Listing
from store.pages import listing_pages
from store.serialize import listing_json
from vigie.cli.app import App, BadInput
from vigie.cli.main import cli
from vigie.cli.output import print_json, print_json_stream, print_table_pages, say
from vigie.cli.params import ID
from vigie.durations import format_duration
from vigie.registration import DEFAULT_ACCOUNT, NewListing, RegistrationError, account_named, store_listing, validate


@cli.command()
@click.argument("url")
@click.option("--marketplace", help="Adapter to use, overriding detection by domain.")
@click.option("--seller", help="Your seller name as the page shows it (tracks your own offer).")
@click.option("--email", "emails", multiple=True, help="Who to alert (repeatable).")
@click.option("--label", help="A name for this listing in alerts.")
@click.option("--every", help="Check interval, e.g. 30m, 1h (default), 1d; minimum 5m.")
@click.option("--browser", is_flag=True, help="Always fetch this listing through the browser.")
@click.option("--account", default=DEFAULT_ACCOUNT, show_default=True, help="The seller account it belongs to.")
@click.option("--kind", type=click.Choice(["listing", "fees"]), default="listing", show_default=True,
              help="listing: a product page; fees: the marketplace's seller fee page (needs --marketplace).")
@click.option("--json", "as_json", is_flag=True, help="Print the new listing as JSON.")
@click.pass_obj
def add(app: App, url, marketplace, seller, emails, label, every, browser, account, kind, as_json) -> None:
    """Register a product URL (or, with --kind fees, a marketplace fee page) to watch."""
    if kind == "fees" and not marketplace:
        raise BadInput("--kind fees needs --marketplace NAME: whose fee page is it?")
    request = NewListing(url=url, marketplace=marketplace, seller=seller, emails=tuple(emails), label=label,
                         every=every, browser=browser, kind=kind)
    try:
        checked = validate(request, allow_private=app.settings.allow_private_hosts,
                           allow_networks=app.settings.allow_networks)
        with session_scope(app.sessions) as session:
            owner = account_named(session, account, now=app.now(), lang=app.settings.lang)
            listing = store_listing(session, checked, account=owner, now=app.now())
            data = listing_json(listing)
        for note in checked.notes:
            say(note)
    except RegistrationError as exc:
        raise BadInput(str(exc)) from None
    if as_json:
        print_json(data)
    else:
        say(f"listing {data['id']} added: {data['url']} ({data['marketplace']}, every "
            f"{format_duration(data['every_seconds'])})")


@cli.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.option("--removed", is_flag=True, help="Include removed listings.")
@click.pass_obj
def list_(app: App, as_json: bool, removed: bool) -> None:
    """Show the watched listings."""
    pages = listing_pages(app.sessions, removed=removed)  # written as read: the first line comes at once
    if as_json:
        print_json_stream(pages)
        return
    # the seller's SKU (from a listing report) in its own column: a label is cut at the column width, a SKU
    # must stay whole to be recognised; the other references are in --json
    print_table_pages("Listings", ["id", "marketplace", "state", "next check (UTC)", "sku", "label", "url"],
                      ([[d["id"], d["marketplace"], d["state"] or "unknown", d["next_check_at"][:19],
                         d["seller_sku"], d["label"], d["url"]] for d in page] for page in pages))


@cli.command()
@click.argument("listing_id", type=ID)
@click.pass_obj
def remove(app: App, listing_id: int) -> None:
    """Stop watching a listing (its history and evidence are kept)."""
    with session_scope(app.sessions) as session:
        listing = session.get(Listing, listing_id)
        if listing is None or not listing.active:
            raise BadInput(f"no active listing with id {listing_id}")
        listing.active = False
        url = listing.canonical_url
    say(f"listing {listing_id} removed: {url} (history kept)")
