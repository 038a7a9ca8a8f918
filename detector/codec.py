"""ListingState to and from plain JSON, for storage between checks."""
from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from typing import Any, get_type_hints

from detector.fees import FeeSchedule, schedule_from_dict, schedule_to_dict
from detector.model import ListingState, Outcome

_HINTS = get_type_hints(ListingState, localns={"FeeSchedule": FeeSchedule})


def state_to_dict(state: ListingState) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, (Decimal, Outcome)):
            return str(value)
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, FeeSchedule):
            return schedule_to_dict(value)
        if isinstance(value, tuple):
            return [plain(v) for v in value]
        return value

    return {f.name: plain(getattr(state, f.name)) for f in dataclasses.fields(ListingState)}


def state_from_dict(data: dict[str, Any] | None) -> ListingState:
    if not data:
        return ListingState()
    values: dict[str, Any] = {}
    for f in dataclasses.fields(ListingState):
        if f.name not in data:
            continue  # fields added later keep their defaults
        values[f.name] = _typed(_HINTS[f.name], data[f.name])
    return ListingState(**values)


def _typed(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    text = str(hint)
    if "FeeSchedule" in text:
        return schedule_from_dict(value)
    if "Outcome" in text:
        return Outcome(value)
    if "tuple" in text and "Decimal" in text:
        return tuple(Decimal(v) for v in value)
    if "tuple" in text and "datetime" in text:
        return tuple(datetime.fromisoformat(v) for v in value)
    if "tuple" in text:
        return tuple(value)
    if "Decimal" in text:
        return Decimal(value)
    if "datetime" in text:
        return datetime.fromisoformat(value)
    return value
