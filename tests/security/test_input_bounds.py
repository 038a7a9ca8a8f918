"""Issue 15, points 1, 3 and 4 through the real `vigie` command line (and the pure readers under it): oversized
fields, absurd durations and hostile CSV files get one line on stderr and exit 2, and store nothing.
The API, form and upload side is in tests/observatory/test_registration_bounds.py."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest

from tests.security.one_line import refused
from tests.cli.runner import Run, Vigie
from vigie import limits
from vigie.durations import parse_duration
from vigie.listing_csv import CsvFileError, read_listings

URL = "http://127.0.0.1:9/p/1"  # loopback, allowed by the runner: registering it waits for no DNS


@pytest.fixture
def vigie(tmp_path, database_url) -> Vigie:
    return Vigie(tmp_path / "data", database_url)




def stored(vigie: Vigie) -> list[dict]:
    return vigie.ok("list", "--json").json()


def test_add_refuses_every_oversized_field_and_stores_nothing(vigie):
    cases = [
        (["http://127.0.0.1:9/p/" + "a" * 2_000], "the URL is 2,021 characters long: at most 2,000"),
        ([URL, "--label", "l" * 201], "label is 201 characters long: at most 200"),
        ([URL, "--seller", "s" * 5_000], "seller is 5,000 characters long: at most 200"),
        ([URL, "--seller", "Ma\tBoutique"], "control characters"),
        ([URL, "--account", "a" * 201], "account name is 201 characters long"),
        ([URL, *(arg for i in range(21) for arg in ("--email", f"a{i}@example.org"))], "21 email addresses: at most 20"),
        ([URL, "--every", "99999999999d"], "at most 365d"),  # was an OverflowError traceback, exit 1
        ([URL, "--every", "366d"], "at most 365d"),
    ]
    for args, words in cases:
        refused(vigie("add", *args), words)
    assert stored(vigie) == []
    at_limits = vigie.ok("add", "http://127.0.0.1:9/p/" + "a" * 1_979, "--label", "l" * 200, "--every", "365d",
                         *(arg for i in range(20) for arg in ("--email", f"a{i}@example.org")), "--json").json()
    assert (len(at_limits["url"]), len(at_limits["label"]), len(at_limits["emails"])) == (2_000, 200, 20)
    assert at_limits["every_seconds"] == 365 * 86_400


def test_absurd_durations_and_amounts_elsewhere_are_one_line_too(vigie):
    refused(vigie("prune", "--older-than", "1000000d"), "--older-than", "at most 3650d")
    refused(vigie("price-rule", "--account", "default", "--absolute", "1e999999"), "--absolute")
    late = Vigie(vigie.env["VIGIE_DATA_DIR"], vigie.env["VIGIE_DATABASE_URL"], VIGIE_RECHECK_DELAY="99999999999d")
    refused(late("list"), "VIGIE_RECHECK_DELAY", "at most 3650d")


def write(path, content: bytes):
    path.write_bytes(content)
    return str(path)


def test_import_refuses_binary_files_and_oversized_cells_whole(vigie, tmp_path):
    good = f"url,label\n{URL},kept\n".encode()
    refused(vigie("import", write(tmp_path / "cell.csv", good + b'http://127.0.0.1:9/p/2,"' + b"x\n" * 70_000)),
            "line 3: a cell longer than 131,072 characters")
    refused(vigie("import", write(tmp_path / "png.csv", good + b"\x00\x00\x00\rIHDR\x00\x01\x02\n")), "binary file")
    refused(vigie("import", write(tmp_path / "latin1.csv", good + b"http://127.0.0.1:9/p/2,\xe9t\xe9\n")),
            "not UTF-8 text")
    # past the cap, even a file whose rows would mostly be refused one by one is refused whole, at once
    big = good + (b"," + b"x" * 998 + b"\n") * (limits.CSV_FILE_BYTES // 1_000)
    refused(vigie("import", write(tmp_path / "big.csv", big)), "bigger than 10 MB")
    assert stored(vigie) == []


def test_import_reports_the_rows_an_unclosed_quote_swallowed(vigie, tmp_path):
    content = (f"url,label\n{URL},kept\n"
               'http://127.0.0.1:9/p/2,"never closed\nhttp://127.0.0.1:9/p/3,lost\nhttp://127.0.0.1:9/p/4,lost\n')
    run = vigie("import", write(tmp_path / "quote.csv", content.encode()))
    assert run.code == 1, run.err  # a row refused, the other imported
    assert "line 3: a quote opened on this line is never closed: lines 3–5" in run.err
    assert "1 added, 1 refused" in run.err
    assert [row["url"] for row in stored(vigie)] == [URL]


def test_import_reads_a_pipe(vigie):
    run = vigie("import", "/dev/stdin", stdin=f"url\n{URL}\n")
    assert run.code == 0 and "1 added, 0 refused" in run.err, run.err
    assert [row["url"] for row in stored(vigie)] == [URL]


class Watched(io.BytesIO):
    """A file that remembers how far it was read."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.furthest = 0

    def read1(self, size: int = -1) -> bytes:
        chunk = super().read1(size)
        self.furthest = max(self.furthest, self.tell())
        return chunk

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.furthest = max(self.furthest, self.tell())
        return chunk


def test_rows_are_read_as_a_stream_not_the_whole_file_first():
    data = Watched(b"url,label\n" + b"".join(f"http://127.0.0.1:9/p/{i},{'x' * 400}\n".encode()
                                             for i in range(limits.CSV_ROWS)))
    rows = read_listings(data)
    line, first = next(rows)
    assert (line, first.url) == (2, "http://127.0.0.1:9/p/0")
    assert data.furthest < 100_000 < len(data.getvalue())
    assert sum(1 for _ in rows) == limits.CSV_ROWS - 1 and not data.closed  # the caller's stream stays open


def test_a_file_over_the_row_cap_is_refused_whole():
    rows = "url\n" + "".join(f"http://127.0.0.1:9/p/{i}\n" for i in range(limits.CSV_ROWS + 1))
    with pytest.raises(CsvFileError, match="more than 10,000 rows"):
        list(read_listings(rows))


@pytest.mark.parametrize("text, words", [
    ("1000000d", "at most 3650d"),  # was OverflowError from timedelta()
    ("99999999999d", "at most 3650d"),
    ("9" * 5_000 + "s", "is not a duration"),  # was Python's "Exceeds the limit (4300 digits)"
])
def test_durations_past_their_bound_are_refused(text, words):
    with pytest.raises(ValueError, match=words) as refusal:
        parse_duration(text)
    assert len(str(refusal.value)) < 120


def test_a_duration_bound_is_inclusive_and_per_use():
    assert parse_duration("3650d") == timedelta(days=3650)
    assert parse_duration("1d", at_most=timedelta(days=1)) == timedelta(days=1)
    with pytest.raises(ValueError, match="too long: at most 1d"):
        parse_duration("1d1s", at_most=timedelta(days=1))
