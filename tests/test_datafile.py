"""Data files are validated on load: a typo names the file, the line, the entry and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from marsad.datafile import DataFileError, load
from marsad.entities.actors import ActorCatalogue, Lexicon
from marsad.events.lexicon import ContextLists, Policy, TriggerEntry


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_misspelt_field_names_file_line_entry_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "triggers.yaml",
        "- id: air\n  sub_event_type: Air/drone strike\n  rank: 80\n"
        "- id: clash\n  sub_event_type: Armed clash\n  rnak: 50\n",
    )
    with pytest.raises(DataFileError) as err:
        load(path, list[TriggerEntry])
    msg = str(err.value)
    assert f"{path}:6:" in msg and "entry 1 (clash)" in msg and "field 1.rnak" in msg


def test_an_unknown_value_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "triggers.yaml", "- id: air\n  sub_event_type: Air strike\n")
    with pytest.raises(DataFileError, match=r"triggers.yaml:2: entry 0 \(air\), field 0.sub_event_type"):
        load(path, list[TriggerEntry])
    both = write(tmp_path, "both.yaml", "- id: x\n  sub_event_type: Armed clash\n  class: attack\n")
    with pytest.raises(DataFileError, match="exactly one of sub_event_type and class"):
        load(both, list[TriggerEntry])


def test_a_word_list_nobody_reads_is_refused(tmp_path: Path) -> None:
    shipped = Path(__file__).parents[1] / "marsad" / "events" / "data" / "context.yaml"
    text = shipped.read_text(encoding="utf-8") + "\nbackgroud: [وسط]\n"
    with pytest.raises(DataFileError, match="field backgroud: Extra inputs are not permitted"):
        load(write(tmp_path, "context.yaml", text), ContextLists)


def test_policy_dates_and_actor_types_are_checked(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "policy.yaml",
        "default_actors:\n  - sub_event_type: Air/drone strike\n    countries: [SY]\n"
        "    until: 2024-13-08\n    actor: X\nair_only: []\n",
    )
    with pytest.raises(DataFileError, match=r"policy.yaml:4: entry 0, field default_actors.0.until"):
        load(path, Policy)
    actors = write(
        tmp_path,
        "actors.yaml",
        "types: {state forces: 1}\nmilitary_heads: []\npolice_heads: []\n"
        "actors:\n  - canonical: Somebody\n    type: state force\n",
    )
    with pytest.raises(DataFileError, match=r"actors.yaml:6: entry 0 \(Somebody\), field actors.0.type"):
        load(actors, ActorCatalogue)


def test_a_spokesman_for_an_unknown_actor_is_refused(tmp_path: Path) -> None:
    data = Path(__file__).parents[1] / "marsad" / "entities" / "data"
    sources = (data / "sources.yaml").read_text(encoding="utf-8")
    broken = write(
        tmp_path,
        "sources.yaml",
        sources.replace("speaks_for: Coalition (United States)", "speaks_for: Coalition"),
    )
    with pytest.raises(DataFileError, match="field speaks_for: no actor 'Coalition'"):
        Lexicon(data / "actors.yaml", broken)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "policy.yaml", "default_actors:\n  - [unclosed\nair_only: []\n")
    with pytest.raises(DataFileError, match=r"policy.yaml:\d+: not valid YAML"):
        load(path, Policy)


def test_a_key_given_twice_names_both_lines(tmp_path: Path) -> None:
    """YAML would keep the second and drop the first without a word: a list of words, or a rule,
    that silently does nothing."""
    text = "- id: clash\n  sub_event_type: Armed clash\n  rank: 50\n  nouns: [قتال]\n  not_after: [وقف]\n  not_after: [جبهات]\n"
    path = write(tmp_path, "triggers.yaml", text)
    with pytest.raises(
        DataFileError,
        match=r"triggers.yaml:6: not valid YAML: key 'not_after' given twice \(first on line 5\)",
    ):
        load(path, list[TriggerEntry])
