"""Cost of the ``places`` stage per article over the Syria 2015 SaudiNewsNet sample.

Every stage up to ``places`` runs (its tokens are the stage's input), but only ``places`` is
reported; the budget is well under 1 ms per article. A fresh pipeline per repeat keeps the
dedup stage from rejecting the second pass; the first pass also warms the geocoder's caches.

    python3 benchmarks/places_speed.py [--repeat 3]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _corpus import SYRIA_2015, load

from marsad.document import Document
from marsad.pipeline import DEFAULT_PIPELINE, Pipeline

STAGES = DEFAULT_PIPELINE[: DEFAULT_PIPELINE.index("places") + 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--corpus", type=Path, default=SYRIA_2015)
    args = ap.parse_args()
    rows = load(args.corpus)
    best = float("inf")
    spans = 0
    seen = 0
    for _ in range(args.repeat):
        pipe = Pipeline.from_names(STAGES)
        spans = seen = 0
        for i, t, p in rows:
            doc = pipe(Document(id=i, text=t, published=p))
            if not doc.rejected:
                seen += 1
                spans += len(doc.spans_of("place"))
        best = min(best, pipe.timings["places"])
    print(f"articles: {len(rows)} ({seen} reach places)  place spans: {spans}")
    print(f"places: {best / max(seen, 1) * 1000:.3f} ms/article (best of {args.repeat})")


if __name__ == "__main__":
    main()
