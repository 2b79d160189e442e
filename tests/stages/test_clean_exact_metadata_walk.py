"""The metadata's one walk (issue 27, round 21) finds what its five walks found: ``read_elements`` against
``tree.iter("meta" | "link" | "script")`` and ``tree.find(".//h1" | ".//title")``, element for element."""

from __future__ import annotations

import random

import lxml.html
from lxml import etree

from pipeline.stages.clean.metadata import _first_below, read_elements, structured_metadata
from pipeline.stages.clean.parse import parse_html
from tests.stages.test_clean_exact_parse_metadata import _pages, _real_pages

ODD = [
    "<html><head><title>A</title><meta name='x' content='1'></head><body><svg><title>B</title></svg>"
    "<h1>One</h1><h1>Two</h1><meta itemprop='datePublished' content='2024-01-02'><script>1</script></body></html>",
    "<html><body><p>no head</p><link rel='canonical' href='https://a.b/c'><title>late</title></body></html>",
    "<title>only a title</title>", "<h1>only a heading</h1><p>text</p>", "<p>nothing</p>",
    "<html><head><script type='application/ld+json'>{\"@type\": \"NewsArticle\"}</script></head></html>",
]


def _same(a: list[object], b: list[object]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def _check(tree: lxml.html.HtmlElement) -> None:
    read = read_elements(tree)
    for tag in ("meta", "link", "script"):
        assert _same(read[tag], list(tree.iter(tag))), tag
    for tag in ("h1", "title"):
        assert _first_below(tree, read[tag]) is tree.find(f".//{tag}"), tag


def test_one_walk_finds_what_the_five_found() -> None:
    pages = [*ODD, *_real_pages(), *_pages(3, 300)]
    rng = random.Random(3)
    for html in pages:
        for variant in (html, html[:rng.randrange(len(html) + 1)]):
            try:
                tree = parse_html(variant)
            except ValueError:  # MalformedHTML: no tree
                continue
            _check(tree)
            for el in list(tree.iter())[:40]:  # smaller roots: a heading or title can be the root itself
                if isinstance(el.tag, str):
                    _check(el)


def test_a_root_that_is_a_heading_is_not_its_own_first_heading() -> None:
    root = lxml.html.Element("h1")
    inner = etree.SubElement(root, "h1")
    title = etree.SubElement(root, "title")
    read = read_elements(root)
    assert read["h1"][0] is root and _first_below(root, read["h1"]) is inner is root.find(".//h1")
    assert _first_below(title, read_elements(title)["title"]) is None is title.find(".//title")


def test_structured_metadata_reads_the_same_values() -> None:
    for html in ODD:
        md = structured_metadata(parse_html(html))
        assert md["doc_title"] in ("A", "late", "only a title", "")
    md = structured_metadata(parse_html(ODD[0]))
    assert (md["h1"], md["doc_title"], md["title"]) == ("One", "A", "A")
    assert md["published_at"][:10] == "2024-01-02"
    assert structured_metadata(parse_html(ODD[1]))["canonical_url"] == "https://a.b/c"
