"""Tables of the service feature (declared on store.models.Base)."""
from __future__ import annotations
