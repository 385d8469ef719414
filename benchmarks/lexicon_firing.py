"""Which event-lexicon entries fire in the corpus: a word earns its place by firing in several
articles of the 31k-article corpus, not in one sentence of dev.

For every trigger word, phrase and verb of ``events/data/triggers.yaml`` and every word of
``events/data/cues.yaml`` and ``events/data/context.yaml``, counts the articles of all-2015 where
it occurs (on the normalised, clitic-stripped tokens the extractor reads) and prints those that
fire in fewer than ``--min`` articles.

    python3 benchmarks/lexicon_firing.py [--min 3] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter
from itertools import islice
from pathlib import Path

import yaml

from marsad.events.lexicon import DATA, verb_forms
from marsad.text.normalize import normalize_key
from marsad.text.tokens import candidates, tokenize

CORPUS = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "saudinewsnet" / "all-2015.jsonl.gz"
)


def entries() -> dict[str, list[tuple[str, ...]]]:
    """name -> the token sequences (normalised) any of which makes it fire."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for e in yaml.safe_load((DATA / "triggers.yaml").read_text(encoding="utf-8")):
        for verb in e.get("verbs", []):
            stem = normalize_key(verb)
            out[f"triggers/{e['id']}/verb {verb}"] = [(f,) for f in verb_forms(stem, e.get("present", True))]
        for noun in e.get("nouns", []):
            out[f"triggers/{e['id']}/noun {noun}"] = [(normalize_key(noun),)]
        for phrase in e.get("phrases", []):
            out[f"triggers/{e['id']}/phrase {phrase}"] = [tuple(normalize_key(w) for w in phrase.split())]
    cues = yaml.safe_load((DATA / "cues.yaml").read_text(encoding="utf-8"))
    for group, words in cues["groups"].items():
        for w in words:
            out[f"cues/{group}/{w}"] = [tuple(normalize_key(x) for x in w.split())]
    context = yaml.safe_load((DATA / "context.yaml").read_text(encoding="utf-8"))
    for name, words in context.items():
        for w in words if isinstance(words, list) else list(words):
            out[f"context/{name}/{w}"] = [tuple(normalize_key(x) for x in w.split())]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", type=Path, default=CORPUS)
    ap.add_argument("--min", type=int, default=3, help="report entries firing in fewer articles")
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args()
    table = entries()
    by_first: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for name, seqs in table.items():
        for seq in seqs:
            by_first.setdefault(seq[0], []).append((name, seq))
    fired: Counter = Counter()
    n = 0
    opener = gzip.open if args.input.suffix == ".gz" else open
    with opener(args.input, "rt", encoding="utf-8") as fh:
        for line in islice(fh, args.limit):
            n += 1
            keys = [set(candidates(t)) | {t.norm} for t in tokenize(json.loads(line).get("text") or "")]
            here: set[str] = set()
            for i, ks in enumerate(keys):
                for k in ks:
                    for name, seq in by_first.get(k, ()):
                        if name not in here and all(
                            i + j < len(keys) and seq[j] in keys[i + j] for j in range(1, len(seq))
                        ):
                            here.add(name)
            fired.update(here)
    rare = sorted((fired[name], name) for name in table if fired[name] < args.min)
    print(f"{len(table)} entries over {n:,} articles; {len(rare)} fire in fewer than {args.min}:")
    for count, name in rare:
        print(f"  {count:3}  {name}")


if __name__ == "__main__":
    main()
