"""Data files are validated on load: a typo names the file, the line, the entry and the field."""

from __future__ import annotations

import dataclasses
import marshal
from pathlib import Path

import pytest

from marsad import cache, datafile
from marsad.datafile import DataFileError, load
from marsad.entities.actors import ActorCatalogue, Lexicon
from marsad.events.lexicon import ActorRule, ContextLists, Policy, TriggerEntry


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


# -- the cache of validated files ---------------------------------------------------------------


@pytest.fixture
def cdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MARSAD_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


POLICY = "default_actors: []\nair_only:\n  - actor: {actor}\n    countries: [SY]\n"


def test_a_second_load_reads_the_cache_and_equals_the_validated_file(cdir, tmp_path, monkeypatch):
    path = write(tmp_path, "policy.yaml", POLICY.format(actor="A"))
    first = load(path, Policy)
    monkeypatch.setattr(datafile, "_validated", lambda *a: pytest.fail("validated again"))
    assert load(path, Policy) == first and load(path, Policy).air_only_actor("A", "SY")
    assert [p.name.split("-")[:2] for p in cdir.iterdir()] == [["data", "policy"]]


def test_changed_bytes_or_a_changed_model_are_validated_again(cdir, tmp_path):
    path = write(tmp_path, "policy.yaml", POLICY.format(actor="A"))
    assert load(path, Policy).air_only[0].actor == "A"
    path.write_text(POLICY.format(actor="B"), encoding="utf-8")
    assert load(path, Policy).air_only[0].actor == "B"
    path.write_text(POLICY.format(actor="A") + "raids: [{actor: A, country: SY}]\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="raids.0.country"):  # a file that fails is never cached
        load(path, Policy)
    with pytest.raises(DataFileError, match="raids.0.country"):
        load(path, Policy)

    class Narrower(datafile.Strict):  # another model of the same file: another key
        default_actors: list[str]
        air_only: list[dict[str, str]]

    path.write_text(POLICY.format(actor="A"), encoding="utf-8")
    assert isinstance(load(path, Policy), Policy)
    with pytest.raises(DataFileError, match="air_only.0.countries"):
        load(path, Narrower)
    assert datafile._schema(Policy) != datafile._schema(Narrower)


def test_a_damaged_cache_file_is_validated_again(cdir, tmp_path, capsys):
    path = write(tmp_path, "policy.yaml", POLICY.format(actor="A"))
    first = load(path, Policy)
    (cached,) = cdir.iterdir()
    raw = cached.read_bytes()
    cached.write_bytes(raw[: len(raw) // 2])
    assert load(path, Policy) == first
    assert "truncated or damaged" in capsys.readouterr().err
    cache.write(cdir, cached.name, marshal.dumps(b"not a pickle"))  # whole, but no value of ours
    assert load(path, Policy) == first
    assert "unreadable" in capsys.readouterr().err


def test_a_dump_is_cached_as_plain_data(cdir, tmp_path):
    path = write(tmp_path, "policy.yaml", POLICY.format(actor="A"))
    assert (
        load(path, Policy, dump=True) == datafile.plain(load(path, Policy)) == load(path, Policy, dump=True)
    )
    assert isinstance(load(path, Policy, dump=True)["air_only"][0], dict)


def test_a_warm_start_imports_neither_pydantic_nor_yaml() -> None:
    """The models are plain records that pydantic validates only on a miss: once the files are
    cached, a run's pipeline builds without either (a tenth of a second of every start)."""
    import subprocess
    import sys

    code = (
        "import sys; from marsad.runner import build_pipeline; build_pipeline(); "
        "print(sorted({'pydantic', 'yaml'} & set(sys.modules)))"
    )
    for _ in range(2):  # the first may validate (a cold cache)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_model_is_a_frozen_record_made_by_name() -> None:
    rule = ActorRule(actor="A", countries=["SY"])
    assert rule == ActorRule(actor="A", countries=["SY"]) != ActorRule(actor="B")
    assert (
        ActorRule(actor="B").countries == []
        and ActorRule(actor="B").countries is not ActorRule(actor="C").countries
    )
    assert repr(rule) == "ActorRule(actor='A', countries=['SY'])"
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.actor = "B"  # type: ignore[misc]
    with pytest.raises(TypeError, match="needs actor"):
        ActorRule()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="no field"):
        ActorRule(actor="A", country="SY")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="exactly one of sub_event_type and class"):  # its checks run
        TriggerEntry(id="x")


def test_extra_keys_are_kept_where_a_model_allows_them(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "actors.yaml",
        "types: {state forces: 1}\nmilitary_heads: []\npolice_heads: []\nactors: []\n"
        "by_country:\n  - aliases: [الجيش]\n    SY: Army (Syria)\n",
    )
    (entry,) = load(path, ActorCatalogue).by_country
    assert entry.extras() == {"SY": "Army (Syria)"}
    assert load(path, ActorCatalogue, dump=True)["by_country"] == [
        {"aliases": ["الجيش"], "default": None, "forces": None, "SY": "Army (Syria)"}
    ]
    bad = write(tmp_path, "bad.yaml", path.read_text(encoding="utf-8").replace("SY:", "Syria:"))
    with pytest.raises(DataFileError, match="expected two-letter country codes"):
        load(bad, ActorCatalogue)


def test_the_key_holds_pydantics_version() -> None:
    assert datafile._pydantic().name == "version.py" and datafile._pydantic().is_file()
