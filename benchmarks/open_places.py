"""Where names only an open dataset knows (``marsad/entities/data/places/open/``) become places in
ordinary news: every such mention with its context, for reading, over every ``--every``-th article.

    python benchmarks/open_places.py [corpus.jsonl.gz] [--every 3]

Read the printed mentions to judge them: a general feed is where a village's name that is also a
word ("الملك"، "صغيرة") would show up.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from marsad.document import Document
from marsad.entities import gazetteer
from marsad.evaluate_places import STAGES
from marsad.pipeline import Pipeline

CORPUS = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "saudinewsnet" / "all-2015.jsonl.gz"
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path, nargs="?", default=CORPUS)
    ap.add_argument("--every", type=int, default=3)
    args = ap.parse_args(argv)
    gaz = gazetteer.get()
    only_open = {p.name for p in gaz.places if p.source == "open"} - {
        p.name for p in gaz.places if p.source != "open"
    }
    pipeline = Pipeline.from_names(STAGES)
    read = found = 0
    with gzip.open(args.corpus, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if n % args.every:
                continue
            rec = json.loads(line)
            read += 1
            doc = pipeline(Document(id=rec["id"], text=rec.get("text") or ""))
            for span in doc.spans_of("place"):
                if span.attrs.get("name") in only_open:
                    found += 1
                    start, end = doc.original_range(span.start, span.end)
                    context = doc.text[max(0, start - 50) : end + 20].replace("\n", " ")
                    print(f"{rec['id']}\t{span.attrs['name']}\t{context}")
    print(f"{found} mentions of open-dataset places in {read} articles")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
