"""Storefront watches (issue 26): add-shop, shops, remove-shop."""
from __future__ import annotations

import click
from sqlalchemy import select

from store.db import session_scope
from store.models import Listing
from store.models_shops import DEFAULT_MAX_PAGES, Shop
from vigie.cli.app import App, BadInput
from vigie.cli.main import cli
from vigie.cli.output import print_json, print_table, say
from vigie.durations import format_duration
from vigie.registration import DEFAULT_ACCOUNT, RegistrationError, account_named
from vigie.shops import NewShop, shop_json, store_shop, validate_shop


@cli.command("add-shop")
@click.argument("url")
@click.option("--marketplace", help="Storefront reader to use, overriding detection from the URL.")
@click.option("--seller", help="Your seller name as product pages show it (to tell a hidden offer from a lost one).")
@click.option("--email", "emails", multiple=True, help="Who to alert (repeatable).")
@click.option("--account", default=DEFAULT_ACCOUNT, show_default=True, help="The seller account it belongs to.")
@click.option("--every", help="Check interval, e.g. 6h, 1d; default 1h, minimum 5m.")
@click.option("--register-new", is_flag=True, help="Watch each new offer of the storefront as a listing (shop_offer_new).")
@click.option("--max-pages", type=int, default=DEFAULT_MAX_PAGES, show_default=True,
              help="Storefront pages read per check at most (a walk cut short is incomplete, never absence).")
@click.option("--json", "as_json", is_flag=True, help="Print the new shop as JSON.")
@click.pass_obj
def add_shop(app: App, url, marketplace, seller, emails, account, every, register_new, max_pages, as_json) -> None:
    """Watch a seller's public storefront: offers that vanish from it, new ones, the shop closing."""
    request = NewShop(url=url, marketplace=marketplace, seller=seller, emails=tuple(emails), every=every,
                      register_new=register_new, max_pages=max_pages)
    try:
        checked = validate_shop(request, allow_private=app.settings.allow_private_hosts,
                                allow_networks=app.settings.allow_networks)
        with session_scope(app.sessions) as session:
            owner = account_named(session, account, now=app.now(), lang=app.settings.lang)
            data = shop_json(store_shop(session, checked, account=owner, now=app.now()))
    except RegistrationError as exc:
        raise BadInput(str(exc)) from None
    for note in checked.notes:
        say(note)
    if as_json:
        print_json(data)
    else:
        say(f"shop {data['id']} added: {data['url']} ({data['marketplace']} seller {data['seller_ref']}, every "
            f"{format_duration(data['every_seconds'])})")


@cli.command("shops")
@click.option("--json", "as_json", is_flag=True)
@click.option("--all", "everything", is_flag=True, help="Removed shops too.")
@click.pass_obj
def shops(app: App, as_json: bool, everything: bool) -> None:
    """The storefronts watched."""
    query = select(Shop).join(Listing, Shop.listing_id == Listing.id).order_by(Shop.listing_id)
    if not everything:
        query = query.where(Listing.active.is_(True))
    with session_scope(app.sessions) as session:
        rows = [shop_json(shop) for shop in session.scalars(query)]
    if as_json:
        print_json(rows)
        return
    if not rows:
        say("no shop is watched; `vigie add-shop URL` watches one")
        return
    print_table("shops", ["id", "marketplace", "seller", "offers", "state", "every", "url"],
                [[r["id"], r["marketplace"], r["seller"] or r["seller_ref"], r["offers_known"], r["state"] or "-",
                  format_duration(r["every_seconds"]), r["url"]] for r in rows])


@cli.command("remove-shop")
@click.argument("shop_id", type=int)
@click.pass_obj
def remove_shop(app: App, shop_id: int) -> None:
    """Stop watching a storefront (its walks, pages and events are kept)."""
    with session_scope(app.sessions) as session:
        shop = session.get(Shop, shop_id)
        if shop is None or not shop.target.active:
            raise BadInput(f"no watched shop with id {shop_id}")
        shop.target.active = False
        url = shop.target.canonical_url
    say(f"shop {shop_id} removed: {url} (history kept)")
