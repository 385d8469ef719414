"""Data built from the package's files, kept on disk so that the next process reads it back.

Every coding process (each worker, each Dask task's interpreter) starts by reading the
gazetteer and the place model; building them from their sources costs seconds and tenths of a
second, reading them back from ``marshal`` a few hundredths. The cache directory is
``$MARSAD_CACHE`` or ``~/.cache/marsad``.

Nothing stale, torn or damaged is ever read as data:

- a file's name carries a digest of what it was built from (the source files' content, the
  format's version, the interpreter's ``marshal`` version), so a changed source or another
  Python looks for another file;
- a file starts with the length and CRC-32 of its payload, so a truncated or damaged file is
  built again (with a note on stderr), never decoded;
- a file is written under a temporary name and renamed over the old one, so a process reading
  while another writes (parallel workers) sees a whole file or none.

When the directory cannot be written (a read-only home), a private directory in the temp
directory takes the file; when neither can, the data is only built, in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import struct
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

KEEP = 6  # files kept per kind: one per data version in use (checkouts, branches, user imports)
_HEADER = struct.Struct("<8sQI")  # magic, payload length, payload CRC-32
_MAGIC = b"marsad\x01\n"
_UNWRITABLE: set[Path] = set()  # cache directories this process could not write to


def home(*parts: str) -> Path:
    """A path under the home directory; under the temp directory for a user without one
    (a service account with neither ``$HOME`` nor a passwd entry), rather than a crash."""
    try:
        return Path.home().joinpath(*parts)
    except RuntimeError:
        import tempfile

        return Path(tempfile.gettempdir(), "marsad-nohome", *parts)


def cache_dir() -> Path:
    return Path(os.environ.get("MARSAD_CACHE") or home(".cache", "marsad"))


def fallback_dir() -> Path | None:
    """A private per-user cache in the temp directory, for a read-only home: the next process
    then finds the data warm instead of building it again. Only a directory this user owns and
    nobody else can write is used, since what it holds is trusted once its checksum matches."""
    import tempfile

    if not hasattr(os, "getuid"):
        return None
    fdir = Path(tempfile.gettempdir()) / f"marsad-cache-{os.getuid()}"
    try:
        fdir.mkdir(mode=0o700, exist_ok=True)
        st = fdir.stat()
    except OSError:
        return None
    return fdir if st.st_uid == os.getuid() and not st.st_mode & 0o022 else None


def digest(version: object, files: Iterable[Path], sized: Iterable[Path] = ()) -> str:
    """A cache key: the format's ``version``, the interpreter's ``marshal`` format, ``files`` by
    name and content and ``sized`` by name and size (a versioned package's big files, which a new
    release changes). Not by path or mtime: two checkouts of the same data share one file."""
    h = hashlib.sha1(f"{version}|{sys.implementation.cache_tag}|{marshal.version}\n".encode())
    for f in files:
        h.update(f"{f.name}|".encode() + hashlib.sha1(f.read_bytes()).digest())
    for f in sized:
        h.update(f"{f.name}|{f.stat().st_size}\n".encode())
    return h.hexdigest()[:16]


def prune(cdir: Path, kind: str, keep: Path) -> None:
    """Drop the least recently used files of ``kind`` beyond :data:`KEEP` (a hit touches its
    file). Another process may prune at the same moment: a file gone meanwhile is skipped."""
    olds = []
    for p in cdir.glob(f"{kind}-*"):
        with contextlib.suppress(FileNotFoundError):
            if p != keep and ".tmp" not in p.suffix:
                olds.append((p.stat().st_mtime, p))
    for _, old in sorted(olds, reverse=True)[KEEP - 1 :]:
        old.unlink(missing_ok=True)


def read(path: Path) -> bytes | None:
    """The payload of a cache file, or None when it is missing, truncated or damaged."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        print(f"marsad: cache {path} unreadable ({err}); building it again", file=sys.stderr)
        return None
    if len(raw) >= _HEADER.size:
        magic, size, crc = _HEADER.unpack_from(raw)
        payload = raw[_HEADER.size :]
        if magic == _MAGIC and size == len(payload) and crc == zlib.crc32(payload):
            with contextlib.suppress(OSError):
                os.utime(path)
            return payload
    print(f"marsad: cache {path} truncated or damaged; building it again", file=sys.stderr)
    return None


def write(cdir: Path, name: str, payload: bytes) -> None:
    """Write ``cdir/name`` whole or not at all: a temporary file renamed over it."""
    path = cdir / name
    tmp = path.with_name(f"{name}.tmp{os.getpid()}")
    try:
        cdir.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as fh:
            fh.write(_HEADER.pack(_MAGIC, len(payload), zlib.crc32(payload)))
            fh.write(payload)
        tmp.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def _read_from(cdir: Path) -> Iterator[Path]:
    """``cdir``, then the fallback directory, found only when ``cdir`` misses (it makes and
    checks a directory, and imports ``tempfile``: a few milliseconds of every start-up)."""
    yield cdir
    if (fdir := fallback_dir()) is not None:
        yield fdir


def _as_is(value: T) -> T:
    return value


def cached(
    kind: str,
    key: str,
    build: Callable[[], T],
    *,
    encode: Callable[[T], object] = _as_is,
    decode: Callable[[object], T] = _as_is,  # type: ignore[assignment]
    rebuild: bool = False,
) -> T:
    """``build()``, or what ``decode`` makes of the cache file ``kind-key`` when there is one.

    ``encode`` turns the value into what ``marshal`` writes (tuples, lists, dicts, strings,
    numbers), unless it is that already, and ``decode`` turns that back; a payload ``decode``
    rejects (``ValueError``, ``TypeError``...) is built again like a damaged file."""
    name = f"{kind}-{key}"
    cdir = cache_dir()
    if not rebuild:
        for d in _read_from(cdir):
            if (payload := read(d / name)) is None:
                continue
            try:
                return decode(marshal.loads(payload))
            except (EOFError, ValueError, TypeError, KeyError, IndexError) as err:
                print(f"marsad: cache {d / name} unreadable ({err}); building it again", file=sys.stderr)
    value = build()
    payload = marshal.dumps(encode(value))
    try:
        write(cdir, name, payload)
        prune(cdir, kind, cdir / name)
    except OSError as err:
        where = ""
        if (fallback := fallback_dir()) is not None:
            with contextlib.suppress(OSError):
                write(fallback, name, payload)
                where = f"; kept in {fallback} instead"
        if cdir not in _UNWRITABLE:  # said once a process: a start writes a dozen kinds
            _UNWRITABLE.add(cdir)
            print(
                f"marsad: {kind} cache not written to {cdir} ({err}){where}; set MARSAD_CACHE",
                file=sys.stderr,
            )
    return value
