"""Shared fixtures: where the read-only shared data lives, what a test may skip, and a private home.

A test that needs ``../shared``, PostgreSQL (``MARSAD_TEST_PG``) or Debian's chromium skips when
it is absent on a developer's machine, and fails under ``CI=true``, where everything must run.
Every test session keeps the caches, the user gazetteer and the temp directory in a temporary
folder (through ``MARSAD_CACHE``, ``MARSAD_GAZETTEER_DIR`` and ``TMPDIR``, which the commands the
tests start inherit), so the tests neither write to ``~/.cache`` nor read what ``marsad gazetteer
import`` put in ``~/.local/share`` or another run left in the cache's fallback under ``/tmp``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
RAW_SAMPLE = SHARED / "corpus" / "raw" / "000_c05be448c3f228f0.txt"
DEV_GOLD = SHARED / "eval" / "dev"
SYRIA_2015 = SHARED / "corpus" / "saudinewsnet" / "syria-2015.jsonl"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Once per session, even though test modules import this file again as ``tests.conftest``.
if "MARSAD_TEST_HOME" not in os.environ:
    os.environ["MARSAD_TEST_HOME"] = tempfile.mkdtemp(prefix="marsad-tests-")
_HOME = Path(os.environ["MARSAD_TEST_HOME"])
os.environ["MARSAD_CACHE"] = str(_HOME / "cache")
os.environ["MARSAD_GAZETTEER_DIR"] = str(_HOME / "gazetteer")
# The temp directory too: the cache's fallback lives there (marsad.cache.fallback_dir), and what
# another run on this machine left in it must not answer for the session's own cache.
(_HOME / "tmp").mkdir(exist_ok=True)
os.environ["TMPDIR"] = tempfile.tempdir = str(_HOME / "tmp")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_HOME, ignore_errors=True)


def need(present: bool, what: str) -> None:
    """Skip when ``what`` is absent; under CI=true fail instead, naming it."""
    if present:
        return
    if IN_CI:
        pytest.fail(f"{what} is missing, and under CI=true every test must run (see README, Tests)")
    pytest.skip(f"{what} is missing")


def need_shared(path: Path = SHARED) -> Path:
    need(path.exists(), f"{path} (the shared data beside the project)")
    return path


@pytest.fixture
def shared() -> Path:
    return need_shared()
