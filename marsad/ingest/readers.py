"""Readers: turn files, folders and standard input into a stream of :class:`Document`.

Everything is streamed: one record is in memory at a time, whatever the size of the input, and a
record larger than ``max_bytes`` is skipped in bounded chunks rather than read whole. Bad input
never raises; it becomes a quarantined document that names the file, the line and the reason, and
keeps what was read, so that a run over millions of scraped articles is never stopped (or silently
thinned) by one broken record.
"""

from __future__ import annotations

import email.utils
import gzip
import html
import io
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from marsad.document import Document

FORMATS = ("text", "jsonl", "html", "feed", "warc")

# Our field name -> the names other producers use for it, first match wins.
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "text": ("text", "maintext"),
    "title": ("title",),
    "published": ("published", "date_publish"),
    "url": ("url",),
    "outlet": ("outlet", "source_domain"),
}

MAX_BYTES = 4 * 1024 * 1024  # one record; 1,000,000 Arabic characters are about 2 MB of UTF-8
KEEP_OF_OVERSIZE = 64 * 1024  # what an oversize record keeps: enough to see what it was
_SNIFF = 4096

_EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
    ".warc": "warc",
    ".arc": "warc",
}
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]", re.I)
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html|head|body|article|p|div)[\s>]", re.I)
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


# -- dates ---------------------------------------------------------------------------------------
def parse_date(value: Any) -> date | None:
    """The calendar date of an ISO 8601 or RFC 2822 timestamp (time and zone dropped), else None.

    Only the date is kept because sources disagree on zones and the coding unit is the day."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    s = value.strip()
    m = _ISO_DATE.match(s)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    try:
        return email.utils.parsedate_to_datetime(s).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


# -- streams -------------------------------------------------------------------------------------
class _Prefixed(io.RawIOBase):
    """A stream that replays bytes already read for sniffing, then continues with the rest.

    Needed because standard input and gzip streams cannot seek back."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        if self._head:
            n = min(len(buf), len(self._head))
            buf[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buf))
        buf[: len(data)] = data
        return len(data)


def _sniffable(raw: BinaryIO) -> tuple[bytes, BinaryIO]:
    """Decompress gzip when the magic bytes say so; return the first bytes and the whole stream."""
    head = raw.read(_SNIFF)
    stream: BinaryIO = io.BufferedReader(_Prefixed(head, raw), 1 << 16)
    if head[:2] == b"\x1f\x8b":
        gz: BinaryIO = gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[assignment]
        head = gz.read(_SNIFF)
        stream = io.BufferedReader(_Prefixed(head, gz), 1 << 16)
    return head, stream


def sniff(name: str, head: bytes) -> str:
    """Format from the file extension (a trailing .gz ignored), else from the first bytes."""
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    ext = os.path.splitext(lower)[1]
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if body.startswith(b"WARC/"):
        return "warc"
    if body.startswith(b"{"):
        return "jsonl"
    if body.startswith(b"<"):
        if _FEED_ROOT.search(body):
            return "feed"
        if _HTML_ROOT.search(body):
            return "html"
    return "text"


def _stem(name: str) -> str:
    base = os.path.basename(name)
    if base.lower().endswith(".gz"):
        base = base[:-3]
    stem = os.path.splitext(base)[0]
    return stem or base or "stdin"


def _outlet_of(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def _decode(data: bytes) -> tuple[str, str | None]:
    """Strict UTF-8, or the text with replacement characters and the reason it failed."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return data.decode("utf-8", errors="replace"), f"{exc.reason} at byte {exc.start}"


def _drain(stream: BinaryIO, line_mode: bool) -> int:
    """Skip the rest of an oversize record in bounded chunks; return the bytes skipped."""
    skipped = 0
    while True:
        chunk = stream.readline(1 << 20) if line_mode else stream.read(1 << 20)
        if not chunk:
            return skipped
        skipped += len(chunk)
        if line_mode and chunk.endswith(b"\n"):
            return skipped


# -- the reader ----------------------------------------------------------------------------------
@dataclass
class _Where:
    """Where a reader is, for the message of an error that escapes it."""

    name: str
    source: str
    stem: str
    line: int = 0


def read(
    inputs: list[str],
    fields: dict[str, str] | None = None,
    fmt: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Iterator[Document]:
    """Documents from files, folders (walked in sorted order) and ``-`` (standard input).

    ``fields`` maps our field names (id, text, title, published, url, outlet) to a JSONL
    producer's own names; ``fmt`` forces one of :data:`FORMATS` instead of detection."""
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"unknown input format {fmt!r}; expected one of {', '.join(FORMATS)}")
    for item in inputs:
        if item == "-":
            yield from _read_stream(
                sys.stdin.buffer, _Where("<stdin>", "<stdin>", "stdin"), fields, fmt, max_bytes
            )
        elif os.path.isdir(item):
            for path in _walk(item):
                yield from _read_path(path, fields, fmt, max_bytes)
        else:
            yield from _read_path(item, fields, fmt, max_bytes)


def _walk(folder: str) -> Iterator[str]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            if not f.startswith("."):
                yield os.path.join(root, f)


def _read_path(
    path: str, fields: dict[str, str] | None, fmt: str | None, max_bytes: int
) -> Iterator[Document]:
    where = _Where(os.path.basename(path) or path, path, _stem(path))
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below, after the generator is exhausted
    except OSError as exc:
        yield Document(
            id=where.stem, text="", source=path, quarantine=f"cannot open {path}: {exc.strerror or exc}"
        )
        return
    with raw:
        yield from _read_stream(raw, where, fields, fmt, max_bytes)


def _read_stream(
    raw: BinaryIO, where: _Where, fields: dict[str, str] | None, fmt: str | None, max_bytes: int
) -> Iterator[Document]:
    """One input, whatever its format; an error that escapes a format reader is quarantined."""
    kind = fmt or "input"
    try:
        head, stream = _sniffable(raw)
        kind = fmt or sniff(where.name, head)
        if kind == "jsonl":
            yield from _read_jsonl(stream, where, fields, max_bytes)
        elif kind == "html":
            yield from _read_html_file(stream, where, max_bytes)
        elif kind == "feed":
            yield from _read_feed(stream, where, max_bytes)
        elif kind == "warc":
            yield from _read_warc(stream, where, max_bytes)
        else:
            yield from _read_text(stream, where, max_bytes)
    except Exception as exc:  # noqa: BLE001 - any failure of a third-party parser becomes a quarantine
        at = f"{where.name}:{where.line}" if where.line else where.name
        yield Document(
            id=f"{where.stem}:{where.line}" if where.line else where.stem,
            text="",
            source=where.source,
            line=where.line or None,
            quarantine=f"unreadable {kind} at {at}: {type(exc).__name__}: {exc}",
        )


def _oversize(where: _Where, head: bytes, total: int, max_bytes: int, line: int | None) -> Document:
    at = f"{where.name}:{line}" if line else where.name
    text, _ = _decode(head[:KEEP_OF_OVERSIZE])
    return Document(
        id=f"{where.stem}:{line}" if line else where.stem,
        text=text,
        source=where.source,
        line=line,
        quarantine=f"oversize record at {at}: {total} bytes > {max_bytes} (first {KEEP_OF_OVERSIZE} kept)",
    )


def _read_text(stream: BinaryIO, where: _Where, max_bytes: int) -> Iterator[Document]:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        yield _oversize(where, data, len(data) + _drain(stream, False), max_bytes, None)
        return
    text, error = _decode(data)
    doc = Document(id=where.stem, text=text, source=where.source)
    doc.meta["format"] = "text"
    if error:
        doc.reject(f"undecodable bytes at {where.name}: {error}")
    yield doc


def _read_jsonl(
    stream: BinaryIO, where: _Where, fields: dict[str, str] | None, max_bytes: int
) -> Iterator[Document]:
    names = dict(DEFAULT_FIELDS)
    for ours, theirs in (fields or {}).items():
        names[ours] = (theirs,)
    while True:
        raw = stream.readline(max_bytes + 1)
        if not raw:
            return
        where.line += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            yield _oversize(where, raw, len(raw) + _drain(stream, True), max_bytes, where.line)
            continue
        if raw.strip():
            yield _jsonl_doc(raw, where, names)


def _field(record: dict[str, Any], candidates: tuple[str, ...]) -> Any:
    for name in candidates:
        value: Any = record
        for part in name.split("."):  # dotted names reach into nested objects
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            return value
    return None


def _jsonl_doc(raw: bytes, where: _Where, names: dict[str, tuple[str, ...]]) -> Document:
    line = where.line
    at = f"{where.name}:{line}"

    def rejected(text: str, reason: str) -> Document:
        return Document(
            id=f"{where.stem}:{line}", text=text, source=where.source, line=line, quarantine=reason
        )

    text, error = _decode(raw.rstrip(b"\r\n"))
    if error:
        return rejected(text, f"undecodable bytes at {at}: {error}")
    try:
        record = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        return rejected(text, f"malformed JSON at {at}: {exc}")
    if not isinstance(record, dict):
        return rejected(text, f"JSON line is not an object at {at}")
    ident = _field(record, names["id"])
    url = _field(record, names["url"])
    url = url if isinstance(url, str) and url else None
    outlet = _field(record, names["outlet"])
    title = _field(record, names["title"])
    published_raw = _field(record, names["published"])
    body = _field(record, names["text"])
    doc = Document(
        id=str(ident) if ident not in (None, "") else f"{where.stem}:{line}",
        text=body if isinstance(body, str) else text,
        source=where.source,
        line=line,
        url=url,
        outlet=str(outlet) if outlet else _outlet_of(url),
        title=str(title) if title else None,
        published=parse_date(published_raw),
    )
    doc.meta["format"] = "jsonl"
    if published_raw is not None and doc.published is None:
        doc.meta["published_raw"] = str(published_raw)
    if not isinstance(body, str):
        doc.reject(f"missing text at {at}: no string field {' or '.join(names['text'])}")
    return doc


# -- HTML, feeds, WARC ---------------------------------------------------------------------------
def _html_doc(data: bytes, where: _Where, doc_id: str, line: int | None, url: str | None) -> Document:
    """Main text, title and date of a page through trafilatura (imported here: it is slow to load)."""
    import trafilatura

    at = f"{where.name}:{line}" if line else where.name
    result = trafilatura.bare_extraction(data, url=url, with_metadata=True, include_comments=False)
    text = getattr(result, "text", None) if result is not None else None
    if not text:
        page, _ = _decode(data)
        doc = Document(id=doc_id, text=page, source=where.source, line=line, url=url, outlet=_outlet_of(url))
        return doc.reject(f"no main text in HTML at {at}")
    page_url = url or getattr(result, "url", None)
    doc = Document(
        id=doc_id,
        text=text,
        source=where.source,
        line=line,
        url=page_url,
        outlet=_outlet_of(page_url) or getattr(result, "hostname", None),
        title=getattr(result, "title", None),
        published=parse_date(getattr(result, "date", None)),
    )
    doc.meta["format"] = "html"
    return doc


def _read_html_file(stream: BinaryIO, where: _Where, max_bytes: int) -> Iterator[Document]:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        yield _oversize(where, data, len(data) + _drain(stream, False), max_bytes, None)
        return
    yield _html_doc(data, where, where.stem, None, None)


_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote|tr)>")
_TAG = re.compile(r"<[^>]*>")


def _strip_markup(fragment: str) -> str:
    """Plain text of a feed entry's HTML. feedparser has already sanitised it (no scripts), so a
    tag-stripping pass is enough and much cheaper than a full extraction."""
    if "<" not in fragment:
        return html.unescape(fragment)
    return html.unescape(_TAG.sub("", _BLOCK_END.sub("\n\n", fragment))).strip()


def _read_feed(stream: BinaryIO, where: _Where, max_bytes: int) -> Iterator[Document]:
    import feedparser

    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        yield _oversize(where, data, len(data) + _drain(stream, False), max_bytes, None)
        return
    feed = feedparser.parse(data)
    if not feed.entries:
        reason = f": {feed.get('bozo_exception')}" if feed.get("bozo") else ""
        text, _ = _decode(data)
        yield Document(
            id=where.stem,
            text=text,
            source=where.source,
            quarantine=f"no entries in feed {where.name}{reason}",
        )
        return
    feed_link = feed.feed.get("link")
    for entry in feed.entries:
        where.line += 1
        n = where.line
        content = entry.get("content") or []
        body = content[0].get("value") if content else entry.get("summary")
        url = entry.get("link") or None
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = date(*stamp[:3]) if stamp else parse_date(entry.get("published") or entry.get("updated"))
        doc = Document(
            id=str(entry.get("id") or url or f"{where.stem}:{n}"),
            text=_strip_markup(body) if isinstance(body, str) else "",
            source=where.source,
            line=n,
            url=url,
            outlet=_outlet_of(url or feed_link),
            title=entry.get("title") or None,
            published=published,
        )
        doc.meta["format"] = "feed"
        if not isinstance(body, str):
            doc.reject(f"missing text in feed entry at {where.name}:{n}")
        yield doc


def _read_warc(stream: BinaryIO, where: _Where, max_bytes: int) -> Iterator[Document]:
    from warcio.archiveiterator import ArchiveIterator

    for record in ArchiveIterator(stream, arc2warc=True):
        where.line += 1
        n = where.line
        if record.rec_type != "response" or record.http_headers is None:
            continue
        status = record.http_headers.get_statuscode() or ""
        ctype = (record.http_headers.get_header("Content-Type") or "").lower()
        if not status.startswith("2") or "html" not in ctype:
            continue  # redirects, errors, images and scripts are not articles
        url = record.rec_headers.get_header("WARC-Target-URI")
        content = record.content_stream()
        body = content.read(max_bytes + 1)
        if len(body) > max_bytes:
            yield _oversize(where, body, len(body) + _drain(content, False), max_bytes, n)
            continue
        yield _html_doc(body, where, f"{where.stem}:{n}", n, url)
