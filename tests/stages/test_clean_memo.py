"""The clean stage's remembered line answers (issue 27): the same answers as asking afresh, and a bounded
memory whatever the input (long lines are never kept)."""

from __future__ import annotations

import pytest

from pipeline.stages.clean import lines, rules, script
from pipeline.stages.clean.packs import load_rules

LINES = ["Photo: Reuters", "Data map: the Kremlin at night.", "Share this article", "Related Posts",
         "资料图：莫斯科红场。", "The council approved the budget on Tuesday after a long debate about schools, "
         "roads and the water supply of the town, said the mayor.", "", "©2026 News Corp", "• • •"]


@pytest.mark.parametrize("check", [rules.is_caption, rules.is_credit, rules.is_boiler, lines.is_prose])
def test_remembered_answers_equal_fresh_ones_and_long_lines_are_not_kept(check) -> None:
    r = load_rules("en").text
    fresh = check.__wrapped__
    for t in LINES * 2:
        assert check(t, r) == fresh(t, r), t
    cache = check.remembered
    before = cache.cache_info().currsize
    long_line = "word " * (script.LINE_MEMO_MAX_CHARS // 5 + 1)
    assert check(long_line, r) == fresh(long_line, r)
    assert cache.cache_info().currsize == before  # asked afresh, never kept
    assert cache.cache_info().maxsize == script.LINE_MEMO


def test_remembered_tokens_equal_fresh_ones_are_immutable_and_long_lines_are_not_kept() -> None:
    for t in [*LINES, "北京 3月21日 电", "Ünïcode Wörds and CamelCase"]:
        assert script.tokens(t) == script.tokens.__wrapped__(t)
        assert isinstance(script.tokens(t), tuple)  # a caller cannot change a remembered answer
    before = script.tokens.remembered.cache_info().currsize
    long_line = "x" * (script.LINE_MEMO_MAX_CHARS + 1)
    assert script.tokens(long_line) == (long_line,)
    assert script.tokens.remembered.cache_info().currsize == before


def test_remembered_word_keys_equal_fresh_ones() -> None:
    import re

    from pipeline.stages.clean.recall import word_key

    for t in [*LINES, "- A list item, as the extractor writes it", "| cell | other cell |", "Ünïcode ẞtraße"]:
        assert word_key(t) == word_key.__wrapped__(t) == " ".join(re.findall(r"\w+", t.casefold()))
    assert word_key("Data map: the Kremlin at night.") == "data map the kremlin at night"


def test_word_counts_are_remembered_and_equal_fresh_ones() -> None:
    for t in [*LINES, "北京 3月21日 电 记者", "ข่าววันนี้ ที่กรุงเทพ"]:
        assert script.word_count(t) == script.word_count.__wrapped__(t)
    assert script.word_count.remembered.cache_info().currsize > 0


def test_norm_space_skips_the_regex_only_where_it_would_change_nothing() -> None:
    """Every whitespace character of the regex (``\\s``) but the ASCII space is non-printable, so a printable
    line without a double space is only stripped; every other line goes through the regex."""
    import re
    import sys

    spaces = re.compile(r"\s+")
    odd = [chr(c) for c in range(sys.maxunicode + 1) if spaces.fullmatch(chr(c))]
    assert " " in odd and all(not c.isprintable() for c in odd if c != " ")
    for c in odd:
        for t in (f"a{c}b", f" {c}a  b{c}", f"a {c} b", c, f"{c}x{c}"):
            assert lines.norm_space(t) == spaces.sub(" ", t).strip(), repr(t)


def test_remembered_datelines_bylines_and_end_marks_equal_fresh_ones_and_are_read_only() -> None:
    from pipeline.stages.clean import heads

    en, zh = load_rules("en").text, load_rules("zh").text
    cases = [("WASHINGTON, March 3 (Reuters) - The council approved the budget on Tuesday.", en),
             ("By Jane Smith", en), ("新华社北京3月19日电（记者 王小明）国务院今天召开会议。", zh),
             ("The vote was close, officials said. (END)", en), ("国务院今天召开会议。（完）", zh), *((t, en) for t in LINES)]
    for check in (heads.match_dateline, heads.match_byline, heads.end_mark_in):
        for t, r in cases * 2:
            got, fresh = check(t, r), check.__wrapped__(t, r)
            assert (got.group(0) if check is heads.end_mark_in and got else got) == (
                fresh.group(0) if check is heads.end_mark_in and fresh else fresh), (check.__name__, t)
    found = heads.match_dateline(cases[0][0], en)
    assert found is not None and found.get("place") == "WASHINGTON"
    with pytest.raises(TypeError):  # a caller cannot change a remembered answer
        found["place"] = "elsewhere"  # type: ignore[index]
    assert heads.match_byline("By Jane Smith", en) is not None and heads.end_mark_in(cases[4][0], zh) is not None
