"""Search watches in the web UI (issue 27): a watch's page (the rank chart with its events, the checks a keyset
page at a time, the exports, a remove button) and the forms that add one from a listing's page and remove one.
The forms go through the API's functions (observatory.search_watches), hence vigie.search_watches: the same
rules and the same one-line refusals as the CLI and the API, a refused form stores nothing."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from observatory.accounts import Viewer
from observatory.deps import csrf_checked, db, page_viewer, reader_ui
from observatory.ids import PathId
from observatory.pages import listing_response
from observatory.paging import Cursor, PageSize, first_url, next_url
from observatory.queries import BadCursor
from observatory.search_queries import chart, checks_page, visible_watch
from observatory.search_watches import register_watch, unwatch
from said import N_, Text
from store.models_search import DEFAULT_PAGES
from vigie.search_watches import DEFAULT_DROP_THRESHOLD, NewSearchWatch

pages = APIRouter(include_in_schema=False)
PAGE_CHECKS = 50  # checks per page of the table under the chart


@pages.get("/search-watches/{watch_id}")
def watch_page(request: Request, watch_id: PathId, cursor: Cursor = None, limit: PageSize = PAGE_CHECKS,
               viewer: Viewer = Depends(page_viewer), session: Session = Depends(db)):
    watch = visible_watch(session, viewer, watch_id)
    try:
        page = checks_page(session, watch_id, cursor=cursor, limit=limit)
    except BadCursor as exc:
        raise HTTPException(400, str(exc)) from None
    return request.app.state.templates.TemplateResponse(
        request, "search_watch.html", {
            "viewer": viewer, "csrf": viewer.csrf_token, "watch": watch, "target": watch.target,
            "checks": page.rows, "rank_chart": chart(session, watch_id, reader_ui(request)),
            "threshold": watch.drop_threshold if watch.drop_threshold is not None else DEFAULT_DROP_THRESHOLD,
            "next_url": next_url(request, page.next), "first_url": first_url(request)})


@pages.post("/search-watches/{watch_id}/remove")
def remove_watch(watch_id: PathId, viewer: Viewer = Depends(csrf_checked), session: Session = Depends(db)):
    unwatch(session, viewer, watch_id)
    session.commit()
    return RedirectResponse(f"/search-watches/{watch_id}", status_code=303)


@pages.post("/listings/{listing_id}/search-watches")
def add_watch(request: Request, listing_id: PathId, query: str = Form(""), own_id: bool = Form(False),
              pages_read: str = Form(str(DEFAULT_PAGES), alias="pages"), every: str = Form(""),
              threshold: str = Form(""), viewer: Viewer = Depends(csrf_checked), session: Session = Depends(db)):
    form = {"query": query, "own_id": own_id, "pages": pages_read, "every": every, "threshold": threshold}
    try:
        new = NewSearchWatch(listing_id, query, every.strip() or None, _number("pages", pages_read),
                             _number("threshold", threshold) if threshold.strip() else None, own_id)
        data = register_watch(session, viewer, new, request.app.state.config)
    except (HTTPException, ValueError) as exc:
        if isinstance(exc, HTTPException) and exc.status_code != 422:
            raise
        message = reader_ui(request).said(exc.detail if isinstance(exc, HTTPException) else exc)
        # the listing's page again, the form filled as it was and the refusal above it
        return listing_response(request, viewer, session, listing_id, status=400,
                                search_form={**form, "problem": message})
    session.commit()
    return RedirectResponse(f"/search-watches/{data['id']}", status_code=303)


def _number(name: str, raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ValueError(Text(N_("%(name)s: a whole number, got %(value)s"), name=name, value=repr(raw.strip()[:40]))) \
            from None
