"""The catalogues cover every marked string: a `_()`, `{% trans %}` or `N_()` added without its French and English
entries fails here (the same extraction as `pybabel extract -F babel.cfg`)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from observatory import words
from observatory.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def marked() -> set:
    method_map = [("observatory/**.py", "python"), ("vigie/**.py", "python"), ("crawler/urls.py", "python"),
                  ("crawler/*_urls.py", "python"), ("netpolicy/**.py", "python"), ("alerts/channel*.py", "python"),
                  ("observatory/templates/**.html", "jinja2")]
    options = {"observatory/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options, keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


@pytest.fixture(scope="module")
def messages() -> set:
    return marked()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_catalogue_translates_every_marked_string(messages, lang):
    path = ROOT / "observatory" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    translated = {}
    for message in catalog:
        if message.id and not message.fuzzy:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if all(strings):
                translated[message.id if isinstance(message.id, str) else tuple(message.id)] = strings
    missing = sorted(map(str, messages - set(translated)))
    assert not missing, f"{lang}: {len(missing)} marked strings without a translation: {missing[:10]}"
    for msgid, strings in translated.items():
        wanted = set(PLACEHOLDER.findall(msgid if isinstance(msgid, str) else msgid[0]))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == wanted, (lang, msgid, text)


def test_the_extraction_sees_the_marked_strings(messages):
    """Guards the test above against an extraction that finds nothing (a wrong path or keyword)."""
    assert "Price changed" in messages and words.EVENT_KINDS["offer_gone"] in messages
    assert "Needs your attention" in messages  # from a template
