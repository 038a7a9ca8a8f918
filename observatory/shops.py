"""Storefront watches in the observatory: the JSON API (/api/shops) and a page showing the storefront's
membership over time (/shops/{id}). Its own routes, beside the listings' (issue 26)."""
from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.accounts import Viewer
from observatory.api_schema import BAD_BODY, COMMON, EMAILS, FORBIDDEN, MARKETPLACE, NOT_FOUND, TEXT, URL
from observatory.deps import api_viewer, db, page_viewer
from observatory.ids import MAX_ID, PathId
from observatory.paging import DEFAULT_SIZE, LINK, PageSize
from observatory.registering import NotAllowed, owner_account
from observatory.shop_membership import MAX_DAYS, membership
from store.models import Listing
from store.models_shops import DEFAULT_MAX_PAGES, Shop, ShopPass
from vigie.registration import RegistrationError
from vigie.shops import MAX_PAGES_LIMIT, NewShop, shop_json, store_shop, validate_shop

api = APIRouter(prefix="/api", tags=["shops"], responses=COMMON)
pages = APIRouter(include_in_schema=False)
After = Annotated[int | None, Query(ge=0, le=MAX_ID, description="the last id (or walk number) of the previous "
                                    "page, from its Link header; omit for the first page")]
Days = Annotated[int, Query(ge=1, le=MAX_DAYS, description=f"days shown, up to today (1 to {MAX_DAYS})")]


class ShopIn(BaseModel):
    url: str = Field(json_schema_extra=URL, description="a seller's storefront (Amazon /s?me=, eBay /str/, ...)")
    marketplace: str | None = Field(None, json_schema_extra=MARKETPLACE)
    seller: str | None = Field(None, json_schema_extra=TEXT)
    emails: list[str] = Field(default_factory=list, json_schema_extra=EMAILS)
    every: str | None = Field(None, description="check interval such as 6h, 1d (minimum 5m)")
    register_new: bool = Field(False, description="watch each new offer of the storefront as a listing")
    max_pages: int = Field(DEFAULT_MAX_PAGES, ge=1, le=MAX_PAGES_LIMIT, description="storefront pages read per check")
    account: str | None = Field(None, description="admins only: the seller account")


def visible_shop(session: Session, viewer: Viewer, shop_id: int) -> Shop:
    query = select(Shop).join(Listing, Shop.listing_id == Listing.id).where(Shop.listing_id == shop_id)
    if not viewer.reads_everything:
        query = query.where(Listing.account_id == viewer.account_id)
    shop = session.scalar(query)
    if shop is None:
        raise HTTPException(404, f"no shop {shop_id}")
    return shop


def _next(request: Request, response: Response, rows: list, limit: int, last: int) -> None:
    """A full page has a next one: its address, every other parameter kept, in a Link header."""
    if len(rows) == limit:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "after"] + [("after", str(last))]
        response.headers["Link"] = f'<{request.url.path}?{urlencode(params)}>; rel="next"'


@api.get("/shops", summary="Storefronts this token may read, by id, a page at a time",
         responses={200: {"headers": LINK}})
def list_shops(request: Request, response: Response, after: After = None, limit: PageSize = DEFAULT_SIZE,
               viewer: Viewer = Depends(api_viewer), session: Session = Depends(db)) -> list[dict[str, Any]]:
    return [shop_json(shop) for shop in targets_page(request, response, session, viewer, Shop, after, limit)]


def targets_page(request: Request, response: Response, session: Session, viewer: Viewer, model: Any,
                 after: int | None, limit: int) -> list[Any]:
    """One page (by id, after `after`) of the active watch targets of a kind whose rows are keyed by their
    `listings` row (Shop, SearchWatch) that the viewer may read, with the next page's Link header."""
    query = select(model).join(Listing, model.listing_id == Listing.id).where(Listing.active.is_(True))
    if not viewer.reads_everything:
        query = query.where(Listing.account_id == viewer.account_id)
    if after is not None:
        query = query.where(model.listing_id > after)
    rows = session.scalars(query.order_by(model.listing_id).limit(limit)).all()
    _next(request, response, rows, limit, rows[-1].listing_id if rows else 0)
    return list(rows)


@api.post("/shops", status_code=201, summary="Watch a seller's storefront", responses={**BAD_BODY, **FORBIDDEN})
def create_shop(body: ShopIn, request: Request, viewer: Viewer = Depends(api_viewer),
                session: Session = Depends(db)) -> dict[str, Any]:
    config = request.app.state.config
    new = NewShop(url=body.url, marketplace=body.marketplace, seller=body.seller, emails=tuple(body.emails),
                  every=body.every, register_new=body.register_new, max_pages=body.max_pages)
    try:
        owner = owner_account(session, viewer, body.account, config=config)
        checked = validate_shop(new, allow_private=config.allow_private_hosts, allow_networks=config.allow_networks,
                                resolve=config.resolve)
        data = shop_json(store_shop(session, checked, account=owner, now=config.clock()))
    except NotAllowed as exc:
        raise HTTPException(403, str(exc)) from None
    except RegistrationError as exc:
        raise HTTPException(422, str(exc)) from None
    session.commit()
    return data


@api.get("/shops/{shop_id}", summary="One storefront watch", responses=NOT_FOUND)
def get_shop(shop_id: PathId, viewer: Viewer = Depends(api_viewer), session: Session = Depends(db)) -> dict[str, Any]:
    return shop_json(visible_shop(session, viewer, shop_id))


@api.delete("/shops/{shop_id}", summary="Stop watching a storefront (its history is kept)",
            responses={**FORBIDDEN, **NOT_FOUND})
def delete_shop(shop_id: PathId, viewer: Viewer = Depends(api_viewer), session: Session = Depends(db)) -> dict[str, Any]:
    shop = visible_shop(session, viewer, shop_id)
    if not viewer.manages_listings:
        raise HTTPException(403, "investigators cannot remove shops")
    shop.target.active = False
    data = shop_json(shop)
    session.commit()
    return data


@api.get("/shops/{shop_id}/walks", summary="A storefront's walks, newest first: offers seen, complete or why not",
         responses={**NOT_FOUND, 200: {"headers": LINK}})
def list_walks(request: Request, response: Response, shop_id: PathId, after: After = None,
               limit: PageSize = DEFAULT_SIZE, viewer: Viewer = Depends(api_viewer),
               session: Session = Depends(db)) -> list[dict[str, Any]]:
    visible_shop(session, viewer, shop_id)
    query = select(ShopPass).where(ShopPass.shop_id == shop_id)
    if after is not None:
        query = query.where(ShopPass.seq < after)
    walks = session.scalars(query.order_by(ShopPass.seq.desc()).limit(limit)).all()
    _next(request, response, walks, limit, walks[-1].seq if walks else 0)
    return [{"seq": w.seq, "started_at": w.started_at.isoformat(), "finished_at": w.finished_at.isoformat(),
             "complete": w.complete, "gone": w.gone, "pages": w.pages, "reasons": w.reasons, "offers": w.offers,
             "snapshots": [w.first_seq, w.last_seq], "chain_hash": w.chain_hash} for w in walks]


@pages.get("/shops/{shop_id}")
def shop_page(request: Request, shop_id: PathId, days: Days = 14, viewer: Viewer = Depends(page_viewer),
              session: Session = Depends(db)):
    shop = visible_shop(session, viewer, shop_id)
    seen = membership(session, shop_id, now=request.app.state.config.clock(), days=days)
    return request.app.state.templates.TemplateResponse(
        request, "shop.html", {"viewer": viewer, "csrf": viewer.csrf_token, "shop": shop, "target": shop.target,
                               "membership": seen, "days": days})
