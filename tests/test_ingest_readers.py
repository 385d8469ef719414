"""Readers: every format, gzip, standard input, and bad input that quarantines instead of raising."""

from __future__ import annotations

import gzip
import io
import json
import sys
import zlib
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.ingest.readers import parse_date, read, sniff

ARTICLE = "قال المرصد السوري إن غارة جوية استهدفت بلدة كفرنبودة في ريف حماة الشمالي."


def docs(*paths: Path | str, **kw) -> list:
    return list(read([str(p) for p in paths], **kw))


# -- plain text, folders, gzip, stdin --------------------------------------------------------------
def test_text_file_and_folder_in_sorted_order(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.txt").write_text("ب " + ARTICLE, encoding="utf-8")
    (folder / "a.txt").write_text("أ " + ARTICLE, encoding="utf-8")
    (folder / "sub" / "c.txt").write_text("ج", encoding="utf-8")
    (folder / ".hidden").write_text("x", encoding="utf-8")
    out = docs(folder)
    assert [d.id for d in out] == ["a", "b", "c"]
    assert out[0].text == "أ " + ARTICLE
    assert out[0].source == str(folder / "a.txt")
    assert all(d.quarantine is None for d in out)


def test_text_is_kept_exactly_as_read(tmp_path: Path) -> None:
    raw = "عنوان\r\n\r\n\u200bنص  &amp; المزيد\n"
    (tmp_path / "a.txt").write_bytes(raw.encode())
    assert docs(tmp_path / "a.txt")[0].text == raw


def test_gzip_by_magic_bytes_not_suffix(tmp_path: Path) -> None:
    line = json.dumps({"id": "x1", "text": ARTICLE}, ensure_ascii=False)
    path = tmp_path / "feed.data"  # no .gz, no .jsonl: both found from the content
    path.write_bytes(gzip.compress((line + "\n").encode()))
    out = docs(path)
    assert [(d.id, d.text) for d in out] == [("x1", ARTICLE)]


def test_text_gz_stem(tmp_path: Path) -> None:
    (tmp_path / "story.txt.gz").write_bytes(gzip.compress(ARTICLE.encode()))
    out = docs(tmp_path / "story.txt.gz")
    assert out[0].id == "story" and out[0].text == ARTICLE


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (json.dumps({"id": "s1", "text": ARTICLE}, ensure_ascii=False) + "\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    out = list(read(["-"]))
    assert [(d.id, d.text, d.source, d.line) for d in out] == [("s1", ARTICLE, "<stdin>", 1)]


def test_stdin_forced_format(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"not": "jsonl"}')))
    out = list(read(["-"], fmt="text"))
    assert out[0].text == '{"not": "jsonl"}' and out[0].id == "stdin"


def test_missing_file_is_quarantined(tmp_path: Path) -> None:
    out = docs(tmp_path / "nope.txt")
    assert out[0].quarantine.startswith("cannot open")


def test_unknown_format_option_is_an_error() -> None:
    with pytest.raises(ValueError):
        list(read(["x"], fmt="pdf"))


# -- JSONL -----------------------------------------------------------------------------------------
def test_jsonl_fields_dates_and_line_numbers(tmp_path: Path) -> None:
    rows = [
        {
            "id": 7,
            "text": ARTICLE,
            "title": "ت",
            "published": "2015-07-21",
            "url": "http://www.x.com/a",
            "outlet": "x",
        },
        {
            "maintext": ARTICLE,
            "date_publish": "2017-01-24 15:14:00",
            "source_domain": "y.com",
            "url": "http://y.com/b",
        },
        {"text": ARTICLE, "published": "Wed, 02 Oct 2002 13:00:00 GMT", "url": "https://www.z.org/c"},
    ]
    path = tmp_path / "all.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n", encoding="utf-8")
    a, b, c = docs(path)
    assert (a.id, a.title, a.published, a.url, a.outlet, a.line) == (
        "7",
        "ت",
        date(2015, 7, 21),
        "http://www.x.com/a",
        "x",
        1,
    )
    assert (b.id, b.text, b.published, b.outlet) == ("all:2", ARTICLE, date(2017, 1, 24), "y.com")
    assert (c.published, c.outlet, c.line) == (date(2002, 10, 2), "z.org", 3)


def test_jsonl_field_mapping(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps({"body": ARTICLE, "meta": {"when": "2020-02-03"}}) + "\n", encoding="utf-8")
    (d,) = docs(path, fields={"text": "body", "published": "meta.when"})
    assert d.text == ARTICLE and d.published == date(2020, 2, 3)


def test_jsonl_bad_lines_are_quarantined_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    lines = [
        json.dumps({"id": "ok", "text": ARTICLE}).encode(),
        b'{"id": "broken", "text": "x"',
        b'{"id": "bytes", "text": "\xff\xfe"}',
        b'{"id": "notext", "title": "t"}',
        b"[1, 2]",
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    ok, broken, undecodable, notext, array = docs(path)
    assert ok.quarantine is None
    assert broken.quarantine.startswith("malformed JSON at bad.jsonl:2: ")
    assert broken.id == "bad:2" and broken.text == '{"id": "broken", "text": "x"' and broken.line == 2
    assert undecodable.quarantine.startswith("undecodable bytes at bad.jsonl:3")
    assert "\ufffd" in undecodable.text
    assert notext.quarantine.startswith("missing text at bad.jsonl:4") and notext.id == "notext"
    assert array.quarantine == "JSON line is not an object at bad.jsonl:5"


@pytest.mark.parametrize("end", [b"\r", b"\r\n", b"\n"])
def test_jsonl_line_ends_of_every_system(tmp_path: Path, end: bytes) -> None:
    """Classic Mac OS ends lines with a lone carriage return: its file was one malformed line."""
    path = tmp_path / "ends.jsonl.gz"
    lines = [json.dumps({"id": f"e{i}", "text": ARTICLE}).encode() for i in range(3)]
    path.write_bytes(gzip.compress(end.join(lines[:2]) + end + b"{broken" + end + lines[2] + end))
    out = docs(path)
    assert [(d.id, d.line) for d in out] == [("e0", 1), ("e1", 2), ("ends:3", 3), ("e2", 4)]
    assert [d.quarantine is None for d in out] == [True, True, False, True]
    assert out[2].quarantine.startswith("malformed JSON at ends.jsonl.gz:3") and out[2].text == "{broken"


def test_oversize_line_is_skipped_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    big = json.dumps({"id": "big", "text": "ا" * 5000})
    path.write_text(big + "\n" + json.dumps({"id": "next", "text": ARTICLE}) + "\n", encoding="utf-8")
    big_doc, nxt = docs(path, max_bytes=1000)
    assert big_doc.quarantine.startswith("oversize record at big.jsonl:1:")
    assert (nxt.id, nxt.line, nxt.quarantine) == ("next", 2, None)


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    data = "".join(json.dumps({"id": f"n{i}", "text": ARTICLE}) + "\n" for i in range(200)).encode()
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(gzip.compress(data)[:-40])
    out = docs(path)
    # Every whole line before the cut is read; the torn one is kept with its own line number.
    assert out[-1].quarantine.startswith(f"truncated input at cut.jsonl.gz:{len(out)}: ")
    assert out[-1].line == len(out) and out[-1].text and out[-1].text in data.decode()
    assert len(out) > 150 and all(d.quarantine is None for d in out[:-1])


def _lines(n: int, start: int = 0) -> bytes:
    return "".join(
        json.dumps({"id": f"n{i}", "text": ARTICLE}) + "\n" for i in range(start, start + n)
    ).encode()


@pytest.mark.parametrize("damage", [-8, -1])  # a byte of the CRC32, of the length
def test_a_gzip_checksum_mismatch_keeps_every_record_and_says_so(tmp_path: Path, damage: int) -> None:
    """zlib raised on the trailer and dropped the output of its last call: the last records."""
    first = bytearray(gzip.compress(_lines(300)))
    first[damage] ^= 0xFF
    path = tmp_path / "sum.jsonl.gz"
    path.write_bytes(bytes(first) + gzip.compress(_lines(5, 300)))
    out = docs(path)
    assert [d.id for d in out[:-1]] == [f"n{i}" for i in range(305)]
    assert all(d.quarantine is None for d in out[:-1])
    assert out[-1].quarantine.startswith(
        f"checksum mismatch at sum.jsonl.gz: gzip member 1 (to byte {len(first)}): "
    )
    assert out[-1].line is None and out[-1].text == ""


def test_corrupt_gzip_data_keeps_every_line_before_it(tmp_path: Path) -> None:
    """A deflate error lost the output of the whole call that met it (up to a megabyte)."""
    data = _lines(400)
    packed = bytearray(gzip.compress(data, compresslevel=0))  # stored blocks, LEN then ~LEN
    length = int.from_bytes(packed[11:13], "little")  # the first block's, after the 10-byte header
    packed[10 + 5 + length + 3] ^= 0xFF  # the second block's ~LEN no longer matches its LEN
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(bytes(packed))
    *whole, torn = docs(path)
    assert len(whole) == data[:length].count(b"\n") and all(d.quarantine is None for d in whole)
    assert torn.quarantine.startswith(
        f"truncated input at bad.jsonl.gz:{len(whole) + 1}: the gzip data is corrupt at byte "
    )
    assert torn.text == data[data.rindex(b"\n", 0, length) + 1 : length].decode()


def test_gzip_header_fields_are_skipped(tmp_path: Path) -> None:
    """A header may carry an extra field, a file name, a comment and its own CRC (RFC 1952)."""
    body = gzip.compress(_lines(3))[10:]
    header = b"\x1f\x8b\x08\x1e" + bytes(6) + b"\x04\x00abcd" + b"news.jsonl\x00" + b"a comment\x00"
    path = tmp_path / "fields.jsonl.gz"
    path.write_bytes(header + (zlib.crc32(header) & 0xFFFF).to_bytes(2, "little") + body)
    assert [(d.id, d.quarantine) for d in docs(path)] == [(f"n{i}", None) for i in range(3)]


# -- HTML, RSS, Atom, WARC -------------------------------------------------------------------------
PAGE = f"""<!DOCTYPE html><html><head><title>قصف على ريف إدلب - موقع</title>
<meta property="article:published_time" content="2024-03-05T10:00:00Z"></head>
<body><nav><a href="/">الرئيسية</a> <a href="/a">أخبار</a></nav>
<article><h1>قصف على ريف إدلب</h1><p>{ARTICLE}</p><p>{ARTICLE} وأضاف المرصد أن الغارات تواصلت حتى المساء.</p></article>
<footer>جميع الحقوق محفوظة</footer></body></html>"""


def test_html_main_text_title_and_date(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    (d,) = docs(path)
    assert d.quarantine is None and d.id == "page"
    assert ARTICLE in d.text and "جميع الحقوق" not in d.text
    assert d.title == "قصف على ريف إدلب" and d.published == date(2024, 3, 5)


RSS = f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>
<link>https://news.example.org/</link>
<item><title>خبر أول</title><link>https://news.example.org/1</link><guid>g1</guid>
<pubDate>Tue, 10 Jun 2014 09:30:00 +0300</pubDate><description>&lt;p&gt;{ARTICLE}&lt;/p&gt;&lt;p&gt;فقرة&lt;/p&gt;</description></item>
<item><title>خبر ثان</title><link>https://news.example.org/2</link></item>
</channel></rss>"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>عنوان</title><id>urn:a1</id><link href="https://www.atom.example/1"/>
<updated>2019-12-01T08:00:00Z</updated><content type="html">&lt;p&gt;{ARTICLE}&lt;/p&gt;</content></entry></feed>"""


def test_rss_entries_become_documents(tmp_path: Path) -> None:
    path = tmp_path / "news.rss"
    path.write_text(RSS, encoding="utf-8")
    first, second = docs(path)
    assert (first.id, first.title, first.line, first.url) == (
        "g1",
        "خبر أول",
        1,
        "https://news.example.org/1",
    )
    assert first.published == date(2014, 6, 10) and first.outlet == "news.example.org"
    assert first.text == ARTICLE + "\n\nفقرة" and first.quarantine is None
    assert second.quarantine == "missing text in feed entry at news.rss:2" and second.line == 2


def test_atom_sniffed_from_content(tmp_path: Path) -> None:
    path = tmp_path / "feed"  # no extension
    path.write_text(ATOM, encoding="utf-8")
    (d,) = docs(path)
    assert (d.id, d.title, d.published, d.outlet, d.text) == (
        "urn:a1",
        "عنوان",
        date(2019, 12, 1),
        "atom.example",
        ARTICLE,
    )


def test_warc_html_responses_become_documents(tmp_path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for uri, ctype, body in [
            ("https://www.site.example/news/1", "text/html; charset=utf-8", PAGE.encode()),
            ("https://www.site.example/logo.png", "image/png", b"\x89PNG...."),
        ]:
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=headers)
            )
    out = docs(path)
    assert len(out) == 1
    (d,) = out
    assert d.url == "https://www.site.example/news/1" and d.outlet == "site.example"
    assert d.line == 1 and d.id == "crawl:1" and d.source == str(path)
    assert ARTICLE in d.text and d.published == date(2024, 3, 5)


def _crawl(n: int) -> tuple[bytes, list[int]]:
    """An uncompressed WARC of ``n`` article pages, and where each record starts."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf, starts = io.BytesIO(), []
    writer = WARCWriter(buf, gzip=False)
    for i in range(n):
        starts.append(buf.tell())
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        page = PAGE.replace("قصف على ريف إدلب", f"قصف رقم {i}").encode()
        writer.write_record(
            writer.create_warc_record(
                f"https://site.example/{i}", "response", payload=io.BytesIO(page), http_headers=headers
            )
        )
    return buf.getvalue(), starts


def test_a_warc_cut_anywhere_in_its_last_record_names_it(tmp_path: Path) -> None:
    """Cut in the headers, warcio ends without the record: that was lost silently."""
    data, (_, last) = _crawl(2)
    path = tmp_path / "cut.warc"
    for end in [*range(last + 1, last + 420, 3), *range(last + 420, len(data) - 4, 97)]:
        path.write_bytes(data[:end])
        first, cut = docs(path)
        assert first.quarantine is None and first.url == "https://site.example/0", end
        assert cut.line == 2 and cut.quarantine.startswith(
            ("truncated record at cut.warc:2: ", "unreadable warc at cut.warc:2: ")
        ), end
    path.write_bytes(data[: last + 150])
    assert (
        docs(path)[1].quarantine
        == f"truncated record at cut.warc:2: the input ends inside its headers, at byte {last}"
    )
    path.write_bytes(data)
    assert [d.quarantine for d in docs(path)] == [None, None]


def test_a_warc_gz_cut_between_two_records_says_so(tmp_path: Path) -> None:
    data, (_, last) = _crawl(2)
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(gzip.compress(data[:last]) + gzip.compress(data[last:])[:6])  # a member's header begun
    first, cut = docs(path)
    assert first.quarantine is None
    assert cut.line == 2 and cut.quarantine.startswith("truncated input at cut.warc.gz:2: ")


def test_a_warc_that_is_no_warc_is_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "saved.warc"
    path.write_text("<html><body>404: the crawler saved an error page</body></html>", encoding="utf-8")
    (d,) = docs(path)
    assert d.quarantine == "unreadable warc at saved.warc: it does not start with a WARC (or ARC) header"
    assert d.text == path.read_text(encoding="utf-8")


def test_sniff() -> None:
    assert sniff("x.jsonl.gz", b"") == "jsonl"
    assert sniff("x", b"WARC/1.0\r\n") == "warc"
    assert sniff("x", b'  {"a": 1}') == "jsonl"
    assert sniff("x", b"<?xml version='1.0'?><rss>") == "feed"
    assert sniff("x", b"<!DOCTYPE html><html>") == "html"
    assert sniff("x", "نص".encode()) == "text"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015-07-21", date(2015, 7, 21)),
        ("2015-07-21T23:59:00+03:00", date(2015, 7, 21)),
        ("2017-01-24 15:14:00", date(2017, 1, 24)),
        ("Wed, 02 Oct 2002 13:00:00 GMT", date(2002, 10, 2)),
        ("2015-13-40", None),
        ("yesterday", None),
        (None, None),
        (12345, None),
        ("٢٠١٥-٠٧-٢١", date(2015, 7, 21)),  # Arabic-Indic digits, Gregorian year
        # Placeholders and Hijri years are no publication dates (year 1 crashed the run).
        ("0001-01-01", None),
        ("9999-12-31T00:00:00Z", None),
        ("١٤٣٦-١٠-٠٥", None),
        ("1436-10-05", None),
        (date(1, 1, 2), None),
        (datetime(9998, 5, 4, 3, 2), None),
        (date(1900, 1, 1), date(1900, 1, 1)),
        # email.utils reads a year below 100 as two digits: "0001" is year 1, not 2001
        ("Mon, 01 Jan 0001 00:00:00 GMT", None),
        ("Tue, 21 Jul 0015 10:00:00 +0300", None),
        ("21 Jul 15 10:00:00 +0300", date(2015, 7, 21)),  # two digits, as RFC 2822 allows
        ("Tue, 21 Jul 2015 10:00:00 +0300", date(2015, 7, 21)),
    ],
)
def test_parse_date(value, expected) -> None:
    assert parse_date(value) == expected


def test_an_implausible_published_date_is_kept_raw(tmp_path: Path) -> None:
    path = tmp_path / "dates.jsonl"
    rows = [
        {"id": f"d{i}", "text": ARTICLE, "published": p} for i, p in enumerate(["0001-01-01", "١٤٣٦-١٠-٠٥"])
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = docs(path)
    assert [(d.published, d.meta.get("published_raw"), d.quarantine) for d in out] == [
        (None, "0001-01-01", None),
        (None, "١٤٣٦-١٠-٠٥", None),
    ]


# -- shared raw sample ----------------------------------------------------------------------------
def test_shared_raw_sample(shared: Path) -> None:
    path = shared / "corpus" / "raw" / "000_c05be448c3f228f0.txt"
    (d,) = docs(path)
    assert d.id == "000_c05be448c3f228f0" and d.text == path.read_text(encoding="utf-8")


# -- properties: no reader raises ------------------------------------------------------------------
_SUFFIXES = ["", ".txt", ".jsonl", ".html", ".rss", ".warc", ".gz", ".jsonl.gz"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600), suffix=st.sampled_from(_SUFFIXES), gz=st.booleans())
def test_no_reader_raises_on_arbitrary_bytes(tmp_path: Path, data: bytes, suffix: str, gz: bool) -> None:
    path = tmp_path / f"f{suffix}"
    path.write_bytes(gzip.compress(data) if gz else data)
    for d in docs(path):
        assert isinstance(d.text, str)
        assert d.quarantine is None or path.name in d.quarantine or d.quarantine.startswith("no main text")


_LINE = st.one_of(
    st.text(max_size=80),
    st.builds(
        json.dumps, st.dictionaries(st.sampled_from(["id", "text", "title", "published", "url"]), st.text())
    ),
    st.builds(
        json.dumps, st.recursive(st.none() | st.integers() | st.text(), lambda c: st.lists(c, max_size=3))
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_LINE, max_size=6), junk=st.binary(max_size=20))
def test_no_jsonl_line_raises(tmp_path: Path, lines: list[str], junk: bytes) -> None:
    path = tmp_path / "p.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + b"\n" + junk)
    out = docs(path)
    for d in out:
        assert d.line is not None and d.line >= 1
        if d.quarantine:
            assert f"p.jsonl:{d.line}" in d.quarantine
