"""The gazetteer index, its cache, the importers and the OpenSyria coverage floors."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from marsad import cache
from marsad.document import Document
from marsad.entities import gazetteer
from marsad.entities.importers import import_geonames, import_ocha
from tests.conftest import need_shared

SHARED = Path(__file__).parents[1] / ".." / "shared" / "gazetteer" / "opensyria"


def test_lookup_folds_spellings():
    assert gazetteer.get().lookup("حماه")
    assert {p.type for p in gazetteer.get().lookup("إدلب")} >= {"city", "admin1"}


def test_supplement_types_and_admin1():
    (kuweires,) = [p for p in gazetteer.get().lookup("مطار كويرس")]
    assert kuweires.type == "airbase" and kuweires.admin1 == "Aleppo" and kuweires.country_code == "SY"
    assert any(p.type == "crossing" for p in gazetteer.get().lookup("معبر باب الهوى"))


def test_geonames_admin1_codes_mapped():
    douma = [p for p in gazetteer.get().lookup("دوما") if p.country_code == "SY"]
    assert douma and douma[0].admin1 == "Rif Dimashq"


def test_key_and_article_variants():
    assert gazetteer.key_of("دَيْر  الزُّور") == "دير الزور"
    assert gazetteer.article_variants("الرقه") == ["رقه"]


GEONAMES_ROW = "\t".join(
    ["9999001", "Khirbat Test", "Khirbat Test", "خربة التجربة,Khirbet Test", "35.50000", "36.50000", "P", "PPL", "SY", "",
     "12", "", "", "", "1200", "", "300", "Asia/Damascus", "2020-01-01"]
)  # fmt: skip


@pytest.fixture
def user_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("MARSAD_GAZETTEER_DIR", str(tmp_path / "gaz"))
    monkeypatch.setenv("MARSAD_CACHE", str(tmp_path / "cache"))
    gazetteer.get.cache_clear()
    yield tmp_path
    gazetteer.get.cache_clear()


def test_import_geonames(user_dirs):
    dump = user_dirs / "SY.txt"
    dump.write_text(GEONAMES_ROW + "\n" + "\t".join(["1", "Nowhere"] + [""] * 17) + "\n", encoding="utf-8")
    assert import_geonames(dump) == 1
    (place,) = gazetteer.get().lookup("خربة التجربة")
    assert place.geonameid == 9999001 and place.admin1 == "Idlib" and place.source == "user"


def test_import_ocha_json_and_csv(user_dirs):
    js = user_dirs / "subdistricts.json"
    js.write_text(
        '[{"id": "sy-idlib-x", "governorateId": "sy-idlib", "districtId": "sy-idlib-x",'
        ' "name": {"en": "Test Nahiya", "ar": "ناحية التجربة الكبرى"},'
        ' "centroid": {"latitude": 35.9, "longitude": 36.4}}]',
        encoding="utf-8",
    )
    assert import_ocha(js) == 1
    csv = user_dirs / "adm2.csv"
    csv.write_text("admin2Name_en,admin2Name_ar,admin2Pcode,admin1Name_en,latitude,longitude\n"
                   "Testdist,منطقة الاختبار,SY0299,Aleppo,36.1,37.1\n", encoding="utf-8")  # fmt: skip
    assert import_ocha(csv) == 1
    (a,) = gazetteer.get().lookup("ناحية التجربة الكبرى")
    assert a.type == "admin3" and a.admin1 == "Idlib"
    (b,) = gazetteer.get().lookup("منطقة الاختبار")
    assert b.type == "admin2" and b.admin1 == "Aleppo"


def test_opensyria_coverage_floors():
    need_shared(SHARED)
    from benchmarks.opensyria_coverage import coverage

    got = {k: h / t for k, (h, t) in coverage(SHARED).items()}
    assert got["governorates"] >= 1.0
    assert got["subdistricts"] >= 0.783
    assert got["border_crossings"] >= 0.94


def test_imported_subdistrict_wins_over_its_seat_town(user_dirs):
    from marsad.entities.geocode import Geocoder

    js = user_dirs / "subdistricts.json"
    js.write_text(
        '[{"id": "sy-aleppo-ain-al-arab-sarin", "governorateId": "sy-aleppo", "districtId": "sy-aleppo-x",'
        ' "name": {"en": "Sarin", "ar": "صرين"}, "centroid": {"latitude": 36.45, "longitude": 38.42}}]',
        encoding="utf-8",
    )
    assert import_ocha(js) == 1
    geocoder = Geocoder()
    division = Document(id="a", text="ناحية صرين")
    (span,) = geocoder(division).spans_of("place")
    assert span.attrs["type"] == "admin3" and span.attrs["lat"] == 36.45
    town = Document(id="b", text="بلدة صرين")
    (span,) = geocoder(town).spans_of("place")
    assert span.attrs["type"] == "town" and span.attrs["lat"] != 36.45


def test_a_broken_import_file_is_named_with_its_line(user_dirs):
    bad_json = user_dirs / "admin.json"
    bad_json.write_text('[{"name": {"ar": "قرية"},\n  oops]', encoding="utf-8")
    with pytest.raises(ValueError, match=r"admin\.json:2:\d+: not valid JSON"):
        import_ocha(bad_json)
    dump = user_dirs / "SY.txt"
    dump.write_text(GEONAMES_ROW + "\nonly\ttwo\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"SY\.txt:2: 2 tab-separated fields"):
        import_geonames(dump)


def test_an_unwritable_cache_still_gives_the_gazetteer_and_the_next_process_a_warm_one(
    tmp_path, monkeypatch, capsys
):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("MARSAD_CACHE", str(blocked / "cache"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gaz = gazetteer.load()
    assert gaz.places and gaz.exact
    err = capsys.readouterr().err
    assert "gazetteer cache not written" in err and "kept in" in err
    monkeypatch.setattr(gazetteer, "build", lambda: pytest.fail("built again"))
    assert gazetteer.load().exact == gaz.exact


def test_a_truncated_cache_file_is_built_again(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MARSAD_CACHE", str(tmp_path))
    gaz = gazetteer.load()
    (cached,) = tmp_path.glob("gazetteer-*")
    cached.write_bytes(cached.read_bytes()[:1000])
    assert gazetteer.load().exact == gaz.exact
    assert "truncated or damaged" in capsys.readouterr().err
    assert gazetteer.load().exact == gaz.exact


def test_arabic_cities_decodes_only_objects_with_arabic_and_falls_back():
    import json

    cities = {
        "1": {"geonameid": 1, "name": "A", "alternatenames": ["A", "\u0628\u0644\u062f\u0629"]},
        "2": {"geonameid": 2, "name": "B {x}", "alternatenames": ["B", "\u06a9\u06af"]},
        "3": {"geonameid": 3, "name": "C", "alternatenames": ["\u06a9", "\u0642\u0631\u064a\u0629"]},
        "4": {"geonameid": 4, "name": "D", "alternatenames": []},
    }
    escaped = json.dumps(cities)
    assert [c["geonameid"] for c in gazetteer.arabic_cities(escaped)] == [1, 3]
    # written unescaped (another version of the package): decoded whole, nothing lost
    plain = json.dumps(cities, ensure_ascii=False)
    assert [c["geonameid"] for c in gazetteer.arabic_cities(plain)] == [1, 2, 3, 4]


def test_the_cache_key_follows_content_not_path_or_mtime(tmp_path):
    one, two = tmp_path / "a" / "supplement.tsv", tmp_path / "b" / "supplement.tsv"
    for f in (one, two):
        f.parent.mkdir()
        f.write_text("name_ar\tname_en\n", encoding="utf-8")
    os.utime(two, (1, 1))
    assert cache.digest(0, [one]) == cache.digest(0, [two])
    two.write_text("name_ar\tname_en\nحلب\tAleppo\n", encoding="utf-8")
    assert cache.digest(0, [one]) != cache.digest(0, [two])


def test_cache_files_of_other_data_versions_are_kept_up_to_a_few(tmp_path):
    for i in range(cache.KEEP + 3):
        old = tmp_path / f"gazetteer-{i:016x}"
        old.write_bytes(b"")
        os.utime(old, (i, i))
    current = tmp_path / "gazetteer-current"
    current.write_bytes(b"")
    cache.prune(tmp_path, "gazetteer", current)
    left = sorted(p.name for p in tmp_path.glob("gazetteer-*"))
    assert len(left) == cache.KEEP and "gazetteer-current" in left
    assert f"gazetteer-{cache.KEEP + 2:016x}" in left and "gazetteer-0000000000000000" not in left


def test_a_user_without_a_home_directory_still_gets_cache_and_import_paths(monkeypatch):
    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("MARSAD_CACHE")
    monkeypatch.delenv("MARSAD_GAZETTEER_DIR")
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert "marsad-nohome" in cache.cache_dir().parts
    assert "marsad-nohome" in gazetteer.user_dir().parts


def test_an_open_dataset_row_stays_apart_from_the_geonames_row_it_duplicates():
    from marsad.entities.gazetteer import Place, _merge

    gn = Place("Kafr X", "كفر اكس", "village", 35.0, 36.0, "SY", "Hama", 1234, 900, "gn")
    opened = Place("Kafr X", "كفراكس", "village", 35.01, 36.01, "SY", "Hama", 1234, 0, "open")
    assert _merge([opened, gn]) == [opened, gn]
    assert not opened.curated and not gn.curated and gn._replace(source="user").curated


def test_syrian_villages_of_the_open_dataset_are_loaded_as_open():
    places = [gazetteer.get().places[i] for i in gazetteer.get().exact[gazetteer.key_of("عكاكير")]]
    assert places and all(p.source == "open" and p.country_code == "SY" for p in places)
