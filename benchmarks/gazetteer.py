"""Gazetteer load time (cold build and warm cache) and resident memory.

python benchmarks/gazetteer.py        # targets: < 1.5 s warm, < 400 MB RSS
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

_CHILD = """
import resource, sys, time
t = time.perf_counter()
from marsad.entities import gazetteer
g = gazetteer.load()
dt = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{dt:.3f} {rss:.0f} {len(g)} {len(g.exact)}")
"""


def _run(cache: str) -> tuple[float, float, int, int]:
    """Load in a fresh interpreter so that RSS is the gazetteer's, not this script's."""
    env = {**os.environ, "MARSAD_CACHE": cache}
    out = subprocess.run([sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, check=True)
    dt, rss, n, keys = out.stdout.split()
    return float(dt), float(rss), int(n), int(keys)


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        cold = _run(cache)
        warm = _run(cache)
    print(f"places {cold[2]}, keys {cold[3]}")
    print(f"cold build  {cold[0]:.2f} s  max RSS {cold[1]:.0f} MB")
    print(f"warm cache  {warm[0]:.2f} s  max RSS {warm[1]:.0f} MB  (targets < 1.5 s, < 400 MB)")


if __name__ == "__main__":
    main()
