"""The on-disk cache of built data (marsad.cache): a stale, truncated, damaged or half-written
file is never read as data, and what a load returns always equals a fresh build."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from marsad import cache
from marsad.entities import gazetteer, place_model


@pytest.fixture
def cdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MARSAD_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def counted(value: object) -> tuple[list[int], object]:
    """A build that counts its calls."""
    calls: list[int] = []

    def build() -> object:
        calls.append(1)
        return value

    return calls, build


def test_a_second_load_reads_the_file_and_equals_the_build(cdir):
    calls, build = counted({"a": [1.5, None, "x"], "b": (2, 3)})
    first = cache.cached("t", "k", build)
    assert cache.cached("t", "k", build) == first and len(calls) == 1
    assert [p.name for p in cdir.iterdir()] == ["t-k"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # truncated
        lambda raw: raw[:-1] + bytes([raw[-1] ^ 1]),  # one bit flipped
        lambda raw: b"",  # empty
        lambda raw: b"not a cache file at all",
    ],
)
def test_a_truncated_or_damaged_file_is_built_again(cdir, capsys, damage):
    calls, build = counted({"weights": [0.25] * 1000})
    cache.cached("t", "k", build)
    path = cdir / "t-k"
    path.write_bytes(damage(path.read_bytes()))
    assert cache.cached("t", "k", build) == {"weights": [0.25] * 1000} and len(calls) == 2
    assert "truncated or damaged" in capsys.readouterr().err
    assert cache.cached("t", "k", build) == {"weights": [0.25] * 1000} and len(calls) == 2  # whole again


def test_a_payload_the_decoder_rejects_is_built_again(cdir, capsys):
    cache.cached("t", "k", lambda: [1, 2, 3])

    def decode(data: object) -> list[int]:
        raise ValueError("another layout")

    assert cache.cached("t", "k", lambda: [4], decode=decode) == [4]
    assert "unreadable" in capsys.readouterr().err


def test_a_changed_source_file_changes_the_key(tmp_path):
    src = tmp_path / "model.json"
    src.write_text('{"w": 1}', encoding="utf-8")
    before = cache.digest(1, [src])
    assert cache.digest(1, [src]) == before
    src.write_text('{"w": 2}', encoding="utf-8")
    assert cache.digest(1, [src]) != before
    assert cache.digest(2, [src]) != cache.digest(1, [src])  # a new format version


def test_an_unwritable_cache_dir_builds_in_memory(tmp_path, monkeypatch, capsys):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("MARSAD_CACHE", str(blocked / "cache"))
    monkeypatch.setattr(cache, "fallback_dir", lambda: None)
    calls, build = counted([1, 2])
    assert cache.cached("t", "k", build) == [1, 2]
    assert cache.cached("t", "k", build) == [1, 2] and len(calls) == 2
    assert "cache not written" in capsys.readouterr().err


def test_a_changed_model_file_is_read_fresh_not_from_the_cache(cdir, tmp_path):
    path = tmp_path / "place_model.json"
    path.write_text(place_model.MODEL_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    shipped = place_model.PlaceModel.load(path)
    assert place_model.PlaceModel.load(path).weights == shipped.weights  # from the cache
    path.write_text(
        '{"classes": ["place", "common"], "bias": [0.5, -0.5], "weights": {"x": [1.0, 2.0]}}',
        encoding="utf-8",
    )
    changed = place_model.PlaceModel.load(path)
    assert changed.classes == ("place", "common") and changed.weights == {"x": (1.0, 2.0)}
    assert place_model.PlaceModel.load(path).weights == {"x": (1.0, 2.0)}  # from the cache
    path.write_text(
        '{"classes": ["place", "common"], "bias": [0, 0], "weights": {"x": [1.0]}}', encoding="utf-8"
    )
    with pytest.raises(ValueError, match="feature 'x' has 1 weights for 2 classes"):
        place_model.PlaceModel.load(path)


def test_the_place_model_weights_read_back_as_they_were():
    weights = place_model._parsed(place_model.MODEL_PATH)
    assert place_model._from_columns(place_model._columns(weights)) == (
        weights[0],
        weights[1],
        {f: tuple(row) for f, row in weights[2].items()},
    )
    classes, bias, names, flat = place_model._columns(weights)
    with pytest.raises(ValueError):  # read as damaged: built again
        place_model._from_columns((classes, bias, names, flat[:-8]))


def test_the_gazetteer_from_a_damaged_cache_and_from_changed_data_equals_a_fresh_build(
    cdir, tmp_path, monkeypatch
):
    monkeypatch.setenv("MARSAD_GAZETTEER_DIR", str(tmp_path / "gaz"))
    built = gazetteer.build()
    gazetteer.load()
    (path,) = cdir.glob("gazetteer-*")
    path.write_bytes(path.read_bytes()[:-100])
    again = gazetteer.load()
    assert (again.places, again.exact, again.variant) == (built.places, built.exact, built.variant)
    assert again.several == built.several and built.several == gazetteer.several_words(built.exact)
    cached = gazetteer.load()
    assert list(cached.places) == built.places and cached.countries == built.countries
    # new data (a user's import): another key, and the new place is in
    (tmp_path / "gaz").mkdir()
    gazetteer.write_tsv(
        tmp_path / "gaz" / "mine.tsv",
        [{"name_ar": "قرية الاختبار البعيدة", "name_en": "Test", "type": "village", "lat": 35, "lon": 36,
          "country_code": "SY"}],
    )  # fmt: skip
    assert gazetteer.load().lookup("قرية الاختبار البعيدة")
    assert len(list(cdir.glob("gazetteer-*"))) == 2


def test_the_gazetteer_rows_read_back_as_the_places_they_were():
    places = [
        gazetteer.Place("Douma", "دوما", "town", 33.57, 36.4, "SY", "Rif Dimashq", 170592, 110893, "gn"),
        gazetteer.Place("", "قرية", "village", -1.5, 0.0, "SY", "", None, 0, "user"),
    ]
    rows = gazetteer.Rows.from_columns(*gazetteer.Rows.of(places).columns())
    assert len(rows) == 2 and list(rows) == places and rows[-1] is rows[1]
    assert all(type(a) is type(b) for a, b in zip(rows[1], places[1], strict=True))
    with pytest.raises(IndexError):
        rows[2]
    with pytest.raises(TypeError):
        rows[0:1]
    text, *numbers = gazetteer.Rows.of(places).columns()
    with pytest.raises(ValueError):  # read as damaged: built again
        gazetteer.Rows.from_columns(text[:-1], *numbers)
    with pytest.raises(ValueError):
        gazetteer.Rows.of([places[0]._replace(name="a\0b")])


def test_the_gazetteer_key_tables_read_back_as_they_were():
    table = {"دوما": (3,), "دير الزور": (1, 7), "ادلب": ()}
    keys = gazetteer.Keys.from_columns(*gazetteer.Keys.of(table).columns())
    assert keys == table and list(keys) == list(table) and "حلب" not in keys
    assert keys["دير الزور"] == (1, 7) and keys.get("حلب", ()) == () and keys.get("ادلب") == ()
    with pytest.raises(KeyError):
        keys["حلب"]
    text, ends, ids = gazetteer.Keys.of(table).columns()
    with pytest.raises(ValueError):  # read as damaged: built again
        gazetteer.Keys.from_columns(text + "\nحلب", ends, ids)
    with pytest.raises(ValueError):
        gazetteer.Keys.of({"a\nb": (1,)})


def test_the_gazetteer_first_words_read_back_as_they_were():
    several = gazetteer.several_words(["دير الزور", "حمص", "دير حافر", "تل ابيض", "دير"])
    assert several == {"دير": ["دير الزور", "دير حافر"], "تل": ["تل ابيض"]}
    firsts, keys = gazetteer._several_columns(several)
    kept = gazetteer._several_from_columns(firsts, keys)
    assert kept == several and list(kept) == list(several) and kept.get("حمص") is None
    assert gazetteer._several_from_columns(*gazetteer._several_columns({})) == {}
    with pytest.raises(ValueError):  # read as damaged: built again
        gazetteer._several_from_columns(firsts + "\nحلب", keys)
    with pytest.raises(ValueError):
        gazetteer._several_columns({"a": ["a\tb c"]})


def _write_and_read(cache_path: str, n: int) -> list[int]:
    """``n`` rounds of writing the file afresh and reading it back (a torn read would build ``[]``)."""
    os.environ["MARSAD_CACHE"] = cache_path
    out = []
    for _ in range(n):
        out.append(len(cache.cached("t", "k", lambda: list(range(100_000)), rebuild=True)))
        out.append(len(cache.cached("t", "k", list)))
    return out


def test_concurrent_writers_leave_one_whole_file(cdir):
    """Processes writing the same file at once (workers starting together): each renames a whole
    file of its own over it, so every read in between finds a whole file, never a torn one."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        got = pool.starmap(_write_and_read, [(str(cdir), 20)] * 4)
    assert all(n == 100_000 for counts in got for n in counts)
    assert [p.name for p in cdir.iterdir()] == ["t-k"]  # no temporary file left behind
    assert len(cache.cached("t", "k", list)) == 100_000
