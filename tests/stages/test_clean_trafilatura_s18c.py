"""The clean stage's cheaper readings of trafilatura internals inside its extraction passes (issue 27, round 18c):
the raw-tree prunes found in one walk (``trafilatura_xpaths.raw_prunes``) leave the tree that trafilatura's XPath
lists, evaluated and pruned one after the other, leave -- on hand-made trees with nested, doubly named and
tail-carrying matches, and on the shared pages."""

from __future__ import annotations

import copy

import pytest
from lxml import etree
from trafilatura import xpaths
from trafilatura.htmlprocessing import prune_unwanted_nodes

from pipeline.stages.clean import extraction, trafilatura_xpaths
from pipeline.stages.clean.parse import parse_html
from tests.conftest import needs_shared_pages, shared_pages

TRICKY = [
    # nested matches of one list and of two lists, an element matched by all three, tails to carry over
    '<div class="infinite-scroll">a<div id="comments">b<ul class="comment-list">c</ul>t1</div>t2'
    '<aside class="elementor-share-buttons">s</aside>t3</div>t4',
    '<section id="comments-infinite-scroll" class="elementor-share-buttons">x</section>tail<p>kept</p>',
    '<p>lead</p><div class="scroll-box"><h1>headline</h1><div id="comment-1">c</div>t</div>'
    '<div class="infinite-scroll"><h2>no headline</h2>gone</div>tail',
    '<ol id="comments">o</ol>t<ul class="comment-items">u</ul>t<ol id="disqus_thread">d</ol>t'
    '<details class="post-comments">p</details><div class="commentary">kept</div>',
    '<div><div class="elementor-share-buttons">one</div>t<div class="elementor-share-buttons">two</div>t</div>'
    '<list id="comol">l</list><aside id="comments">aside is not a comment container</aside>',
    '<div id="mvp-post-add-box"><h1>appended</h1><section class="comments">c</section></div>after',
    '<div id="Comment" class="x"><div id="x" class="Comments"><p>in</p></div>mid</div>end',
]


def page(body: str) -> str:
    return f"<html><head><title>t</title></head><body><div>{body}</div><p>tail para</p></body></html>"


def pruned_by_lxml(tree: etree._Element, lists: bool) -> bytes:
    tree = prune_unwanted_nodes(copy.copy(tree), xpaths.RAW_TREE_PRUNE_XPATH)
    if lists:
        tree = prune_unwanted_nodes(tree, xpaths.REMOVE_COMMENTS_AND_LISTS_XPATH)
    return bytes(etree.tostring(tree))


def pruned_here(tree: etree._Element, lists: bool) -> bytes:
    return bytes(etree.tostring(extraction._prepare(copy.copy(tree), lists)))


def test_the_raw_prunes_are_read_in_one_walk_on_the_pinned_trafilatura() -> None:
    assert trafilatura_xpaths.raw_prunes_match()


@pytest.mark.parametrize("body", TRICKY)
@pytest.mark.parametrize("lists", [True, False])
def test_one_walk_leaves_the_tree_the_xpaths_leave(body: str, lists: bool) -> None:
    tree = parse_html(page(body))
    assert pruned_here(tree, lists) == pruned_by_lxml(tree, lists)
    assert not lists or pruned_here(tree, lists) != etree.tostring(tree)  # each tricky tree loses something


def test_each_list_holds_what_its_xpath_finds_on_the_unpruned_tree() -> None:
    for body in TRICKY:
        tree = parse_html(page(body))
        want = [*xpaths.RAW_TREE_PRUNE_XPATH, *xpaths.REMOVE_COMMENTS_AND_LISTS_XPATH]
        assert trafilatura_xpaths.raw_prunes(tree, True) == [xpath(tree) for xpath in want]
        assert trafilatura_xpaths.raw_prunes(tree, False) == [xpath(tree) for xpath in want[:2]]


@needs_shared_pages
def test_one_walk_leaves_the_tree_the_xpaths_leave_on_the_shared_pages() -> None:
    changed = 0
    for _, html in shared_pages(step=2):
        tree = parse_html(html)
        for lists in (True, False):
            want = pruned_by_lxml(tree, lists)
            assert pruned_here(tree, lists) == want
            changed += want != etree.tostring(tree)
    assert changed > 10


def test_readabilitys_precision_prune_reads_in_python_inside_the_passes_only() -> None:
    from trafilatura import external

    html = page(TRICKY[0] + '<div class="cookie-bar">c</div><p class="Caption">x</p><div class="teaser">t</div>')
    extraction.PageExtraction(parse_html(html)).text(precision=True)  # installs the readings
    for xpath in external.OVERALL_DISCARD_XPATH:
        assert isinstance(xpath, extraction._InPass)
        tree = parse_html(html)
        assert xpath(tree) == xpath.xpath(tree) == xpath.finder(tree)
    assert xpaths.OVERALL_DISCARD_XPATH[0] is not external.OVERALL_DISCARD_XPATH[0]  # the library's list unchanged

