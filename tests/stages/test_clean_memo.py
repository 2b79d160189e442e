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
