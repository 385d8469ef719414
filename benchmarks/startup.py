"""Start-up time of marsad's processes, beside the bare interpreter's (and another checkout's).

Each case is a fresh ``python`` process, timed from spawn to exit; the cases run interleaved,
``--repeat`` times, and the medians are printed with what each costs over ``python -c pass``.
``--against DIR`` runs every case a second time from another checkout's source (``PYTHONPATH``),
interleaved with this one, and prints the ratio. ``--importtime`` lists the modules that
``marsad --help`` spends most on (``python -X importtime``). ``--phases`` splits a run's
pipeline build into its parts, timed inside ``--repeat`` fresh processes (medians). The load
average is printed: other jobs slow every figure, the ratios less.

    python benchmarks/startup.py [--repeat 7] [--against /path/to/old/checkout] [--importtime] [--phases]

Target (issue 15): start-up under 0.3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASES = {
    "python -c pass": "pass",
    "marsad --help": "import sys; sys.argv = ['marsad', '--help']; from marsad.cli import main; main()",
    "marsad --version": "import sys; sys.argv = ['marsad', '--version']; from marsad.cli import main; main()",
    "marsad export --help": (
        "import sys; sys.argv = ['marsad', 'export', '--help']; from marsad.cli import main; main()"
    ),
    "import the API app": "import marsad.api.app",
    "import a run's modules": "import marsad.runner",
    "a run's pipeline built": "from marsad.runner import build_pipeline; build_pipeline()",
    # what a run pays before its first article is coded: work moved from the build to the first
    # article (an import on first use) shows here as no gain
    "... and one article coded": (
        "from marsad.runner import build_pipeline; from marsad.document import Document; "
        "build_pipeline()(Document('a', 'قتل ثلاثة مدنيين في قصف جوي على مدينة حلب السورية يوم الأحد.'))"
    ),
}


# A run's pipeline build (``Pipeline.from_names`` under ``runner.long_lived``) in parts, ms as JSON.
PHASES = """
import json, time
t0 = time.perf_counter()
from marsad import pipeline, runner
out = {"import marsad.runner": time.perf_counter() - t0}
names = list(pipeline.DEFAULT_PIPELINE)
with runner.long_lived():
    t = time.perf_counter()
    for name in names:
        pipeline.contract(name)
    out["import the stages"] = time.perf_counter() - t
    from marsad.entities import gazetteer, place_model
    from marsad.entities.actors import lexicon
    for label, load in (("gazetteer", gazetteer.get), ("place model", place_model.model), ("actors", lexicon)):
        t = time.perf_counter()
        load()
        out[label] = time.perf_counter() - t
    stages = []
    for name in names:
        t = time.perf_counter()
        stages.append(pipeline.make(name))
        out[f"stage {name} (the rest)"] = time.perf_counter() - t
    lexicons = [lx for c in stages for lx in getattr(c, "lexicons", ())]
    t = time.perf_counter()
    for c in stages:
        if hasattr(c, "compile"):
            c.compile(lexicons)
    out["the matcher's index"] = time.perf_counter() - t
out["in all"] = time.perf_counter() - t0
print(json.dumps({k: v * 1000 for k, v in out.items()}))
"""


def phases(source: Path) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(source))
    done = subprocess.run(
        [sys.executable, "-c", PHASES], env=env, cwd="/", capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def timed(code: str, source: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(source))
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    seconds = time.perf_counter() - t0
    # --help and --version end by SystemExit(0); anything else is a broken case.
    if done.returncode != 0:
        raise SystemExit(f"{code!r} failed:\n{done.stderr.decode()[-2000:]}")
    return seconds


def load() -> str:
    return "load average {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


def importtime(source: Path, top: int = 12) -> list[tuple[int, str]]:
    """(cumulative microseconds, module) of the costliest imports of `marsad --help`."""
    env = dict(os.environ, PYTHONPATH=str(source))
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", CASES["marsad --help"]],
        env=env,
        cwd="/",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|")
            if cumulative.strip().isdigit():
                rows.append((int(cumulative), name.rstrip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--against", type=Path, help="another checkout, timed side by side")
    ap.add_argument("--importtime", action="store_true")
    ap.add_argument("--phases", action="store_true", help="a pipeline build's parts, ms in the process")
    args = ap.parse_args()

    sources = {"this": ROOT} | ({"against": args.against.resolve()} if args.against else {})
    print(f"{sys.executable}, {args.repeat} runs of each case, interleaved; {load()}")
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.repeat):
        for case, code in CASES.items():
            for which, source in sources.items():
                times.setdefault((case, which), []).append(timed(code, source))
    floor = statistics.median(times[("python -c pass", "this")])
    for case in CASES:
        cells = []
        for which in sources:
            m = statistics.median(times[(case, which)])
            cells.append(f"{which} {m:.3f} s (+{m - floor:.3f})")
        if args.against:
            this, other = (statistics.median(times[(case, w)]) for w in ("this", "against"))
            cells.append(f"{other / this:.2f}x faster" if this else "")
        print(f"{case:24} " + "; ".join(cells))
    print(f"end: {load()}")
    if args.phases:
        parts: dict[str, list[dict[str, float]]] = {which: [] for which in sources}
        for _ in range(args.repeat):
            for which, source in sources.items():
                parts[which].append(phases(source))
        print(f"a run's pipeline build in parts, ms in the process (medians); {load()}")
        for name in parts["this"][0]:
            ms = {w: statistics.median(run[name] for run in runs) for w, runs in parts.items()}
            if max(ms.values()) >= 1:
                print(f"  {name:28} " + "; ".join(f"{w} {v:6.1f}" for w, v in ms.items()))
    if args.importtime:
        for which, source in sources.items():
            print(f"costliest imports of `marsad --help` ({which}, cumulative ms):")
            for us, name in importtime(source):
                print(f"  {us / 1000:8.1f}  {name}")


if __name__ == "__main__":
    main()
