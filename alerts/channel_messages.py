"""What a channel receives: a short text for chats, the full event as signed JSON for webhooks.

Webhook headers follow Standard Webhooks (https://www.standardwebhooks.com/): `webhook-id` (the same on
every retry of one event to one channel: receivers de-duplicate on it), `webhook-timestamp` (Unix seconds
of this attempt) and `webhook-signature`: `v1,` + base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}`
keyed with the channel's `whsec_` secret (signed by the `standardwebhooks` library).

Page content (titles, seller names) is untrusted. In JSON it is data, escaped by the encoder; in a chat it
goes to Apprise as plain text, which Apprise escapes for services that read HTML or Markdown, and
@-mentions are broken so that a product called "@everyone" pings nobody.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from alerts.render import Templates, event_context, one_line, shorten
from store.models import Event, Listing, Snapshot

CHAT_LABEL_MAX = 120
STATUS_KINDS = frozenset({"delisted", "offer_gone", "unavailable", "restored"})
REASONS_LABEL = {"fr": "Constat : ", "en": "Finding: "}
USER_AGENT = "Vigie-Webhooks/1 (+https://github.com/vigie-pme/vigie)"
TEST_WORDS = {
    "fr": ("[Vigie] Message de test", "Ce canal recevra les alertes Vigie du compte {account}."),
    "en": ("[Vigie] Test message", "This channel will receive the Vigie alerts of account {account}."),
}


@dataclass(frozen=True)
class ChatMessage:
    title: str
    body: str


def observatory_link(public_url: str | None, listing_id: int) -> str | None:
    return f"{public_url.rstrip('/')}/listings/{listing_id}" if public_url else None


def event_payload(event: Event, listing: Listing, *, public_url: str | None, title: str | None) -> dict:
    """The webhook body: the event, the listing, where to see it. Keys only ever get added."""
    return {
        "type": f"vigie.event.{event.kind}",
        "timestamp": iso(event.detected_at),
        "data": {
            "event": {"id": event.id, "kind": event.kind, "before": event.before, "after": event.after,
                      "detected_at": iso(event.detected_at), "details": dict(event.details or {})},
            "listing": {"id": listing.id, "url": listing.url, "title": title, "label": listing.label,
                        "marketplace": listing.marketplace, "seller": listing.seller},
            "observatory_url": observatory_link(public_url, listing.id),
        },
    }


def test_payload(account: str, *, now: datetime) -> dict:
    return {"type": "vigie.test", "timestamp": iso(now), "data": {"account": account}}


def body_bytes(payload: dict) -> bytes:
    """One encoding, so that a retry sends (and signs) the same bytes."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def signed_headers(secret: str, webhook_id: str, body: bytes, *, now: datetime) -> dict[str, str]:
    from standardwebhooks.webhooks import Webhook

    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, now, body),
    }


def event_title(session, event: Event) -> str | None:
    """The product title the page showed at the event's check (page content: untrusted)."""
    snapshot = session.get(Snapshot, event.snapshot_id) if event.snapshot_id is not None else None
    return snapshot.title if snapshot is not None else None


def chat_message(event: Event, listing: Listing, *, lang: str, public_url: str | None,
                 environment: Templates) -> ChatMessage:
    """Title: what happened and to which listing; body: before → after, and the link to follow."""
    lang = lang if lang in TEST_WORDS else "fr"
    context = event_context(event, listing, lang=lang)
    context["listing"]["short_label"] = shorten(one_line(context["listing"]["label"]), CHAT_LABEL_MAX)
    title = one_line(environment.get_template(f"{lang}/subject.txt.j2").render(context))
    lines = []
    if event.kind in STATUS_KINDS:  # outcomes in words, as the email says them: "on sale → removed"
        words = environment.get_template(f"{lang}/_words.j2").module
        lines.append(" → ".join(words.outcome(value) for value in (context["before"], context["after"])))
    elif context["before"] or context["after"]:
        lines.append(f"{context['before'] or '—'} → {context['after'] or '—'}")
    if context["reasons"]:
        lines.append(REASONS_LABEL[lang] + (" ; " if lang == "fr" else "; ").join(context["reasons"]) + ".")
    lines.append(f"{context['listing']['marketplace']} — {observatory_link(public_url, listing.id) or listing.url}")
    return ChatMessage(no_mentions(title), no_mentions("\n".join(one_line(str(line)) for line in lines)))


def test_chat(account: str, *, lang: str) -> ChatMessage:
    title, body = TEST_WORDS.get(lang, TEST_WORDS["fr"])
    return ChatMessage(title, no_mentions(body.format(account=one_line(account))))


def no_mentions(text: str) -> str:
    """`@everyone`, `@here`, `<@123>`: a zero-width space after each @ keeps the text and drops the ping."""
    return text.replace("@", "@\u200b")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
