"""trafilatura's ``prune_unwanted_sections`` inside the clean stage's passes (issue 27, twentieth session):
``trafilatura_sections.prune_unwanted_sections`` skips a second-round link-density call that would test the
tree its first-round call tested and left as it was. Both give the same tree on every section the passes
prune, on hand-made pages (link farms that go in the first round, ones that go only once another block has
gone, list items' paragraphs) and on real pages; the skip happens."""

from __future__ import annotations

import copy
import inspect
from typing import Any

import pytest
from lxml import etree
from trafilatura import main_extractor

from pipeline.stages.clean import extraction, trafilatura_sections
from pipeline.stages.clean.parse import parse_html
from tests.conftest import needs_shared_pages, shared_pages

P = "A sentence long enough to count as the text of a paragraph in an article about the town and its budget."
LINKS = "".join(f"<li><a href='/{i}'>Link number {i}</a></li>" for i in range(8))
PAGES = [
    f"<article><p>{P}</p><p>{P}</p><div><ul>{LINKS}</ul></div><p>{P} <a href='/x'>x</a></p></article>",
    f"<article><p>{P}</p><div><div><a href='/a'>a</a> <a href='/b'>b</a></div><p>short</p></div><p>{P}</p></article>",
    f"<article><p>{P}</p><ul><li><p><a href='/a'>only a link in an item</a></p></li></ul><div>{P}</div></article>",
    f"<div class='content'><p>{P}</p><p><a href='/r'>Read more about this and other things that happened</a></p>"
    f"<div><p><a href='/1'>one</a></p><p><a href='/2'>two</a></p><p><a href='/3'>three</a></p></div></div>",
    f"<article><h2>Title</h2><p>{P}</p><blockquote><a href='/q'>quoted link</a></blockquote><h3>end</h3></article>",
]


def page(body: str) -> str:
    return f"<html><head><title>t</title></head><body><nav>{LINKS}</nav>{body}<footer>f</footer></body></html>"


def recorded(html: str, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """(copy of the whole tree, path of the pruned section, potential tags, options, keep_teasers) of every
    ``prune_unwanted_sections`` call of the clean stage's four pass kinds over the page."""
    calls: list[tuple[Any, ...]] = []
    extraction._install_in_pass()
    installed = main_extractor.prune_unwanted_sections

    def spy(tree: Any, potential_tags: set[str], options: Any, keep_teasers: bool = False) -> Any:
        whole = tree.getroottree()
        calls.append((copy.deepcopy(whole.getroot()), whole.getpath(tree), set(potential_tags), options, keep_teasers))
        return installed(tree, potential_tags, options, keep_teasers)

    monkeypatch.setattr(main_extractor, "prune_unwanted_sections", spy)
    passes = extraction.PageExtraction(parse_html(html))
    for precision in (True, False):
        for fast in (True, False):
            passes.text(precision=precision, fast=fast)
    monkeypatch.undo()
    return calls


def same_sections(calls: list[tuple[Any, ...]]) -> int:
    """Each recorded call both ways, inside a pass; the number of second-round calls skipped."""
    original = inspect.unwrap(main_extractor.prune_unwanted_sections)
    skipped = 0
    real = trafilatura_sections.delete_by_link_density
    counted: list[bool] = []

    def counting(*args: Any, **kwargs: Any) -> bool:
        counted.append(True)
        return real(*args, **kwargs)

    token = extraction._IN_PASS.set(True)
    try:
        for root, path, tags, options, keep_teasers in calls:
            there, here = copy.deepcopy(root), copy.deepcopy(root)
            section = etree.ElementTree(there).xpath(path)[0]
            assert original(section, set(tags), options, keep_teasers) is section
            section = etree.ElementTree(here).xpath(path)[0]
            counted.clear()
            trafilatura_sections.delete_by_link_density = counting  # type: ignore[assignment]
            try:
                assert trafilatura_sections.prune_unwanted_sections(section, set(tags), options, keep_teasers) is section
            finally:
                trafilatura_sections.delete_by_link_density = real  # type: ignore[assignment]
            skipped += (8 if options.focus == "precision" else 6) - len(counted)
            assert etree.tostring(here) == etree.tostring(there)
    finally:
        extraction._IN_PASS.reset(token)
    return skipped


def test_the_installed_trafilatura_is_the_one_it_follows() -> None:
    extraction._install_in_pass()
    assert trafilatura_sections.sections_match()
    assert main_extractor.prune_unwanted_sections is not inspect.unwrap(main_extractor.prune_unwanted_sections)


@pytest.mark.parametrize("body", PAGES)
def test_the_sections_are_pruned_as_trafilatura_prunes_them(body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = recorded(page(body), monkeypatch)
    assert calls
    same_sections(calls)


def test_outside_the_passes_it_is_trafilaturas(monkeypatch: pytest.MonkeyPatch) -> None:
    extraction._install_in_pass()
    monkeypatch.setattr(trafilatura_sections, "prune_unwanted_sections", lambda *a: pytest.fail("used outside"))
    tree = parse_html(page(PAGES[0]))
    assert extraction.public_extract(tree, precision=True)


@needs_shared_pages
def test_the_sections_are_pruned_as_trafilatura_prunes_them_on_the_shared_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    skipped = 0
    for _, html in shared_pages(step=3):
        skipped += same_sections(recorded(html, monkeypatch))
    assert skipped > 0
