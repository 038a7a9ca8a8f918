"""What the OpenAPI document promises beyond the happy path: the error bodies the API really sends, and a
`since` that is a date and time, not a number."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, BeforeValidator

from vigie import limits


class Problem(BaseModel):
    """Every 4xx from the API: one line saying what is wrong."""
    detail: str


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Invalid(BaseModel):
    """422: a one-line reason from Vigie's own checks (e.g. "empty URL"), or the request's field errors."""
    detail: str | list[FieldError]


def _problem(text: str, model: type[BaseModel] = Problem) -> dict[str, Any]:
    return {"model": model, "description": text}


problem = _problem  # for the routers of other modules (observatory.api_channels)


# on every API route (the router's); 403 and 404 only where a route can answer them
COMMON = {401: _problem("no token, or one that is not valid (WWW-Authenticate: Bearer)"),
          422: _problem("a parameter or the body is not valid", Invalid)}
FORBIDDEN = {403: _problem("this role may not do that (investigators read only; sellers act on their account)")}
NOT_FOUND = {404: _problem("no such listing, or not one this token may read")}
BAD_BODY = {400: _problem("the body is not JSON"),
            413: _problem(f"the body is larger than {limits.REQUEST_BYTES:,} bytes (observatory.request_guard)")}

# What observatory.request_guard and vigie.registration enforce, declared: they refuse with their own one-line
# messages, so these only describe (json_schema_extra) where pydantic would word the refusal otherwise.
NO_NUL = r"^[^\x00]*$"
# no control character once stripped (vigie.registration.one_line strips first)
ONE_LINE = r"^\s*[^\x00-\x1f\x7f-\x9f]*\s*$"
QueryText = Annotated[str | None, Query(max_length=limits.QUERY_CHARS, pattern=NO_NUL,
                                        description=f"at most {limits.QUERY_CHARS} characters")]
URL = {"minLength": 1, "maxLength": limits.URL_CHARS, "pattern": r"^\s*[Hh][Tt][Tt][Pp][Ss]?://"}
TEXT = {"maxLength": limits.TEXT_CHARS, "pattern": ONE_LINE}
MARKETPLACE = {"maxLength": limits.MARKETPLACE_CHARS}
EMAILS = {"maxItems": limits.RECIPIENTS}

_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _not_a_number(value: Any) -> Any:
    # pydantic reads a bare number as seconds since 1970: since=0.5 is a mistake, not "since 1970"
    if isinstance(value, (int, float)) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("since is a date and time with a time zone, e.g. 2026-03-01T00:00:00Z, not a number")
    return value


Since = Annotated[datetime | None, BeforeValidator(_not_a_number)]
