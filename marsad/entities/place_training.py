"""Training the place model (`marsad train places`): examples, fitting, k-fold figures, the model file.

Examples come from ANERcorp's train split (every gazetteer match labelled by the entity it lies
in) and from corpus articles whose surroundings say what a match is (see :func:`silver`); the
articles kept for measuring (test/, feed/, the place-mention gold) are left out by id and by text.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from marsad.entities.place_model import CLASSES, MODEL_PATH, SETTLEMENT_HEADS, Example, PlaceModel, model


def anercorp_examples(path: Path) -> Iterator[Example]:
    """Every gazetteer match in ANERcorp, labelled by the entity it lies in (O and MISC: common)."""
    from marsad.entities.geocode import Geocoder
    from marsad.entities.ner import read_conll

    geo = Geocoder(use_model=False)
    kinds = {"LOC": "place", "ORG": "org", "PERS": "person"}
    for tokens, spans in read_conll(path):
        text = " ".join(tokens)
        starts, pos = [], 0
        for t in tokens:
            starts.append(pos)
            pos += len(t) + 1
        found: list[Example] = []

        def label(start: int, end: int, feats: list[str], found=found, starts=starts, spans=spans) -> str:
            first = max(k for k, s in enumerate(starts) if s <= start)
            last = max(k for k, s in enumerate(starts) if s < end)
            kind = next((kinds.get(t, "common") for s, e, t in spans if s <= first and last < e), "common")
            found.append((feats, kind))
            return kind

        geo.detect(text, labeller=label)
        yield from found


def corpus_examples(path: Path, skip: set[str], limit: int, seed: int) -> Iterator[Example]:
    """Matches in corpus articles whose surroundings say what they are.

    A place head noun before a name makes it a place (مدينة الطبقة); a name inside an actor or
    source name is an organisation (فجر ليبيا); a person title before or "بن" after makes a
    person; a capital beside a verb of speech is a government. Other matches are left out."""
    from marsad.document import Document
    from marsad.entities.geocode import Geocoder
    from marsad.pipeline import make

    geo = Geocoder(use_model=False)
    clean = make("clean")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    records = [r for r in records if r.get("id") not in skip and _digest_text(r.get("text", "")) not in skip]
    random.Random(seed).shuffle(records)
    for rec in records[:limit]:
        text = clean(Document(id=rec.get("id", ""), text=rec.get("text") or "")).clean
        found: list[Example] = []

        def label(start: int, end: int, feats: list[str], found=found) -> str | None:
            kind = silver(feats)
            if kind is not None:
                found.append((feats, kind))
            elif "headed" in feats and "bare" in feats:
                # The article calls it "مدينة X" elsewhere: a place here too. The cue is masked so
                # that the model learns what else around a bare name says place (على الطبقة).
                found.append(([f for f in feats if f != "headed"], "place"))
                kind = "place"
            return kind

        geo.detect(text, labeller=label)
        yield from found


def silver(feats: list[str]) -> str | None:
    """The label a corpus match's own surroundings give it, or None when they say nothing.

    A head noun, an actor name, a title or a verb of speech labels it; so do the rules where
    they are sure (a known town named bare; a stoplisted word with nothing that places it)."""
    have = set(feats)
    if "in_alias" in have:
        return "org"
    if "p1_title" in have or "n1_son" in have:
        return "person"
    if "gov_cue" in have:
        return "government"
    if have & {f"trig={t}" for t in SETTLEMENT_HEADS}:
        return "place"
    if "rules" in have and "strong" in have and "stop" not in have:
        return "place"  # a known town or city, named bare
    if "stop&bare" in have and not have & {"headed", "cty_named", "p1_prep", "violent", "qual"}:
        return "common"  # a name that is also a word, with nothing around it that places it
    return None


def _digest_text(text: str) -> str:
    return hashlib.sha1(text.strip()[:2000].encode()).hexdigest()


def held_out(shared: Path) -> set[str]:
    """Ids and text digests of the articles kept for measuring (test/, feed/, the place gold)."""
    out: set[str] = set()
    ids: dict[str, set[str]] = {}
    for name in ("test", "feed"):
        for f in sorted((shared / "eval" / name).glob("*.gold.json")):
            g = json.loads(f.read_text(encoding="utf-8"))
            corpus, _, doc_id = g["file"].partition("#")
            ids.setdefault(corpus, set()).add(doc_id or g["doc_id"])
            out.add(g["doc_id"])
    places = shared / "eval" / "places" / "places.jsonl"
    if places.exists():
        for line in places.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.add(json.loads(line)["doc_id"])
    for corpus, wanted in ids.items():
        path = shared / corpus
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                if rec.get("id") in wanted:
                    out.add(_digest_text(rec.get("text", "")))
    return out


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fit(examples: list[Example], seed: int, c: float = 1.0, min_count: int = 2) -> PlaceModel:
    """A multinomial logistic regression over binary features seen ``min_count`` times or more."""
    import numpy as np

    from marsad.extras import require

    csr_matrix = require("scipy.sparse", "train").csr_matrix
    LogisticRegression = require("sklearn.linear_model", "train").LogisticRegression

    counts = Counter(f for feats, _ in examples for f in set(feats))
    vocab = {f: k for k, f in enumerate(sorted(f for f, n in counts.items() if n >= min_count))}
    rows, cols = [], []
    for r, (feats, _) in enumerate(examples):
        for f in set(feats):
            if f in vocab:
                rows.append(r)
                cols.append(vocab[f])
    x = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(examples), len(vocab)))
    classes = [c for c in CLASSES if any(lab == c for _, lab in examples)]
    y = np.array([classes.index(lab) for _, lab in examples])
    lr = LogisticRegression(C=c, max_iter=2000, random_state=seed)
    lr.fit(x, y)
    coef = lr.coef_ if len(classes) > 2 else np.vstack([-lr.coef_[0] / 2, lr.coef_[0] / 2])
    bias = lr.intercept_ if len(classes) > 2 else np.array([-lr.intercept_[0] / 2, lr.intercept_[0] / 2])
    weights = {
        f: [round(float(v), 4) for v in coef[:, k]]
        for f, k in vocab.items()
        if float(np.abs(coef[:, k]).max()) >= 1e-3
    }
    return PlaceModel(tuple(classes), [round(float(b), 4) for b in bias], weights)


def accuracy(model_: PlaceModel, examples: list[Example]) -> dict[str, Any]:
    """Place-or-not precision and recall, and overall class accuracy, on labelled examples."""
    tp = fp = fn = right = 0
    for feats, lab in examples:
        got, _ = model_.decide(feats)
        right += got == lab
        tp += got == "place" and lab == "place"
        fp += got == "place" and lab != "place"
        fn += got != "place" and lab == "place"
    return {
        "examples": len(examples),
        "accuracy": round(right / len(examples), 4) if examples else None,
        "place_precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "place_recall": round(tp / (tp + fn), 4) if tp + fn else None,
    }


def train(
    anercorp: Path,
    corpus: Path,
    shared: Path,
    out: Path = MODEL_PATH,
    seed: int = 13,
    corpus_limit: int = 6000,
    folds: int = 5,
) -> dict[str, Any]:
    """Train on ANERcorp and corpus examples, report k-fold figures, write the model and its meta."""
    t0 = time.perf_counter()
    skip = held_out(shared)
    ane = list(anercorp_examples(anercorp))
    cor = list(corpus_examples(corpus, skip, corpus_limit, seed))
    examples = ane + cor
    random.Random(seed).shuffle(examples)
    cv = []
    for k in range(folds):
        test = [e for i, e in enumerate(examples) if i % folds == k]
        cv.append(accuracy(fit([e for i, e in enumerate(examples) if i % folds != k], seed), test))
    final = fit(examples, seed)
    out.write_text(
        json.dumps(
            {"classes": list(final.classes), "bias": final.bias, "weights": final.weights},
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        encoding="utf-8",
    )
    meta = {
        "command": f"marsad train places --anercorp {anercorp} --corpus {corpus} --seed {seed}"
        f" --corpus-limit {corpus_limit}",
        "seed": seed,
        "anercorp": str(anercorp),
        "anercorp_sha256": sha256(anercorp),
        "corpus": str(corpus),
        "corpus_sha256": sha256(corpus),
        "held_out_articles": len(skip),
        "corpus_articles": corpus_limit,
        "examples": {"anercorp": Counter(lab for _, lab in ane), "corpus": Counter(lab for _, lab in cor)},
        "features": len(final.weights),
        f"cv_{folds}_fold": {
            k: round(sum(r[k] for r in cv) / folds, 4)
            for k in ("accuracy", "place_precision", "place_recall")
        },
        "seconds": round(time.perf_counter() - t0, 1),
    }
    Path(out).with_name(Path(out).stem + ".meta.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    model.cache_clear()
    return meta
