"""What the buyer sees of the offer when the page carries no usable data: the buy control, the price
next to it, and stock wording in the product's own area (not in carousels of other products).

The product's area is the smallest element holding both the page's title (h1) and its buy control; a
page without a buy control is read around its h1 only (up to the first block that also shows a price). Wording is matched on whole words after folding
accents and case (`soft404.fold`), in French, English, German, Italian, Spanish, Dutch, Polish and
Portuguese.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from lxml import etree

from spiders import money, soft404

SOLD_OUT_WORDS: tuple[str, ...] = (
    # fr
    "rupture de stock", "en rupture", "epuise", "epuisee", "actuellement indisponible", "produit indisponible",
    "temporairement indisponible", "article indisponible", "victime de son succes", "n'est plus disponible",
    "plus disponible", "indisponible",
    # en
    "out of stock", "sold out", "currently unavailable", "temporarily unavailable", "no longer available",
    "not available", "unavailable", "notify me when available", "email me when available",
    # de
    "ausverkauft", "nicht verfugbar", "nicht vorratig", "nicht auf lager", "nicht lieferbar",
    "derzeit nicht lieferbar", "vergriffen",
    # it
    "esaurito", "non disponibile", "non piu disponibile",
    # es
    "agotado", "sin stock", "no disponible", "fuera de stock",
    # nl
    "uitverkocht", "niet op voorraad", "niet leverbaar", "niet beschikbaar",
    # pl
    "wyprzedany", "wyprzedane", "niedostepny", "brak w magazynie", "brak towaru", "produkt niedostepny",
    # pt
    "esgotado", "indisponivel", "fora de estoque", "sem estoque", "fora de stock",
    # da, sv, no, fi, cs, hu, ro, tr, ru, ko, ja, zh, he: shops of the whole world use the generic reader
    "udsolgt", "ikke på lager", "slutsåld", "slut i lager", "tillfälligt slut", "utsolgt", "ikke pa lager",
    "loppuunmyyty", "loppu varastosta", "vyprodáno", "není skladem", "elfogyott", "nincs készleten",
    "stoc epuizat", "indisponibil", "nu este în stoc", "tükendi", "stokta yok", "нет в наличии", "распродано",
    "нет на складе", "품절", "일시품절", "売り切れ", "在庫切れ", "缺貨", "售完", "已售完", "缺货", "補貨中",
    "אזל מהמלאי", "אזל", "לא במלאי", "εξαντλημενο", "μη διαθεσιμο",
)
# a classified ad or a one-off item marked sold: the whole text of a small element
SOLD_BADGES = frozenset({"sold", "vendu", "vendue", "verkauft", "vendido", "vendida", "venduto", "verkocht",
                         "sprzedane", "sprzedany", "reserviert", "reserved", "reserve", "reservee"})
BUY_WORDS: tuple[str, ...] = (
    "add to cart", "add to basket", "add to bag", "add to trolley", "buy now", "buy it now", "order now",
    "ajouter au panier", "ajouter au sac", "acheter maintenant", "acheter", "commander",
    "in den warenkorb", "in den einkaufswagen", "jetzt kaufen", "sofort-kaufen", "kaufen",
    "aggiungi al carrello", "acquista ora", "acquista", "anadir al carrito", "anadir a la cesta", "comprar ahora",
    "comprar", "in winkelwagen", "in winkelmand", "toevoegen aan winkelwagen", "bestellen", "dodaj do koszyka",
    "kup teraz", "adicionar ao carrinho", "adicionar ao cesto", "comprar agora",
    # da, sv, no, fi, cs, hu, ro, tr, ru/kk, el, he, ko, zh, ja, es-419
    "læg i kurv", "køb nu", "lägg i varukorgen", "köp nu", "legg i handlekurven", "kjøp nå",
    "lisää ostoskoriin", "osta nyt", "do košíku", "koupit", "kosárba", "megveszem", "adaugă în coș", "cumpără",
    "sepete ekle", "satın al", "в корзину", "купить", "добавить в корзину", "προσθηκη στο καλαθι", "αγορα",
    "הוסף לסל", "הוספה לסל", "לקנייה", "קנה עכשיו", "장바구니", "구매하기", "바로구매", "加入購物車", "立即購買",
    "加入购物车", "立即购买", "カートに入れる", "今すぐ購入", "agregar al carro", "agregar al carrito",
    "anadir a la bolsa", "comprar ya",
)
# a disabled button asking to pick a variant first says nothing about stock
CHOOSE_WORDS: tuple[str, ...] = (
    "select", "choose", "pick a", "choisir", "choisissez", "selectionner", "selectionnez", "wahlen", "wahle",
    "auswahlen", "seleccionar", "selecciona", "elige", "scegli", "seleziona", "kies", "selecteer", "wybierz",
    "escolha", "selecione",
)
# variant pickers: "S – sold out" beside a size says nothing about the product
_PICKER = re.compile(r"swatch|variant|option|selector|picker", re.I)
# a buy button's place taken by a back-in-stock alert (its label only: "me prévenir" elsewhere may be a price alert)
NOTIFY_WORDS: tuple[str, ...] = (
    "notify me", "email me when", "alert me", "me prevenir", "m'alerter", "prevenez-moi", "m'avertir",
    "benachrichtigen", "benachrichtigung", "avisame", "avvisami", "houd me op de hoogte", "mail mij",
    "powiadom mnie", "avise-me", "avisem-me",
)
IN_STOCK_WORDS: tuple[str, ...] = (
    "in stock", "en stock", "auf lager", "sofort lieferbar", "lieferbar", "disponibilita immediata",
    "disponibile", "en existencia", "op voorraad", "na stanie", "dostepny", "em estoque", "em stock",
    "disponible", "available now", "på lager", "i lager", "varastossa", "skladem", "készleten", "în stoc",
    "stokta", "в наличии", "재고 있음", "現貨", "有現貨", "有库存", "במלאי", "σε αποθεμα",
)
_BUY_ATTRIBUTE = re.compile(
    r"add[-_ ]?to[-_ ]?(?:cart|basket|bag|trolley)|buy[-_ ]?(?:now|button|box|btn)|addtocart|add2cart"
    r"|product[-_]?form__cart|btn[-_]?(?:cart|buy|purchase|basket)|cart[-_]?(?:button|btn|submit)|single_add_to_cart"
    r"|add[-_]?(?:basket|bag|cart)|purchase[-_]?(?:btn|button)", re.I)
_DISABLED_CLASS = re.compile(r"disabled|sold[-_ ]?out|out[-_ ]?of[-_ ]?stock|unavailable|inactive", re.I)
_CONTROLS = etree.XPath("//button | //input[@type='submit' or @type='button'] | //a[@class or @id]"
                        " | //*[@role='button'] | //*[(self::div or self::span) and (contains(@class, 'cart')"
                        " or contains(@class, 'Cart') or contains(@class, 'buy') or contains(@class, 'Buy'))]")
_H1 = etree.XPath("//h1[normalize-space()]")
# class or id words of prices that are not what the buyer pays now (whole words of the attribute: "list-unstyled"
# or "community" are no price at all)
_OLD_WORDS = frozenset({"old", "was", "compare", "compareat", "strike", "strikethrough", "striked", "before", "rrp",
                        "uvp", "msrp", "saving", "savings", "save", "crossed", "barre", "original", "previous",
                        "retail", "instead", "installment", "installments", "klarna", "monthly", "listprice",
                        "unitprice", "perunit", "reference", "ancien", "avant"})
_OLD_PAIRS = re.compile(r"list[-_]?price|unit[-_]?price|price[-_]?per[-_]?unit|price[-_]?(?:old|was|before)", re.I)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_MONEY = re.compile(
    r"(?:[€£$₹¥₩₪₸₽₺₫฿]|R\$|US\$|zł|Kč|lei|kr|CHF|EUR|USD|GBP|PLN|BRL|RON|KRW|TWD|NT\$|ILS|KZT|CLP|CZK|HUF|SEK|DKK"
    r"|NOK|CAD|AUD|JPY|INR|MXN|TRY)\s*\d[\d.,\u00a0\u202f ']*"
    r"|\d[\d.,\u00a0\u202f ']*\s*(?:[€£$₹¥₩₪₸₽₺₫฿]|zł|Kč|lei|kr|Ft|CHF|EUR|USD|GBP|PLN|BRL|RON|KRW|TWD|ILS|KZT"
    r"|CLP|CZK|HUF|SEK|DKK|NOK|CAD|AUD|JPY|INR|MXN|TRY|руб|원|円)",
    re.I,
)
# the word lists folded once, as the page's text is (soft404.fold)
_BUY = tuple(soft404.fold(w) for w in BUY_WORDS)
_BUY_PHRASES = tuple(w for w in _BUY if " " in w)
_SOLD_OUT = tuple(soft404.fold(w) for w in SOLD_OUT_WORDS)
_DISABLING = _SOLD_OUT + tuple(soft404.fold(w) for w in NOTIFY_WORDS)
_CHOOSE = tuple(soft404.fold(w) for w in CHOOSE_WORDS)
_IN_STOCK = tuple(soft404.fold(w) for w in IN_STOCK_WORDS)
_STRUCK = {"del", "s", "strike"}
_PRICE_NAME = re.compile(r"price|prix|preis|precio|prezzo|prijs|cena|preco|amount", re.I)
# an amount beside these words is a delivery fee or threshold, an instalment or a saving, not the price
_NOT_A_PRICE = ("livraison", "shipping", "delivery", "versand", "lieferung", "envio", "spedizione", "verzending",
                "dostawa", "entrega", "des", "from", "ab", "over", "au-dela", "economisez", "save", "sparen",
                "per month", "par mois", "/mois", "x ")
MAX_BUY_CONTROLS = 4  # more than this many buy buttons: a list of products, not one product's page


@dataclass(frozen=True)
class BuyControl:
    element: etree._Element
    enabled: bool
    label: str
    waiting_for_choice: bool = False  # "Select a size": disabled until the buyer picks a variant


class VisibleOffer:
    """The visible offer of one parsed page (lxml tree)."""

    def __init__(self, tree: etree._Element):
        self.tree = tree

    # -- the buy control ------------------------------------------------------------------------
    @cached_property
    def controls(self) -> list[BuyControl]:
        found = []
        for control in _CONTROLS(self.tree):
            attributes = " ".join(control.get(a) or "" for a in ("id", "class", "name", "data-action", "data-testid"))
            text = " ".join(control.itertext())[:400] + " " + (control.get("value") or "")
            label = soft404.fold(text)[:80]
            by_attribute = bool(_BUY_ATTRIBUTE.search(attributes))
            # a link counts by a buy phrase of several words ("add to cart"), never by "acheter" alone (a menu word)
            phrases = _BUY if control.tag not in ("a", "div", "span") else _BUY_PHRASES
            by_word = control.tag not in ("div", "span") and _says(label, phrases)
            if not (by_attribute or by_word) or control.xpath("ancestor::nav or ancestor::header or ancestor::footer"):
                continue
            disabled = (control.get("disabled") is not None or control.get("aria-disabled") == "true"
                        or bool(_DISABLED_CLASS.search(control.get("class") or "")) or _says(label, _DISABLING))
            waiting = disabled and _says(label, _CHOOSE)
            found.append(BuyControl(control, not disabled, label.strip(), waiting_for_choice=waiting))
        return found

    @cached_property
    def buy_control(self) -> BuyControl | None:
        """The product's own buy control: the first one after the title, else the first one."""
        if not self.controls:
            return None
        h1 = self.h1
        if h1 is not None:
            order = {element: index for index, element in enumerate(self.tree.iter())}
            after = [c for c in self.controls if order.get(c.element, -1) > order.get(h1, -1)]
            if after:
                return after[0]
        return self.controls[0]

    @property
    def one_product(self) -> bool:
        """One product's page, not a list: few buy controls, or few in the product's own area (a page may
        add carousels of other products, each with its button)."""
        if len(self.controls) <= MAX_BUY_CONTROLS:
            return True
        inside = {e for root in self.area for e in root.iter()}
        return sum(1 for c in self.controls if c.element in inside) <= 2

    # -- the product's area ------------------------------------------------------------------------
    @cached_property
    def h1(self) -> etree._Element | None:
        found = _H1(self.tree)
        return found[0] if found else None

    @cached_property
    def area(self) -> list[etree._Element]:
        """The smallest element holding the title and the buy control; without both, the title's close
        surroundings (a few levels up, or the title and its next siblings when it sits right in the body)."""
        h1, control = self.h1, self.buy_control
        if h1 is not None and control is not None:
            ancestors = set(h1.iterancestors())
            for candidate in control.element.iterancestors():
                if candidate in ancestors:
                    if candidate.tag not in ("html", "body"):
                        return [candidate]
                    break
        anchor = h1 if h1 is not None else (control.element if control is not None else None)
        if anchor is None:
            return []
        area = anchor
        if anchor is not h1 and _MONEY.search(" ".join(_visible_text(anchor))):
            return [anchor]  # a buy block that holds its own price
        for _ in range(3):  # up to the first block that also holds a price: the product's, not the page's
            parent = area.getparent()
            if parent is None or parent.tag in ("html", "body"):
                break
            area = parent
            if _MONEY.search(" ".join(_visible_text(area))):
                break
        if area is anchor:
            return [anchor, *list(anchor.itersiblings())[:6]]
        return [area]

    @cached_property
    def area_text(self) -> str:
        """The area's visible text, variant pickers left out (a text within three levels of a swatch, an option
    or a label)."""
        texts = [t for element in self.area for t in _visible_text(element)
                 if not any(a.tag in ("label", "option") or _PICKER.search(a.get("class") or "")
                            for a in _ancestors_within(t.getparent(), element)[:3])]
        return soft404.fold(" ".join(texts))

    # -- what the area says ------------------------------------------------------------------------
    def sold_out_word(self) -> str | None:
        """The sold-out wording the product's area shows, or None."""
        text = self.area_text
        return next((word for word, folded in zip(SOLD_OUT_WORDS, _SOLD_OUT) if soft404.has_words(text, folded)),
                    None)

    def sold_badge(self) -> str | None:
        """A small element of the area whose whole text is "Sold" / "Vendu" / "Verkauft"..."""
        for root in self.area:
            for element in root.iter("span", "div", "p", "strong", "b", "em", "li", "mark", "label"):
                text = soft404.fold(" ".join(_visible_text(element)))
                if text in SOLD_BADGES and _alone(element):
                    return text
        return None

    def in_stock_word(self) -> str | None:
        text = self.area_text
        return next((word for word, folded in zip(IN_STOCK_WORDS, _IN_STOCK)
                     if soft404.has_words(text, folded) and not soft404.has_words(text, "in" + folded)), None)

    def availability(self) -> tuple[str | None, str | None]:
        """(schema.org availability word or None, the deciding signal) from what the product's area shows."""
        control = self.buy_control
        badge = self.sold_badge()
        if badge and not (control and control.enabled):
            return "SoldOut", f"the page's {badge!r} mark"
        sold_out = self.sold_out_word()
        if control is not None and not control.enabled and not control.waiting_for_choice:
            if sold_out:
                return "OutOfStock", f"a disabled {control.label!r} button and {sold_out!r}"
            # scripts often enable the button after load: disabled alone says nothing certain
            return None, f"stock unknown: the {control.label!r} button is disabled but nothing says sold out"
        if sold_out and control is None:
            return "OutOfStock", f"{sold_out!r} beside the product, no buy button"
        if control is not None and control.enabled and not sold_out:
            return "InStock", f"an enabled {control.label!r} button"
        in_stock = self.in_stock_word()
        if in_stock and not sold_out:
            return "InStock", f"{in_stock!r} beside the product"
        return None, None

    # -- the price next to the buy control ----------------------------------------------------------
    def price_text(self) -> str | None:
        """The price written in the product's area: first an element named as a price (class, id, itemprop),
        then any amount that is no delivery threshold; struck-through and "was" prices left out."""
        elements = [e for root in self.area for e in _priced_elements(root)]
        for element in elements:
            if element.get("itemprop") == "price" and element.get("content"):
                return element.get("content")
            if _PRICE_NAME.search(" ".join(element.get(a) or "" for a in ("class", "id", "itemprop", "data-testid"))):
                whole = " ".join(" ".join(_own_text(e, tail=e is not element)
                                          for e in _priced_elements(element)).split())
                match = _MONEY.search(whole)
                if match and len(whole) <= 60:
                    return match.group()
        for element in elements:
            own = " ".join(_own_text(element, tail=False).split())
            match = _MONEY.search(own)
            if match and not any(soft404.has_words(soft404.fold(own), w) for w in _NOT_A_PRICE):
                return match.group()
        return None

    def price(self) -> tuple[Decimal | None, str | None]:
        text = self.price_text()
        if text is None:
            return None, None
        return money.parse(text)


def _says(text: str, folded_phrases: tuple[str, ...]) -> bool:
    return any(soft404.has_words(text, phrase) for phrase in folded_phrases)


def _priced_elements(root: etree._Element) -> list[etree._Element]:
    """The area's elements in document order, without scripts and without struck-through or "was" prices
    (and everything inside them)."""
    found, stack = [], [root]
    while stack:
        element = stack.pop()
        if not isinstance(element.tag, str):  # a comment: only its tail is page text ("55,00<!-- --> €")
            found.append(element)
            continue
        if element.tag in ("script", "style", "noscript", "template", "option"):
            continue
        if element.tag in _STRUCK or _not_the_price(" ".join(element.get(a) or "" for a in ("class", "id", "data-testid"))):
            continue
        found.append(element)
        stack.extend(reversed(element))
    return found


def _not_the_price(attributes: str) -> bool:
    if not attributes.strip():
        return False
    words = set(re.split(r"[^a-z]+", _CAMEL.sub(" ", attributes).casefold()))
    return bool(words & _OLD_WORDS) or bool(_OLD_PAIRS.search(attributes))


def _ancestors_within(element, root) -> list:
    """`element` and its ancestors up to `root` included."""
    found = []
    while element is not None:
        found.append(element)
        if element is root:
            break
        element = element.getparent()
    return found


def _own_text(element: etree._Element, *, tail: bool) -> str:
    text = (element.text or "") if isinstance(element.tag, str) else ""
    return f"{text} {element.tail or ''}" if tail else text


def _visible_text(element) -> list[str]:
    return element.xpath(".//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
                         " or ancestor::template or ancestor::option)]")


def _alone(element: etree._Element) -> bool:
    """A badge stands alone: its parent says little more and holds no number ("56 sold" is a count)."""
    parent = element.getparent()
    around = " ".join(_visible_text(parent)) if parent is not None else ""
    return len(around.strip()) <= 40 and not any(c.isdigit() for c in around)
