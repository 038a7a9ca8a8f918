"""Registering storefront watches: every way in (CLI, API) goes through `validate_shop` and `store_shop`."""
from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.netguard import UnsafeURL, Unresolvable, check_public, parse_networks
from crawler.shop_urls import storefront
from crawler.urls import BadURL
from said import N_
from store.models import Account, Listing
from store.models_shops import DEFAULT_MAX_PAGES, Shop
from vigie import limits
from vigie.registration import RegistrationError, _emails, _every, _recipient, one_line, unresolved_note

MAX_PAGES_LIMIT = 200


@dataclass(frozen=True)
class NewShop:
    url: str
    marketplace: str | None = None
    seller: str | None = None
    emails: tuple[str, ...] = ()
    every: str | None = None
    register_new: bool = False
    max_pages: int = DEFAULT_MAX_PAGES


@dataclass(frozen=True)
class CheckedShop:
    url: str
    canonical: str
    marketplace: str
    seller_ref: str
    seller: str | None
    emails: tuple[str, ...]
    every: timedelta
    register_new: bool
    max_pages: int
    notes: tuple[str, ...] = ()


def validate_shop(request: NewShop, *, allow_private: bool, allow_networks: str = "",
                  resolve: Callable = socket.getaddrinfo) -> CheckedShop:
    url = request.url.strip()
    if len(url) > limits.URL_CHARS:
        raise RegistrationError(N_("the URL is %(chars)s characters long: at most %(limit)s"), chars=len(url),
                                limit=limits.URL_CHARS)
    try:
        found = storefront(url, request.marketplace)
    except BadURL as exc:
        raise RegistrationError(exc.text) from None
    if isinstance(request.max_pages, bool) or not 1 <= request.max_pages <= MAX_PAGES_LIMIT:
        raise RegistrationError(f"--max-pages: from 1 to {MAX_PAGES_LIMIT}, got {request.max_pages}")
    seller, emails = one_line(N_("seller"), request.seller), _emails(request.emails)
    every = _every(request.every, at_least=limits.EVERY_MIN_LOCAL if allow_private else limits.EVERY_MIN)
    notes: tuple[str, ...] = ()
    try:  # the same guard as listings: the crawler checks every fetch again
        check_public(found.url, allow_private=allow_private, resolve=resolve, allow_networks=parse_networks(allow_networks))
    except Unresolvable as exc:
        notes = (unresolved_note(exc),)
    except UnsafeURL as exc:
        raise RegistrationError(exc.text) from None
    return CheckedShop(url=url, canonical=found.url, marketplace=found.marketplace, seller_ref=found.seller_ref,
                       seller=seller, emails=emails, every=every, register_new=request.register_new,
                       max_pages=request.max_pages, notes=notes)


def store_shop(session: Session, checked: CheckedShop, *, account: Account, now: datetime) -> Shop:
    """Adds the storefront watch (its target row and its shop row); a removed one comes back with its history."""
    target = session.scalar(select(Listing).where(Listing.account_id == account.id, Listing.kind == "shop",
                                                  Listing.canonical_url == checked.canonical))
    if target is not None and target.active:
        raise RegistrationError(f"already watched as shop {target.id}: {target.canonical_url}")
    if target is None:
        target = Listing(account_id=account.id, kind="shop", url=checked.url, canonical_url=checked.canonical,
                         marketplace=checked.marketplace, marketplace_ref=checked.seller_ref, detector_state={},
                         created_at=now)
        session.add(target)
    target.active, target.seller, target.next_check_at = True, checked.seller, now
    target.label = shop_label_text(checked)
    target.every_seconds = int(checked.every.total_seconds())
    target.recipients = [_recipient(session, account, email) for email in checked.emails]
    session.flush()
    shop = session.get(Shop, target.id) or Shop(listing_id=target.id)
    shop.seller_ref, shop.register_new, shop.max_pages = checked.seller_ref, checked.register_new, checked.max_pages
    session.add(shop)
    session.flush()
    return shop


def shop_label_text(checked: CheckedShop) -> str:
    return checked.seller or f"{checked.marketplace}: {checked.seller_ref}"


def shop_json(shop: Shop) -> dict[str, Any]:
    target = shop.target
    return {"id": target.id, "url": target.canonical_url, "marketplace": target.marketplace,
            "seller_ref": shop.seller_ref, "seller": target.seller, "label": target.label, "state": target.state,
            "register_new": shop.register_new, "max_pages": shop.max_pages, "every_seconds": target.every_seconds,
            "active": target.active, "emails": [r.email for r in target.recipients], "account": target.account.name,
            "offers_known": len((target.detector_state or {}).get("offers", [])),
            "next_check_at": target.next_check_at.isoformat(),
            "last_checked_at": target.last_checked_at.isoformat() if target.last_checked_at else None}
