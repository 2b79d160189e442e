"""The clean stage's Python reading of trafilatura's frame and discard XPaths (``trafilatura_xpaths``, issue 27):
the same elements, in the same order, as lxml's evaluation of each XPath, on hand-made pages that reach every
predicate and attribute order, and on the shared pages' trees before and after trafilatura's conversion; used
inside the clean stage's passes only."""

from __future__ import annotations

import pytest
from lxml import etree
from trafilatura import main_extractor, xpaths
from trafilatura.htmlprocessing import convert_tags, tree_cleaning

from pipeline.stages.clean import extraction, trafilatura_xpaths
from pipeline.stages.clean.extraction import PageExtraction, _options
from pipeline.stages.clean.parse import parse_html
from pipeline.stages.clean.trafilatura_xpaths import replacements
from tests.conftest import needs_shared_pages, shared_pages

TAGS = ("div", "section", "article", "main", "p", "span", "li", "ul", "aside", "ol", "details")
ATTRS = [
    # frames
    'class="post"', 'class="entry"', 'itemprop="articleBody"', 'id="articleContent"', 'id="main-article-content"',
    'class="x post-body y"', 'role="article"', 'id="story"', 'class="FullText"', 'class="article lead"',
    'id="primary-col"', 'id="content"', 'class="content"', 'id="Main-Content"', 'class="wrap Page-Content"',
    'class="content__body"', 'class="mainbox"', 'id="main"', 'role="main"',
    # discards, both attribute orders where a union reads the first
    'class="x" id="cookie-bar"', 'id="x" class="cookie-bar"', 'id="cookie-bar" class="x"', 'role="Navigation"',
    'data-component="MostPopularStories"', "data-lp-replacement-content", 'id="sharebox"', 'class="my ad slot"',
    'class="ad-top"', 'class="dfpAd"', 'class="related"', 'class="comments-title"', 'id="reply-1"',
    'class="reply-form" id="q"', 'id="q" class="reply-form"', 'style="visibility:hidden" id="q"',
    'id="q" style="hidden"', 'id="hidden-box"', 'style="display: none"', 'style="display:none"', 'id="akismet"',
    'class="noprint"', 'aria-hidden="true"', 'aria-hidden="false"', 'class="page-bottom"', 'id="bottom bar"',
    'class="bottombar"', 'class="link"', 'class="x link y"', 'class="permalink"', 'style="border:1px"',
    'id="x" class="page-bottom"', 'class="page-bottom" id="x"', 'class=""', 'id=""', 'title="cookie"',
    # the raw tree's prunes: comment containers (and lists), infinite-scroll appendices
    'id="comments"', 'class="Comment-list"', 'class="commentary"', 'id="disqus_thread"', 'class="post-comments"',
    'id="comol"', 'class="x comments"', 'class="infinite-scroll"', 'id="mvp-post-add-box"', 'class="scroller"',
]


def hand_made_page() -> str:
    """Every tag with every attribute set, nested two deep, so positional ``[1]`` and first-of-all both matter."""
    blocks = []
    for i, attrs in enumerate(ATTRS):
        tag, inner = TAGS[i % len(TAGS)], TAGS[(i + 3) % len(TAGS)]
        blocks.append(f"<{tag} {attrs}>text {i}<{inner} {ATTRS[-1 - i]}>inner {i}</{inner}>"
                      f"<{inner} {attrs}>twin {i}</{inner}></{tag}>")
    appended = ('<div class="infinite-scroll"><h1>kept: holds the headline</h1></div>'
                '<section class="mvp-post-add-wrap"><h1>pruned all the same</h1></section>'
                '<aside class="x elementor-share-buttons">share</aside><p class="elementor-share-buttons">kept</p>'
                '<div class="Teaser-box">t</div><p id="TEASER">T</p><span id="teaser" class="x">s</span>'
                '<div id="photo-caption">c</div><p class="Caption">C</p><aside class="caption">a</aside>')
    return "<html><body><div>" + "".join(blocks) + appended + "</div><p>tail</p></body></html>"


def test_every_reading_is_installed_on_the_pinned_trafilatura() -> None:
    assert set(replacements()) == set(trafilatura_xpaths._READINGS)


def test_a_changed_xpath_is_left_to_lxml(monkeypatch: pytest.MonkeyPatch) -> None:
    changed = list(xpaths.OVERALL_DISCARD_XPATH)
    changed[0] = etree.XPath(".//*[self::div][contains(@class, 'other')]")
    monkeypatch.setattr(xpaths, "OVERALL_DISCARD_XPATH", changed)
    assert ("OVERALL_DISCARD_XPATH", 0) not in replacements()
    assert ("OVERALL_DISCARD_XPATH", 1) in replacements()


def same_elements(tree: etree._Element) -> int:
    """Asserts each reading finds what lxml finds on ``tree`` and on each of its frames; the number found."""
    found = 0
    for key, (xpath, finder) in replacements().items():
        for context in [tree, *tree.iter("div", "article", "main", "section")][:40]:
            want = xpath(context)
            assert finder(context) == want, (key, context.tag, context.attrib)
            found += len(want)
    return found


def test_the_same_elements_as_lxml_on_a_hand_made_page() -> None:
    tree = parse_html(hand_made_page())
    assert same_elements(tree) > 100
    for key, (xpath, finder) in replacements().items():
        assert finder(tree), key  # each reading finds something here, not only agrees on nothing


def test_union_of_attributes_reads_the_one_first_in_source_order() -> None:
    tree = parse_html('<html><body><div class="x" id="cookie">a</div><div id="cookie" class="x">b</div>'
                      '<div style="hidden" id="q">c</div><div id="q" style="hidden">d</div></body></html>')
    discard0 = trafilatura_xpaths.overall_discard_0(tree)
    discard1 = trafilatura_xpaths.overall_discard_1(tree)
    assert [e.text for e in discard0] == ["b"] and [e.text for e in discard1] == ["c"]


@needs_shared_pages
def test_the_same_elements_as_lxml_on_the_shared_pages() -> None:
    found = 0
    for _, html in shared_pages(step=3):
        tree = parse_html(html)
        found += same_elements(tree)
        options = _options(True, True)
        found += same_elements(convert_tags(tree_cleaning(tree, options), options, None))  # as the passes ask
    assert found > 1000


def test_the_readings_run_inside_the_passes_only(monkeypatch: pytest.MonkeyPatch) -> None:
    html = hand_made_page()
    PageExtraction(parse_html(html)).text(precision=True)  # installs them
    installed = main_extractor.OVERALL_DISCARD_XPATH[0]
    assert isinstance(installed, extraction._InPass)
    asked: list[str] = []
    monkeypatch.setattr(installed, "finder", lambda tree: asked.append("py") or [])
    tree = parse_html(html)
    assert installed(tree) == xpaths.OVERALL_DISCARD_XPATH[0](tree) and not asked  # outside: lxml's XPath
    PageExtraction(parse_html(html)).text(precision=True)
    assert asked  # inside a pass: the Python reading


def test_an_appended_container_holding_the_headline_stays_unless_named_as_an_appendix() -> None:
    pruned = trafilatura_xpaths.raw_tree_prune_0(parse_html(hand_made_page()))
    texts = [el.text_content() for el in pruned]
    assert "pruned all the same" in texts and "kept: holds the headline" not in texts
    comments = trafilatura_xpaths.remove_comments_and_lists_0(parse_html(hand_made_page()))
    assert comments and not any(el.get("class") == "commentary" for el in comments)
