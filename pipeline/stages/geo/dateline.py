"""A dateline ("MOSCOW, March 21", "北京, 8月3日", "Hà Nội") resolved to a GeoNames place.

The clean stage gives the dateline as ``<place>[, <date>]``. The place part is looked up among every
GeoNames name of every city (any script, any case); among cities sharing the name the rule of
``config/geo.yaml`` picks one (prominence, the wire agency's home country, the article's language).
A part that names a country, not a city, gives the country alone. Anything else stays unresolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.stages.base import untimed_cache
from pipeline.stages.geo.gazetteer import City, Gazetteer, cldr_names, name_key
from pipeline.stages.geo.rules import GeoRules

_SEPARATORS = re.compile(r"\s*[,，、،;]\s*")
_TRAILING_DATE = re.compile(r"[\s\d./\-]+$")


@dataclass(frozen=True)
class Place:
    name: str  # GeoNames' name (English or the local Latin form)
    geonameid: int
    country: str  # ISO 3166-1 alpha-2
    latitude: float | None = None  # None for a country-level dateline
    longitude: float | None = None
    score: float = 0.0


def place_part(dateline: str) -> tuple[str, bool]:
    """The place of ``<place>, <date>``: the text before the first comma, without a trailing number;
    and whether a number was cut off (the part may then be a date: "March 19, 2026")."""
    head = _SEPARATORS.split(dateline.strip(), maxsplit=1)[0]
    part = _TRAILING_DATE.sub("", head).strip()
    return part, part != head.strip()


@untimed_cache  # built on first use, outside the document's time limit
def date_words(language: str | None) -> frozenset[str]:
    """CLDR's month and weekday names of ``language`` and English (``babel``): a dateline part that is
    one of them is a date ("دوشنبه" is Monday in Persian before it is Dushanbe)."""
    out: frozenset[str] = frozenset()
    for lang in dict.fromkeys(x for x in (language, "en") if x):
        out |= cldr_names(lang)[1]
    return out


def _score(city: City, rules: GeoRules, agency_country: str | None, language_countries: frozenset[str]) -> float:
    score = city.prominence
    if agency_country and city.country == agency_country:
        score += rules.agency_bonus
    if city.country in language_countries:
        score += rules.language_bonus
    return score


def _candidates(part: str, rules: GeoRules) -> list[str]:
    out = [part]
    for prefix in rules.strip_prefixes:
        if part.casefold().startswith(prefix.casefold() + " ") or (prefix.endswith(".") and
                                                                   part.casefold().startswith(prefix.casefold())):
            out.append(part[len(prefix):].strip())
    return [c for c in out if c]


def resolve_dateline(dateline: str | None, gaz: Gazetteer, rules: GeoRules, *, language: str | None = None,
                     agency: str | None = None) -> Place | None:
    """The place a dateline names, or None when it names none the gazetteer knows well enough."""
    if not dateline:
        return None
    part, dated = place_part(dateline)
    key = name_key(part)
    if (not key or len(part) > 60 or key == name_key(agency or "") or key in rules.agencies
            or key in date_words(language)):
        return None  # a wire agency is not a place ("تسنیم", "PAP" read as the dateline), nor a weekday
    agency_country = rules.agency_country(agency)
    language_countries = gaz.countries_speaking(language)
    best: Place | None = None
    for cand in _candidates(part, rules):
        if sum(ch.isalpha() for ch in cand) < 2:
            continue
        extra = rules.extra_names.get(name_key(cand))
        for city in gaz.cities_named(cand) + ([gaz.cities[extra]] if extra in gaz.cities else []):
            score = _score(city, rules, agency_country, language_countries)
            floor = rules.dated_min_score if dated else rules.min_score
            if score >= floor and (best is None or score > best.score):
                best = Place(city.name, city.geonameid, city.country, city.latitude, city.longitude, score)
        if best:
            return best
    if rules.dateline_countries:
        country = gaz.country_named(part, tuple(dict.fromkeys(x for x in (language, "en") if x)))
        if country:
            return Place(country.name, country.geonameid, country.code)
    return None
