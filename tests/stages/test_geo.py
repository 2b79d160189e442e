"""Places (issue 28): the dateline on the map, countries named in the text, the outlet."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from pipeline.config import ConfigError
from pipeline.document import Document
from pipeline.stages.enrich import Enrich, enrich
from pipeline.stages.geo import Geo, outlet_key
from pipeline.stages.geo.dateline import resolve_dateline
from pipeline.stages.geo.gazetteer import load_gazetteer, name_key
from pipeline.stages.geo.mentions import countries_in
from pipeline.stages.geo.rules import load_geo_rules, parse_rules


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    return 12742 * math.asin(math.sqrt(h))


def place(dateline: str, language: str | None = None, agency: str | None = None):
    return resolve_dateline(dateline, load_gazetteer(), load_geo_rules(), language=language, agency=agency)


def test_the_gazetteer_loads_once_per_process():
    assert load_gazetteer() is load_gazetteer()
    assert len(load_gazetteer().cities) > 30000


def test_names_meet_across_case_accents_and_letter_variants():
    assert name_key("МОСКВА") == name_key("Москва")
    assert name_key("İSTANBUL") == name_key("Istanbul")
    assert name_key("Ðà Lạt") == name_key("Đà Lạt")
    assert name_key("إيران") == name_key("ايران")


@pytest.mark.parametrize("dateline,language,agency,where,country", [
    ("МОСКВА, 4 апреля", "ru", "ТАСС", (55.76, 37.62), "RU"),
    ("北京, 8月3日", "zh", "新华社", (39.90, 116.40), "CN"),
    ("القاهرة", "ar", "رويترز", (30.04, 31.24), "EG"),
    ("BRUXELLES", "fr", "AFP", (50.85, 4.35), "BE"),
    ("ワシントン", "ja", "共同", (38.90, -77.04), "US"),  # a name GeoNames' extract lacks (geo.yaml extra_names)
    ("TP Hồ Chí Minh", "vi", "TTXVN", (10.78, 106.70), "VN"),
    ("กรุงเทพฯ, 7 ต.ค.", "th", None, (13.76, 100.50), "TH"),
    ("DEN HAAG", "nl", "ANP", (52.08, 4.30), "NL"),
])
def test_a_dateline_resolves_to_its_city_in_any_script(dateline, language, agency, where, country):
    got = place(dateline, language, agency)
    assert got is not None and got.country == country
    assert km(where, (got.latitude, got.longitude)) < 50


def test_ambiguous_names_follow_the_documented_rule():
    # prominence: London, England over London, Ontario; Valencia, Spain (named in 73 languages) over Venezuela's
    assert place("LONDON").country == "GB"
    assert place("Valencia", "es").country == "ES"
    # a national agency's home country decides; a global wire's does not ("WASHINGTON (Reuters)")
    assert place("BIRMINGHAM", "en", "AP").country == "GB"  # AP is international: prominence decides
    assert place("BIRMINGHAM", "en", "PA").country == "GB"
    assert place("WASHINGTON", "en", "Reuters").country == "US"
    assert place("Córdoba", "es", "Notimex").country == "AR"  # no Mexican Córdoba big enough to win


@pytest.mark.parametrize("text,language", [
    ("UPDATE", "en"), ("March 19, 2026", "en"), ("PAP", "pl"), ("دوشنبه", "fa"), ("Montag", "de"),
    ("ایسنا", "fa"), ("John Smith", "en"), ("EXCLUSIVE", "en"),
])
def test_a_dateline_naming_no_place_stays_unresolved(text, language):
    assert place(text, language) is None


def test_a_dateline_naming_a_country_gives_the_country_without_a_point():
    got = place("UKRAINE, March 3", "en")
    assert got is not None and got.country == "UA" and got.latitude is None


@pytest.mark.parametrize("text,language,expected", [
    ("The U.S. and Russia met in Papua New Guinea.", "en", ["US", "RU", "PG"]),
    ("Relations with Rosji i Polsce oraz Niemcy.", "pl", ["RU", "PL", "DE"]),
    ("В России и Китае, а также в США", "ru", ["RU", "CN", "US"]),
    ("中国和美国在日本会谈", "zh", ["CN", "US", "JP"]),
    ("والصين ومصر في الولايات المتحدة", "ar", ["CN", "EG", "US"]),
    ("미국은 중국과 일본", "ko", ["US", "CN", "JP"]),
    ("Deutschlands Rolle in Frankreich", "de", ["DE", "FR"]),
    ("Türkiye'nin ekonomisi", "tr", ["TR"]),
])
def test_countries_named_in_the_text_in_many_languages(text, language, expected):
    assert countries_in(text, language) == expected


def test_a_common_word_or_another_name_is_no_country():
    assert countries_in("We ate turkey and chile with Chad and Jordan.", "en") == []
    assert countries_in("He told USA Today, then IBM France.", "en") == []
    assert countries_in("Island ist eine Insel im Nordatlantik.", "de") == ["IS"]  # German: Iceland


def test_outlet_is_one_keyword_per_publisher():
    assert outlet_key("  Le   Monde ") == "le monde"
    assert outlet_key("www.lemonde.fr") == "lemonde.fr"
    assert outlet_key("REUTERS") == outlet_key("Reuters") == "reuters"


def locate_(d: Document) -> Document:
    return Geo()(enrich(d))


def doc(**kw) -> Document:
    base = dict(source="a.txt", source_path=str(Path("/x/a.txt")), title="Talks", body="Talks in Germany went on.",
                language="en")
    base.update(kw)
    return Document(**base)


def test_enrich_fills_the_place_fields():
    d = locate_(doc(dateline="BERLIN, March 3", metadata={"agency": "dpa"}, source_name="dpa"))
    assert (d.dateline_place, d.dateline_country, d.dateline_place_id) == ("Berlin", "DE", "2950159")
    assert km((52.52, 13.40), (d.dateline_location["lat"], d.dateline_location["lon"])) < 10
    assert d.countries == ["DE"] and d.places == ["Germany"]
    assert d.outlet == "dpa"


def test_outlet_prefers_the_site_name_then_the_canonical_host():
    assert locate_(doc(metadata={"site_name": "BBC News", "canonical_url": "https://www.bbc.co.uk/x"})).outlet == "bbc news"
    assert locate_(doc(metadata={"canonical_url": "https://www.bbc.co.uk/x"})).outlet == "bbc.co.uk"


def test_enrich_leaves_places_to_their_step_and_failed_documents_get_none():
    d = Enrich()(doc(dateline="BERLIN"))
    assert d.dateline_place is None and d.countries == [] and d.outlet is None
    bad = doc(dateline="BERLIN")
    bad.fail("extract", "binary", "not text")
    bad = Geo()(Enrich()(bad))
    assert bad.dateline_place is None and bad.countries == []


def test_geo_stage_counts_what_it_resolved():
    stage = Geo()
    stage(doc(dateline="BERLIN"))
    stage(doc(dateline="UPDATE"))
    assert stage.counters["dateline_resolved"] == 1 and stage.counters["dateline_unresolved"] == 1


def test_a_bad_agency_code_is_a_config_error():
    with pytest.raises(ConfigError):
        parse_rules({"agencies": {"Germany": ["dpa"]}})
    with pytest.raises(ConfigError):
        parse_rules({"unknown": 1})
