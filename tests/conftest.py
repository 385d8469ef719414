"""Shared fixtures: where the read-only shared data lives, and a skip when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
RAW_SAMPLE = SHARED / "corpus" / "raw" / "000_c05be448c3f228f0.txt"
DEV_GOLD = SHARED / "eval" / "dev"
SYRIA_2015 = SHARED / "corpus" / "saudinewsnet" / "syria-2015.jsonl"


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the project")
    return SHARED
