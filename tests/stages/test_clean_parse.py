"""The clean stage's parser (issue 27): trafilatura's loader and parser settings, element classes chosen in
C. The trees must be exactly the ones ``trafilatura.utils.load_html`` builds, for ordinary pages and for
every path of its loader (encoding declaration, no ``html`` tag, fragments, junk)."""

from __future__ import annotations

import gzip
from pathlib import Path

import lxml.html
import pytest
from lxml import etree
from trafilatura.utils import load_html as trafilatura_load_html

from pipeline.stages.clean import parse
from pipeline.stages.clean.parse import DEFAULT_PARSER, TRAFILATURA_PARSER, MalformedHTML, load_html, parse_html

ROOT = Path(__file__).resolve().parents[2]
# real pages kept in the repository: the metadata probe's 40 pages in 20 languages and the clean fixture
PAGE_DIRS = (ROOT / "benchmarks" / "data" / "metadata-pages", ROOT / "tests" / "fixtures" / "clean")

PAGES = {
    "article": "<!DOCTYPE html><html><head><title>T</title></head><body><article><p>One.</p>"
               "<form><input name='q' value='x'><select><option>a</option></select><textarea>t</textarea>"
               "<label>l</label></form><!-- note --><?php echo 1 ?><p>Two &amp; three.</p></article></body></html>",
    "xml declaration": "<?xml version='1.0' encoding='utf-8'?><html><body><p>Text é</p></body></html>",
    "encoding meta": "<html><head><meta charset='iso-8859-1'></head><body><p>Café</p></body></html>",
    "no html tag": "<div><p>A fragment of a page</p><p>and a second paragraph</p></div>",
    "one block, no html tag": "<p>only one</p>",
    "self-closing html": "<html/>\n<body><p>Text</p></body>",
    "invalid xml characters": "<html><body><p>A\x00B\x0bC</p></body></html>",
    "tag soup": "<html><body><div><p>open <b>bold <i>both</div></p> after</body>",
    "plain text": "Just a sentence without any markup at all.",
    "right to left": "<html dir='rtl'><body><p>\u0633\u0644\u0627\u0645 \u200c\u0639\u0644\u06cc\u06a9\u0645</p></body></html>",
}


def _same(a: lxml.html.HtmlElement | None, b: lxml.html.HtmlElement | None) -> None:
    assert (a is None) == (b is None)
    if a is not None and b is not None:
        assert etree.tostring(a, encoding="unicode") == etree.tostring(b, encoding="unicode")


def _real_pages() -> dict[str, str]:
    out = {}
    for f in sorted(p for d in PAGE_DIRS for p in d.rglob("*")):
        if f.name.endswith((".html", ".htm")):
            out[f.name] = f.read_text("utf-8")
        elif f.name.endswith(".html.gz"):
            out[f.name] = gzip.decompress(f.read_bytes()).decode("utf-8")
    return out


@pytest.mark.parametrize("name", [*PAGES, *_real_pages()])
def test_the_tree_is_the_one_trafilaturas_loader_builds(name: str) -> None:
    html = PAGES.get(name) or _real_pages()[name]
    _same(load_html(html), trafilatura_load_html(html))


def test_the_real_pages_are_there() -> None:
    assert len(_real_pages()) >= 40, "the comparison above would only see hand-made pages"


def test_every_element_is_a_plain_html_element_and_copies_keep_the_lookup() -> None:
    tree = load_html(PAGES["article"])
    assert tree is not None
    for el in tree.iter():
        if isinstance(el.tag, str):
            assert type(el) is lxml.html.HtmlElement, el.tag  # form controls too: no FormElement/InputElement
    assert tree.xpath("//p")[0].text_content() == "One."
    copied = tree.__copy__()
    assert {type(el) for el in copied.iter() if isinstance(el.tag, str)} == {lxml.html.HtmlElement}
    # elements a library adds under a parsed element get the same class
    assert type(etree.SubElement(tree.find(".//article"), "span")) is lxml.html.HtmlElement


def test_the_parsers_have_the_options_of_the_ones_they_stand_in_for() -> None:
    from trafilatura.utils import HTML_PARSER

    for name in ("form", "input", "p"):  # the Python lookup would hand out FormElement / InputElement here
        assert type(lxml.html.fromstring(f"<html><body><{name}></{name}></body></html>", parser=TRAFILATURA_PARSER)
                    .find(f".//{name}")) is lxml.html.HtmlElement
    tricky = "<html><head><!-- c --><?pi x?></head><body id='a'><p id='a'>x</p></body></html>"
    _same(lxml.html.document_fromstring(tricky, parser=TRAFILATURA_PARSER),
          lxml.html.document_fromstring(tricky, parser=HTML_PARSER))
    _same(lxml.html.document_fromstring(tricky, parser=DEFAULT_PARSER), lxml.html.document_fromstring(tricky))


def test_parse_html_strips_comments_and_falls_back_for_what_the_loader_turns_down() -> None:
    tree = parse_html("<p>only one</p>")  # turned down by trafilatura's loader (no html tag, one block)
    assert trafilatura_load_html("<p>only one</p>") is None
    assert tree.text_content() == "only one"
    assert not tree.xpath("//comment()")
    assert not parse_html(PAGES["article"]).xpath("//comment()")
    with pytest.raises(MalformedHTML):
        parse_html("")
    assert parse.MalformedHTML is MalformedHTML


def test_the_head_windows_lazy_walk_gives_the_querys_strings_for_every_element() -> None:
    """``byline._lazy_texts`` stops where the head window is full; until then it must give exactly the
    strings of the XPath query it stands in for (comments, invisible elements and their tails, an
    element inside an invisible one, entities, deep nesting)."""
    from pipeline.stages.clean.byline import _lazy_texts, _texts

    deep = "<div>" * 3000 + "deep" + "</div>" * 3000
    page = ("<html><body><h1>Title</h1><p>By <b>Ann</b> Lee<!-- c -->after comment</p>"
            "<div>a<script>x()</script>tail of script<style>p{}</style><noscript><p>ns</p></noscript>n-tail"
            "<svg><text>s</text></svg>svg-tail<template><p>t</p></template>t-tail<?pi x?>pi-tail</div>"
            f"<section><p>one</p>two<p>three<i>four</i>five</p>six</section>{deep}</body></html>")
    tree = lxml.html.document_fromstring(page)  # comments kept here, unlike parse_html
    trees = [tree, *(parse_html(html) for html in list(_real_pages().values())[:10])]
    for root in trees:
        for el in root.iter():
            assert list(_lazy_texts(el)) == _texts(el), el.tag
    noscript_p = tree.find(".//noscript/p")
    assert noscript_p is not None and list(_lazy_texts(noscript_p)) == _texts(noscript_p) == []
