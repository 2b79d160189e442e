"""trafilatura's link-density test inside the clean stage's passes (issue 27, s27-traf):
``trafilatura_sections.link_density_test`` gives trafilatura's answer with the element's trimmed length read
only as far as a comparison needs, and ``delete_by_link_density`` does not test an element that holds no link
(``trafilatura_sections.linked``). Both are compared with trafilatura's own on every element of every section
the passes prune, on hand-made pages (thresholds, one long link, farms, white space of every kind) and on real
pages; the bound is checked on random strings. (The whole prune is compared in
``test_clean_exact_link_density.py``.)"""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from trafilatura import htmlprocessing, main_extractor
from trafilatura.utils import trim

from pipeline.stages.clean import extraction, trafilatura_sections
from pipeline.stages.clean.parse import parse_html
from tests.conftest import needs_shared_pages, shared_pages

WHITE = [" ", "  ", "\n", "\t", "\u00a0", "\u2003", "\u3000", "\r\n ", "\x1c", "\u2028"]
P = "A sentence long enough to count as the text of a paragraph in an article about the town and its budget."
LINKS = "".join(f"<li><a href='/{i}'>Link number {i}</a></li>" for i in range(8))
LONG = "a long link text that runs on and on, " * 4
PAGES = [
    f"<article><p>{P}</p><div><ul>{LINKS}</ul></div><p>{P} <a href='/x'>x</a></p></article>",
    f"<div class='content'><p>{P}</p><p><a href='/r'>{LONG}</a></p><div><a href='/r'>{LONG}</a> tail</div></div>",
    f"<article><div>{'&nbsp; ' * 400}<a href='/a'>a</a>{'&#x3000;' * 300} b</div><p>{P}</p></article>",
    f"<article><div>{'<a href=/f>farm link text</a> ' * 30}{'x ' * 20}</div><p>{P}</p><div>"
    f"{'<p><a href=/l>listing entry</a></p>' * 6}</div></article>",
    f"<article><div>{'w ' * 149}<a href='/t'>t</a></div><div>{'w' * 299}<a href='/t'>t</a></div><p>{P}</p></article>",
    f"<article><div><a href='/g'><img src='x.png'>image link</a></div><p>{P}</p><p><a href='/p'>{'p' * 61}</a></p>"
    f"<h2><a href='/h'>heading link</a></h2><blockquote><a href='/q'>quoted</a></blockquote></article>",
]


def page(body: str) -> str:
    return f"<html><head><title>t</title></head><body><nav>{LINKS}</nav>{body}<footer>f</footer></body></html>"


def test_the_installed_trafilatura_is_the_one_it_follows() -> None:
    assert trafilatura_sections.density_matches()


def test_a_prefix_bounds_the_trimmed_length() -> None:
    rng = random.Random(27)
    for _ in range(3000):
        text = "".join(rng.choice(WHITE) if rng.random() < 0.4 else rng.choice("abcdé漢𝔸-.")
                       for _ in range(rng.choice([0, 1, 5, 80, 400, 2000])))
        exact = len(trim(text))
        for n in (0, 1, 10, 30, 61, 100, 300, rng.randrange(1, 3000)):
            length = trafilatura_sections._TrimmedLength(text)
            got = length.at_least(n)
            assert got == exact if exact < n else n <= got <= exact
            assert length.at_least(n + 5000) == exact  # asked again for more: exact


def sections(html: str, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """A copy of every section the clean stage's four pass kinds prune on the page, as it comes in."""
    found: list[Any] = []
    extraction._install_in_pass()
    installed = main_extractor.prune_unwanted_sections

    def spy(tree: Any, potential_tags: set[str], options: Any, keep_teasers: bool = False) -> Any:
        found.append(copy.deepcopy(tree))
        return installed(tree, potential_tags, options, keep_teasers)

    monkeypatch.setattr(main_extractor, "prune_unwanted_sections", spy)
    passes = extraction.PageExtraction(parse_html(html))
    for precision in (True, False):
        for fast in (True, False):
            passes.text(precision=precision, fast=fast)
    monkeypatch.undo()
    return found


def same_answers(found: list[Any]) -> tuple[int, int]:
    """Every element of every section both ways, both focuses; (elements with links, elements tested True)."""
    with_links = dropped = 0
    for section in found:
        holders = trafilatura_sections.linked(section)
        for elem in section.iter():
            if not isinstance(elem.tag, str):
                continue
            for precision in (False, True):
                theirs = htmlprocessing.link_density_test(elem, precision)
                assert trafilatura_sections.link_density_test(elem, precision) == theirs
                if elem not in holders:
                    assert theirs == (False, False)
            with_links += elem in holders
            dropped += htmlprocessing.link_density_test(elem, False)[0]
    return with_links, dropped


@pytest.mark.parametrize("body", PAGES)
def test_the_link_density_test_answers_as_trafilatura(body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    found = sections(page(body), monkeypatch)
    assert found
    with_links, _ = same_answers(found)
    assert with_links


@needs_shared_pages
def test_the_link_density_test_answers_as_trafilatura_on_the_shared_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    with_links = dropped = 0
    for _, html in shared_pages(step=4):
        counts = same_answers(sections(html, monkeypatch))
        with_links, dropped = with_links + counts[0], dropped + counts[1]
    assert with_links > 1000 and dropped > 10


@needs_shared_pages
def test_the_raw_prunes_find_what_the_xpaths_find() -> None:
    """``trafilatura_xpaths.raw_prunes`` (one walk for the raw tree's prune and comment XPaths): the same lists as
    trafilatura's XPaths on the unpruned shared pages."""
    from trafilatura import xpaths

    from pipeline.stages.clean import trafilatura_xpaths

    want = [*xpaths.RAW_TREE_PRUNE_XPATH, *xpaths.REMOVE_COMMENTS_AND_LISTS_XPATH]
    found = 0
    for _, html in shared_pages(step=2):
        tree = parse_html(html)
        theirs = [xpath(tree) for xpath in want]
        assert trafilatura_xpaths.raw_prunes(tree, True) == theirs
        assert trafilatura_xpaths.raw_prunes(tree, False) == theirs[:2]
        found += sum(map(len, theirs))
    assert found > 10
