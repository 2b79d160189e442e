"""trafilatura's ``tree_cleaning`` done once a page (issue 27, ninth session): the prepared tree cleaned up
to ``prune_html`` (``trafilatura_cleaning.before_pruning``), kept, and copied for each pass with that pass's own
``prune_html`` (``after_pruning``), is the tree ``tree_cleaning`` gives on a fresh copy for every focus but
recall -- on hand-made trees (MathML with tails, figures holding tables, layout tables, forms that wrap the
page or not, nested elements of one deleted tag, empty elements with tails) and on the shared pages; the kept
tree is not changed by the passes, whose texts stay ``trafilatura.extract``'s."""

from __future__ import annotations

import copy

import lxml.html
import pytest
from lxml import etree
from trafilatura.htmlprocessing import tree_cleaning

from pipeline.stages.clean import extraction, trafilatura_cleaning
from pipeline.stages.clean.extraction import PageExtraction, public_extract
from pipeline.stages.clean.parse import parse_html
from tests.conftest import needs_shared_pages, shared_pages

P = "A sentence long enough to count as the text of a paragraph in an article about the town and its budget."
TRICKY = [
    f"<p>{P}<math alttext='x^2'><mi>x</mi></math> tail after math</p><p>b<span></span> span tail</p>",
    f"<figure><table><tr><td>{P}</td></tr></table></figure><figure><img src='a.jpg'>cap</figure>fig tail",
    f"<table role='presentation'><tr><td>{P}</td></tr></table><table><tr><td>data</td></tr></table>",
    f"<form id='aspnetForm'><div><p>{P}</p><p>{P}</p></div><input value='x'>in tail</form>",
    f"<p>{P}</p><form><label>Search</label><input></form>form tail<select><option>o</option></select>",
    f"<aside>a<aside>n</aside>inner tail</aside>t1<aside>later</aside>t2<p>{P}</p><nav>x<nav>y</nav></nav>z",
    f"<div><em></em>em tail<b></b><i>kept</i></div><p></p>p tail<h2></h2><p>{P}</p>",
    f"<small>s<script>x</script>c</small><p>{P}<svg><use href='#a'/></svg>after svg</p><noscript>n</noscript>",
]


def page(body: str) -> str:
    return f"<html><head><title>t</title><script>var a;</script></head><body><div>{body}</div><p>{P}</p></body></html>"


def focus_options() -> list[object]:
    """The options of the clean stage's passes: precise and broad, fast and full (no recall focus)."""
    return [extraction._options(p, f) for p in (True, False) for f in (True, False)]


def both_ways(prepared: etree._Element) -> None:
    base = trafilatura_cleaning.before_pruning(extraction._cleaning_copy(prepared, focus_options()[0]),
                                               focus_options()[0])
    kept = etree.tostring(base)
    for options in focus_options():
        here = trafilatura_cleaning.after_pruning(copy.copy(base), options)
        there = tree_cleaning(copy.copy(prepared), options)
        assert etree.tostring(here) == etree.tostring(there)
    assert etree.tostring(base) == kept  # each pass cleaned a copy


def test_the_split_follows_the_pinned_trafilatura() -> None:
    assert trafilatura_cleaning.cleaning_matches()


def test_the_recall_focus_is_left_to_trafilatura() -> None:
    recall = copy.copy(extraction._options(False, False))
    recall.focus = "recall"
    with pytest.raises(ValueError):
        trafilatura_cleaning.before_pruning(parse_html(page("x")), recall)


@pytest.mark.parametrize("body", TRICKY)
def test_cleaned_once_and_pruned_per_pass_is_tree_cleaning(body: str) -> None:
    for tree in (parse_html(page(body)), lxml.html.document_fromstring(page(body))):
        both_ways(extraction._prepare(tree, True))


@pytest.mark.parametrize("body", TRICKY)
def test_the_passes_give_trafilatura_extracts_text_and_keep_the_cleaned_tree(body: str) -> None:
    tree = parse_html(page(body))
    page_passes = PageExtraction(tree)
    for precision, fast in [(True, True), (True, False), (False, True), (False, False)]:
        assert page_passes.text(precision=precision, fast=fast) == public_extract(tree, precision=precision, fast=fast)
        if (precision, fast) == (True, True):
            kept = {k: etree.tostring(v) for k, v in page_passes._cleaned.items()}
    assert {k: etree.tostring(v) for k, v in page_passes._cleaned.items()} == kept


def test_another_tree_cleaning_cleans_each_pass_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    tree = parse_html(page(TRICKY[0]))
    want = PageExtraction(tree).text(precision=True, fast=True)
    monkeypatch.setattr(trafilatura_cleaning, "cleaning_matches", lambda: False)
    page_passes = PageExtraction(tree)
    assert page_passes.text(precision=True, fast=True) == want
    assert page_passes._cleaned == {} and list(page_passes._prepared) == [True]


def test_the_prepared_tree_is_made_only_when_a_step_reads_it() -> None:
    tree = parse_html(page(TRICKY[0]))
    page_passes = PageExtraction(tree)
    page_passes.text(precision=True, fast=True)
    assert list(page_passes._cleaned) == [True] and page_passes._prepared == {}  # a precise fast pass: never
    page_passes.text(precision=True, fast=False)
    assert list(page_passes._prepared) == [True]  # the full cascade's readability and jusText read it


@needs_shared_pages
def test_cleaned_once_is_tree_cleaning_on_the_shared_pages() -> None:
    for _, html in shared_pages(step=2):
        both_ways(extraction._prepare(parse_html(html), True))


def test_the_focus_still_tells_the_passes_cleaned_trees_apart() -> None:
    prepared = extraction._prepare(parse_html(page(TRICKY[6])), True)
    base = trafilatura_cleaning.before_pruning(extraction._cleaning_copy(prepared, focus_options()[0]),
                                               focus_options()[0])
    precise, broad = (etree.tostring(trafilatura_cleaning.after_pruning(copy.copy(base), options))
                      for options in (extraction._options(True, True), extraction._options(False, True)))
    assert precise != broad and b"em tail" in broad and b"em tail" not in precise  # prune_html keeps tails in one only
