"""Row ids as the routes accept them: positive and within the id columns' range, so an absurd id is a 422, not a
driver error."""
from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

# the id columns are INTEGER: 32 bits on PostgreSQL (64 on SQLite); a larger id overflows in the driver (a 500)
MAX_ID = 2**31 - 1

PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="a row id (1 to 2^31-1)")]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="a row id (1 to 2^31-1)")]
# snapshot sequence numbers are per listing, from 0 in some stores: only the upper bound matters
PathSeq = Annotated[int, Path(ge=0, le=MAX_ID, description="a snapshot's sequence number")]
QuerySeq = Annotated[int | None, Query(ge=0, le=MAX_ID, description="a snapshot's sequence number")]
