"""Importing a marketplace's listing report into an account: the one path for `vigie import`, the web upload and
the API.

A re-import is a sync. Offers new to the account are added; offers it already watches keep their history and get
the report's references; offers it had stopped watching are watched again; offers of the same report kind and site
(the listing's `report_scope`) that the newer report no longer has, or marks inactive, are listed — and stop being
watched only when the caller asks (`sync`), never deleted. Rows the report marks inactive or deleted are reported,
not watched; bad rows are reported by line and the good ones kept.

Built for a 10,000-row report: each host is resolved once per import (vigie.registration.resolving_once), the
account's listings are read in one query, and new listings are written limits.REPORT_BATCH at a time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable
from urllib.parse import urlsplit

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from said import N_, Text
from store.models import Account, Listing
from vigie import limits
from vigie.mirakl_sites import mirakl_site
from vigie.registration import Checked, NewListing, RegistrationError, resolving_once, validate
from vigie.report_formats import Detected, Offer, amazon_site, ebay_site, read
from vigie.report_text import ReportFileError

SITE_NAMES = {"amazon": "Amazon", "mirakl": "Mirakl marketplace", "ebay": "eBay"}
SITE_EXAMPLES = {"amazon": "amazon.fr", "mirakl": "darty.com", "ebay": "ebay.fr"}


@dataclass(frozen=True)
class Policy:
    """What registration allows (the caller's settings) and how names are resolved."""

    allow_private: bool
    allow_networks: str = ""
    resolve: Callable | None = None


@dataclass
class Imported:
    format: str
    site: str | None
    added: list[dict[str, Any]] = field(default_factory=list)  # {"line", "id", "url"}
    restored: list[dict[str, Any]] = field(default_factory=list)  # watched again
    kept: int = 0  # already watched
    refused: list[tuple[int, str]] = field(default_factory=list)  # the reasons are said.Text: English in JSON
    inactive: list[tuple[int, str]] = field(default_factory=list)
    absent: list[dict[str, Any]] = field(default_factory=list)  # {"id", "url", "seller_sku"}
    stopped: bool = False  # the absent ones are no longer watched
    notes: list[str] = field(default_factory=list)
    # what findings() and summary() return are said.Text: English here, the reader's language on the web page

    def as_json(self) -> dict[str, Any]:
        return {"format": self.format, "site": self.site, "added": self.added, "restored": self.restored,
                "kept": self.kept, "refused": [{"line": line, "reason": why} for line, why in self.refused],
                "inactive": [{"line": line, "reason": why} for line, why in self.inactive],
                "absent": self.absent, "stopped_watching_absent": self.stopped, "notes": self.notes}

    def lines(self) -> list[str]:
        """What a person reads: the format, each row that needs a word, then the counts."""
        said = [f"read as {self.format}" + (f", site {self.site}" if self.site else "")]
        said += [Text(N_("line %(line)s: listing %(id)s added: %(url)s"), line=str(row["line"]), id=str(row["id"]),
                      url=row["url"]) for row in self.added]
        return said + self.findings() + [self.summary()]

    def findings(self) -> list[str]:
        """The notes, refusals, inactive rows and absent listings: what the web page shows under the counts."""
        said = list(self.notes)
        said += [Text(N_("line %(line)s: listing %(id)s watched again: %(url)s"), line=str(row["line"]),
                      id=str(row["id"]), url=row["url"]) for row in self.restored]
        said += [Text(N_("line %(line)s: %(why)s"), line=str(line), why=why)
                 for line, why in sorted(self.refused + self.inactive)]
        verb = Text(N_("no longer watched") if self.stopped else N_("still watched; --sync stops watching them"))
        for row in self.absent:
            absent = Text(N_("not in this report (%(verb)s): listing %(id)s %(url)s"), verb=verb, id=str(row["id"]),
                          url=row["url"])
            said.append(Text(N_("%(absent)s (SKU %(sku)s)"), absent=absent, sku=row["seller_sku"])
                        if row["seller_sku"] else absent)
        return said

    def imported(self) -> bool:
        return bool(self.added or self.restored or self.kept)

    def unread(self) -> bool:
        """Every row refused: nothing of the file was understood (exit 2, HTTP 422)."""
        return bool(self.refused) and not (self.imported() or self.inactive)

    def summary(self) -> str:
        # the counts as text: "10000 added", as the CLI has always said it
        counts = {"added": str(len(self.added)), "restored": str(len(self.restored)), "kept": str(self.kept),
                  "inactive": str(len(self.inactive)), "refused": str(len(self.refused)), "absent": str(len(self.absent))}
        if self.stopped:
            return Text(N_("%(added)s added, %(restored)s watched again, %(kept)s already watched, %(inactive)s inactive "
                           "in the report, %(refused)s refused, %(absent)s no longer in the report (stopped)"), **counts)
        return Text(N_("%(added)s added, %(restored)s watched again, %(kept)s already watched, %(inactive)s inactive in "
                       "the report, %(refused)s refused, %(absent)s no longer in the report"), **counts)


def site_for(detected: Detected, account: Account, given: str | None) -> tuple[str | None, str | None]:
    """(site, note): the site `--site` gives, else the account's default for that report kind; ReportFileError
    when neither says it. A site given where the account has none becomes its default (the note says so)."""
    kind = detected.kind
    try:
        site = _site(kind, given) if given else None
    except ValueError as exc:
        raise ReportFileError(str(exc)) from None
    defaults = dict(account.report_sites or {})
    if site is None:
        if not detected.needs_site:
            return None, None
        if kind not in defaults:
            raise ReportFileError(N_("%(report)s does not say which site it is for: give --site %(example)s "
                                     "(remembered as the account's default)"), report=detected.name,
                                  example=SITE_EXAMPLES[kind])
        return defaults[kind], Text(N_("site %(site)s: the account's default (--site to import another)"),
                                    site=defaults[kind])
    if detected.needs_site and kind not in defaults:
        account.report_sites = {**defaults, kind: site}
        return site, Text(N_("%(site)s is now account %(account)s's default %(marketplace)s site"), site=site,
                          account=repr(account.name), marketplace=SITE_NAMES[kind])
    return site, None


def _site(kind: str, given: str) -> str:
    return {"amazon": amazon_site, "ebay": ebay_site, "mirakl": mirakl_site}[kind](given)


def import_report(session: Session, detected: Detected, *, account: Account, site: str | None, sync: bool,
                  policy: Policy, now: datetime) -> Imported:
    """Reads, checks and stores the report's offers for `account`; commits as it goes (REPORT_BATCH at a time)."""
    report = read(detected, site=site)
    result = Imported(format=report.name, site=site)
    wanted, seen_urls = _checked(report.offers, policy, result)
    seen_skus: set[str] = set()
    for offer in report.offers:  # a refused row is still in the report: what it names is not "absent"
        if offer.inactive:
            continue
        if offer.url:
            seen_urls.add(offer.url)
        if offer.seller_sku:
            seen_skus.add(offer.seller_sku)
    existing = _existing(session, account.id)
    by_url = {row.canonical_url: row for row in existing}
    # the same product id on another national site (an ASIN on amazon.de) is another listing
    by_ref = {(row.marketplace, row.marketplace_ref, _host(row.canonical_url)): row
              for row in existing if row.marketplace_ref}
    new, touched, kept, restored = [], set(), [], []
    for offer, checked in wanted:
        row = by_url.get(checked.canonical) or by_ref.get(
            (checked.marketplace, checked.marketplace_ref, _host(checked.canonical)))
        if row is None:
            new.append((offer, checked))
            continue
        touched.add(row.id)
        changes = {"id": row.id, "seller_sku": offer.seller_sku, "offer_ref": offer.offer_ref, "ean": offer.ean,
                   "report_scope": offer.scope, "label": row.label or offer.title}
        if row.active:
            kept.append(changes)
        else:
            restored.append({**changes, "active": True, "next_check_at": now})
            result.restored.append({"line": offer.line, "id": row.id, "url": row.canonical_url})
    result.kept = len(kept)
    for changes in (kept, restored):
        for start in range(0, len(changes), limits.REPORT_BATCH):
            _update(session, changes[start:start + limits.REPORT_BATCH])
            session.commit()
    _insert(session, new, account=account, now=now, result=result)
    absent = [row for row in existing if row.active and row.report_scope in report.scopes and row.id not in touched
              and row.canonical_url not in seen_urls and not (row.seller_sku and row.seller_sku in seen_skus)]
    result.absent = [{"id": row.id, "url": row.canonical_url, "seller_sku": row.seller_sku} for row in absent]
    # a report none of whose rows could be read says nothing about what is absent: it stops nothing
    understood = bool(wanted or result.inactive)
    if sync and absent and understood:
        for start in range(0, len(absent), limits.REPORT_BATCH):
            _update(session, [{"id": row.id, "active": False} for row in absent[start:start + limits.REPORT_BATCH]])
            session.commit()
    result.stopped = sync and bool(absent) and understood
    return result


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def _checked(offers: list[Offer], policy: Policy, result: Imported) -> tuple[list[tuple[Offer, Checked]], set[str]]:
    """The offers worth watching, each validated (the URL guard included, each host resolved once)."""
    resolve = resolving_once(policy.resolve) if policy.resolve else resolving_once()
    forms = _Forms(policy, resolve)
    wanted: list[tuple[Offer, Checked]] = []
    first_line: dict[str, int] = {}
    notes: dict[str, None] = {}
    for offer in offers:
        if offer.problem or not offer.url:
            result.refused.append((offer.line, offer.problem or Text(N_("no product URL"))))
            continue
        who = offer.seller_sku or offer.offer_ref or offer.url
        if offer.inactive:
            result.inactive.append((offer.line, Text(N_("%(who)s: %(state)s in the report, not watched"), who=who,
                                                         state=offer.inactive)))
            continue
        try:
            checked = forms.checked(offer)
        except RegistrationError as exc:
            result.refused.append((offer.line, Text(N_("%(who)s: %(why)s"), who=who, why=exc.text)))
            continue
        if checked.canonical in first_line:
            result.refused.append((offer.line, Text(N_("%(who)s: the same product page as line %(line)s"), who=who,
                                                        line=str(first_line[checked.canonical]))))
            continue
        first_line[checked.canonical] = offer.line
        notes.update(dict.fromkeys(checked.notes))
        wanted.append((offer, checked))
    result.notes.extend(notes)
    return wanted, set(first_line)


class _Forms:
    """Validation, once per URL form. A report's URLs are one form per site with the id put in (the reader
    matched the id against a strict pattern: an ASIN, an item number, digits). The first URL of each form goes
    through vigie.registration.validate whole — canonical form, adapter, URL guard; when it comes out unchanged,
    with the id as the adapter reads it, every other URL of that form would too, and is taken as it is (10,000
    rows: 0.1 s instead of 10 s). A form whose URL validate changes is validated row by row."""

    def __init__(self, policy: Policy, resolve: Callable):
        self.policy, self.resolve = policy, resolve
        self.known: dict[str, Checked | RegistrationError | None] = {}

    def checked(self, offer: Offer) -> Checked:
        form = offer.url_form
        if form is None or form not in self.known:
            checked = self._validate(offer)
            if form is not None:
                self.known[form] = (checked if checked.canonical == offer.url
                                    and checked.marketplace_ref == offer.product_id else None)
            return checked
        sample = self.known[form]
        if isinstance(sample, RegistrationError):
            raise sample
        if sample is None:
            return self._validate(offer)
        return Checked(url=offer.url, canonical=offer.url, marketplace=sample.marketplace,
                       marketplace_ref=offer.product_id, seller=None, emails=(), label=offer.title, every=sample.every,
                       browser=False, notes=sample.notes)

    def _validate(self, offer: Offer) -> Checked:
        try:
            return validate(NewListing(url=offer.url or "", label=offer.title), allow_private=self.policy.allow_private,
                            allow_networks=self.policy.allow_networks, resolve=self.resolve)
        except RegistrationError as exc:
            if offer.url_form is not None and offer.url_form not in self.known:
                self.known[offer.url_form] = exc  # the host is refused: so is every URL on it
            raise


def _existing(session: Session, account_id: int) -> list[Any]:
    """The account's product listings, the columns a sync compares, in one query (100,000 rows are a few MB)."""
    return list(session.execute(
        select(Listing.id, Listing.canonical_url, Listing.marketplace, Listing.marketplace_ref, Listing.active,
               Listing.report_scope, Listing.seller_sku, Listing.label)
        .where(Listing.account_id == account_id, Listing.kind == "listing")))


def _update(session: Session, changes: list[dict[str, Any]]) -> None:
    if changes:
        session.execute(update(Listing), changes)


def _insert(session: Session, new: list[tuple[Offer, Checked]], *, account: Account, now: datetime,
            result: Imported) -> None:
    for start in range(0, len(new), limits.REPORT_BATCH):
        batch = new[start:start + limits.REPORT_BATCH]
        rows = [{"account_id": account.id, "kind": "listing", "url": checked.url, "canonical_url": checked.canonical,
                 "marketplace": checked.marketplace, "marketplace_ref": checked.marketplace_ref, "seller": None,
                 "label": checked.label, "every_seconds": int(checked.every.total_seconds()), "browser": False,
                 "active": True, "detector_state": {}, "created_at": now, "next_check_at": now,
                 "seller_sku": offer.seller_sku, "offer_ref": offer.offer_ref, "ean": offer.ean,
                 "report_scope": offer.scope} for offer, checked in batch]
        # RETURNING in any order (an ordered one is a statement per row where the key is no sentinel, as on SQLite)
        ids = dict((url, listing_id) for listing_id, url in session.execute(
            insert(Listing).returning(Listing.id, Listing.canonical_url), rows))
        session.commit()
        result.added.extend({"line": offer.line, "id": ids[checked.canonical], "url": checked.canonical}
                            for offer, checked in batch)
