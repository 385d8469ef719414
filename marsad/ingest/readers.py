"""Readers: turn files, folders and standard input into a stream of :class:`Document`.

Everything is streamed: one record is in memory at a time, whatever the size of the input, and a
record larger than ``max_bytes`` is skipped in bounded chunks rather than read whole. Bad input
never raises; it becomes a quarantined document that names the file, the line and the reason, and
keeps what was read, so that a run over millions of scraped articles is never stopped (or silently
thinned) by one broken record.
"""

from __future__ import annotations

import email.utils
import html
import io
import json
import os
import re
import sys
import zlib
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
    "byline": ("author", "byline"),
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
# The year of an RFC 2822 date, after its month name; email.utils reads a year below 100 as a
# two-digit one, so "0001" would become 2001 and "0015" 2015.
_RFC_YEAR = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d+)\b", re.I)


# -- dates ---------------------------------------------------------------------------------------
EARLIEST_YEAR = 1900  # no article we read is older: a year before it is a placeholder or a Hijri year


def plausible_date(day: date) -> date | None:
    """The day when an article can have been published on it, else None.

    A placeholder such as 0001-01-01 or 9999-12-31, or a Hijri year read as AD (1436), is no
    publication date: a relative date reckoned from it would be wrong, or out of range."""
    return day if EARLIEST_YEAR <= day.year <= date.today().year + 1 else None


def parse_date(value: Any) -> date | None:
    """The calendar date of an ISO 8601 or RFC 2822 timestamp (time and zone dropped), else None;
    a date no article can have (:func:`plausible_date`) is None too.

    Only the date is kept because sources disagree on zones and the coding unit is the day."""
    if isinstance(value, datetime):
        return plausible_date(value.date())
    if isinstance(value, date):
        return plausible_date(value)
    if not isinstance(value, str):
        return None
    s = value.strip()
    m = _ISO_DATE.match(s)
    if m:
        try:
            return plausible_date(date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            return None
    try:
        day = email.utils.parsedate_to_datetime(s).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    year = _RFC_YEAR.search(s)
    if year and len(year[1]) > 2 and int(year[1]) != day.year:
        return None  # a year written with 3 or more digits is that year, not a two-digit one
    return plausible_date(day)


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


_CUT = "the gzip stream ends before its end marker"


class _Gunzip(io.RawIOBase):
    """Gzip members one after another, decompressed as far as the bytes go.

    Unlike ``gzip.GzipFile``, a stream cut short does not raise and lose what a buffered read
    had already decompressed: it ends, every whole line and record before the cut is read, and
    ``cut`` says why it ended early (the reader then quarantines the torn last record). Headers
    and trailers are read here and the data inflated raw, because zlib checks a member's CRC in
    the call that inflates its last bytes and, on a mismatch, raises and drops that call's output:
    here the check comes after the output was handed on, and a member whose CRC or length does
    not match is named in ``mismatches`` (the reader quarantines a row for each). Corrupt data
    ends the stream after the last byte that inflated."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._in = b""  # compressed bytes read and not yet used
        self._at = 0  # the offset of ``_in`` in the input
        self._z: Any = None  # the current member's inflater; None between members
        self._crc = self._size = 0  # of the current member's output so far
        self._members = 0
        self._out = b""
        self._eof = False
        self.cut: str | None = None
        self.mismatches: list[str] = []

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        while not self._out and not self._eof:
            if self._z is None:
                self._begin()
            else:
                self._inflate()
        n = min(len(buf), len(self._out))
        buf[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def _more(self, n: int) -> bool:
        """At least ``n`` compressed bytes in hand, unless the input ends first."""
        while len(self._in) < n:
            data = self._raw.read(1 << 16)
            if not data:
                return False
            self._in += data
        return True

    def _take(self, n: int) -> None:
        self._in, self._at = self._in[n:], self._at + n

    def _stop(self, why: str) -> None:
        self.cut, self._eof = why, True

    def _begin(self) -> None:
        """Read past the next member's header. The stream ends at the end of the input, or at
        bytes after a whole member that start no member (padding, junk: gzip(1) ignores them)."""
        self._more(4)
        if not self._in:
            self._eof = True
            return
        if not b"\x1f\x8b\x08".startswith(self._in[:3]) or len(self._in) > 3 and self._in[3] & 0xE0:
            if not self._members:
                raise zlib.error("no gzip member: unknown compression method or flags")
            self._eof = True
            return
        try:
            self._take(self._header_length())
        except EOFError:
            self._stop(_CUT)
            return
        self._z, self._crc, self._size = zlib.decompressobj(-zlib.MAX_WBITS), 0, 0

    def _header_length(self) -> int:
        """The length of the member header that starts ``_in`` (RFC 1952); EOFError if the input
        ends inside it."""

        def need(n: int) -> None:
            if not self._more(n):
                raise EOFError

        need(10)
        flags, pos = self._in[3], 10
        if flags & 4:  # an extra field
            need(pos + 2)
            pos += 2 + int.from_bytes(self._in[pos : pos + 2], "little")
        for flag in (8, 16):  # a file name, a comment: zero-terminated
            if flags & flag:
                while (end := self._in.find(b"\0", pos)) < 0:
                    need(len(self._in) + 1)
                pos = end + 1
        if flags & 2:  # a header CRC
            pos += 2
        need(pos)
        return pos

    def _inflate(self) -> None:
        """Inflate what is in hand (at most a megabyte of output at a time)."""
        if not self._more(1):
            self._stop(_CUT)
            return
        z, data = self._z, self._in
        before = z.copy()  # to inflate again up to the byte where this call fails
        try:
            out = z.decompress(data, 1 << 20)
        except zlib.error as exc:
            out, good = _inflate_until_error(before, data)
            self._take(good)
            self._stop(f"the gzip data is corrupt at byte {self._at} ({exc})")
        else:
            self._take(len(data) - len(z.unconsumed_tail or z.unused_data))
        self._crc, self._size = zlib.crc32(out, self._crc), self._size + len(out)
        self._out = out
        if not self._eof and z.eof:
            self._end_member()

    def _end_member(self) -> None:
        """Compare the member's trailer with what it gave; the output is handed on either way."""
        self._z = None
        if not self._more(8):
            self._stop(_CUT)
            return
        crc, size = int.from_bytes(self._in[:4], "little"), int.from_bytes(self._in[4:8], "little")
        self._take(8)
        self._members += 1
        if (crc, size) != (self._crc, self._size & 0xFFFFFFFF):
            self.mismatches.append(
                f"gzip member {self._members} (to byte {self._at}): its trailer says CRC32 {crc:08x} of {size}"
                f" bytes, its data is {self._crc:08x} of {self._size & 0xFFFFFFFF}; each record in it was read as it is"
            )


def _inflate_until_error(z: Any, data: bytes) -> tuple[bytes, int]:
    """What ``z`` inflates of ``data`` fed a byte at a time, up to the byte it fails on, and
    how many bytes that took: all that corrupt data still gives."""
    out = []
    for i in range(len(data)):
        try:
            out.append(z.decompress(data[i : i + 1]))
        except zlib.error:
            return b"".join(out), i
    return b"".join(out), len(data)


class _Utf16(io.RawIOBase):
    """UTF-16 text (Windows Notepad's "Unicode") re-encoded as UTF-8 for the readers."""

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        import codecs

        self._raw = raw
        self._dec = codecs.getincrementaldecoder(encoding)("replace")
        self._out = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        while not self._out:
            data = self._raw.read(1 << 16)
            self._out = self._dec.decode(data, final=not data).encode("utf-8", "surrogatepass")
            if not data:
                break
        n = min(len(buf), len(self._out))
        buf[:n] = self._out[:n]
        self._out = self._out[n:]
        return n


class _LoneCr(io.RawIOBase):
    """Text whose line ends are lone carriage returns (classic Mac OS) with line feeds instead,
    so that ``readline`` splits it: only for an input that has no line feed of its own."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        data = self._raw.read(len(buf)).replace(b"\r", b"\n")
        buf[: len(data)] = data
        return len(data)


def _lone_cr(first: bytes) -> bool:
    """Whether the first line of a JSONL input, as ``readline(max_bytes + 1)`` gives it, shows
    lone carriage returns for line ends: a carriage return and no line feed in a whole record's
    worth of bytes (a line feed ends every line of any other file; CRLF included)."""
    return not first.endswith(b"\n") and b"\r" in first


def _utf16(head: bytes) -> str | None:
    """The UTF-16 variant of text that starts with its byte order mark, else of text whose NUL
    bytes (the high byte of spaces, digits and Latin letters) all sit on one side of each pair;
    UTF-8 text has no NUL bytes at all."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    sample = head[:1024]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if len(sample) >= 32:
        if odd > len(sample) // 40 and even == 0:
            return "utf-16-le"
        if even > len(sample) // 40 and odd == 0:
            return "utf-16-be"
    return None


@dataclass
class _Stream:
    """The decoded stream of one input and what its layers found out while reading it."""

    head: bytes
    body: BinaryIO
    gunzip: _Gunzip | None = None

    @property
    def cut(self) -> str | None:
        """Why the gzip stream ended before its end marker, if it did."""
        return self.gunzip.cut if self.gunzip is not None else None

    @property
    def truncated(self) -> bool:
        return self.cut is not None


def _sniffable(raw: BinaryIO) -> _Stream:
    """Decompress gzip when the magic bytes say so, turn UTF-16 into UTF-8 and drop a UTF-8 byte
    order mark; return the first bytes and the whole stream."""
    head = raw.read(_SNIFF)
    stream: BinaryIO = io.BufferedReader(_Prefixed(head, raw), 1 << 16)
    gunzip = None
    if head[:2] == b"\x1f\x8b":
        gunzip = _Gunzip(stream)
        stream = io.BufferedReader(gunzip, 1 << 16)
        head = stream.read(_SNIFF)
        stream = io.BufferedReader(_Prefixed(head, stream), 1 << 16)
    encoding = _utf16(head)
    if encoding:
        stream = io.BufferedReader(_Utf16(stream, encoding), 1 << 16)
        head = stream.read(_SNIFF)
        stream = io.BufferedReader(_Prefixed(head, stream), 1 << 16)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
        stream.read(3)
    return _Stream(head, stream, gunzip)


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


_ESCAPED = re.compile("[\udc80-\udcff]")
MAX_REPAIRED = 8  # undecodable bytes an article may have and still be read, one in a hundred at most


def _decode_lenient(data: bytes) -> tuple[str, str | None, str | None]:
    """UTF-8 with a few stray bytes (a cut multi-byte character, one bad byte) replaced by U+FFFD:
    ``(text, error, repaired)``. Many bad bytes mean another encoding: then ``error`` says where.

    Strict UTF-8 first: valid input (nearly every record) then needs no search for escaped bytes,
    which took twice the decode's time; strict decoding never yields a surrogate, so what it
    returns is the lenient decode's text."""
    try:
        return data.decode("utf-8"), None, None
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "surrogateescape")
    bad = _ESCAPED.search(text)
    if bad is None:
        return text, None, None
    n = len(_ESCAPED.findall(text))
    note = f"{n} undecodable byte(s) replaced, the first at character {bad.start()}"
    text = _ESCAPED.sub("\ufffd", text)
    if n <= MAX_REPAIRED and n * 100 <= len(data):
        return text, None, note
    return text, note, None


class Endless(Exception):
    """An input that goes on past any bound (``/dev/zero``, a stream without line breaks)."""


MAX_SKIP = 16  # an oversize record is skipped up to this many times ``max_bytes``, then reading stops


def _drain(stream: BinaryIO, line_mode: bool, max_bytes: int = MAX_BYTES) -> int:
    """Skip the rest of an oversize record in bounded chunks; return the bytes skipped. Raises
    :class:`Endless` past ``MAX_SKIP * max_bytes``: what never ends cannot be skipped."""
    skipped = 0
    while True:
        chunk = stream.readline(1 << 20) if line_mode else stream.read(1 << 20)
        if not chunk:
            return skipped
        skipped += len(chunk)
        if line_mode and chunk.endswith(b"\n"):
            return skipped
        if skipped > MAX_SKIP * max_bytes:
            raise Endless(f"more than {skipped:,} bytes without an end; the rest of this input is not read")


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
    # A file name that is not UTF-8 is shown (and stored) with replacement characters.
    shown = os.fsencode(path).decode("utf-8", "replace")
    where = _Where(os.path.basename(shown) or shown, shown, _stem(shown))
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below, after the generator is exhausted
    except OSError as exc:
        yield Document(
            id=where.stem, text="", source=shown, quarantine=f"cannot open {shown}: {exc.strerror or exc}"
        )
        return
    with raw:
        yield from _read_stream(raw, where, fields, fmt, max_bytes)


def _read_stream(
    raw: BinaryIO, where: _Where, fields: dict[str, str] | None, fmt: str | None, max_bytes: int
) -> Iterator[Document]:
    """One input, whatever its format; an error that escapes a format reader is quarantined."""
    kind = fmt or "input"
    stream: _Stream | None = None
    try:
        stream = _sniffable(raw)
        kind = fmt or sniff(where.name, stream.head)
        if kind == "jsonl":
            yield from _read_jsonl(stream, where, fields, max_bytes)
        elif kind == "feed":
            yield from _read_feed(stream, where, max_bytes)
        elif kind == "warc":
            yield from _read_warc(stream, where, max_bytes)
        else:
            data = _whole(stream, where, max_bytes)
            if isinstance(data, Document):
                yield data
            elif kind == "html":
                yield _html_doc(data, where, where.stem, None, None)
            else:
                yield _text_doc(data, where)
    except Exception as exc:  # noqa: BLE001 - any failure of a third-party parser becomes a quarantine
        yield _unreadable(exc, where, kind, stream)
    if stream is not None and stream.gunzip is not None:
        for mismatch in stream.gunzip.mismatches:  # known once the member's records were read
            yield _kept(where, None, "", "checksum mismatch", mismatch)


def _unreadable(exc: Exception, where: _Where, kind: str, stream: _Stream | None) -> Document:
    # Line and record readers fail on the next record, after the last one they counted.
    line = where.line + 1 if kind in ("jsonl", "warc") else where.line or None
    category = "endless input" if isinstance(exc, Endless) else f"unreadable {kind}"
    detail = str(exc) if isinstance(exc, Endless) else f"{type(exc).__name__}: {exc}"
    if stream is not None and stream.truncated:
        category, detail = "truncated input", f"{stream.cut} ({detail})"
    return _kept(where, line, "", category, detail)


# -- byte ranges of a plain JSONL file, for workers that read their own partitions ---------------
def inputs_of(inputs: list[str]) -> Iterator[str]:
    """The files :func:`read` reads, in its order (folders walked sorted); ``-`` as itself."""
    for item in inputs:
        if item != "-" and os.path.isdir(item):
            yield from _walk(item)
        else:
            yield item


def jsonl_ranges(path: str, size: int, fmt: str | None = None) -> Iterator[tuple[int, int, int]] | None:
    """``(start, end, first line)`` byte ranges of about ``size`` bytes, cut at line ends, that
    cover a plain (uncompressed, UTF-8, no byte order mark, line feeds) JSONL file; None for any
    other input, which is read whole. Scanning counts line ends only, at memory speed."""
    if path == "-" or not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as fh:
            head = fh.read(_SNIFF)  # as read, before _sniffable decodes UTF-16 and drops a mark
            fh.seek(0)
            stream = _sniffable(fh)
            if stream.gunzip is not None or _utf16(head) or head.startswith(b"\xef\xbb\xbf"):
                return None
            if (fmt or sniff(os.path.basename(path), stream.head)) != "jsonl":
                return None
            # Ranges are cut at line feeds: lines ended by lone carriage returns are read whole.
            if _lone_cr(stream.body.readline(MAX_BYTES + 1)):
                return None
    except OSError:
        return None
    return _ranges(path, size)


def _ranges(path: str, size: int) -> Iterator[tuple[int, int, int]]:
    with open(path, "rb") as fh:
        start, line, pending, pos = 0, 1, 0, 0  # range start, its first line, lines since, block offset
        while block := fh.read(1 << 20):
            counted = 0
            while (cut := block.find(b"\n", max(counted, start + size - 1 - pos))) >= 0:
                pending += block.count(b"\n", counted, cut + 1)
                yield start, pos + cut + 1, line
                start, line, pending, counted = pos + cut + 1, line + pending, 0, cut + 1
            pending += block.count(b"\n", counted)
            pos += len(block)
        if pos > start:
            yield start, pos, line


class _Slice(io.RawIOBase):
    """The bytes of a file between two offsets."""

    def __init__(self, fh: BinaryIO, start: int, end: int) -> None:
        fh.seek(start)
        self.fh, self.left = fh, end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        n = self.fh.readinto(memoryview(buf)[: min(len(buf), self.left)]) if self.left > 0 else 0
        self.left -= n or 0
        return n or 0


def read_range(
    path: str,
    start: int,
    end: int,
    first_line: int,
    fields: dict[str, str] | None = None,
    max_bytes: int = MAX_BYTES,
    open_as: str | None = None,
) -> Iterator[Document]:
    """What :func:`read` gives for the lines of a plain JSONL file in one range of
    :func:`jsonl_ranges`: the same documents, ids, line numbers and quarantine reasons.
    ``path`` is the name :func:`read` was given; ``open_as`` where this process finds it."""
    shown = os.fsencode(path).decode("utf-8", "replace")
    where = _Where(os.path.basename(shown) or shown, shown, _stem(shown), first_line - 1)
    with open(open_as or path, "rb") as fh:
        stream = _Stream(b"", io.BufferedReader(_Slice(fh, start, end), 1 << 16))
        try:
            yield from _read_jsonl(stream, where, fields, max_bytes, whole=False)
        except Exception as exc:  # noqa: BLE001 - as _read_stream
            yield _unreadable(exc, where, "jsonl", stream)


def _kept(where: _Where, line: int | None, text: str, category: str, detail: str) -> Document:
    """A quarantined record: ``"<category> at <file>:<line>: <detail>"``, with what was read."""
    at = f"{where.name}:{line}" if line else where.name
    return Document(
        id=f"{where.stem}:{line}" if line else where.stem,
        text=text,
        source=where.source,
        line=line,
        quarantine=f"{category} at {at}: {detail}",
    )


def _truncated(stream: _Stream, where: _Where, text: str, line: int | None, what: str) -> Document:
    """The torn end of a compressed input cut short (or corrupt): kept, never read as whole."""
    return _kept(where, line, text, "truncated input", f"{stream.cut}{what}")


def _whole(stream: _Stream, where: _Where, max_bytes: int) -> bytes | Document:
    """All the bytes of an input read as one (text, an HTML page, a feed), or the quarantined
    document when it is oversize or cut short."""
    data = stream.body.read(max_bytes + 1)
    if len(data) > max_bytes:
        return _oversize(where, data, len(data) + _drain(stream.body, False, max_bytes), max_bytes, None)
    if stream.truncated:
        return _truncated(stream, where, _decode(data)[0], None, "")
    return data


def _oversize(where: _Where, head: bytes, total: int, max_bytes: int, line: int | None) -> Document:
    text, _ = _decode(head[:KEEP_OF_OVERSIZE])
    detail = f"{total} bytes > {max_bytes} (first {KEEP_OF_OVERSIZE} kept)"
    return _kept(where, line, text, "oversize record", detail)


def _text_doc(data: bytes, where: _Where) -> Document:
    text, error, repaired = _decode_lenient(data)
    doc = Document(id=where.stem, text=text, source=where.source)
    doc.meta["format"] = "text"
    if repaired:
        doc.meta["repaired"] = repaired
    if error:
        doc.reject(f"undecodable bytes at {where.name}: {error}")
    return doc


def _read_jsonl(
    stream: _Stream, where: _Where, fields: dict[str, str] | None, max_bytes: int, whole: bool = True
) -> Iterator[Document]:
    """The records of a JSONL input; ``whole`` is False for a byte range of a file, which
    :func:`jsonl_ranges` cuts at line feeds only."""
    names = dict(DEFAULT_FIELDS)
    for ours, theirs in (fields or {}).items():
        names[ours] = (theirs,)
    body = stream.body
    raw = body.readline(max_bytes + 1)
    if whole and _lone_cr(raw):
        body = io.BufferedReader(_LoneCr(_Prefixed(raw, body)), 1 << 16)
        raw = body.readline(max_bytes + 1)
    while raw:
        where.line += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            yield _oversize(where, raw, len(raw) + _drain(body, True, max_bytes), max_bytes, where.line)
        elif stream.truncated and not raw.endswith(b"\n") and not body.peek(1):
            yield _truncated(stream, where, _decode(raw)[0], where.line, ": the last line is cut")
            return
        elif raw.strip():
            yield _jsonl_doc(raw, where, names)
        raw = body.readline(max_bytes + 1)
    if stream.truncated:  # cut exactly between two lines
        yield _truncated(stream, where, "", where.line + 1, f" (after line {where.line})")


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

    text, error, repaired = _decode_lenient(raw.rstrip(b"\r\n"))
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
    byline = _field(record, names["byline"])
    if isinstance(byline, str) and byline.strip():
        doc.meta["byline"] = byline.strip()  # who and where from: a report's dateline or a column's name
    if repaired:
        doc.meta["repaired"] = repaired
    if ident not in (None, ""):
        doc.meta["id_given"] = True
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


_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote|tr)>")
_TAG = re.compile(r"<[^>]*>")


def _strip_markup(fragment: str) -> str:
    """Plain text of a feed entry's HTML. feedparser has already sanitised it (no scripts), so a
    tag-stripping pass is enough and much cheaper than a full extraction."""
    if "<" not in fragment:
        return html.unescape(fragment)
    return html.unescape(_TAG.sub("", _BLOCK_END.sub("\n\n", fragment))).strip()


def _read_feed(stream: _Stream, where: _Where, max_bytes: int) -> Iterator[Document]:
    import feedparser

    data = _whole(stream, where, max_bytes)
    if isinstance(data, Document):
        yield data
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
        published = parse_date(date(*stamp[:3]) if stamp else entry.get("published") or entry.get("updated"))
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
        if entry.get("id") or url:
            doc.meta["id_given"] = True
        if not isinstance(body, str):
            doc.reject(f"missing text in feed entry at {where.name}:{n}")
        yield doc


def _read_warc(stream: _Stream, where: _Where, max_bytes: int) -> Iterator[Document]:
    from warcio.archiveiterator import ArchiveIterator

    if not stream.head.startswith((b"WARC/", b"filedesc://")):  # what a WARC or an ARC starts with
        text, _ = _decode(stream.body.read(KEEP_OF_OVERSIZE))
        if stream.truncated:  # a gzip stream cut before its first header was whole
            yield _truncated(stream, where, text, None, "")
        else:
            yield _kept(where, None, text, "unreadable warc", "it does not start with a WARC (or ARC) header")
        return
    records = ArchiveIterator(stream.body, arc2warc=True)
    record = told = None
    for record in records:
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
            yield _oversize(where, body, len(body) + _drain(content, False, max_bytes), max_bytes, n)
            continue
        missing = getattr(record.raw_stream, "limit", 0)
        if missing:  # the file ends inside this record: what is there is not the page
            at = f"{where.name}:{n}"
            doc = Document(
                id=f"{where.stem}:{n}", text=_decode(body)[0], source=where.source, line=n, url=url
            )
            told = record
            yield doc.reject(f"truncated record at {at}: {missing} of its {record.length} bytes are missing")
            continue
        yield _html_doc(body, where, f"{where.stem}:{n}", n, url)
    # Only the last record can be cut short, whatever it held: in its block, or in its headers
    # (before its Content-Length, or so early that warcio stops before it, short of the end).
    cut = None
    if record is not None and record is not told:
        if missing := getattr(record.raw_stream, "limit", 0):
            cut = where.line, f"{missing} of its {record.length} bytes are missing"
        elif not (record.rec_headers.get_header("Content-Length") or "").strip().isdigit():
            cut = where.line, "its headers end before its Content-Length"
    if records.offset < records.fh.tell():
        at = f"byte {records.offset}" + (" of the uncompressed archive" if stream.gunzip else "")
        cut = where.line + 1, f"the input ends inside its headers, at {at}"
    if cut is not None:
        yield _kept(where, cut[0], "", "truncated record", cut[1])
    elif stream.truncated and told is None:  # cut between two records
        yield _truncated(stream, where, "", where.line + 1, f" (after record {where.line})")
