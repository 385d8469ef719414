"""geocode.yaml: the words around place names, validated once, read by the places stage
(:mod:`marsad.entities.geocode`) and the place model (:mod:`marsad.entities.place_model`)."""

from __future__ import annotations

from functools import cache
from typing import Literal

from marsad import datafile
from marsad.entities.gazetteer import DATA_DIR
from marsad.text import match

Direction = Literal["north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"]


class PlaceWords(datafile.Strict):
    """geocode.yaml (see its comments); the trigger values are place types."""

    triggers: dict[str, str]
    directions: dict[str, Direction]
    near: dict[str, Literal["near", "outskirts"]]
    distance_units: list[str]
    subdistrict_countries: list[str]
    home_countries: list[str]
    known_abroad: list[str]
    area_countries: list[str]
    countryside_sides: dict[str, Direction]
    weak_triggers: list[str]
    country_before: list[str]
    government_words: match.WordList
    government_blockers: list[str]
    government_of: list[str]
    government_seats: list[tuple[str, str]]
    country_prior: dict[str, float]
    from_words: list[str]
    violence_words: list[str]  # read by the place model
    org_heads: list[str]  # read by the place model
    org_name_heads: list[str]
    org_name_duals: list[str]
    function_words: list[str]
    media_heads: list[str]
    generic_anaphors: list[str]
    name_openers: list[str]
    dual_heads: list[str]
    dual_anaphors: list[str]
    light_verbs: list[str]
    prayer_words: list[str]
    fighting_prepositions: list[str]
    fighting_kinds: list[str]
    direction_regions: list[str]
    open_heads: list[str]
    open_division_kinds: list[str]
    head_levels: dict[str, list[str]]

    def __post_init__(self) -> None:
        duals = [w for w in self.org_name_duals if w not in self.org_name_heads]
        if duals:
            raise ValueError(f"org_name_duals not among the org_name_heads: {duals}")
        unknown = [w for w in self.weak_triggers if w not in self.triggers]
        if unknown:
            raise ValueError(f"weak_triggers not among the triggers: {unknown}")
        kinds = [k for k in self.fighting_kinds if k not in self.triggers.values()]
        if kinds:
            raise ValueError(f"fighting_kinds not among the place types the triggers name: {kinds}")


@cache
def place_words() -> PlaceWords:
    return datafile.load(DATA_DIR / "geocode.yaml", PlaceWords)
