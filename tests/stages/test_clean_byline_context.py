"""Where a byline can be in a page dump (``pipeline/stages/clean/byline_context.py``): a byline-shaped
line in a navigation run or a UI line after a teaser is not the author; a byline under the headline and
a signature after the last paragraph still are, in any script."""

from __future__ import annotations

from pipeline.stages.clean.byline_context import keep_signature_in_region, snapshot
from pipeline.stages.clean.lines import Line
from pipeline.stages.clean.packs import load_packs
from pipeline.stages.clean.rules import CleanResult
from pipeline.stages.clean.text import clean_text

PROSE_EN = [
    "The city council approved a new programme to repair forty schools over the next three years on Monday.",
    "According to the deputy mayor, the first works will start in spring, once the heating season is over.",
    "Parents asked the council to include shelters and new sports halls for the younger classes as well.",
    "The plan will be financed from the city budget and a loan that the council intends to take next year.",
]
MENU = ["Home", "About us", "Research", "Teaching", "Massive Open Online Courses (MOOCs)", "Summer schools",
        "Partnerships", "Contact"]


def dump(*blocks: list[str], sep: str = "\n\n") -> str:
    return sep.join("\n".join(b) for b in blocks)


def test_a_menu_line_with_a_parenthesis_is_not_an_author() -> None:
    text = dump(MENU, ["Forty schools to be repaired in three years"], PROSE_EN)
    res = clean_text(text)
    assert res.author is None
    assert PROSE_EN[0] in res.body


def test_list_marked_menu_lines_are_not_a_sign_off() -> None:
    menu = ["Topics", "- Training", "- Bremen Airport", "- Flight simulator", "- Pilots"]
    res = clean_text(dump(["Forty schools to be repaired in three years"], PROSE_EN, menu))
    assert res.author is None


def test_a_byline_under_the_headline_is_still_the_author() -> None:
    text = dump(MENU, ["Forty schools to be repaired in three years", "By Jane Smith", "Share", "Tweet", "Email"],
                PROSE_EN)
    res = clean_text(text)
    assert res.author == "Jane Smith"
    assert "By Jane Smith" not in res.body
    assert PROSE_EN[-1] in res.body


def test_a_signature_after_the_last_paragraph_is_still_the_author() -> None:
    res = clean_text(dump(["Forty schools to be repaired in three years"], PROSE_EN, ["Jane Smith"]))
    assert res.author == "Jane Smith"
    assert PROSE_EN[-1] in res.body


def test_a_signature_after_a_teaser_outside_the_article_region_is_taken_back() -> None:
    teaser = "Our reporter writes about schools, city budgets and the town hall, with particular emphasis on money."
    lines = [Line(t, t, 1) for t in [*PROSE_EN, teaser, "Show Comments"]]
    res = CleanResult()
    before = snapshot(res)
    lines[-1].kind = "signature"
    res.author = "Show Comments"
    res.metadata["authors"] = ["Show Comments"]
    lines[-2].kind = "outside"  # region selection left the teaser out
    keep_signature_in_region(lines, lines[-1], load_packs().for_text(PROSE_EN[0]).text, res, before)
    assert res.author is None and "authors" not in res.metadata
    assert lines[-1].kind == "outside"
    lines[-2].kind = ""  # the teaser is the region's last line: the signature stays
    lines[-1].kind = "signature"
    res.author = "Show Comments"
    keep_signature_in_region(lines, lines[-1], load_packs().for_text(PROSE_EN[0]).text, res, before)
    assert res.author == "Show Comments"


PROSE_ZH = [
    "市政府周一批准了一项新的学校维修计划，将在未来三年内对全市四十所学校进行改造和加固。",
    "副市长表示，第一批工程将在春季供暖季结束后开工，预计年底前完成十所学校的改造工作。",
    "家长们希望在预算中增加防空设施以及为低年级学生建设新的体育馆，市政府表示将认真研究。",
]


def test_a_chinese_menu_item_is_not_a_byline_but_a_reporter_line_is() -> None:
    menu = ["首页", "智能科技", "一县一品", "文化旅游", "2019全国两会", "新中国成立70周年"]
    res = clean_text(dump(menu, ["四十所学校将在三年内完成维修"], PROSE_ZH))
    assert res.author is None
    res = clean_text(dump(menu, ["四十所学校将在三年内完成维修", "记者 王秀军"], PROSE_ZH))
    assert res.author == "王秀军"


def test_the_date_beside_a_byline_is_not_a_menu_entry() -> None:
    text = dump(MENU, ["Forty schools to be repaired in three years", "Home", "News", "By Jane Smith",
                       "Published August 10, 2025", "Updated 10:30, 11.08.2025"], PROSE_EN)
    assert clean_text(text).author == "Jane Smith"
