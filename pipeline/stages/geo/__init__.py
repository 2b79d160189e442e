"""Places: the dateline on the map, the countries an article names, the outlet that published it.

``locate(doc, counters)`` fills ``dateline_place`` / ``dateline_place_id`` / ``dateline_country`` /
``dateline_location``, ``countries`` / ``places`` and ``outlet``; ``Geo`` is the stage (``places``)
that runs it in the list of steps, after enrich. The gazetteer and the rules load once per process.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

from pipeline.document import Document
from pipeline.stages.base import Stage
from pipeline.stages.geo.dateline import resolve_dateline
from pipeline.stages.geo.gazetteer import load_gazetteer
from pipeline.stages.geo.mentions import countries_in
from pipeline.stages.geo.rules import GeoRules, load_geo_rules

_SPACE = re.compile(r"\s+")
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)+$")


def outlet_key(name: str | None, rules: GeoRules | None = None) -> str | None:
    """A publisher's name as one keyword: case-folded, single-spaced, a domain without ``www.``
    ("Reuters", "REUTERS" -> "reuters"; "www.lemonde.fr" -> "lemonde.fr")."""
    if not name:
        return None
    prefixes = (rules or load_geo_rules()).host_prefixes
    key = _SPACE.sub(" ", name.strip().casefold()).strip(" -|·:")
    if _DOMAIN.match(key):
        parts = key.split(".")
        while len(parts) > 2 and parts[0] in prefixes:
            parts = parts[1:]
        key = ".".join(parts)
    return key[:120] or None


def outlet_of(doc: Document, rules: GeoRules) -> str | None:
    """og:site_name (or another name key of the rules), else the canonical URL's host, else the wire
    agency of the dateline (a text dump knows no site)."""
    for key in rules.outlet_name_keys:
        value = doc.metadata.get(key)
        if isinstance(value, str) and value.strip():
            return outlet_key(value, rules)
    url = doc.metadata.get("canonical_url")
    if isinstance(url, str) and url:
        host = urlsplit(url.strip()).hostname
        if host:
            return outlet_key(host, rules)
    agency = doc.metadata.get("agency") or doc.source_name
    return outlet_key(agency, rules) if isinstance(agency, str) else None


def locate(doc: Document, counters: Counter[str] | None = None) -> Document:
    """Fill the place fields of ``doc`` (never raises for a bad value: a place is left empty)."""
    counters = counters if counters is not None else Counter()
    rules = load_geo_rules()
    gaz = load_gazetteer()
    agency = doc.metadata.get("agency") or doc.source_name
    place = resolve_dateline(doc.dateline, gaz, rules, language=doc.language,
                             agency=agency if isinstance(agency, str) else None)
    if doc.dateline:
        counters["dateline_resolved" if place else "dateline_unresolved"] += 1
    if place:
        doc.dateline_place = place.name
        doc.dateline_place_id = str(place.geonameid)
        doc.dateline_country = place.country
        if place.latitude is not None and place.longitude is not None:
            doc.dateline_location = {"lat": place.latitude, "lon": place.longitude}
    codes = countries_in(f"{doc.title or ''}\n{doc.body}", doc.language)
    doc.countries = codes
    doc.places = [gaz.countries[c].name for c in codes if c in gaz.countries]
    if codes:
        counters["with_countries"] += 1
    doc.outlet = outlet_of(doc, rules)
    return doc


class Geo(Stage):
    """``locate`` as a stage: after language detection (it reads ``doc.language``) and enrich (the
    fallback title), before indexing."""

    name = "places"

    def process(self, doc: Document) -> Document:
        return locate(doc, self.counters)
