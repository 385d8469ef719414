"""Exact and near-duplicate detection across a run and against earlier runs into the same store.

Exact copies are caught by a hash of the normalised clean text; near copies (the same wire story
with another headline, a trailing sentence added) by MinHash signatures over word 3-shingles and
a MinHashLSH index (datasketch). Candidates from the index are confirmed against the stored
signature, because LSH alone lets through pairs well below the threshold.

Memory is what bounds a run over millions of articles, so per article the index keeps only an
integer key, the signature (``num_perm`` 32-bit values) and the LSH band entries; the document
itself is released as soon as it is processed.
"""

from __future__ import annotations

import re
import sys
import zlib
from collections.abc import Iterable
from hashlib import blake2b
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH

from marsad.document import Document
from marsad.pipeline import component
from marsad.text.normalize import normalize_key

_WORD = re.compile(r"\w+")
_SCHEME = "affine32"  # datasketch's default: 32-bit hash values, persisted as 4 bytes each
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)


def words_of(text: str) -> list[str]:
    """The words that identity is judged on: folded letters, no diacritics, punctuation or case."""
    return _WORD.findall(normalize_key(text).lower())


def shingle_hashes(words: list[str], k: int = 3) -> np.ndarray:
    """32-bit hashes of the word k-shingles, computed in bulk: one CRC per word, then numpy.

    CRC32 (not Python's ``hash``) keeps signatures stable across processes and runs."""
    h = np.fromiter((zlib.crc32(w.encode()) for w in words), dtype=np.uint64, count=len(words))
    if len(h) < k:  # a very short text is one shingle
        return np.array([zlib.crc32(" ".join(words).encode())], dtype=np.uint32)
    n = len(h) - k + 1
    acc = np.zeros(n, dtype=np.uint64)
    for i in range(k):
        acc += h[i : i + n] * _MIX[i]
    return ((acc >> np.uint64(32)) ^ acc).astype(np.uint32)


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
        self._template = MinHash(num_perm=num_perm, hashfunc=int)
        self._perms = self._template.permutations
        self.lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._exact: dict[int, int] = {}  # first 8 bytes of the text hash -> key
        self._ids: list[str] = []  # key -> document id
        self._sigs = bytearray()  # key -> signature, num_perm * 4 bytes each
        self._sig_bytes = num_perm * 4
        self.loaded = 0
        for doc_id, sig in signatures or ():
            if sig is not None and len(sig) == self._sig_bytes:
                self._add(doc_id, np.frombuffer(bytes(sig), dtype=np.uint32), None)
                self.loaded += 1

    def signature(self, words: list[str]) -> np.ndarray:
        """The MinHash values of a word list, with datasketch's affine32 permutations."""
        m = self._template.copy()
        m.update_batch(shingle_hashes(words))
        return m.hashvalues

    def _minhash(self, values: np.ndarray) -> MinHash:
        return MinHash(num_perm=self.num_perm, hashvalues=values, permutations=self._perms, scheme=_SCHEME)

    def _add(self, doc_id: str, values: np.ndarray, exact: int | None) -> None:
        key = len(self._ids)
        self._ids.append(doc_id)
        self._sigs += values.astype("<u4").tobytes()
        if exact is not None:
            self._exact[exact] = key
        self.lsh.insert(key, self._minhash(values), check_duplication=False)

    def _near(self, values: np.ndarray) -> tuple[int, float] | None:
        best: tuple[int, float] | None = None
        for key in self.lsh.query(self._minhash(values)):
            start = key * self._sig_bytes
            other = np.frombuffer(self._sigs, dtype="<u4", count=self.num_perm, offset=start)
            sim = float(np.count_nonzero(other == values)) / self.num_perm
            if sim >= self.threshold and (best is None or key < best[0]):
                best = (key, sim)
        return best

    def __call__(self, doc: Document) -> Document:
        words = words_of(doc.clean)
        if not words:
            return doc
        digest = blake2b(" ".join(words).encode(), digest_size=16).digest()
        doc.meta["text_hash"] = digest.hex()
        exact = int.from_bytes(digest[:8], "little")
        first = self._exact.get(exact)
        if first is not None:
            doc.duplicate_of = self._ids[first]
            doc.meta["duplicate"] = {"kind": "exact", "similarity": 1.0}
            return doc
        values = self.signature(words)
        near = self._near(values)
        if near is not None:
            doc.duplicate_of = self._ids[near[0]]
            doc.meta["duplicate"] = {"kind": "near", "similarity": round(near[1], 3)}
            return doc
        self._add(doc.id, values, exact)
        doc.meta["minhash"] = values.astype("<u4").tobytes()
        return doc

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

        total = size(self._ids) + size(self._sigs) + size(self._exact)
        total += sum(size(t._dict) for t in self.lsh.hashtables)
        return total + size(self.lsh.keys._dict)


@component("dedup")
def make_dedup(
    threshold: float = 0.85, num_perm: int = 64, signatures: Iterable[tuple[str, bytes]] | None = None
) -> Dedup:
    return Dedup(threshold=threshold, num_perm=num_perm, signatures=signatures)
