"""Language packs: one realistic news dump per language (tests/fixtures/clean/<lang>/article.txt, with
the usual junk: menus, share bars, captions and credits, read-also lines, related blocks, end marks,
copyright lines), cleaned through the Clean stage with the language-first rule packs; expected body,
captions and metadata in expected.yaml beside it. zh and vi are renderings of the two seeds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from pipeline.document import Document
from pipeline.run.single import clean
from pipeline.stages.clean import load_packs
from pipeline.stages.clean.text import clean_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "clean"
LANGS = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.yaml").is_file())
REQUIRED = {"en", "zh", "ja", "ko", "vi", "ru", "uk", "ar", "es", "fr", "de", "pt", "it", "tr", "id", "pl"}


def _norm(s: str | None) -> str:
    return re.sub(r"\s+", "", s or "").casefold()


def _case(lang: str) -> tuple[Document, dict]:
    raw = (FIXTURES / lang / "article.txt").read_text(encoding="utf-8")
    expected = yaml.safe_load((FIXTURES / lang / "expected.yaml").read_text(encoding="utf-8"))
    doc = clean(Document(source=f"{lang}.txt", source_path=f"{lang}.txt", content_type="text", raw_text=raw))
    return doc, expected


def test_every_required_language_has_a_pack_and_a_fixture() -> None:
    assert REQUIRED <= set(LANGS)
    assert REQUIRED <= load_packs().available


@pytest.mark.parametrize("lang", LANGS)
def test_fixture_body_captions_and_metadata(lang: str) -> None:
    doc, exp = _case(lang)
    assert doc.errors == []
    assert doc.metadata["rules_language"] == lang  # language first, then its pack
    paras = doc.body.split("\n\n")
    assert _norm(doc.title) == _norm(exp["title"])
    assert paras[0].startswith(exp["body_first"]), paras[0]
    assert paras[-1].startswith(exp["body_last"]), paras[-1]
    assert len(paras) == exp["body_paragraphs"], paras
    for text in exp.get("kept", []):
        assert text in doc.body
    for text in exp["gone"]:
        assert text not in doc.body, text
    for cap in exp["captions"]:
        assert any(c.startswith(cap) for c in doc.captions), (cap, doc.captions)
        assert cap not in doc.body
    assert _norm(exp["author"]) in _norm(doc.author), doc.author
    assert _norm(exp["dateline"]) in _norm(doc.dateline), doc.dateline
    assert _norm(exp["agency"]) in _norm(doc.source_name), doc.source_name
    if "column" in exp:
        assert doc.metadata["column"] == exp["column"]
    if "published_at" in exp:  # the local date line, parsed (pipeline.stages.clean.dates)
        assert doc.published_at == exp["published_at"]
    if "cuts" in exp:
        assert len(doc.metadata["cuts"]) >= exp["cuts"]


@pytest.mark.parametrize("lang", LANGS)
def test_fixture_cleaning_is_idempotent(lang: str) -> None:
    doc, _ = _case(lang)
    assert clean_text(doc.body).body == doc.body


# Written for this test: a city-council report in Azerbaijani and in Belarusian, languages without a pack
# whose neighbours (Turkish, Russian) have one, and the same report in German, which has its pack.
NEIGHBOURS = {
    "az": "Azərbaycan Respublikasının paytaxtı Bakı şəhəridir. Şəhərdə bu gün bələdiyyə iclası keçirildi və yeni "
          "büdcə qəbul edildi.\nSakinlər yolların təmiri üçün əlavə vəsait ayrılmasını tələb etdilər və bələdiyyə "
          "bunu müzakirə edəcəyini bildirdi.",
    "be": "Сёння ў Мінску адбылося пасяджэнне гарадскога савета, на якім быў прыняты новы бюджэт горада на "
          "наступны год.\nЖыхары патрабавалі дадатковых сродкаў на рамонт дарог і школ, і дэпутаты паабяцалі "
          "вярнуцца да гэтага пытання.",
    "de": "Der Stadtrat hat am Dienstag nach einer langen Debatte über Schulen und Straßen den neuen Haushalt "
          "beschlossen.\nKritiker sagten, der Plan lasse zu wenig Geld für die Instandhaltung übrig, und mehrere "
          "Mitglieder verlangten eine zweite Abstimmung.",
}


def test_a_language_without_a_pack_gets_the_common_rules_not_its_neighbours_pack() -> None:
    """fastText's first pass knows Azerbaijani and Belarusian; py3langid alone (``fast_pass`` off, the path
    before issue 27) names Turkish and Russian, whose packs would cut by another language's forms."""
    import dataclasses

    from pipeline.stages.clean.packs import PACK_DIR, RulePacks
    from pipeline.stages.language import load_language_config

    cfg = load_language_config()
    assert cfg.fast_pass
    packs = RulePacks(PACK_DIR, cfg)
    narrower = RulePacks(PACK_DIR, dataclasses.replace(cfg, fast_pass=False))
    assert {"tr", "ru", "de"} <= packs.available and not {"az", "be"} & packs.available
    for lang, text in NEIGHBOURS.items():
        assert packs.detect(text) == lang
        assert packs.for_text(text).language == (lang if lang in packs.available else "common")
    assert narrower.detect(NEIGHBOURS["az"]) == "tr" and narrower.detect(NEIGHBOURS["be"]) == "ru"
    assert narrower.detect(NEIGHBOURS["de"]) == "de"
