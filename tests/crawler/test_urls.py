from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.urls import BadURL, canonical_url


@pytest.mark.parametrize("url, canonical", [
    ("HTTPS://Shop.Example.COM:443/p/1?b=2&a=1#reviews", "https://shop.example.com/p/1?a=1&b=2"),
    ("http://shop.example.com:80", "http://shop.example.com/"),
    ("https://shop.example.com:8443/p", "https://shop.example.com:8443/p"),
    ("https://shop.example.com./p", "https://shop.example.com/p"),
    ("https://shop.example.com/p?utm_source=nl&utm_medium=email&id=7", "https://shop.example.com/p?id=7"),
    ("https://shop.example.com/p?gclid=1&fbclid=2&msclkid=3&mc_cid=4&mc_eid=5&_ga=6", "https://shop.example.com/p"),
    ("https://www.amazon.fr/dp/B0C1?ref_=ast&tag=aff-21&ref=sr_1&psc=1&smid=A1X",
     "https://www.amazon.fr/dp/B0C1?psc=1&smid=A1X"),
    ("https://www.amazon.fr/dp/B0C1?pf_rd_r=X&pd_rd_w=Y&qid=1&sr=8-1", "https://www.amazon.fr/dp/B0C1"),
    ("https://www.ebay.fr/itm/123?_trksid=p1&hash=item1c", "https://www.ebay.fr/itm/123"),
    ("https://bücher.example/p", "https://xn--bcher-kva.example/p"),
    ("https://[2001:DB8::1]:443/p", "https://[2001:db8::1]/p"),
    ("  https://shop.example.com/a b  ", "https://shop.example.com/a%20b"),
    ("https://shop.example.com/p?UTM_Source=x&q=a", "https://shop.example.com/p?q=a"),
])
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


def test_same_product_links_share_one_canonical_form():
    links = [
        "https://shop.example.com/p/1?color=red&size=m",
        "HTTPS://SHOP.EXAMPLE.COM/p/1?size=m&color=red&utm_campaign=spring#top",
        "https://shop.example.com:443/p/1?size=m&fbclid=abc&color=red",
    ]
    assert len({canonical_url(link) for link in links}) == 1


def test_different_products_stay_different():
    assert canonical_url("https://s.example/p?id=1") != canonical_url("https://s.example/p?id=2")
    assert canonical_url("https://s.example/P/1") != canonical_url("https://s.example/p/1")  # paths are case-sensitive


@pytest.mark.parametrize("url, words", [
    ("", "empty"),
    ("ftp://shop.example.com/p", "not an http(s) URL"),
    ("javascript:alert(1)", "not an http(s) URL"),
    ("shop.example.com/p/1", "missing https://"),
    ("https://", "no host"),
    ("https://user:secret@shop.example.com/", "credentials"),
    ("https://user@shop.example.com/", "credentials"),
    ("https://shop.example.com:99999/", "unparseable"),
    ("https://[::1/", "unparseable"),
    ("https://shop..example.com/", "invalid host"),
    ("https://shop.example.com/\nx", "control characters"),
])
def test_bad_urls_are_refused_with_one_line(url, words):
    with pytest.raises(BadURL) as raised:
        canonical_url(url)
    message = str(raised.value)
    assert words in message and "\n" not in message
    assert "secret" not in message


def test_bad_url_is_a_value_error():
    assert issubclass(BadURL, ValueError)


_segment = st.text(alphabet="abcXYZ019-_.~%é ", min_size=0, max_size=8)
_param = st.tuples(st.sampled_from(["a", "B", "utm_source", "ref", "id", "q", "gclid"]), _segment)


@given(
    scheme=st.sampled_from(["http", "HTTP", "https"]),
    host=st.sampled_from(["shop.example.com", "SHOP.example.com", "xn--bcher-kva.example", "10.0.0.1"]),
    port=st.sampled_from(["", ":80", ":443", ":8080"]),
    path=st.lists(_segment, max_size=3),
    params=st.lists(_param, max_size=4),
    fragment=_segment,
)
def test_canonical_form_is_stable(scheme, host, port, path, params, fragment):
    query = "&".join(f"{k}={v}" for k, v in params)
    url = f"{scheme}://{host}{port}/{'/'.join(path)}?{query}#{fragment}"
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert "#" not in once and "utm_source" not in once and "gclid" not in once
