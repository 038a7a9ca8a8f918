"""Tables of the fees feature (declared on store.models.Base)."""
from __future__ import annotations
