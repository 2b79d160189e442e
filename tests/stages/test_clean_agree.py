"""HTML and text mode agree (issue 14, part 8): byline, dateline and agency lines leave the body in
both modes; a heading inside an article never cuts the rest; every cut of a closing block is counted
(``metadata["cuts"]``, the Clean stage's ``cuts`` / ``cut_chars`` counters); mixed pages keep their text."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.document import Document
from pipeline.stages.clean import Clean, CleanConfig, clean_html_string, load_packs
from pipeline.stages.clean.text import clean_text

REPO = Path(__file__).resolve().parents[2]
PROSE = [
    "In an interview with ABC on March 17, US President Biden stated that Russian President Putin was a killer, "
    "a remark that immediately caused a strong reaction from the Russian side.",
    "Many high-ranking officials in Russia said that the unprecedented remarks were unacceptable, and the "
    "ambassador in Washington was called back to Moscow for consultations on the state of relations.",
    "Putin said on the 18th that he would respond with a wish of good health, and proposed a live conversation "
    "with Biden at his convenience, which took the initiative in public opinion.",
    "Since the end of the Cold War, relations between the two countries have been fluctuating, and analysts "
    "expect the lack of mutual trust to last for years even if arms control talks go on.",
]


def _page(paragraphs: list[str], title: str = "How will Russia-US relations go after Putin returns to Biden?") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}"
            "</article></body></html>")


def test_html_mode_moves_dateline_and_byline_to_metadata() -> None:
    paras = ["China News Agency, Moscow, March 21, title: How will Russia-US relations go after Putin "
             "returns to Biden?", "China News Agency reporter Wang Xiujun", *PROSE]
    res = clean_html_string(_page(paras))
    assert "China News Agency" not in res.body
    assert "reporter" not in res.body
    assert res.author == "Wang Xiujun"
    assert res.dateline == "Moscow, March 21"
    assert res.metadata["agency"] == "China News Agency"
    assert res.body.startswith("In an interview with ABC")


@pytest.mark.parametrize("mode", ["text", "html"])
def test_both_modes_agree_on_metadata(mode: str) -> None:
    title = "Harbour cities race to electrify their ferry fleets"
    paras = ["LISBON (Reuters) - " + PROSE[0], "By Ana Ribeiro", *PROSE[1:]]
    if mode == "html":
        res = clean_html_string(_page(paras, title))
    else:
        res = clean_text("\n\n".join([title, *paras]))
    assert res.author == "Ana Ribeiro"
    assert res.metadata["agency"] == "Reuters"
    assert res.dateline.lower().startswith("lisbon")
    assert res.body.split("\n\n")[0] == PROSE[0]
    assert "By Ana Ribeiro" not in res.body


@pytest.mark.parametrize("heading", ["Discussion", "Top", "Latest", "Other", "Most popular", "Комментарии",
                                     "Obsuzhdenie", "Diskussion", "Lo más leído"])
@pytest.mark.parametrize("mode", ["text", "html"])
def test_heading_inside_article_never_cuts_the_rest(heading: str, mode: str) -> None:
    paras = [*PROSE[:2], heading, *PROSE[2:], PROSE[0].replace("ABC", "CBS")]
    res = clean_html_string(_page(paras)) if mode == "html" else clean_text("\n\n".join(["A title", *paras]))
    for p in PROSE[2:]:
        assert p in res.body, (heading, mode)
    assert "cuts" not in res.metadata


@pytest.mark.parametrize("mode", ["text", "html"])
def test_closing_related_block_is_cut_and_counted(mode: str) -> None:
    links = ["Port strike ends after two weeks", "New bridge opens to traffic", "City plans car-free centre"]
    paras = [*PROSE, "Related articles", *links]
    res = clean_html_string(_page(paras)) if mode == "html" else clean_text("\n\n".join(["A title", *paras]))
    assert "New bridge opens" not in res.body
    assert res.body.endswith(PROSE[-1])
    cuts = res.metadata["cuts"]
    assert len(cuts) == 1 and cuts[0]["at"] == "Related articles"
    assert res.metadata["cut_chars"] == sum(len(x) for x in ["Related articles", *links])


def test_clean_stage_counts_cuts_and_packs() -> None:
    stage = Clean(CleanConfig(load_packs(), 30, 1_000_000))
    text = "\n\n".join(["A title", *PROSE, "Related articles", "Port strike ends", "New bridge opens"])
    doc = stage(Document(source="a.txt", source_path="a.txt", content_type="text", raw_text=text))
    assert doc.errors == []
    assert stage.counters["cuts"] == 1
    assert stage.counters["cut_chars"] == len("Related articles") + len("Port strike ends") + len("New bridge opens")
    assert stage.counters["rules_en"] == 1
    assert doc.metadata["cuts"][0]["at"] == "Related articles"


def test_mixed_page_keeps_foreign_script_text() -> None:
    quote = "普京表示，他将以“祝你健康”回应拜登，并指出我们在评价别人时，就像照镜子一样，总会看到自己。"
    text = "\n\n".join(["A title", PROSE[0], quote, *PROSE[1:]])
    res = clean_text(text)
    assert res.metadata["rules_language"] == "en"
    assert quote in res.body
    for p in PROSE:
        assert p in res.body


def test_language_without_pack_gets_common_rules_only() -> None:
    # Swahili has no pack: the common forms (separator rules, "© 2026" footers) still apply
    sw = ["Rais wa Marekani alisema kwamba mazungumzo kati ya nchi hizo mbili yataendelea wiki ijayo mjini "
          "Geneva, na kwamba pande zote zina nia ya kupunguza mvutano uliopo kwa sasa.",
          "Wachambuzi wanasema uhusiano kati ya nchi hizo umekuwa ukibadilika tangu mwisho wa Vita Baridi, na "
          "kwamba ukosefu wa kuaminiana utaendelea kwa miaka mingi ijayo hata kama mazungumzo yataendelea."]
    res = clean_text("\n\n".join(["Kichwa cha habari", sw[0], "* * *", sw[1], "© 2026 Gazeti la Mfano"]))
    assert res.metadata["rules_language"] == "common"
    assert res.body.endswith("\n\n".join(sw))
    assert "* * *" not in res.body and "©" not in res.body
