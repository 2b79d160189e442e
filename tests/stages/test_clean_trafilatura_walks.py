"""The clean stage's cheaper readings of trafilatura internals inside its extraction passes (issue 27, eighth session):
the raw-tree prunes found in one walk (``trafilatura_xpaths.raw_prunes``) leave the tree that trafilatura's XPath
lists, evaluated and pruned one after the other, leave -- on hand-made trees with nested, doubly named and
tail-carrying matches, and on the shared pages."""

from __future__ import annotations

import copy

import lxml.html
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


HEADS = [
    "<html><head><title>t</title><script>var a = '<p>';</script><style>p {}</style></head>\n<body><p>b</p></body></html>",
    "<html><head><title>t</title></head><body><script>x</script><p>b</p><aside>a<aside>n</aside></aside>"
    "<aside>later</aside></body></html>",
    "<html><!-- before --><head><title>t</title></head>\n<body><p>comment first: copied whole</p></body></html>",
    "<html><head><noscript><link rel='x'></noscript><meta name='a'></head>  <body><div>no p<math alttext='x'/>"
    "</div></body></html>",
    "<html><head><title>t</title></head><body><p>b</p></body></html>",
    "<html><body><p>no head</p></body></html>",
]


def cleaned_both_ways(tree: etree._Element, options: object) -> tuple[bytes, bytes]:
    from trafilatura.htmlprocessing import tree_cleaning

    before = etree.tostring(tree)
    here = etree.tostring(tree_cleaning(extraction._cleaning_copy(tree, options), options))
    assert etree.tostring(tree) == before  # the head is back where it was
    return here, etree.tostring(tree_cleaning(copy.copy(tree), options))


def all_options() -> list[object]:
    recall = copy.copy(extraction._options(False, False))
    recall.focus = "recall"
    return [extraction._options(p, f) for p in (True, False) for f in (True, False)] + [recall]


@pytest.mark.parametrize("html", HEADS)
def test_the_cleaning_copy_without_the_head_cleans_to_the_same_tree(html: str) -> None:
    for options in all_options():
        for tree in (parse_html(html), lxml.html.document_fromstring(html)):  # lxml's keeps the comment
            here, there = cleaned_both_ways(tree, options)
            assert here == there


def test_a_head_is_left_out_only_where_the_cleaning_deletes_it_whole() -> None:
    options = extraction._options(True, True)
    assert extraction._head_goes_whole(parse_html(HEADS[0]), options) is not None
    assert extraction._head_goes_whole(lxml.html.document_fromstring(HEADS[2]), options) is None  # a comment first
    assert extraction._head_goes_whole(parse_html(HEADS[5]), options) is None
    assert extraction._head_goes_whole(parse_html(HEADS[0]), all_options()[-1]) is None  # recall


@needs_shared_pages
def test_the_cleaning_copy_cleans_to_the_same_tree_on_the_shared_pages() -> None:
    left_out = 0
    for _, html in shared_pages(step=2):
        tree = extraction._prepare(parse_html(html), True)
        for options in all_options():
            here, there = cleaned_both_ways(tree, options)
            assert here == there
            left_out += extraction._head_goes_whole(tree, options) is not None
    assert left_out > 100

