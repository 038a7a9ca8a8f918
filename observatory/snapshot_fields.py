"""A snapshot's fields as a person reads them, for the comparison of two snapshots: headers as a list, outcomes
and availability as words, amounts with their currency, times on the reader's clock — not Python reprs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from observatory.history import SnapshotDiff
from observatory.i18n import Ui
from observatory.words import FETCH_METHODS, N_, availability_word, outcome_word

LABELS = {
    "listing_id": N_("Listing"), "fetched_at": N_("Checked at"), "requested_url": N_("Requested address"),
    "final_url": N_("Final address"), "http_status": N_("HTTP status"), "fetch_method": N_("Fetched by"),
    "elapsed_ms": N_("Response time"), "headers": N_("Response headers"), "outcome": N_("Outcome"),
    "price": N_("Price"), "currency": N_("Currency"), "shipping_fee": N_("Delivery fee"), "seller": N_("Seller"),
    "title": N_("Title"), "availability": N_("Availability"), "offers": N_("Offers on the page"),
    "reasons": N_("Why the check concluded so"), "body_sha256": N_("Stored page"),
    "screenshot_sha256": N_("Screenshot"),
}


@dataclass(frozen=True)
class FieldChange:
    label: str
    left: str | list[str]  # a list is shown as a list, one item per line
    right: str | list[str]


def _offer(offer: dict[str, Any], ui: Ui) -> str:
    parts = [offer.get("seller") or ui.gettext("unknown seller")]
    if offer.get("variant"):
        parts.append(str(offer["variant"]))
    if offer.get("price") is not None:
        parts.append(ui.money(offer["price"], offer.get("currency")))
    if offer.get("shipping_fee") is not None:
        parts.append(ui.gettext("delivery %(fee)s", fee=ui.money(offer["shipping_fee"], offer.get("currency"))))
    if offer.get("available") is not None:
        parts.append(ui.gettext("available") if offer["available"] else ui.gettext("not available"))
    return " · ".join(parts)


def shown(name: str, value: Any, snapshot: Any, ui: Ui) -> str | list[str]:
    """One field's value, written for a person."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    writers: dict[str, Callable[[Any], str | list[str]]] = {
        "fetched_at": ui.when,
        "price": lambda v: ui.money(v, snapshot.currency),
        "shipping_fee": lambda v: ui.money(v, snapshot.currency),
        "outcome": lambda v: ui.gettext(outcome_word(v)),
        "availability": lambda v: ui.gettext(availability_word(v) or v),
        "fetch_method": lambda v: ui.gettext(FETCH_METHODS.get(v, v)),
        "elapsed_ms": lambda v: f"{ui.number(v)} ms",
        "headers": lambda v: [f"{k}: {h}" for k, h in sorted(v.items())],
        "offers": lambda v: [_offer(o, ui) if isinstance(o, dict) else str(o) for o in v],
        "reasons": lambda v: [str(r) for r in v],
        "body_sha256": lambda v: ui.gettext("page %(digest)s…", digest=v[:12]),
        "screenshot_sha256": lambda v: ui.gettext("image %(digest)s…", digest=v[:12]),
    }
    return writers.get(name, str)(value)


def readable(comparison: SnapshotDiff, left: Any, right: Any, ui: Ui) -> list[FieldChange]:
    return [FieldChange(ui.gettext(LABELS.get(name, name)), shown(name, getattr(left, name), left, ui),
                        shown(name, getattr(right, name), right, ui))
            for name, _, _ in comparison.fields]
