"""Refusals in the reader's language: a French seller reads why a URL, an interval, a search watch, a channel or a
file was refused in French, with French numbers; an English one in English; the API, the CLI and str() keep the
English text they always had (said.Text)."""
from __future__ import annotations

import pickle
import socket

import pytest
from starlette.testclient import TestClient

from crawler.urls import BadURL, canonical_url
from observatory.app import create_app
from observatory.config import ObservatoryConfig
from observatory.i18n import load_catalogues, ui_for
from said import N_, Text
from tests.observatory.conftest import NOW, app, client, csrf_of, log_in, world  # noqa: F401 (fixtures)
from vigie.registration import NewListing, RegistrationError, validate

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}
ALICE = "alice@example.org"
NNBSP = "\u202f"  # the French thousands separator (CLDR)


def public(host, port, *args):
    """A resolver that answers a public address for any name: no DNS in tests."""
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port or 443))]


@pytest.fixture
def strict(sessions, world):  # noqa: F811
    """An app as deployed: private and loopback targets refused, a five-minute minimum interval."""
    with TestClient(create_app(ObservatoryConfig(clock=lambda: NOW, resolve=public), sessions)) as client:
        yield client


def register(client, headers, **fields):
    csrf = csrf_of(client.get("/register", headers=headers).text)
    return client.post("/register", data={"csrf": csrf, **fields}, headers=headers)


def test_a_french_seller_reads_url_refusals_in_french(strict):
    log_in(strict, ALICE)
    long = register(strict, FR, url="https://www.amazon.fr/dp/B0TEST0001?x=" + "a" * 2962)
    assert long.status_code == 400
    assert f"l’URL fait 3{NNBSP}000 caractères : au plus 2{NNBSP}000" in long.text
    assert "ce n’est pas une URL http(s) : &#39;ftp://shop.example/p&#39;" in register(
        strict, FR, url="ftp://shop.example/p").text
    loopback = register(strict, FR, url="http://127.0.0.1:8080/p/1").text
    assert "refusé : 127.0.0.1 est une adresse de bouclage (loopback) (VIGIE_ALLOW_PRIVATE_HOSTS=1 l’autorise" \
        in loopback
    assert "place de marché inconnue &#39;nowhere&#39; (connues : " in register(
        strict, FR, url="https://shop.example/p", marketplace="nowhere").text
    duplicate = register(strict, FR, url="https://www.amazon.fr/dp/B0ALICE001").text
    assert "déjà enregistrée comme annonce " in duplicate and ": https://www.amazon.fr/dp/B0ALICE001" in duplicate


def test_a_french_seller_reads_interval_refusals_in_french_and_an_english_one_in_english(strict):
    log_in(strict, ALICE)
    url = "https://www.amazon.fr/dp/B0TEST0001"
    assert "l’intervalle &#39;1m&#39; est trop court : le minimum est de 5 minutes" in register(
        strict, FR, url=url, every="1m").text
    assert "intervalle : &#39;soon&#39; n’est pas une durée comme 30m, 1h ou 1d" in register(
        strict, FR, url=url, every="soon").text
    english = register(strict, EN, url=url, every="1m")
    assert english.status_code == 400 and "--every &#39;1m&#39; is too often: the minimum is 5 minutes" in english.text
    assert "the URL is 3,000 characters long: at most 2,000" in register(
        strict, EN, url=url + "?x=" + "a" * 2962).text


def test_the_api_still_answers_the_english_message(strict, world):  # noqa: F811
    alice = {"Authorization": f"Bearer {world.tokens[ALICE]}", **FR}
    answer = strict.post("/api/listings", headers=alice, json={"url": "https://www.amazon.fr/dp/B0TEST0001",
                                                               "every": "1m"})
    assert answer.status_code == 422 and answer.json()["detail"] == "--every '1m' is too often: the minimum is 5m"
    loopback = strict.post("/api/listings", headers=alice, json={"url": "http://127.0.0.1/p"}).json()["detail"]
    assert loopback.startswith("refused: 127.0.0.1 is a loopback address (VIGIE_ALLOW_PRIVATE_HOSTS=1 allows it")
    watch = strict.post("/api/search-watches", headers=alice, json={"listing_id": world.seeded.alice_listing,
                                                                    "query": "lampe", "pages": 9})
    assert watch.status_code == 422 and watch.json() == {"detail": "--pages: from 1 to 5, got 9"}


def test_a_bad_search_watch_is_refused_in_the_readers_language(strict, world):  # noqa: F811
    listing = world.seeded.alice_listing
    log_in(strict, ALICE)
    csrf = csrf_of(strict.get(f"/listings/{listing}", headers=FR).text)
    said = {}
    for lang, headers in (("fr", FR), ("en", EN)):
        for data in ({"query": "lampe", "pages": "9"}, {"query": "lampe", "pages": "deux"},
                     {"query": "", "pages": "1"}, {"query": "lampe", "pages": "1", "every": "10m"}):
            answer = strict.post(f"/listings/{listing}/search-watches", data={"csrf": csrf, **data}, headers=headers)
            assert answer.status_code == 400
            said.setdefault(lang, []).append(answer.text)
    fr, en = said["fr"], said["en"]
    assert "pages : de 1 à 5, et non 9" in fr[0] and "--pages: from 1 to 5, got 9" in en[0]
    assert "pages : un nombre entier est attendu, pas &#39;deux&#39;" in fr[1]
    assert "la requête est vide : donnez des mots-clés, ou l’identifiant du produit" in fr[2]
    assert "the query is empty: give keywords, or the product&#39;s own id" in en[2]
    assert "l’intervalle &#39;10m&#39; est trop court : le minimum est de 1\xa0heure" in fr[3]  # Babel's words


def test_channel_and_file_refusals_in_french(client, world):  # noqa: F811
    log_in(client, ALICE)
    csrf = csrf_of(client.get("/account", headers=FR).text)
    empty = client.post("/account/channels", data={"csrf": csrf, "url": "", "mode": ""}, headers=FR)
    assert empty.status_code == 400 and "l’URL du canal est vide" in empty.text
    unknown = client.post("/account/channels", data={"csrf": csrf, "url": "gopher://x"}, headers=FR).text
    assert "pas une URL de canal connue de Vigie : gopher:// n’est ni mailto:" in unknown
    rows = b"url,every\nftp://shop.example/p,\nhttps://www.amazon.fr/dp/B0ALICE001,\nhttps://shop.example/q,1m\n"
    csrf = csrf_of(client.get("/register", headers=FR).text)
    page = client.post("/register/csv", data={"csrf": csrf}, files={"file": ("l.csv", rows, "text/csv")},
                       headers=FR).text
    assert "ligne 2 : ce n’est pas une URL http(s) : &#39;ftp://shop.example/p&#39;" in page
    assert "ligne 3 : déjà enregistrée comme annonce" in page
    assert "1 ajoutée(s), 2 refusée(s)" in page
    empty_file = client.post("/register/csv", data={"csrf": csrf}, files={"file": ("l.csv", b"", "text/csv")},
                             headers=FR)
    assert empty_file.status_code == 400 and "le fichier est vide" in empty_file.text


def test_a_text_is_english_as_a_string_and_survives_a_pickle():
    with pytest.raises(BadURL) as caught:
        canonical_url("ftp://x")
    assert str(caught.value) == "not an http(s) URL: 'ftp://x'" and type(str(caught.value)) is str
    with pytest.raises(RegistrationError) as caught:
        validate(NewListing(url="https://x.example/" + "a" * 2500), allow_private=True)
    text = caught.value.text
    assert text == "the URL is 2,518 characters long: at most 2,000"
    assert text.template == "the URL is %(chars)s characters long: at most %(limit)s"
    again = pickle.loads(pickle.dumps(caught.value))
    assert str(again) == str(caught.value) and again.text.params == text.params
    french = ui_for(load_catalogues(), "fr")
    assert french.said(again) == f"l’URL fait 2{NNBSP}518 caractères : au plus 2{NNBSP}000"
    assert french.said(Text(N_("line %(line)s: %(why)s"), line="1234", why=text)).startswith("ligne 1234 : l’URL")
    assert french.said("a message no catalogue knows") == "a message no catalogue knows"
    assert french.said(Text("")) == ""


def test_search_and_storefront_url_refusals_are_said_in_french():
    from crawler.search_urls import search_site
    from crawler.shop_urls import storefront

    french, english = ui_for(load_catalogues(), "fr"), ui_for(load_catalogues(), "en")
    with pytest.raises(BadURL) as unknown:
        search_site("https://shop.example/p/1", "generic")
    assert french.said(unknown.value).startswith("aucun lecteur de résultats de recherche pour les annonces 'generic'")
    assert english.said(unknown.value) == str(unknown.value)
    assert str(unknown.value).startswith("no search results reader for 'generic' listings (search watches know: ")
    with pytest.raises(BadURL) as not_a_shop:
        storefront("https://www.amazon.fr/dp/B000000001", None)
    assert french.said(not_a_shop.value).startswith(
        "pas une adresse de boutique : 'https://www.amazon.fr/dp/B000000001' ; une boutique ressemble à ")
    assert str(not_a_shop.value).startswith("not a storefront URL: 'https://www.amazon.fr/dp/B000000001'; ")
