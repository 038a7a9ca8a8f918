"""`vigie price-rule`: when a price or delivery-fee change is abrupt, per account or per listing.

A listing's own rule wins over its account's, which wins over the defaults (VIGIE_PRICE_THRESHOLD,
the median of the last listed prices as baseline, a change reverted at the next check counted as a
glitch).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import click

from detector.baseline import BaselineKind
from detector.model import Policy
from store.db import session_scope
from store.models import Account, Listing
from vigie.cli.app import App, BadInput
from vigie.cli.main import cli
from vigie.cli.output import print_json, print_table, say
from vigie.cli.params import ID
from vigie.registration import find_account

MAX_AMOUNT = Decimal(1_000_000)  # no price change of a listed product is abrupt only beyond a million
RULES = ("price_threshold", "price_absolute_threshold", "price_baseline", "revert_is_glitch")


def parse_threshold(text: str) -> Decimal:
    """'5%' or '0.05' → Decimal('0.05'); above 0, at most 10 (1000 %)."""
    raw = text.strip()
    try:
        value = Decimal(raw[:-1]) / 100 if raw.endswith("%") else Decimal(raw)
    except InvalidOperation:
        raise BadInput(f"--threshold {text!r} is not a share such as 5% or 0.05") from None
    if not value.is_finite() or not 0 < value <= 10:
        raise BadInput(f"--threshold {text!r} must be above 0 and at most 1000%")
    return value


def parse_amount(text: str) -> Decimal:
    """An amount of money in the listing's currency, at most to the cent."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise BadInput(f"--absolute {text!r} is not an amount such as 2.50") from None
    # bounded before quantize(), which raises InvalidOperation on a 30-digit amount
    if not value.is_finite() or not 0 < value <= MAX_AMOUNT or value != value.quantize(Decimal("0.01")):
        raise BadInput(f"--absolute {text!r} must be a positive amount up to {MAX_AMOUNT:,}, to the cent at most")
    return value


@cli.command("price-rule")
@click.option("--listing", "listing_id", type=ID, help="The listing whose rule to show or change.")
@click.option("--account", help="The account whose rule to show or change (the default for its listings).")
@click.option("--threshold", help="Relative change that is abrupt: 5% or 0.05.")
@click.option("--absolute", help="Or an amount that is abrupt whatever the price, e.g. 2.00.")
@click.option("--baseline", type=click.Choice([k.value for k in BaselineKind]),
              help="Compared with: the last confirmed value, or a median (of the last N, over 3 or 7 days).")
@click.option("--glitch/--no-glitch", "glitch", default=None,
              help="Whether a change reverted at the next check is a glitch (no alert).")
@click.option("--reset", is_flag=True, help="Forget this listing's (or account's) own rule.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def price_rule(app: App, listing_id: int | None, account: str | None, threshold: str | None, absolute: str | None,
               baseline: str | None, glitch: bool | None, reset: bool, as_json: bool) -> None:
    """Show or change when a price or delivery-fee change counts as abrupt."""
    if (listing_id is None) == (account is None):
        raise BadInput("name one --listing or one --account")
    changes: dict[str, Any] = {}
    if threshold is not None:
        changes["price_threshold"] = parse_threshold(threshold)
    if absolute is not None:
        changes["price_absolute_threshold"] = parse_amount(absolute)
    if baseline is not None:
        changes["price_baseline"] = baseline
    if glitch is not None:
        changes["revert_is_glitch"] = glitch
    if reset and changes:
        raise BadInput("--reset forgets the rule: give it alone")
    with session_scope(app.sessions) as session:
        owner = _owner(session, listing_id, account)
        for name in RULES if reset else changes:
            setattr(owner, name, None if reset else changes[name])
        session.flush()
        data = _effective(owner, app.settings.price_threshold)
    if as_json:
        print_json(data)
        return
    if reset or changes:
        say(f"{data['of']}: rule {'reset' if reset else 'changed'}")
    print_table(f"Price rule of {data['of']}", ["setting", "value", "from"],
                [[name, "" if rule["value"] is None else rule["value"], rule["from"]]
                 for name, rule in data["rules"].items()])


def _owner(session, listing_id: int | None, account: str | None) -> Listing | Account:
    if listing_id is not None:
        listing = session.get(Listing, listing_id)
        if listing is None:
            raise BadInput(f"no listing with id {listing_id}")
        return listing
    found = find_account(session, account)
    if found is None:
        raise BadInput(f"no account named {account!r}")
    return found


def _effective(owner: Listing | Account, default_threshold: Decimal) -> dict[str, Any]:
    """Each rule's value in force and where it comes from (listing, account, default)."""
    defaults = {"price_threshold": default_threshold, "price_absolute_threshold": None,
                "price_baseline": Policy.baseline, "revert_is_glitch": Policy.revert_is_glitch}
    levels = [("listing", owner), ("account", owner.account)] if isinstance(owner, Listing) else [("account", owner)]
    rules = {}
    for name in RULES:
        source, value = next(((label, getattr(level, name)) for label, level in levels
                              if getattr(level, name) is not None), ("default", defaults[name]))
        rules[name] = {"value": str(value) if isinstance(value, Decimal) else value, "from": source}
    return {"of": f"listing {owner.id}" if isinstance(owner, Listing) else f"account {owner.name}", "rules": rules}
