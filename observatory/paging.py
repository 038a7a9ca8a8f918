"""Keyset pages as the routes take and give them: a bounded `limit`, an opaque `cursor`, and the next page's
address with every other query parameter kept (the UI's "Next page" link, the API's `Link: <...>; rel="next"`)."""
from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query, Request

from observatory.queries import MAX_PAGE_ROWS, PAGE_ROWS
from vigie import limits

Cursor = Annotated[str | None, Query(min_length=1, max_length=limits.QUERY_CHARS, pattern=r"^[A-Za-z0-9_-]+$",
                                     description="where the page starts: the cursor of the previous page's "
                                                 "`Link: <...>; rel=\"next\"` address; omit for the first page")]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_ROWS, description=f"rows per page (1 to {MAX_PAGE_ROWS})")]
DEFAULT_SIZE = PAGE_ROWS

# the 200 answer of a paged API list: a JSON array (as before pagination), the next page in a Link header
LINK = {"Link": {"description": 'the next page, `<URL>; rel="next"` (RFC 8288), absent on the last page',
                 "schema": {"type": "string"}}}


def page_url(request: Request, cursor: str | None) -> str:
    """This request's path and query with `cursor` replaced (dropped when None): relative, so no proxy's idea of
    the host leaks in."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    params += [("cursor", cursor)] if cursor is not None else []
    return f"{request.url.path}?{urlencode(params)}" if params else request.url.path


def next_url(request: Request, cursor: str | None) -> str | None:
    return None if cursor is None else page_url(request, cursor)


def first_url(request: Request) -> str | None:
    """The first page's address when this is a later one."""
    return page_url(request, None) if "cursor" in request.query_params else None


def link_header(request: Request, cursor: str | None) -> dict[str, str]:
    url = next_url(request, cursor)
    return {"Link": f'<{url}>; rel="next"'} if url else {}
