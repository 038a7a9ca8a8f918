"""The alert channels in the JSON API: list, add (a webhook's secret in that one answer), test, remove.

Sellers see and change their own account's channels only (another account's is a 404, as for listings);
investigators read every account's; admins also change them, naming the account. Writes need a bearer token
(observatory.deps.api_viewer): a browser session cannot write here, so no CSRF token is needed.
"""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from alerts.channels import URL_MAX
from observatory import channels
from observatory.accounts import Viewer
from observatory.api_schema import BAD_BODY, COMMON, FORBIDDEN, TEXT, QueryText, problem
from observatory.deps import api_viewer, db
from observatory.ids import PathId
from observatory.paging import DEFAULT_SIZE, LINK, Cursor, PageSize, link_header
from observatory.queries import BadCursor, decode_cursor, encode_cursor
from vigie.limits import TEXT_CHARS
from vigie.registration import RegistrationError

router = APIRouter(prefix="/api", tags=["channels"], responses=COMMON)

NO_CHANNEL = {404: problem("no such channel, or not one this token may see")}
TEST_FAILED = {502: problem("the channel did not take the test message (down, refused, timed out): one line")}


class ChannelIn(BaseModel):
    url: str = Field(min_length=1, max_length=URL_MAX, pattern=r"^[^\x00-\x20\x7f]+$",
                     description="mailto:ADDR, an Apprise URL (tgram://, slack://, discord://, ntfy://, json://...) "
                                 "or webhook+https://HOST/PATH (signed; its secret is in this answer only)")
    mode: Literal["immediate", "digest"] | None = Field(
        None, description="this channel's alert mode; omitted: the account's (digest: one message a day, "
                          "delistings and fee changes at once)")
    personal: bool = Field(False, description="sellers only: a channel of their own (their chat, their address), "
                           "which the account's other sellers do not see; silent while the seller is deactivated")
    account: str | None = Field(None, json_schema_extra=TEXT, description=f"admins only: the account (at most "
                                f"{TEXT_CHARS} characters); sellers always add to theirs, whatever this says")


def _channel(session: Session, viewer: Viewer, channel_id: int, *, removed: bool = False):
    row = channels.visible_channel(session, viewer, channel_id, removed=removed)
    if row is None:
        raise HTTPException(404, f"no channel {channel_id}")
    return row


@router.get("/channels", summary="Alert channels this token may see, by id, a page at a time (secrets never)",
            responses={200: {"headers": LINK}})
def list_channels(request: Request, response: Response, account: QueryText = None, cursor: Cursor = None,
                  limit: PageSize = DEFAULT_SIZE, viewer: Viewer = Depends(api_viewer),
                  session: Session = Depends(db)) -> list[dict[str, Any]]:
    try:
        after = decode_cursor(cursor, int)[0] if cursor else None
    except BadCursor as exc:
        raise HTTPException(422, str(exc)) from None
    rows = channels.summaries(session, viewer, account=account, after=after, limit=limit + 1)
    response.headers.update(link_header(request, encode_cursor(rows[limit - 1]["id"]) if len(rows) > limit else None))
    return rows[:limit]


@router.post("/channels", status_code=201, summary="Add an alert channel; a webhook's secret is shown in this "
             "answer only", responses={**BAD_BODY, **FORBIDDEN})
def create_channel(body: ChannelIn, request: Request, response: Response, viewer: Viewer = Depends(api_viewer),
                   session: Session = Depends(db)) -> dict[str, Any]:
    try:
        row, secret = channels.add(session, viewer, body.url, mode=body.mode, account=body.account,
                                   config=request.app.state.config, personal=body.personal)
    except channels.NotAllowed as exc:
        raise HTTPException(403, str(exc)) from None
    except (channels.ChannelError, RegistrationError) as exc:
        raise HTTPException(422, str(exc)) from None
    session.commit()
    response.headers["Cache-Control"] = "no-store"
    return channels.channel_summary(session, row) | ({"secret": secret} if secret else {})


@router.post("/channels/{channel_id}/test", summary="Send a test message to a channel now",
             responses={**FORBIDDEN, **NO_CHANNEL, **TEST_FAILED})
def test_channel(channel_id: PathId, request: Request, viewer: Viewer = Depends(api_viewer),
                 session: Session = Depends(db)) -> dict[str, Any]:
    row = _channel(session, viewer, channel_id)
    try:
        where = channels.test(viewer, row, config=request.app.state.config)
    except channels.NotAllowed as exc:
        raise HTTPException(403, str(exc)) from None
    except channels.SendFailed as exc:
        raise HTTPException(502, f"channel {channel_id}: the test failed: {exc}") from None
    return {"id": channel_id, "accepted_by": where}


@router.delete("/channels/{channel_id}", summary="Stop sending to a channel (what it was owed is cancelled); "
               "again on a removed one: the same answer, nothing cancelled", responses={**FORBIDDEN, **NO_CHANNEL})
def delete_channel(channel_id: PathId, viewer: Viewer = Depends(api_viewer),
                   session: Session = Depends(db)) -> dict[str, Any]:
    row = _channel(session, viewer, channel_id, removed=True)  # idempotent, as DELETE /api/listings/{id}
    try:
        cancelled = channels.remove(session, viewer, row)
    except channels.NotAllowed as exc:
        raise HTTPException(403, str(exc)) from None
    session.flush()
    data = channels.channel_summary(session, row) | {"cancelled": cancelled}
    session.commit()
    return data
