"""Walks that replace XPaths in the HTML clean (issue 27) find the same elements with the same attributes:
``prune.attributed`` (the pruning's and the caption search's elements with a class, id, style or
``hidden``), ``trafilatura_byline._scope_roles`` (the byline search's candidates), and the article
coverage check that collapses the extracted text only for a paragraph head not found as it is."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from pipeline.stages.clean.html import HEAD_CHARS, _covered, _head
from pipeline.stages.clean.parse import parse_html
from pipeline.stages.clean.prune import attributed, prune
from pipeline.stages.clean.trafilatura_byline import _AUTHOR_SCOPE, _author_roles, _scope_roles

_WS = re.compile(r"\s+")
_NAMED = etree.XPath("descendant-or-self::*[@class or @id or @hidden or @style]")  # what attributed replaces
_SCOPE = etree.XPath(_AUTHOR_SCOPE)

ATTRIBUTES = ['class="a"', 'class=""', 'id="x"', 'id=""', 'style="display:none"', "hidden", 'hidden=""',
              'rel="author"', 'itemprop="author"', 'data-testid="AuthorCard"', 'data-component="Byline"',
              'title="t"', 'data-x="1"', 'CLASS="up"', 'xml:id="n"', 'xmlns:fb="u"', 'fb:class="z"']
TAGS = ["div", "p", "span", "a", "author", "time", "figure", "section", "fb:like", "svg", "math", "br", "img"]


def _random_page(rnd: random.Random) -> str:
    def node(depth: int) -> str:
        if depth > 4 or rnd.random() < 0.2:
            return rnd.choice(["text", "", "<!-- c -->", "<?pi x?>", "&amp;", "&nbsp;", "&foo;"])
        tag = rnd.choice(TAGS)
        attrs = " ".join(rnd.sample(ATTRIBUTES, rnd.randint(0, 3)))
        inner = "".join(node(depth + 1) for _ in range(rnd.randint(0, 4)))
        return f"<{tag} {attrs}>{inner}</{tag}>tail"

    head = f"<head {rnd.choice(ATTRIBUTES)}><title>t</title></head>" if rnd.random() < 0.5 else ""
    return f"<html {rnd.choice(ATTRIBUTES)}>{head}<body {rnd.choice(ATTRIBUTES)}>{node(0)}{node(0)}</body></html>"


def _trees() -> list[Any]:
    rnd = random.Random(31)
    trees: list[Any] = [lxml.html.document_fromstring(_random_page(rnd)) for _ in range(400)]
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "clean"
    trees += [parse_html(f.read_text("utf-8")) for f in sorted(fixtures.rglob("*.html"))]
    with_entity = lxml.html.document_fromstring('<html><body><p class="c">a <b id="i">x</b></p></body></html>')
    with_entity.find(".//p").insert(1, etree.Entity("foo"))
    trees.append(with_entity)
    return trees


def test_attributed_walk_finds_the_xpaths_elements_and_attributes() -> None:
    for tree in _trees():
        for root in (tree, tree.find("body")) if tree.find("body") is not None else (tree,):
            want = [(el, el.get("class"), el.get("id"), el.get("style"), el.get("hidden") is not None)
                    for el in _NAMED(root)]  # type: ignore[union-attr]
            assert attributed(root) == want


def test_prune_with_the_walks_superset_of_dropped_elements_prunes_the_same() -> None:
    from pipeline.stages.clean.packs import load_packs

    hr = load_packs().for_language(None).html
    for tree in _trees():
        a, b = parse_html(lxml.html.tostring(tree, encoding=str)), parse_html(lxml.html.tostring(tree, encoding=str))
        body_a = a.find("body") if a.find("body") is not None else a
        body_b = b.find("body") if b.find("body") is not None else b
        assert prune(a, hr, attributed(body_a)) == prune(b, hr)
        assert lxml.html.tostring(a) == lxml.html.tostring(b)
        del body_a, body_b


def test_byline_scope_walk_finds_the_xpaths_elements_and_roles() -> None:
    for tree in _trees():
        want = [(el, _author_roles(el.tag, el.get("class"), el.get("id"), el.get("rel"), el.get("itemprop"),
                                   el.get("data-testid"), el.get("data-component")))
                for el in _SCOPE(tree) if isinstance(el.tag, str)]  # type: ignore[union-attr]
        assert _scope_roles(tree) == want


def test_covered_without_collapsing_equals_the_regex_collapse() -> None:
    rnd = random.Random(37)
    words = ["Budget", "the", "中文", "x", "a", "ภาษา"]
    spaces = [" ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u3000", " \n ", "\u2028", ""]
    for _ in range(3000):
        text = "".join(rnd.choice(spaces) + rnd.choice(words) for _ in range(rnd.randint(0, 40)))
        starts = [rnd.randrange(len(text) + 1) for _ in range(6)]
        heads = [(_head(text[i:]), rnd.randint(1, 9)) for i in starts]
        heads += [(_head(text[i:])[:rnd.randint(1, HEAD_CHARS)], 1) for i in starts]  # ending at a space too
        heads += [(rnd.choice(words) + " " + rnd.choice(words), 2), (_head(text[::-1]), 3)]
        flat = _WS.sub(" ", text)
        assert _covered(text, heads) == sum(n for h, n in heads if h in flat), (text, heads)
