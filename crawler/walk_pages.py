"""The pages of a storefront or search walk stored as the watch's snapshots: chained like a listing's, each body
a blob (shared by crawler.shop_recorder and crawler.search_recorder)."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from crawler.shop_walk import PageFetch
from detector.model import Outcome
from store import blobs, snapshots


def store_walk_pages(session: Session, target_id: int, pages: list[PageFetch], *, title: str,
                     outcome: Callable[[PageFetch], Outcome]) -> list[int]:
    """`title`: the snapshot's title with {number} for the page's; `outcome`: what the page says, as a check."""
    if not pages:
        return []
    evidence = [(p.body, p.media_type) for p in pages if p.body]
    digests = iter(blobs.put_many(session, evidence, now=pages[0].fetched_at) if evidence else [])
    link = snapshots.last_link(session, target_id)
    rows = []
    for page in pages:
        read = page.read
        row = snapshots.sealed_row(
            target_id, link, fetched_at=page.fetched_at, requested_url=page.url, final_url=page.final_url,
            http_status=page.http_status, fetch_method="http", elapsed_ms=page.elapsed_ms,
            headers=dict(page.headers), outcome=outcome(page).value, title=title.format(number=page.number),
            offers=[{"id": i.id, "position": i.position, "sponsored": i.sponsored, "title": i.title,
                     "price": None if i.price is None else str(i.price), "currency": i.currency} for i in read.items],
            reasons=list(read.reasons), body_sha256=next(digests) if page.body else None)
        link = (row["seq"], row["chain_hash"])
        rows.append(row)
    return snapshots.insert_rows(session, rows)
