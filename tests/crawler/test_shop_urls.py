import pytest

from crawler.shop_urls import storefront
from crawler.urls import BadURL


@pytest.mark.parametrize("url, marketplace, ref, canonical", [
    ("https://www.amazon.fr/s?me=A1B2C3D4E5F6G7&marketplaceID=A13V1IB3VIYZZH&ref=xx", "amazon", "A1B2C3D4E5F6G7",
     "https://www.amazon.fr/s?me=A1B2C3D4E5F6G7"),
    ("https://www.amazon.de/sp?seller=A1B2C3D4E5F6G7&asin=B0000", "amazon", "A1B2C3D4E5F6G7",
     "https://www.amazon.de/sp?seller=A1B2C3D4E5F6G7"),
    ("https://www.ebay.fr/str/maboutique?_pgn=2", "ebay", "maboutique", "https://www.ebay.fr/str/maboutique"),
    ("https://www.ebay.com/sch/i.html?_ssn=some_seller&_nkw=", "ebay", "some_seller",
     "https://www.ebay.com/sch/i.html?_ssn=some_seller"),
    ("https://www.cdiscount.com/mpv-12345-Ma-Boutique.html", "cdiscount", "12345",
     "https://www.cdiscount.com/mpv-12345-Ma-Boutique.html"),
    ("https://fr.shopping.rakuten.com/boutique/maboutique", "rakuten", "maboutique",
     "https://fr.shopping.rakuten.com/boutique/maboutique"),
    ("https://www.aliexpress.com/store/1234567", "aliexpress", "1234567", "https://www.aliexpress.com/store/1234567"),
    ("http://127.0.0.1:8000/shop/atelier-dupont?page=2", "sandbox", "atelier-dupont",
     "http://127.0.0.1:8000/shop/atelier-dupont"),
])
def test_storefront_forms(url, marketplace, ref, canonical):
    found = storefront(url)
    assert (found.marketplace, found.seller_ref, found.url) == (marketplace, ref, canonical)


@pytest.mark.parametrize("url", ["https://www.amazon.fr/dp/B000000000", "https://www.amazon.fr/s?k=lampe",
                                 "https://www.ebay.fr/itm/1234", "https://shop.example/str/x", "ftp://x/shop/a",
                                 "https://www.amazon.fr/s?me=<script>", "https://www.etsy.com/shop/someone"])
def test_other_urls_are_refused_with_one_line(url):
    with pytest.raises(BadURL) as caught:
        storefront(url)
    assert "\n" not in str(caught.value)


def test_a_named_marketplace_must_know_the_form():
    with pytest.raises(BadURL, match="no storefront reader for marketplace 'fnac'"):
        storefront("https://www.fnac.com/shop/x", "fnac")


def test_the_sandbox_form_on_a_named_host_needs_the_marketplace_named():
    assert storefront("https://sandbox.example/shop/atelier", "sandbox").marketplace == "sandbox"
