"""Exact and near-duplicate detection across a run and against earlier runs into the same store.

Exact copies are caught by a hash of the normalised clean text; near copies (the same wire story
with another headline, a trailing sentence added) by MinHash signatures over word 3-shingles and
an LSH index of bands over them. Candidates from the index are confirmed against the stored
signature, because LSH alone lets through pairs well below the threshold.

The signatures are datasketch's (its affine32 scheme, seed 1: signatures stored by earlier
versions stay comparable) and so are the bands (the same count and width), but both are computed
here with numpy alone: importing ``datasketch.lsh`` pulls in scipy, which cost every process
0.4 s of start-up for one numeric integral.

Memory is what bounds a run over millions of articles, so per article the index keeps only an
integer key, the signature (``num_perm`` 32-bit values) and one integer per band; the document
itself is released as soon as it is processed.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable
from functools import lru_cache
from hashlib import blake2b
from pathlib import Path
from typing import Any

# numpy's OpenBLAS starts a thread per core on import, which then spins: 0.05 s of CPU and, on a
# busy machine, 0.1 s and more of wall time, in every process that codes. Nothing here multiplies
# matrices (the hashes are element-wise), and runs are parallel by processes, not by BLAS
# threads. Only a default: a user's own setting stands, and numpy imported earlier is left alone.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402 - after the thread setting, which numpy reads on import

from marsad import cache
from marsad.document import Document
from marsad.ingest.identity import identify
from marsad.pipeline import component
from marsad.text.normalize import normalize, runs_of

# Diacritics and tatweel, dropped inside words. Not normalize_key's longer list: the hash is the
# stored content key, and the rarer marks (U+0653-U+0658) have always cut words here.
_MARKS = runs_of("[\u064b-\u0652\u0670\u0640]")
_WORD = re.compile(r"[^\W_]+")
_TATWEEL = "\u0640"
# Punctuation that clings to a word's ends once ``normalize`` has folded the Arabic comma,
# semicolon, question mark and quotes; none of it is a word character.
_EDGE = ",.;:?!\"'()[]{}<>/\\|-–—…%*+=#@"
_MASK64 = (1 << 64) - 1
_BASE = 1099511628211  # odd, so it has an inverse modulo 2**64
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)


def normalized(text: str) -> str:
    """The text that identity is judged on: lower case, letters and digits folded as every stage
    folds them (``normalize``: "٢٠١٥" is "2015", "ئ" is "ي"), no diacritics, words separated by
    single spaces, punctuation and digits' formatting gone.

    The words are the runs of letters and digits (``[^\\W_]``, which is ``str.isalnum``) left
    once the marks are dropped. Most white-space-separated pieces are such a run already, which
    ``isalnum`` tells in C; only the others go through the regexes, which test every character's
    category one by one (two thirds of the time this took). Tatweel is the one mark that
    ``isalnum`` counts as a letter, so it goes first."""
    text = normalize(text.lower())
    if _TATWEEL in text:
        text = text.replace(_TATWEEL, "")
    words: list[str] = []
    for piece in text.split():
        if piece.isalnum():
            words.append(piece)
        elif (core := piece.strip(_EDGE)).isalnum():
            words.append(core)
        elif core:
            words += _WORD.findall(_MARKS.sub("", core))
    return " ".join(words)


def _powers(base: int, n: int) -> np.ndarray:
    out = np.full(n, base, dtype=np.uint64)
    out[0] = 1
    return np.cumprod(out, dtype=np.uint64)  # wraps modulo 2**64, as intended


_POW = _powers(_BASE, 1 << 16)
_INV = _powers(pow(_BASE, -1, 1 << 64), 1 << 16)


def word_hashes(norm: str) -> np.ndarray:
    """64-bit polynomial hashes of the words of a :func:`normalized` text, all words at once.

    Each word's hash is the sum of its code points times powers of the base, taken from one
    prefix computation and shifted back by the inverse power at the word's start, so no Python
    loop runs per word; the values are the same in every process and run."""
    s = " " + norm + " "
    cps = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(cps)
    pw, inv = (_POW, _INV) if n <= len(_POW) else (_powers(_BASE, n), _powers(pow(_BASE, -1, 1 << 64), n))
    starts = np.flatnonzero(cps[:-1] == 32) + 1
    if len(starts) and starts[-1] == n - 1:
        starts = starts[:-1]
    if not len(starts):
        return np.zeros(0, dtype=np.uint64)
    sums = np.add.reduceat(cps * pw[:n], starts)  # each word with the space after it
    return sums * inv[starts]


def shingle_hashes(words: np.ndarray, k: int = 3) -> np.ndarray:
    """32-bit hashes of the word k-shingles; a text shorter than k words is one shingle."""
    if len(words) < k:
        acc = np.zeros(1, dtype=np.uint64)
        for i in range(len(words)):
            acc += words[i : i + 1] * _MIX[i : i + 1]  # arrays, whose products wrap silently
    else:
        n = len(words) - k + 1
        acc = np.zeros(n, dtype=np.uint64)
        for i in range(k):
            acc += words[i : i + n] * _MIX[i]
    return ((acc >> np.uint64(32)) ^ acc).astype(np.uint32)


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, which datasketch's affine32 scheme applies to each input."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def _drawn(kind: str, params: str, draw: Callable[[], tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    """Arrays ``draw`` takes from numpy's seeded random streams, kept in the cache (keyed by
    ``params`` and this file): importing ``numpy.random`` to draw them again cost every start
    about 8 ms. Read back as read-only arrays, each with its dtype and byte order."""
    return cache.cached(
        kind,
        cache.digest(params, [Path(__file__)]),
        draw,
        encode=lambda arrays: [(a.dtype.str, a.tobytes()) for a in arrays],
        decode=lambda raw: tuple(np.frombuffer(data, dtype=np.dtype(dt)) for dt, data in raw),
    )


def permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The affine maps ``h -> a * h + b mod 2**32`` of datasketch's ``MinHash(num_perm, seed)``
    (affine32 scheme): the same random draws, so stored signatures keep their meaning."""

    def draw() -> tuple[np.ndarray, np.ndarray]:
        gen = np.random.RandomState(seed)
        a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        return a, gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)

    a, b = _drawn("minhash-permutations", f"{num_perm}|{seed}", draw)
    return a, b


def _simpson(y: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Simpson's rule along the last axis (an odd number of points): the curves integrated here
    are polynomials of degree <= num_perm, smooth enough for it to agree with scipy's ``quad``."""
    w = np.ones(y.shape[-1])
    w[1:-1:2], w[2:-1:2] = 4, 2
    return (hi - lo) / (y.shape[-1] - 1) / 3 * (y @ w)


@lru_cache(maxsize=8)
def band_shape(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) minimising false positives plus false negatives at ``threshold``, with equal
    weights: datasketch's ``MinHashLSH`` choice (4 bands of 15 rows at 0.85 and 64)."""
    shapes = [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)]
    b = np.array([s[0] for s in shapes], dtype=float)[:, None]
    r = np.array([s[1] for s in shapes], dtype=float)[:, None]
    below, above = np.linspace(0.0, threshold, 201), np.linspace(threshold, 1.0, 201)
    fp = _simpson(1 - (1 - below**r) ** b, 0.0, threshold)
    fn = _simpson((1 - above**r) ** b, threshold, 1.0)
    return shapes[int(np.argmin(0.5 * fp + 0.5 * fn))]


class Bands:
    """The LSH index: each signature cut into ``bands`` runs of ``rows`` values, each run hashed
    to one 64-bit integer; two signatures are candidates when one of their runs is equal.

    A table maps a run's hash to a key, or to a list of keys when runs collide (rare: the
    second copy of a story is a duplicate and never indexed)."""

    def __init__(self, bands: int, rows: int) -> None:
        self.shape = (bands, rows)
        self.tables: list[dict[int, int | list[int]]] = [{} for _ in range(bands)]
        # Odd multipliers: a run hashes to the sum of its values times these, modulo 2**64.
        (self._mix,) = _drawn(
            "lsh-mix",
            f"{rows}|7",
            lambda: (
                np.random.RandomState(7).randint(0, 1 << 62, rows, dtype=np.uint64) * np.uint64(2)
                + np.uint64(1),
            ),
        )

    def hashes(self, values: np.ndarray) -> list[int]:
        """The hash of each band of a signature: what ``insert`` and ``query`` take."""
        b, r = self.shape
        runs = values[: b * r].astype(np.uint64).reshape(b, r)
        h = (runs * self._mix).sum(axis=1, dtype=np.uint64)
        return (h ^ (h >> np.uint64(29))).tolist()

    def insert(self, key: int, hashes: list[int]) -> None:
        for table, h in zip(self.tables, hashes, strict=True):
            found = table.get(h)
            if found is None:
                table[h] = key
            elif isinstance(found, list):
                found.append(key)
            else:
                table[h] = [found, key]

    def query(self, hashes: list[int]) -> set[int]:
        out: set[int] = set()
        for table, h in zip(self.tables, hashes, strict=True):
            found = table.get(h)
            if found is None:
                continue
            if isinstance(found, list):
                out.update(found)
            else:
                out.add(found)
        return out


class Dedup:
    """The ``dedup`` component: marks ``doc.duplicate_of`` and leaves each first copy's
    ``meta["minhash"]`` (signature bytes) and ``meta["text_hash"]`` (hex) for the store."""

    name = "dedup"

    def __init__(
        self,
        threshold: float = 0.85,
        num_perm: int = 64,
        signatures: Iterable[tuple[str, bytes]] | None = None,
    ) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self._a, b = permutations(num_perm)
        self._b = b.reshape(-1, 1)  # a column: one permutation a row (see ``signature``)
        self.bands = Bands(*band_shape(threshold, num_perm))
        self._exact: dict[int, int] = {}  # first 8 bytes of the text hash -> key
        self._ids: list[str] = []  # key -> document id
        self._sigs = bytearray()  # key -> signature, num_perm * 4 bytes each
        self._sig_bytes = num_perm * 4
        # key -> 1 when the signature came from the store (another run's, or an earlier one's):
        # a write-time check looks only at those added after its own decision.
        self._theirs = bytearray()
        self.loaded = 0
        for doc_id, sig in signatures or ():
            self.add_stored(doc_id, sig)

    def add_stored(self, doc_id: str, sig: bytes | None) -> bool:
        """Index a signature the store holds, so later decisions see it; False if unusable."""
        if sig is None or len(sig) != self._sig_bytes:
            return False
        self._add(doc_id, np.frombuffer(bytes(sig), dtype=np.uint32), None, theirs=True)
        self.loaded += 1
        return True

    def signature(self, shingles: np.ndarray) -> np.ndarray:
        """What ``MinHash.update_batch`` gives for these 32-bit shingle hashes (affine32 scheme),
        computed in numpy without its per-item Python call. One row a permutation, so that the
        minimum runs along contiguous memory, and the sum in place: a third faster than one
        column a permutation."""
        values = np.multiply.outer(self._a, _fmix32(shingles.astype(np.uint32)))
        values += self._b
        return values.min(axis=1)

    def _add(
        self,
        doc_id: str,
        values: np.ndarray,
        exact: int | None,
        theirs: bool = False,
        bands: list[int] | None = None,
    ) -> None:
        key = len(self._ids)
        self._ids.append(doc_id)
        self._theirs.append(theirs)
        self._sigs += values.astype("<u4").tobytes()
        if exact is not None:
            self._exact[exact] = key
        self.bands.insert(key, self.bands.hashes(values) if bands is None else bands)

    def _near(
        self, values: np.ndarray, since: int | None = None, bands: list[int] | None = None
    ) -> tuple[int, float] | None:
        best: tuple[int, float] | None = None
        for key in self.bands.query(self.bands.hashes(values) if bands is None else bands):
            if since is not None and (key < since or not self._theirs[key]):
                continue
            start = key * self._sig_bytes
            other = np.frombuffer(self._sigs, dtype="<u4", count=self.num_perm, offset=start)
            sim = float(np.count_nonzero(other == values)) / self.num_perm
            if sim >= self.threshold and (best is None or key < best[0]):
                best = (key, sim)
        return best

    def fingerprint(self, doc: Document) -> Document:
        """Put the text hash and the MinHash signature in ``doc.meta``.

        Depends on the document alone, so parallel runs compute it in the workers and leave
        only :meth:`decide`, which must see every article in order, to the parent."""
        norm = normalized(doc.clean)
        if norm:
            doc.meta["text_hash"] = blake2b(norm.encode(), digest_size=16).hexdigest()
            doc.meta["minhash"] = self.signature(shingle_hashes(word_hashes(norm))).astype("<u4").tobytes()
        return doc

    def decide(self, doc: Document) -> Document:
        """Mark a copy of an article seen before; index the first copy."""
        if "text_hash" not in doc.meta:
            return doc
        exact = int.from_bytes(bytes.fromhex(doc.meta["text_hash"])[:8], "little")
        first = self._exact.get(exact)
        if first is not None:
            doc.duplicate_of = self._ids[first]
            doc.meta["duplicate"] = {"kind": "exact", "similarity": 1.0}
            del doc.meta["minhash"]  # only first copies carry a signature into the store
            return doc
        values = np.frombuffer(doc.meta["minhash"], dtype="<u4")
        bands = self.bands.hashes(values)  # for the look-up, and to index a first copy
        near = self._near(values, bands=bands)
        if near is not None:
            doc.duplicate_of = self._ids[near[0]]
            doc.meta["duplicate"] = {"kind": "near", "similarity": round(near[1], 3)}
            del doc.meta["minhash"]
            return doc
        self._add(doc.id, values, exact, bands=bands)
        return doc

    def stored_match(self, signature: bytes, since: int) -> tuple[str, float] | None:
        """The stored document that a signature copies, among those indexed from the store at or
        after key ``since``: what a concurrent run wrote after this document's first decision."""
        near = self._near(np.frombuffer(signature, dtype="<u4"), since)
        return None if near is None else (self._ids[near[0]], near[1])

    def __call__(self, doc: Document) -> Document:
        return self.decide(self.fingerprint(doc))

    def __len__(self) -> int:
        return len(self._ids)

    def nbytes(self) -> int:
        """Bytes held by the index (ids, signatures, exact hashes, LSH tables), counted once each."""
        seen: set[int] = set()

        def size(obj: Any) -> int:
            if id(obj) in seen:
                return 0
            seen.add(id(obj))
            n = sys.getsizeof(obj)
            if isinstance(obj, dict):
                n += sum(size(k) + size(v) for k, v in obj.items())
            elif isinstance(obj, list | set | tuple):
                n += sum(size(x) for x in obj)
            return n

        total = size(self._ids) + size(self._sigs) + size(self._exact) + size(self._theirs)
        return total + sum(size(t) for t in self.bands.tables)


class Fingerprint:
    """The order-free half of dedup, run before the costly stages of a run: it also keys the
    document by its content (:func:`marsad.ingest.identity.identify`), so that events name it."""

    name = "fingerprint"

    def __init__(self, num_perm: int = 64) -> None:
        self._dedup = Dedup(num_perm=num_perm)

    def __call__(self, doc: Document) -> Document:
        return identify(self._dedup.fingerprint(doc))


@component("fingerprint", assigns=["meta.text_hash", "meta.minhash"])
def make_fingerprint(num_perm: int = 64) -> Fingerprint:
    return Fingerprint(num_perm=num_perm)


@component(
    "dedup", assigns=["meta.text_hash", "meta.minhash", "meta.duplicate"], note="(marks `duplicate_of`)"
)
def make_dedup(
    threshold: float = 0.85, num_perm: int = 64, signatures: Iterable[tuple[str, bytes]] | None = None
) -> Dedup:
    return Dedup(threshold=threshold, num_perm=num_perm, signatures=signatures)
