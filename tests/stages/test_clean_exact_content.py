"""trafilatura's ``extract_content`` inside the clean stage's passes (issue 27, twentieth session):
``trafilatura_content.extract_content`` makes the tree that trafilatura copies before its main pass again
(``extraction._converted``) only when the recovery of wild text reads it. What it makes is the tree the pass
gave, and both functions give the same body and text, on hand-made pages (too little text for the main pass,
elements the main pass took) and on real pages, in every pass kind; the recovery is reached."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from lxml import etree
from trafilatura.main_extractor import extract_content

from pipeline.stages.clean import extraction, trafilatura_content
from pipeline.stages.clean.parse import parse_html
from tests.conftest import needs_shared_pages, shared_pages

P = "A sentence long enough to count as the text of a paragraph in an article about the town and its budget."
PAGES = [
    f"<article><p>{P}</p><p>{P}</p><p>{P}</p></article>",
    "<div><p>Short.</p></div><div class='x'><p>Wild text outside the frame, two sentences. And more.</p></div>",
    f"<main><div><span>lead</span><p>tiny</p></div></main><section><p>{P}</p><blockquote>q</blockquote></section>",
    "<div class='comments'><p>comment</p></div><p>x</p><table><tr><td>cell text</td></tr></table>",
]


def page(body: str) -> str:
    return f"<html><head><title>t</title></head><body><nav><a href='/'>home</a></nav>{body}</body></html>"


def recorded(html: str, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """(copy of the tree given, options, the pass's maker of it) of every ``extract_content`` call of the
    clean stage's four pass kinds over the page."""
    calls: list[tuple[Any, ...]] = []
    real = trafilatura_content.extract_content

    def spy(cleaned_tree: Any, options: Any, again: Any) -> tuple[Any, str]:
        calls.append((copy.deepcopy(cleaned_tree), options, again))
        return real(cleaned_tree, options, again)

    monkeypatch.setattr(trafilatura_content, "extract_content", spy)
    passes = extraction.PageExtraction(parse_html(html))
    for precision in (True, False):
        for fast in (True, False):
            passes.text(precision=precision, fast=fast)
    monkeypatch.undo()
    return calls


def same_content(calls: list[tuple[Any, ...]]) -> int:
    """Each recorded call both ways, inside a pass; how many reached the recovery."""
    recovered = 0
    token = extraction._IN_PASS.set(True)
    try:
        for given, options, again in calls:
            assert etree.tostring(again()) == etree.tostring(given)  # made again as the pass made it
            there_body, there_text = extract_content(copy.deepcopy(given), options)
            asked: list[bool] = []

            def counted(again: Any = again) -> Any:
                asked.append(True)
                return again()

            here_body, here_text = trafilatura_content.extract_content(copy.deepcopy(given), options, counted)
            assert (etree.tostring(here_body), here_text) == (etree.tostring(there_body), there_text)
            recovered += bool(asked)
    finally:
        extraction._IN_PASS.reset(token)
    return recovered


def test_the_installed_trafilatura_is_the_one_it_follows() -> None:
    assert trafilatura_content.content_matches()


def test_the_content_is_trafilaturas_and_the_recovery_is_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    recovered = 0
    for body in PAGES:
        calls = recorded(page(body), monkeypatch)
        assert calls
        recovered += same_content(calls)
    assert recovered


def test_another_extract_content_is_called_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trafilatura_content, "content_matches", lambda: False)
    monkeypatch.setattr(trafilatura_content, "extract_content", lambda *a: pytest.fail("used"))
    tree = parse_html(page(PAGES[0]))
    assert extraction.PageExtraction(tree).text(precision=True) == extraction.public_extract(tree, precision=True)


@needs_shared_pages
def test_the_content_is_trafilaturas_on_the_shared_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    recovered = 0
    for _, html in shared_pages(step=3):
        recovered += same_content(recorded(html, monkeypatch))
    assert recovered
