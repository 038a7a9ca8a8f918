"""eBay's paid-placement label drawn as a picture (2025-26 `s-card` search pages).

Every result card carries the same `s-item__sep` label: an `aria-hidden` "derosnopS" (the word reversed, drawn
transparent) and, as the span's background, an SVG data URI whose `<text>` says "Sponsored". What tells a paid
card from an organic one is where that text is drawn: at the span's origin on a paid card, some 30,000 pixels
off the picture on an organic one (x + dx + translate, and the same for y). So the label is read by placing the
text, never by finding the word. A picture this module cannot place (another transform, several texts, a
viewBox) is "cannot tell", which leaves a search page incomplete rather than guessing an organic rank.
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from lxml import etree

_SVG_URI = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=\s]+)", re.I)
_TRANSLATE = re.compile(r"^\s*translate\(\s*(-?[\d.eE+-]+)(?:[\s,]+(-?[\d.eE+-]+))?\s*\)\s*$")
_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
# where a text drawn as the background of a one-line label can be seen: the label is ~12px high and a few
# words wide; anything beyond this box is off the picture (eBay's hidden labels sit at about -30000)
SHOWN_X = (-12.0, 400.0)
SHOWN_Y = (0.0, 48.0)
FAR = 1000.0


@dataclass(frozen=True)
class DrawnLabel:
    text: str
    shown: bool | None      # True: drawn where it is seen; False: drawn off the picture; None: cannot tell
    why: str = ""


def drawn_label(style: str | None) -> DrawnLabel | None:
    """The text an element's SVG background draws and whether it is seen; None without an SVG background."""
    found = _SVG_URI.search(style or "")
    if not found:
        return None
    try:
        root = etree.fromstring(base64.b64decode("".join(found.group(1).split()), validate=True), parser=_XML)
    except (binascii.Error, ValueError, etree.XMLSyntaxError):
        return DrawnLabel("", None, "its SVG picture cannot be decoded")
    texts = [node for node in root.iter() if isinstance(node.tag, str) and etree.QName(node).localname == "text"]
    if len(texts) != 1 or root.get("viewBox") or root.get("transform"):
        return DrawnLabel("", None, "its SVG picture is not one plain text")
    node = texts[0]
    text = "".join(node.itertext())
    if len(node) or (node.get("opacity") or "").strip() in ("0", "0.0"):
        return DrawnLabel(text, None, "its SVG text has parts or is transparent")
    try:
        x = _number(node.get("x")) + _number(node.get("dx"))
        y = _number(node.get("y")) + _number(node.get("dy"))
        tx, ty = _translate(node.get("transform"))
    except ValueError:
        return DrawnLabel(text, None, "its SVG text is placed by a transform this reader does not know")
    x, y = x + tx, y + ty
    if SHOWN_X[0] <= x <= SHOWN_X[1] and SHOWN_Y[0] <= y <= SHOWN_Y[1]:
        return DrawnLabel(text, True)
    if abs(x) > FAR or abs(y) > FAR:
        return DrawnLabel(text, False)
    return DrawnLabel(text, None, f"its SVG text is drawn at ({x:.0f}, {y:.0f}), neither clearly in nor out of view")


def _number(value: str | None) -> float:
    if value is None or not value.strip():
        return 0.0
    return float(value.split()[0])  # a list of positions places each letter: the first one places the word


def _translate(transform: str | None) -> tuple[float, float]:
    if transform is None or not transform.strip():
        return 0.0, 0.0
    found = _TRANSLATE.match(transform)
    if not found:
        raise ValueError(transform)
    return float(found.group(1)), float(found.group(2) or 0.0)
