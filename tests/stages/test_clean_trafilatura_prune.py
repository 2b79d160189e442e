"""The clean stage's copy of trafilatura's guarded prune (``prune_unwanted_nodes(..., with_backup=True)``,
issue 27): the same tree as trafilatura's own function, on hand-made trees and on the shared pages; used
only inside the clean stage's passes, while ``trafilatura.extract`` elsewhere keeps the original."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import lxml.html
import pytest
from lxml.etree import XPath
from trafilatura import main_extractor
from trafilatura.htmlprocessing import prune_unwanted_nodes, tree_cleaning
from trafilatura.xpaths import OVERALL_DISCARD_XPATH

from pipeline.stages.clean import extraction
from pipeline.stages.clean.extraction import PageExtraction, _options, _prune_outer
from tests.conftest import needs_shared_pages, shared_pages

BOXES = [XPath(".//div[@class='box']"), XPath(".//span[@class='box']")]
PROSE = "A paragraph of article text that is long enough to keep the seventh-of-the-text guard quiet. " * 3


def _both(html: str, nodelist: list[Any], prepare: Callable[[Any], Any] = lambda t: t) -> tuple[bytes, bytes]:
    ours, theirs = (prepare(lxml.html.document_fromstring(html)) for _ in range(2))
    _prune_outer(ours, nodelist)
    prune_unwanted_nodes(theirs, nodelist, with_backup=True)
    return lxml.html.tostring(ours), lxml.html.tostring(theirs)


@pytest.mark.parametrize("html", [
    # nested matches (only the outer one goes), adjacent matched siblings whose tails join the text before them
    f"<html><body><p>{PROSE}</p><div class='box'>a<div class='box'>b</div>c</div>tail one"
    "<div class='box'>d</div>tail two<p>end</p></body></html>",
    # a match inside a match found by another expression, and a match at the start of its parent (tail to text)
    f"<html><body><div class='box'><span class='box'>x</span>y</div><div>lead<span class='box'>z</span>"
    f"after</div><p>{PROSE}</p></body></html>",
    # the guard: removing the matches would leave less than a seventh of the text, so nothing goes
    "<html><body><div class='box'>" + "most of the page " * 20 + "</div><p>little</p></body></html>",
], ids=["nested-and-adjacent", "two-expressions", "guard"])
def test_same_tree_as_trafilatura_on_hand_made_pages(html: str) -> None:
    ours, theirs = _both(html, BOXES)
    assert ours == theirs


def test_the_guard_case_really_keeps_the_matches() -> None:
    ours, _ = _both("<html><body><div class='box'>" + "most of the page " * 20 + "</div><p>little</p></body></html>",
                    BOXES)
    assert b"class=\"box\"" in ours


@needs_shared_pages
def test_same_tree_as_trafilatura_on_the_shared_pages() -> None:
    """trafilatura's extractor calls the guarded prune on its cleaned tree with OVERALL_DISCARD_XPATH."""
    options = _options(True, True)
    pages = shared_pages()
    pruned = 0
    for name, html in pages:
        ours, theirs = _both(html, OVERALL_DISCARD_XPATH, lambda t: tree_cleaning(t, options))
        assert ours == theirs, name
        pruned += ours != lxml.html.tostring(tree_cleaning(lxml.html.document_fromstring(html), options))
    assert pruned > len(pages) // 2  # most pages had something removed: the comparison is not of untouched trees


def test_only_the_clean_stage_passes_use_it(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = extraction._prune_outer
    monkeypatch.setattr(extraction, "_prune_outer", lambda tree, nodelist: calls.append(1) or real(tree, nodelist))
    html = f"<html><body><div><p>{PROSE}</p><p>{PROSE}</p></div></body></html>"
    import trafilatura

    PageExtraction(lxml.html.document_fromstring(html)).text(precision=True, fast=True)
    inside = len(calls)
    trafilatura.extract(html)
    assert inside >= 1 and len(calls) == inside  # the public call went through trafilatura's own function
    assert main_extractor.prune_unwanted_nodes is not prune_unwanted_nodes  # installed, and it defers outside
