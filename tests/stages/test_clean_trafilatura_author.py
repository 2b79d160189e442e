"""The clean stage's reading of trafilatura's byline XPaths (``trafilatura_byline.trafilatura_author``, issue 27): the
same answer as ``trafilatura.metadata.extract_author`` on hand-made pages that reach every branch, and on
every shared page, without trafilatura's copy of the page or its Python call per element."""

from __future__ import annotations

import pytest
from trafilatura.metadata import extract_author

from pipeline.stages.clean import trafilatura_byline
from pipeline.stages.clean.parse import parse_html
from pipeline.stages.clean.trafilatura_byline import trafilatura_author
from tests.conftest import needs_shared_pages, shared_pages


def page(body: str) -> str:
    return f"<html><head><title>t</title></head><body>{body}</body></html>"


CASES = {
    # a byline holding a <time>: deleted in trafilatura's copy, its tail joined to the text before it
    "time-inside": page("<div class='byline'>By Ana Lima<time>2 May</time>, Lisbon<span>x</span></div>"),
    "split-name": page("<span class='author'>Ana Li<time>t</time>ma</span>"),
    "time-first": page("<p class='author'><time>today</time>Jo Park <b>and</b><figure>f</figure> Kim Lee</p>"),
    # a match inside a discarded block (comments) is passed over for the next one
    "in-comments": page("<div id='comments'><span class='author'>Troll99</span></div>"
                        "<span class='author'>Maria Rossi</span>"),
    # the first XPath wins over document order: a rel=author link after a generic "writer" block
    "xpath-order": page("<div class='writer'>Some Writer Block</div><a rel='author' href='/x'>Lena Berg</a>"),
    # text too short (2 characters) or too long: the next match
    "too-short": page("<span class='author'>AB</span><span class='byline'>Sam Okafor</span>"),
    "too-long": page("<div class='author'>" + "word " * 40 + "</div><span itemprop='author'>Ines Moreau</span>"),
    # the discarded block is the match itself (class 'title'), or holds it
    "match-discarded": page("<span class='title' id='author'>Not Me</span><p class='author'>Yes Me</p>"),
    "nested-discards": page("<div class='byline'>By <div class='sidebar'>ad <time>t</time> x</div>Eva Nowak</div>"),
    "data-attributes": page("<div data-component='Byline'>By Tom Hale</div><div data-testid='AuthorCard'>Ann Wu</div>"),
    "chinese-ids": page("<span id='zuozhe'>作者：王小明</span>"),
    "none": page("<p>No byline on this page at all, only text.</p>"),
    # a <rel> element: one predicate reads a child element, so trafilatura itself is asked
    "rel-element": page("<div><rel>me</rel>Quinn Avery</div><span class='author'>Rae Young</span>"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_author_as_trafilatura_on_hand_made_pages(name: str) -> None:
    html = CASES[name]
    assert trafilatura_author(parse_html(html)) == extract_author(parse_html(html))


def test_the_hand_made_pages_reach_real_answers() -> None:
    got = {name: trafilatura_author(parse_html(html)) for name, html in CASES.items()}
    assert got["split-name"] == "Ana Lima"  # "Ana Li" and "ma" are one text once <time> goes, not two pieces
    assert got["time-inside"] == "Ana Lima; Lisbon x"
    assert got["in-comments"] == "Maria Rossi" and got["xpath-order"] == "Lena Berg"
    assert got["match-discarded"] == "Yes Me" and got["none"] is None
    assert sum(v is not None for v in got.values()) >= 9


def test_trafilatura_is_asked_only_for_a_page_with_a_rel_element(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura.metadata

    asked: list[int] = []
    real = trafilatura.metadata.extract_author
    monkeypatch.setattr(trafilatura.metadata, "extract_author", lambda tree: asked.append(1) or real(tree))
    for name, html in CASES.items():
        trafilatura_author(parse_html(html))
        assert len(asked) == (name == "rel-element"), name
        asked.clear()
    assert trafilatura_byline.sequence_matches()  # the pinned version: the Python reading is what runs


@needs_shared_pages
def test_same_author_as_trafilatura_on_the_shared_pages() -> None:
    found = 0
    for name, html in shared_pages():
        want = extract_author(parse_html(html))
        assert trafilatura_author(parse_html(html)) == want, name
        found += want is not None
    assert found >= 30  # most comparisons are of real bylines, not of "none" answers
