"""Rule telemetry: the coded rules of the stages name themselves when they fire.

A stage calls :func:`fire` with a rule's name ("events.cancel.negation", "places.adjective")
where the rule changes what is coded. Nothing is counted unless a report is running
(:func:`counting`, used by ``marsad rules report``), so a run pays one global lookup per call.
Lexicon entries need no such call: every match already names its lexicon and entry
(``marsad.text.match``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

_counts: Counter[str] | None = None


def fire(name: str) -> bool:
    """Count one firing of the rule ``name`` (a no-op outside :func:`counting`); ``True``, so
    that a rule that decides can ``return rules.fire(...)``."""
    if _counts is not None:
        _counts[name] += 1
    return True


@contextmanager
def counting() -> Iterator[Counter[str]]:
    """Count the rules fired inside the block into the Counter it yields."""
    global _counts
    previous, _counts = _counts, Counter()
    try:
        yield _counts
    finally:
        _counts = previous
