"""`vigie import FILE`: a CSV of URLs, or a marketplace's own listing report (Amazon, eBay, Mirakl) recognised
from its header.

Exit status: 0 when every row was imported (or reported inactive by the report itself); 1 when some rows were
refused while others were read (each refusal is said by line); 2 when nothing could be read: the file itself, or
every one of its rows (one line on stderr; nothing stored, and --sync stops nothing).
"""
from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

import click

from store.db import session_scope
from vigie.cli.app import App, BadInput, Failure
from vigie.cli.main import cli
from vigie.cli.output import print_json, say
from vigie.cli.progress import progress_for
from vigie.limits import CSV_FILE_BYTES
from vigie.listing_csv import CsvFileError, check_listings, read_listings
from vigie.registration import (DEFAULT_ACCOUNT, NewListing, RegistrationError, account_name, account_named,
                                resolving_once, store_listing, validate)
from vigie.report_formats import Detected, detect
from vigie.report_import import Imported, Policy, import_report, site_for
from vigie.report_text import ReportFileError


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--site", help="The marketplace site of a report that does not say it (amazon.fr, darty.com, ...); "
              "remembered as the account's default.")
@click.option("--account", default=DEFAULT_ACCOUNT, show_default=True)
@click.option("--sync", is_flag=True, help="Stop watching the account's listings of that report's site that the "
              "report no longer has (history kept).")
@click.option("--json", "as_json", is_flag=True, help="Print what was imported and refused as JSON.")
@click.pass_obj
def import_file(app: App, file: Path, site: str | None, account: str, sync: bool, as_json: bool) -> None:
    """Register listings from a CSV of URLs (url[,marketplace,seller,email,label,every,browser]) or from a
    marketplace's listing report: Amazon All/Active Listings, eBay Seller Hub active listings, Mirakl offers export.

    Bad rows are reported by line, good ones kept. Exit status 1 when some rows were refused, 2 when none could be
    imported.
    """
    try:
        account = account_name(account)
    except RegistrationError as exc:
        raise BadInput(str(exc)) from None
    with _opened(file) as data:
        detected = detect(data.read())
        if detected is not None:
            result = _import_report(app, file, detected, account=account, site=site, sync=sync)
            _finish(file, result, as_json)
            return
        if site or sync:
            raise BadInput(f"{file}: a CSV of URLs, not a marketplace report: --site and --sync apply to reports")
        data.seek(0)
        try:  # checked whole first: a file refused for its content stores nothing
            total = check_listings(data)
            data.seek(0)
            if not as_json:
                say(f"read as a CSV of URLs: {total:,} row(s)")
            result = _import_csv(app, account, read_listings(data), total, quiet=as_json)
        except CsvFileError as exc:
            raise BadInput(f"{file}: {exc}") from None
    _finish(file, result, as_json, said=True)


def _import_report(app: App, file: Path, detected: Detected, *, account: str, site: str | None,
                   sync: bool) -> Imported:
    policy = Policy(allow_private=app.settings.allow_private_hosts, allow_networks=app.settings.allow_networks)
    try:
        with app.sessions() as session:
            owner = account_named(session, account, now=app.now(), lang=app.settings.lang)
            chosen, note = site_for(detected, owner, site)
            session.commit()
            result = import_report(session, detected, account=owner, site=chosen, sync=sync, policy=policy,
                                   now=app.now())
    except (ReportFileError, RegistrationError) as exc:
        raise BadInput(f"{file}: {exc}") from None
    if note:
        result.notes.insert(0, note)
    return result


def _finish(file: Path, result: Imported, as_json: bool, *, said: bool = False) -> None:
    """Prints the outcome and sets the exit status (module docstring)."""
    if as_json:
        print_json(result.as_json())
    elif not said:
        for line in result.lines():
            say(line)
    else:
        say(f"{len(result.added)} added, {len(result.refused)} refused")
    if result.unread():
        raise BadInput(f"{file}: no row could be imported ({len(result.refused)} refused)")
    if result.refused:
        raise Failure(f"{file}: {len(result.refused)} row(s) refused, the others imported")


def _import_csv(app: App, account: str, rows: Iterator[tuple[int, NewListing | str]], total: int, *,
                quiet: bool) -> Imported:
    result = Imported(format="CSV of URLs", site=None)
    resolve = resolving_once()  # each host looked up once per import
    with progress_for("importing") as progress:
        task = progress.add_task("importing", total=total) if progress is not None else None
        for line, row in rows:
            _import_row(app, account, line, row, resolve, result, quiet)
            if progress is not None:
                progress.advance(task)
    return result


def _import_row(app: App, account: str, line: int, row: NewListing | str, resolve: Callable, result: Imported,
                quiet: bool) -> None:
    """One CSV row registered, or refused and said why."""
    try:
        if isinstance(row, str):
            raise RegistrationError(row)
        checked = validate(row, allow_private=app.settings.allow_private_hosts,
                           allow_networks=app.settings.allow_networks, resolve=resolve)
        with session_scope(app.sessions) as session:
            owner = account_named(session, account, now=app.now(), lang=app.settings.lang)
            listing = store_listing(session, checked, account=owner, now=app.now())
            result.added.append({"line": line, "id": listing.id, "url": listing.canonical_url})
            if not quiet:
                say(f"line {line}: listing {listing.id} added: {listing.canonical_url}")
    except RegistrationError as exc:
        result.refused.append((line, str(exc)))
        if not quiet:
            say(f"line {line}: {exc}")


@contextmanager
def _opened(file: Path) -> Iterator[BinaryIO]:
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
