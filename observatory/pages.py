"""The HTML pages: server-rendered, usable without JavaScript."""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory import queries
from observatory.accounts import Viewer
from observatory.attention import attention
from observatory.deps import csrf_checked, db, optional_viewer, page_viewer, reader_ui
from observatory.exports import bundle_response, wacz_download
from observatory.listing_view import listing_context
from observatory.ids import PathId, PathSeq, QueryId, QuerySeq
from observatory.login import login_page
from observatory.paging import DEFAULT_SIZE, Cursor, PageSize, first_url, next_url
from observatory.registering import NotAllowed, file_import, register, remove
from observatory.search_queries import watches_of
from spiders import registry
from store import blobs
from store.models import Event, Snapshot
from store.models_search import MAX_DROP_THRESHOLD, MAX_KEYWORD_WATCHES, MAX_PAGES
from store.models_observatory import StatementOfReasons
from vigie.limits import CSV_UPLOAD_BYTES
from vigie.listing_csv import CsvFileError
from vigie.registration import NewListing, RegistrationError
from vigie.search_watches import DEFAULT_DROP_THRESHOLD
from vigie.report_text import ReportFileError

router = APIRouter(include_in_schema=False)

# Stored marketplace pages: no script, no fetch, no form, framed only by the UI itself.
STORED_PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"
MAX_CSV_BYTES = CSV_UPLOAD_BYTES
SEARCH_LIMITS = {"pages": MAX_PAGES, "threshold": MAX_DROP_THRESHOLD, "default_threshold": DEFAULT_DROP_THRESHOLD,
                 "keywords": MAX_KEYWORD_WATCHES}  # the search-watch form's bounds (vigie.search_watches checks them)


def render(request: Request, name: str, viewer: Viewer | None, status: int = 200, **context) -> Response:
    return request.app.state.templates.TemplateResponse(
        request, name, {"viewer": viewer, "csrf": viewer.csrf_token if viewer else "", **context}, status_code=status)


@router.get("/")
def home(request: Request, viewer: Viewer | None = Depends(optional_viewer), session: Session = Depends(db)):
    if viewer is None:
        return login_page(request)
    return dashboard(request, viewer, session)


@router.get("/dashboard")
def dashboard_page(request: Request, viewer: Viewer = Depends(page_viewer), session: Session = Depends(db)):
    return dashboard(request, viewer, session)


def dashboard(request: Request, viewer: Viewer, session: Session) -> Response:
    now = request.app.state.config.clock()
    return render(request, "dashboard.html", viewer, weeks=queries.dashboard(session, viewer, now=now),
                  since=queries.dashboard_since(now), recent=queries.events(session, viewer, limit=10),
                  listing_count=queries.listing_count(session, viewer), attention=attention(session, viewer))


def _page_of(fetch, *args, **kwargs) -> queries.Page:
    try:
        return fetch(*args, **kwargs)
    except queries.BadCursor as exc:
        raise HTTPException(400, str(exc)) from None


@router.get("/listings")
def listings_page(request: Request, marketplace: str = "", state: str = "", account: str = "", q: str = "",
                  cursor: Cursor = None, limit: PageSize = DEFAULT_SIZE, viewer: Viewer = Depends(page_viewer),
                  session: Session = Depends(db)):
    wanted = queries.ListingFilter(marketplace or None, state or None,
                                   (account or None) if viewer.reads_everything else None, q or None)
    page = _page_of(queries.listings_page, session, viewer, wanted, cursor=cursor, limit=limit)
    return render(request, "listings.html", viewer, listings=page.rows, facets=queries.facets(session, viewer),
                  wanted=wanted, next_url=next_url(request, page.next),
                  first_url=first_url(request))


def _listing_or_404(session: Session, viewer: Viewer, listing_id: int):
    listing = queries.visible_listing(session, viewer, listing_id)
    if listing is None:
        raise HTTPException(404, f"no listing {listing_id}")
    return listing


def _snapshot(session: Session, listing_id: int, seq: int) -> Snapshot:
    snapshot = session.scalar(select(Snapshot).where(Snapshot.listing_id == listing_id, Snapshot.seq == seq))
    if snapshot is None:
        raise HTTPException(404, f"no snapshot {seq}")
    return snapshot


@router.get("/listings/{listing_id}")
def listing_page(request: Request, listing_id: PathId, a: QuerySeq = None, b: QuerySeq = None,
                 seq: QuerySeq = None, cursor: Cursor = None, limit: PageSize = DEFAULT_SIZE,
                 viewer: Viewer = Depends(page_viewer), session: Session = Depends(db)):
    return listing_response(request, viewer, session, listing_id, a=a, b=b, seq=seq, cursor=cursor, limit=limit)


def listing_response(request: Request, viewer: Viewer, session: Session, listing_id: int, *, a: int | None = None,
                     b: int | None = None, seq: int | None = None, cursor: str | None = None,
                     limit: int = DEFAULT_SIZE, status: int = 200, search_form: dict | None = None) -> Response:
    """The listing's page; `search_form`: the search-watch form as sent, with its refusal (search_watch_pages)."""
    listing = _listing_or_404(session, viewer, listing_id)
    context = _page_of(listing_context, session, listing_id, cursor=cursor, limit=limit, a=a, b=b, seq=seq,
                       ui=reader_ui(request))
    following = next_url(request, context.pop("snapshots_next"))
    return render(request, "listing.html", viewer, status=status, listing=listing, next_url=following,
                  first_url=first_url(request), search_watches=watches_of(session, listing_id)
                  if listing.kind == "listing" else [], search_form=search_form or {},
                  search_limits=SEARCH_LIMITS, **context)


def _body(session: Session, snapshot: Snapshot) -> bytes | None:
    return blobs.get(session, snapshot.body_sha256) if snapshot.body_sha256 else None


@router.get("/listings/{listing_id}/snapshots/{seq}/page")
def stored_page(listing_id: PathId, seq: PathSeq, viewer: Viewer = Depends(page_viewer), session: Session = Depends(db)):
    _listing_or_404(session, viewer, listing_id)
    body = _body(session, _snapshot(session, listing_id, seq))
    if body is None:
        raise HTTPException(404, "this snapshot kept no body")
    return Response(body, media_type="text/html", headers={
        "Content-Security-Policy": STORED_PAGE_POLICY, "X-Frame-Options": "SAMEORIGIN",
        "Cross-Origin-Resource-Policy": "same-origin"})


@router.get("/listings/{listing_id}/snapshots/{seq}/screenshot")
def screenshot(listing_id: PathId, seq: PathSeq, viewer: Viewer = Depends(page_viewer), session: Session = Depends(db)):
    _listing_or_404(session, viewer, listing_id)
    snapshot = _snapshot(session, listing_id, seq)
    data = blobs.get(session, snapshot.screenshot_sha256) if snapshot.screenshot_sha256 else None
    if data is None:
        raise HTTPException(404, "this snapshot has no screenshot")
    return Response(data, media_type="image/png")


@router.get("/listings/{listing_id}/evidence.zip")
def evidence(request: Request, listing_id: PathId, viewer: Viewer = Depends(page_viewer),
             session: Session = Depends(db)):
    _listing_or_404(session, viewer, listing_id)
    config = request.app.state.config
    return bundle_response(session, listing_id, now=config.clock(), tsa_certs=config.tsa_certs)


@router.get("/listings/{listing_id}/evidence.wacz")
def evidence_wacz(request: Request, listing_id: PathId, viewer: Viewer = Depends(page_viewer),
                  session: Session = Depends(db)):
    _listing_or_404(session, viewer, listing_id)
    return wacz_download(request.app.state.config, session, listing_id)


@router.post("/listings/{listing_id}/remove")
def remove_listing(listing_id: PathId, viewer: Viewer = Depends(csrf_checked), session: Session = Depends(db)):
    listing = _listing_or_404(session, viewer, listing_id)
    try:
        remove(listing, viewer)
    except NotAllowed as exc:
        raise HTTPException(403, str(exc)) from None
    session.commit()
    return RedirectResponse(f"/listings/{listing_id}", status_code=303)


@router.post("/listings/{listing_id}/events/{event_id}/statement")
def record_statement(request: Request, listing_id: PathId, event_id: PathId, received_on: str = Form(""),
                     account_termination: str = Form(""), note: str = Form(""),
                     viewer: Viewer = Depends(csrf_checked), session: Session = Depends(db)):
    listing = _listing_or_404(session, viewer, listing_id)
    if not viewer.manages_listings:
        raise HTTPException(403, "only the seller (or an admin) records what the platform sent")
    event = session.get(Event, event_id)
    if event is None or event.listing_id != listing.id:
        raise HTTPException(404, f"no event {event_id} on this listing")
    try:
        received = date.fromisoformat(received_on) if received_on.strip() else None
    except ValueError:
        raise HTTPException(400, f"{received_on!r} is not a date (YYYY-MM-DD)") from None
    row = session.scalar(select(StatementOfReasons).where(StatementOfReasons.event_id == event_id))
    if row is None:
        row = StatementOfReasons(listing_id=listing.id, event_id=event_id, recorded_at=request.app.state.config.clock())
        session.add(row)
    row.received_on, row.account_termination = received, bool(account_termination)
    row.note, row.recorded_by = note.strip() or None, viewer.user_id
    row.recorded_at = request.app.state.config.clock()
    session.commit()
    return RedirectResponse(f"/listings/{listing_id}#p2b", status_code=303)


@router.get("/register")
def register_form(request: Request, viewer: Viewer = Depends(page_viewer)):
    return register_page(request, viewer)


def register_page(request: Request, viewer: Viewer, *, status: int = 200, message: str | None = None,
                  problems: list[str] = (), form: dict | None = None) -> Response:
    """The register form, filled with `form`'s values; its marketplace list is the registry's, each option carrying
    the domains it serves so register.js can pick the URL's one as it is typed."""
    return render(request, "register.html", viewer, status=status, message=message, problems=list(problems),
                  form=form or {}, marketplaces=registry.all_marketplaces())


@router.get("/register.js")
def register_script() -> Response:
    return Response(REGISTER_JS, media_type="text/javascript", headers={"Cache-Control": "max-age=3600"})


# Picks the marketplace of the URL typed, unless the user chose one; the form works the same without it.
REGISTER_JS = """document.addEventListener("DOMContentLoaded", () => {
  const url = document.querySelector("input[name=url]"), pick = document.querySelector("select[name=marketplace]");
  if (!url || !pick) return;
  let chosen = false;
  pick.addEventListener("change", () => { chosen = true; });
  const detect = () => {
    if (chosen) return;
    let host = "";
    try { host = new URL(url.value.trim()).hostname.toLowerCase().replace(/\\.$/, ""); } catch (e) { return; }
    for (const option of pick.options) {
      const domains = (option.dataset.domains || "").split(" ").filter(Boolean);
      if (domains.some(d => host === d || host.endsWith("." + d))) { pick.value = option.value; return; }
    }
    pick.value = "generic";
  };
  url.addEventListener("change", detect);
  url.addEventListener("blur", detect);
  url.addEventListener("input", detect);
});
"""


@router.post("/register")
def register_one(request: Request, url: str = Form(...), marketplace: str = Form(""), seller: str = Form(""),
                 email: str = Form(""), label: str = Form(""), every: str = Form(""), account: str = Form(""),
                 browser: bool = Form(False), detect: str = Form(""), viewer: Viewer = Depends(csrf_checked),
                 session: Session = Depends(db)):
    form = {"url": url, "marketplace": marketplace, "seller": seller, "email": email, "label": label, "every": every,
            "browser": browser}
    if detect:  # "Detect from the URL" without script: the same form, the URL's marketplace picked
        detected = registry.for_url(url).name if url.strip() else ""
        return register_page(request, viewer, form={**form, "marketplace": detected})
    config = request.app.state.config
    new = NewListing(url=url, marketplace=marketplace or None, seller=seller or None,
                     emails=tuple(email.replace(";", " ").split()), label=label or None, every=every or None,
                     browser=browser)
    try:
        listing = register(session, viewer, new, account=account, config=config)
    except NotAllowed as exc:
        raise HTTPException(403, str(exc)) from None
    except RegistrationError as exc:
        return register_page(request, viewer, status=400, problems=[reader_ui(request).said(exc)], form=form)
    session.commit()
    return RedirectResponse(f"/listings/{listing.id}", status_code=303)


@router.post("/register/csv")
def register_file(request: Request, file: UploadFile = File(...), account: str = Form(""), site: str = Form(""),
                  sync: bool = Form(False), viewer: Viewer = Depends(csrf_checked), session: Session = Depends(db)):
    # not async: the import waits for DNS and the database, in a worker thread, not on the event loop
    raw = file.file.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        ui = reader_ui(request)
        return register_page(request, viewer, status=413, problems=[ui.gettext(
            "the file is bigger than %(mb)s MB: split it", mb=MAX_CSV_BYTES // 1_000_000)])
    try:
        result = file_import(session, viewer, raw, account=account, site=site.strip() or None, sync=sync,
                             config=request.app.state.config)
    except NotAllowed as exc:
        raise HTTPException(403, str(exc)) from None
    except (CsvFileError, ReportFileError, RegistrationError) as exc:
        return register_page(request, viewer, status=400, problems=[reader_ui(request).said(exc)])
    ui = reader_ui(request)
    if result.site is None and result.format == "CSV of URLs":
        message = ui.gettext("%(added)s added, %(refused)s refused", added=len(result.added),
                             refused=len(result.refused))
    else:
        message = (ui.gettext("read as %(format)s", format=result.format) + (f", site {result.site}" if result.site else "")
                   + f": {ui.said(result.summary())}")
    return register_page(request, viewer, status=400 if result.unread() else 200, message=message,
                         problems=[ui.said(finding) for finding in result.findings()])


@router.get("/events")
def events_page(request: Request, kind: str = "", listing_id: QueryId = None, cursor: Cursor = None,
                limit: PageSize = DEFAULT_SIZE, viewer: Viewer = Depends(page_viewer), session: Session = Depends(db)):
    page = _page_of(queries.events_page, session, viewer, kind=kind or None, listing_id=listing_id, cursor=cursor,
                    limit=limit)
    return render(request, "events.html", viewer, events=page.rows, kind=kind, listing_id=listing_id,
                  next_url=next_url(request, page.next), first_url=first_url(request))
