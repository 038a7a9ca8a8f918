"""Search watches (issue 27): `vigie search add`, `vigie search list`, `vigie search remove`."""
from __future__ import annotations

import click
from sqlalchemy import select

from store.db import session_scope
from store.models import Listing
from store.models_search import DEFAULT_PAGES, SearchWatch
from vigie.cli.app import App, BadInput
from vigie.cli.main import cli
from vigie.cli.output import print_json, print_table, say
from vigie.durations import format_duration
from vigie.registration import RegistrationError
from vigie.search_watches import (DEFAULT_DROP_THRESHOLD, NewSearchWatch, add_search_watch, remove_search_watch,
                                  search_watch_json)


@cli.group("search")
def search() -> None:
    """Is a listing's offer still found by the marketplace's search? (search visibility)"""


@search.command("add")
@click.argument("listing_id", type=int)
@click.argument("query")
@click.option("--every", help="Check interval, e.g. 12h, 1d; default 1d, minimum 1h.")
@click.option("--pages", type=int, default=DEFAULT_PAGES, show_default=True,
              help="Results pages read per check (not in them is absent).")
@click.option("--threshold", type=int, default=None,
              help="Organic positions worse than its usual rank (median) that make a drop; default "
                   f"{DEFAULT_DROP_THRESHOLD}.")
@click.option("--json", "as_json", is_flag=True, help="Print the new watch as JSON.")
@click.pass_obj
def search_add(app: App, listing_id: int, query: str, every, pages: int, threshold: int | None,
               as_json: bool) -> None:
    """Watch where LISTING_ID's offer stands in the search for QUERY (keywords, or the product's own id)."""
    try:
        with session_scope(app.sessions) as session:
            watch = add_search_watch(session, NewSearchWatch(listing_id, query, every, pages, threshold),
                                     allow_private=app.settings.allow_private_hosts, now=app.now())
            data = search_watch_json(watch)
    except RegistrationError as exc:
        raise BadInput(str(exc)) from None
    if as_json:
        print_json(data)
        return
    what = "its own id (is it indexed?)" if data["id_query"] else f"« {data['query']} »"
    say(f"search {data['id']} added: listing {data['listing_id']} looked for with {what} on {data['marketplace']}, "
        f"first {data['pages']} pages, every {format_duration(data['every_seconds'])}")


@search.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.option("--all", "everything", is_flag=True, help="Removed watches too.")
@click.pass_obj
def search_list(app: App, as_json: bool, everything: bool) -> None:
    """The search watches."""
    query = select(SearchWatch).join(Listing, SearchWatch.listing_id == Listing.id).order_by(SearchWatch.listing_id)
    if not everything:
        query = query.where(Listing.active.is_(True))
    with session_scope(app.sessions) as session:
        rows = [search_watch_json(watch) for watch in session.scalars(query)]
    if as_json:
        print_json(rows)
        return
    if not rows:
        say("no search is watched; `vigie search add LISTING_ID QUERY` watches one")
        return
    print_table("search watches", ["id", "listing", "query", "marketplace", "visibility", "rank", "every"],
                [[r["id"], r["listing_id"], r["query"] + (" (id)" if r["id_query"] else ""), r["marketplace"],
                  r["visibility"] or "-", r["last_position"] or "-", format_duration(r["every_seconds"])]
                 for r in rows])


@search.command("remove")
@click.argument("watch_id", type=int)
@click.pass_obj
def search_remove(app: App, watch_id: int) -> None:
    """Stop a search watch (its checks, pages and events are kept)."""
    try:
        with session_scope(app.sessions) as session:
            query = remove_search_watch(session, watch_id).query
    except RegistrationError as exc:
        raise BadInput(str(exc)) from None
    say(f"search {watch_id} removed: « {query} » (history kept)")
