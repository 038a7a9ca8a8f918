"""Tables of the observatory feature (declared on store.models.Base)."""
from __future__ import annotations
