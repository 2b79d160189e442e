"""The precision pass without trafilatura's fallback extractors (issue 27, plan item 4): the fast pass is
kept when it found the article, judged by structure (words, characters, share of the page's text-bearing
blocks); the full cascade (readability-lxml, jusText) runs only when it found too little."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest

from pipeline.stages.clean.extraction import PageExtraction
from pipeline.stages.clean.html import FAST_COVER, clean_html, found_article, parse_html, precise_text
from pipeline.stages.clean.packs import load_packs
from pipeline.stages.clean.recall import text_holders

PARAS = [
    "The council approved the new budget on Tuesday after a long debate about schools and roads in the town.",
    "Critics said the plan leaves too little for maintenance, and several members asked for a second vote.",
    "The mayor promised a public hearing in spring, where residents can comment on every single line item.",
    "Teachers welcomed the money for two new classrooms but warned that the heating still fails every winter.",
    "A local builder said the road repairs could start in April if the weather allows the crews to work early.",
    "The opposition will table its own proposal next month and hopes to win over two undecided members.",
]
ARTICLE = ("<html><head><title>Budget</title></head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
           "<article><h1>Council passes the budget</h1>"
           + "".join(f"<p>{p}</p>" for p in PARAS)
           + "</article><footer><p>Copyright the town paper</p></footer></body></html>")
SHORT = "<html><body><article><p>The meeting was moved to Friday.</p></article></body></html>"


def _hr() -> Any:
    return load_packs().for_language(None).html


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The ``fast`` flag of every precision extraction (the real trafilatura runs; only recorded)."""
    seen: list[bool] = []
    real = PageExtraction.text

    def spy(page: PageExtraction, *, precision: bool, fast: bool = False) -> str:
        if precision:
            seen.append(fast)
        return real(page, precision=precision, fast=fast)

    monkeypatch.setattr(PageExtraction, "text", spy)
    return seen


def test_an_article_page_takes_the_fast_pass_only(calls: list[bool]) -> None:
    text, how = precise_text(parse_html(ARTICLE), _hr())
    assert how == "fast"
    assert calls == [True]  # no second, full extraction
    assert all(p in text for p in PARAS)


def test_the_fast_text_of_an_article_page_is_what_the_full_cascade_gives() -> None:
    tree = parse_html(ARTICLE)
    assert precise_text(tree, _hr())[0] == PageExtraction(tree).text(precision=True, fast=False)


def test_a_page_where_the_fast_pass_finds_too_little_falls_back_to_the_full_cascade(calls: list[bool]) -> None:
    _, how = precise_text(parse_html(SHORT), _hr())
    assert how == "full"
    assert calls == [True, False]


def test_clean_html_uses_the_fast_pass_on_an_article_and_the_full_one_on_a_short_page(calls: list[bool]) -> None:
    res = clean_html(ARTICLE)
    assert calls == [True]
    assert PARAS[0] in res.body and PARAS[-1] in res.body
    calls.clear()
    clean_html(SHORT)
    assert calls[:2] == [True, False]


def test_too_little_is_judged_by_words_characters_and_share_of_the_page() -> None:
    hr = _hr()
    tree = lxml.html.document_fromstring(ARTICLE)
    assert found_article("\n".join(PARAS), tree, hr)
    # enough words and characters, but well under half of the page's prose: too little
    assert not found_article("\n".join(PARAS[:2]), tree, hr)
    # half of the prose is enough (FAST_COVER = 2)
    assert FAST_COVER == 2 and found_article("\n".join(PARAS[:3]), tree, hr)
    assert not found_article(PARAS[0], tree, hr)  # fewer than min_words
    assert not found_article("", tree, hr)


def test_text_without_paragraphs_counts_towards_the_page_text() -> None:
    """A post written with <br> lines and no <p> is article text the fast pass must cover too."""
    post = "<br>".join(PARAS)
    tree = lxml.html.document_fromstring(f"<html><body><div class='post'>{post}</div></body></html>")
    assert text_holders(tree) >= sum(len(p) for p in PARAS)
    assert not found_article("\n".join(PARAS[:2]), tree, _hr())
    assert found_article("\n".join(PARAS), tree, _hr())


def test_prune_matches_class_and_id_tokens_split_at_dashes_underscores_and_camel_case() -> None:
    """Plan item 3: one cached lookup per class/id string; the same elements go as before."""
    from pipeline.stages.clean.prune import prune

    body = "".join(f"<p>{p}</p>" for p in PARAS)
    page = (f"<html><body><main class='share'><article>{body}</article>"
            "<div class='relatedStories'><a href='/a'>One</a></div><div id='share_bar'>Share</div>"
            "<section class='box-Newsletter'>Sign up</section><div class='shared-notes'>Notes</div>"
            "<div class='col'>Kept</div><div class=''>Also kept</div></main></body></html>")
    tree = lxml.html.document_fromstring(page)
    assert prune(tree, _hr()) is None
    text = tree.text_content()
    assert "One" not in text and "Share" not in text and "Sign up" not in text
    assert "Notes" in text and "Kept" in text and "Also kept" in text and PARAS[0] in text  # <main class=share> stays


TEXTS = ["", "   ", "short", " \n lead\tand  runs\u00a0here ", "x" * 59, " " + "y" * 60 + "  ", "w " * 30,
         "\n\n" + "z" * 60 + "\n\n", "a\u2003" * 40, " \t " * 100 + "late start " * 10, "one two" + " " * 300 + "three",
         "段落" * 40, "\u00a0\u00a0" + "slovo " * 20]


@pytest.mark.parametrize("text", TEXTS)
def test_paragraph_heads_and_spaced_lines_are_the_regular_expressions_answers(text: str) -> None:
    import re

    from pipeline.stages.clean.html import HEAD_CHARS, _head, _spaced

    assert _head(text) == re.sub(r"\s+", " ", text).strip()[:HEAD_CHARS]
    assert _spaced(text) == re.sub(r"[ \t\u00a0]+", " ", text)
