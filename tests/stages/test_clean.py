"""The clean stage: contract, the two seeds, text-mode boilerplate fixtures, idempotence."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.document import Document
from pipeline.run.single import clean
from pipeline.stages.clean import clean_text

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "clean"


def _doc(text: str, content_type: str = "text", name: str = "x.txt") -> Document:
    return Document(source=name, source_path=str(REPO / name), content_type=content_type, raw_text=text)


def _seed(name: str) -> Document:
    path = SEEDS / name
    return clean(_doc(path.read_text(encoding="utf-8"), "text", f"seeds/{name}"))


def _paras(doc: Document) -> list[str]:
    return doc.body.split("\n\n")


@pytest.fixture(scope="module")
def seed000() -> Document:
    return _seed("000_258accba25f326a9.txt")


@pytest.fixture(scope="module")
def seed002() -> Document:
    return _seed("002_d215e7a18fdb7f06.txt")


# ------------------------------------------------------------------------------------- seed 000
def test_seed000_no_errors_and_title(seed000: Document) -> None:
    assert seed000.errors == []
    assert seed000.title.startswith('"Killer" and "Wish you health"')
    assert seed000.title.endswith("after Putin returns to Biden?")
    # the leading column tag is kept in metadata, not lost
    assert seed000.metadata["column"] == "International observation"


def test_seed000_captions_removed(seed000: Document) -> None:
    assert "Data map" not in seed000.body
    assert "The picture shows" not in seed000.body
    assert any(c.startswith("Data map:") for c in seed000.captions)
    assert any(c.startswith("The picture shows") for c in seed000.captions)


def test_seed000_duplicate_title_byline_dateline(seed000: Document) -> None:
    assert "title:" not in seed000.body
    assert "China News Agency" not in seed000.body
    assert "reporter" not in seed000.body
    assert seed000.author == "Wang Xiujun"
    assert seed000.source_name == "China News Agency"
    assert seed000.dateline == "Moscow, March 21"


def test_seed000_keeps_every_body_paragraph(seed000: Document) -> None:
    src = (SEEDS / "000_258accba25f326a9.txt").read_text(encoding="utf-8")
    lines = [l.strip() for l in src.splitlines() if l.strip()]
    removed_prefixes = ("(International observation)", "China News Agency", "The picture shows", "Data map:")
    expected = [l for l in lines if not l.startswith(removed_prefixes)]
    paras = _paras(seed000)
    assert paras == expected
    assert paras[0].startswith("In an interview with ABC")
    assert paras[-1].startswith("Obviously, in such a structural contradiction")


# ------------------------------------------------------------------------------------- seed 002
def test_seed002_title_not_duplicated(seed002: Document) -> None:
    assert seed002.errors == []
    assert seed002.title.startswith("US-Russia: Ignorance and expectation")
    assert "Ignorance and expectation" not in seed002.body


def test_seed002_alt_text_and_following_captions(seed002: Document) -> None:
    assert "My-Russia: Confrontation" not in seed002.body
    followers = [
        "The Russian-American leader has his first phone call",
        "Mr. Biden wants to “draw” Russia",
        "The handshake between US President D. Trump",
        "Does Russia’s actual power make the US abstain?",
    ]
    for f in followers:
        assert f not in seed002.body
        assert any(c.startswith(f) for c in seed002.captions)
    assert any(c.startswith("My-Russia: Confrontation") for c in seed002.captions)


def test_seed002_related_and_signature(seed002: Document) -> None:
    assert "Related Posts" not in seed002.body
    assert "Dong Trieu" not in seed002.body
    assert seed002.author == "Dong Trieu"
    assert seed002.body.rstrip().endswith("the goodwill of politicians and the military. “.")


def test_seed002_keeps_subheadings_in_order(seed002: Document) -> None:
    paras = _paras(seed002)
    assert paras[0] == "A dramatic start"
    assert "Optimistic signals for Russia?" in paras
    i = paras.index("Optimistic signals for Russia?")
    assert paras[i + 1].startswith("Mr. Biden’s approach has the support")
    src = (SEEDS / "002_d215e7a18fdb7f06.txt").read_text(encoding="utf-8")
    body_lines = [l.strip() for l in src.splitlines() if len(l.strip()) > 120 and l.strip()[-1] in ".”\""]
    assert len(body_lines) == 15 and all(l in paras for l in body_lines)  # every body paragraph survives
    assert len(paras) == 2 + 15  # the two sub-headings and the paragraphs, nothing else


# ------------------------------------------------------------------------------------- contract
def test_empty_document_error() -> None:
    for raw in ("", "   \n\t\n  "):
        d = clean(_doc(raw))
        assert [str(e) for e in d.errors] == ["clean: empty document"]
        assert d.body == ""


@pytest.mark.parametrize("ct", ["text", "html"])
def test_never_raises_on_odd_input(ct: str) -> None:
    odd = [
        "\x00\x01\x02",
        "<<<>>>",
        "<html><body><div>" * 3000,
        "Share\nTweet\nEmail\n",
        "ü" * 10_000,
        "<?xml version='1.0' encoding='utf-8'?><html><body><p>Hello there, this is a short page.</p></body></html>",
        "<p>" + "word " * 50 + "</p>",
    ]
    for raw in odd:
        d = clean(_doc(raw, ct))
        assert isinstance(d.body, str)
        assert all(str(e).startswith("clean: ") for e in d.errors)


def test_only_boilerplate_reports_no_text_content() -> None:
    d = clean(_doc("Share\n\nTweet\n\nEmail\n\nAdvertisement\n\nSubscribe\n"))
    assert d.body == ""
    assert "clean: no text content" in [str(e) for e in d.errors]


def test_clean_is_pure_and_rules_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.stages.clean import packs as cp

    cp.load_rules("en")
    calls = []
    monkeypatch.setattr(cp, "read_yaml", lambda path: calls.append(path) or {})
    clean(_doc("A title\n\nSome body text that is long enough to be a real paragraph of prose, yes indeed."))
    assert calls == []  # packs are loaded once per process, not per document


def test_packs_load_lazily_once_per_language(tmp_path: Path) -> None:
    import shutil

    from pipeline.stages.clean.packs import PACK_DIR, RulePacks

    for name in ("common.yaml", "en.yaml", "de.yaml"):
        shutil.copy(PACK_DIR / name, tmp_path / name)
    packs = RulePacks(tmp_path)
    assert packs.loaded() == ["common"]
    assert packs.for_language("de") is packs.for_language("de")
    assert packs.loaded() == ["common", "de"]
    assert packs.for_language("sw").language == "common"  # no pack: common rules only
    assert packs.loaded() == ["common", "de"]


def test_rule_files_are_validated_with_the_file_and_key_named(tmp_path: Path) -> None:
    import yaml

    from pipeline.config import ConfigError
    from pipeline.stages.clean.packs import PACK_DIR
    from pipeline.stages.clean.rules import compile_rules

    raw = yaml.safe_load((PACK_DIR / "common.yaml").read_text(encoding="utf-8"))
    misspelt = {**raw, "text": {**raw["text"], "short_line_penlty": 6}}
    del misspelt["text"]["short_line_penalty"]
    with pytest.raises(ConfigError, match=r"x\.yaml: unknown key 'text\.short_line_penlty'"):
        compile_rules(misspelt, "x.yaml")
    missing = {k: v for k, v in raw.items() if k != "caption_max_chars"}
    with pytest.raises(ConfigError, match=r"x\.yaml: missing key 'caption_max_chars'"):
        compile_rules(missing, "x.yaml")
    with pytest.raises(ConfigError, match=r"'caption_max_chars' must be int"):
        compile_rules({**raw, "caption_max_chars": "many"}, "x.yaml")
    # every language pack is validated the same way, naming its own file
    for path in sorted(PACK_DIR.glob("*.yaml")):
        if path.stem != "common":
            compile_rules(raw, "common.yaml", yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
    de = yaml.safe_load((PACK_DIR / "de.yaml").read_text(encoding="utf-8"))
    with pytest.raises(ConfigError, match=r"de\.yaml: unknown key 'caption_paterns'"):
        compile_rules(raw, "common.yaml", {**de, "caption_paterns": []}, "de.yaml")
    with pytest.raises(ConfigError, match=r"de\.yaml: missing key 'byline_patterns'"):
        compile_rules(raw, "common.yaml", {k: v for k, v in de.items() if k != "byline_patterns"}, "de.yaml")
    with pytest.raises(ConfigError, match=r"de\.yaml: invalid regular expression"):
        compile_rules(raw, "common.yaml", {**de, "caption_patterns": ["^(foto"]}, "de.yaml")
    with pytest.raises(ConfigError, match=r"de\.yaml: 'threshold' is not a pack key|de\.yaml: unknown key 'text'"):
        compile_rules(raw, "common.yaml", {**de, "text": raw["text"]}, "de.yaml")  # thresholds: common only


# -------------------------------------------------------------------------------- text fixtures
@pytest.fixture(scope="module")
def dump() -> Document:
    return clean(_doc((FIXTURES / "dump_boilerplate.txt").read_text(encoding="utf-8")))


def test_dump_keeps_article_in_order(dump: Document) -> None:
    paras = _paras(dump)
    assert paras[0].startswith("The first ferry powered entirely by solar panels")
    assert "A quiet crossing" in paras
    assert paras[-1].startswith("The operator expects the line to save")
    assert dump.title == "Harbour Town Opens Solar Ferry Line"
    assert dump.metadata.get("site_name") == "The Example Courier"


@pytest.mark.parametrize(
    "gone",
    [
        "Skip to content",  # navigation
        "Sign in",
        "We use cookies",  # cookie banner
        "Accept all cookies",
        "Share",  # share bar
        "Tweet",
        "Advertisement",
        "Related Articles",  # related block
        "Island villages vote",
        "3 Comments",  # comments
        "GullWatcher",
        "Copyright",  # footer
        "Privacy Policy",
        "(Jane Roe / Harbour Authority)",  # photo credit and its caption
        "The new ferry leaves the pier",
        "Photo: The ferry terminal",  # caption pattern
        "March 21, 2021",  # date line -> metadata
    ],
)
def test_dump_boilerplate_removed(dump: Document, gone: str) -> None:
    assert gone not in dump.body


def test_dump_metadata(dump: Document) -> None:
    assert dump.author == "Alice Marlow"
    assert dump.metadata.get("date_text") == "March 21, 2021"
    assert "The new ferry leaves the pier on its first crossing." in dump.captions


def test_wire_story_byline_dateline_altpairs() -> None:
    d = clean(_doc((FIXTURES / "wire_story.txt").read_text(encoding="utf-8")))
    assert d.errors == []
    assert d.title == "Storm Closes Mountain Pass for Second Day"
    assert d.source_name == "Northern Press Agency"
    assert d.dateline == "Granville, January 9"
    assert d.author == "Petra Lindqvist"
    paras = _paras(d)
    assert paras[0].startswith("Heavy snow kept the only road")
    assert paras[-1] == "The regional council promised an update on Wednesday morning."
    assert len(paras) == 4
    for gone in ("Mountain Pass: Winter", "Lorries parked", "The valley school hall", "File photo", "Related News",
                 "Avalanche warning", "title:"):
        assert gone not in d.body
    assert "The valley school hall, where stranded drivers spent the night" in d.captions


@pytest.mark.parametrize(
    "line, author, agency",
    [
        ("By Maria Gonzalez", "Maria Gonzalez", None),
        ("By John Smith and Jane Doe", "John Smith", None),
        ("Eastern News Agency reporter Li Wei", "Li Wei", "Eastern News Agency"),
        ("Staff writer Tom Baker", "Tom Baker", None),
    ],
)
def test_byline_patterns(line: str, author: str, agency: str | None) -> None:
    text = f"Some Headline About Things\n\n{line}\n\n" + "\n\n".join(
        f"Paragraph {i} of the story says something long enough to count as real prose in an article, "
        "with commas, clauses and a full stop." for i in range(4)
    )
    r = clean_text(text)
    assert r.author == author
    assert r.source_name == agency
    assert line not in r.body


def test_place_first_dateline_is_stripped_from_lead() -> None:
    text = ("Markets Rally on Rate Hopes\n\nLONDON, May 4 (Example Wire) - Shares rose sharply on Monday as investors "
            "bet that interest rates had peaked, lifting banks and builders.\n\n"
            "Analysts said the gains might not last if inflation data disappoint later in the week, however.")
    r = clean_text(text)
    assert r.dateline == "LONDON, May 4"
    assert r.source_name == "Example Wire"
    assert "LONDON" not in r.body
    assert any(p.startswith("Shares rose sharply on Monday") for p in r.body.split("\n\n"))
    assert r.title == "Markets Rally on Rate Hopes"


# ----------------------------------------------------------------------------------- idempotence
@pytest.mark.parametrize("name", ["000_258accba25f326a9.txt", "002_d215e7a18fdb7f06.txt"])
def test_idempotent_on_seeds(name: str) -> None:
    once = clean_text((SEEDS / name).read_text(encoding="utf-8")).body
    assert clean_text(once).body == once


@pytest.mark.parametrize("name", ["dump_boilerplate.txt", "wire_story.txt"])
def test_idempotent_on_fixtures(name: str) -> None:
    once = clean_text((FIXTURES / name).read_text(encoding="utf-8")).body
    assert clean_text(once).body == once


_line = st.one_of(
    st.sampled_from(["Share", "Related Posts", "Photo: a cat", "By Ann Lee", "", "", "Advertisement",
                     "Data map: a map.", "Home", "Comments", "March 3, 2020", "(A / B)",
                     "A Short Heading", "Ann Lee"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.builds(lambda n: "This is a sentence of ordinary prose, long enough to count. " * n, st.integers(1, 4)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_line, max_size=30))
def test_idempotent_property(lines: list[str]) -> None:
    text = "\n".join(lines)
    once = clean_text(text).body
    assert clean_text(once).body == once
