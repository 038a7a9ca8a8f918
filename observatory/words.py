"""What a person reads for each code the store keeps: event kinds, outcomes and states, availability.

The codes stay in the database, the exports and the API; pages show these words through the reader's catalogue.
A new kind of event (shops, search watches, ...) adds its line here and its translation to the catalogues; a
code without a line is shown as itself, never dropped.
"""
from __future__ import annotations


def N_(message: str) -> str:
    """Marks a message for `pybabel extract`; translated when shown (observatory.i18n.Ui.gettext)."""
    return message


EVENT_KINDS = {
    "delisted": N_("Listing removed"),
    "offer_gone": N_("Your offer has disappeared"),
    "unavailable": N_("No longer available"),
    "restored": N_("Back online"),
    "price_change": N_("Price changed"),
    "shipping_fee_change": N_("Delivery fee changed"),
    "seller_change": N_("Another seller won the buy box"),
    "fee_schedule_change": N_("Marketplace fees changed"),
    "monitoring_blocked": N_("Checks blocked by the marketplace"),
    # storefronts and search watches (DESIGN.md, "Beyond the product page")
    "shop_offer_missing": N_("Offer missing from your shop"),
    "shop_offer_new": N_("New offer in your shop"),
    "shop_gone": N_("Shop gone"),
    "search_dropped": N_("Dropped out of search results"),
    "not_indexed": N_("Not found by the marketplace's search"),
}

# a listing's state and a check's outcome (DESIGN.md, "Outcome of one check")
OUTCOMES = {
    "listed": N_("Online"),
    "unavailable": N_("Unavailable"),
    "offer_gone": N_("Offer gone"),
    "gone": N_("Removed"),
    "blocked": N_("Blocked (no answer)"),
    "error": N_("Check failed"),
    "unknown": N_("Not checked yet"),
}

# schema.org availability values and the extractors' own words
AVAILABILITY = {
    "InStock": N_("In stock"),
    "LimitedAvailability": N_("Limited stock"),
    "PreOrder": N_("Pre-order"),
    "BackOrder": N_("Back-order"),
    "OutOfStock": N_("Out of stock"),
    "SoldOut": N_("Sold out"),
    "Discontinued": N_("Discontinued"),
    "InStoreOnly": N_("In store only"),
    "OnlineOnly": N_("Online only"),
}

FETCH_METHODS = {"http": N_("direct request"), "browser": N_("browser")}


def kind_word(code: str) -> str:
    return EVENT_KINDS.get(code, code)


def outcome_word(code: str | None) -> str:
    return OUTCOMES.get(code or "unknown", code or "unknown")


def availability_word(value: str | None) -> str | None:
    """"https://schema.org/InStock", "InStock" or "instock" → the marked word; other text as it came."""
    if not value:
        return None
    key = value.rstrip("/").rsplit("/", 1)[-1]
    for code, word in AVAILABILITY.items():
        if code.lower() == key.lower():
            return word
    return value


# marketplaces by their registry name (spiders.registry); a new adapter without a line shows its name
MARKETPLACES = {
    "aliexpress": "AliExpress", "amazon": "Amazon", "cdiscount": "Cdiscount", "conforama": "Conforama",
    "ebay": "eBay", "fnac": "Fnac / Darty", "laredoute": "La Redoute", "leboncoin": "leboncoin",
    "manomano": "ManoMano", "rakuten": "Rakuten", "generic": N_("Another shop (schema.org product page)"),
}


def marketplace_word(name: str) -> str:
    return MARKETPLACES.get(name, name)

ROLES = {"seller": N_("seller"), "investigator": N_("investigator"), "admin": N_("admin")}
