"""Registering and managing listings: add, import, list, remove."""
from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

import click

from store.db import session_scope
from store.models import Listing
from store.pages import listing_pages
from store.serialize import listing_json
from vigie.cli.app import App, BadInput
from vigie.cli.main import cli
from vigie.cli.output import print_json, print_json_stream, print_table_pages, say
from vigie.cli.params import ID
from vigie.cli.progress import progress_for
from vigie.durations import format_duration
from vigie.limits import CSV_FILE_BYTES
from vigie.listing_csv import CsvFileError, check_listings, read_listings
from vigie.registration import (DEFAULT_ACCOUNT, NewListing, RegistrationError, account_name, account_named,
                                resolving_once, store_listing, validate)


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


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--account", default=DEFAULT_ACCOUNT, show_default=True)
@click.pass_obj
def import_csv(app: App, file: Path, account: str) -> None:
    """Register listings from a CSV file: url[,marketplace,seller,email,label,every,browser].

    Bad rows are reported by line, good ones kept.
    """
    try:
        account = account_name(account)
    except RegistrationError as exc:
        raise BadInput(str(exc)) from None
    with _csv_file(file) as data:
        try:  # checked whole first: a file refused for its content stores nothing
            total = check_listings(data)
            data.seek(0)
            rows = read_listings(data)
            added, bad = _import_rows(app, account, rows, total)
        except CsvFileError as exc:
            raise BadInput(f"{file}: {exc}") from None
    say(f"{added} added, {bad} refused")
    if bad and not added:
        raise BadInput(f"{file}: no row could be imported")


def _import_rows(app: App, account: str, rows: Iterator[tuple[int, NewListing | str]], total: int) -> tuple[int, int]:
    added, bad = 0, 0
    resolve = resolving_once()  # each host looked up once per import
    with progress_for("importing") as progress:
        task = progress.add_task("importing", total=total) if progress is not None else None
        for line, row in rows:
            if _import_row(app, account, line, row, resolve):
                added += 1
            else:
                bad += 1
            if progress is not None:
                progress.advance(task)
    return added, bad


def _import_row(app: App, account: str, line: int, row: NewListing | str, resolve: Callable) -> bool:
    """One CSV row registered (True), or refused and said why."""
    try:
        if isinstance(row, str):
            raise RegistrationError(row)
        checked = validate(row, allow_private=app.settings.allow_private_hosts,
                           allow_networks=app.settings.allow_networks, resolve=resolve)
        with session_scope(app.sessions) as session:
            owner = account_named(session, account, now=app.now(), lang=app.settings.lang)
            listing = store_listing(session, checked, account=owner, now=app.now())
            say(f"line {line}: listing {listing.id} added: {listing.canonical_url}")
        return True
    except RegistrationError as exc:
        say(f"line {line}: {exc}")
        return False


@contextmanager
def _csv_file(file: Path) -> Iterator[BinaryIO]:
    """The file opened for two passes, refused over limits.CSV_FILE_BYTES; a pipe is copied to a temporary
    file first (up to the cap), since it can be read only once."""
    too_big = f"{file}: bigger than {CSV_FILE_BYTES // 1_000_000} MB: split the file"
    try:
        data = file.open("rb")
    except FileNotFoundError:
        raise BadInput(f"{file}: no such file") from None
    except OSError as exc:
        raise BadInput(f"{file}: {exc.strerror}") from None
    with data:
        if data.seekable():
            if data.seek(0, 2) > CSV_FILE_BYTES:
                raise BadInput(too_big)
            data.seek(0)
            yield data
            return
        with tempfile.TemporaryFile() as copy:
            copy.write(data.read(CSV_FILE_BYTES + 1))
            if copy.tell() > CSV_FILE_BYTES:
                raise BadInput(too_big)
            copy.seek(0)
            yield copy


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
    print_table_pages("Listings", ["id", "marketplace", "state", "label", "url", "next check (UTC)"],
                      ([[d["id"], d["marketplace"], d["state"] or "unknown", d["label"], d["url"],
                         d["next_check_at"][:19]] for d in page] for page in pages))


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
