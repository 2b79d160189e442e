"""The HTML clean's own steps made cheaper in session 27 (issue 27) answer exactly as the code they replace:
the gallery check's image count stopped at the tenth image; a caption's text read without an XPath and
squeezed without the regex; a text holder's prose measured by ``own_chars`` (no joined string)."""

from __future__ import annotations

import copy
import random
import re
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from pipeline.stages.clean import prune
from pipeline.stages.clean.blocks import text_of
from pipeline.stages.clean.html import visible_text
from pipeline.stages.clean.parse import parse_html
from pipeline.stages.clean.prune import _images_at_least
from pipeline.stages.clean.recall import own_text
from pipeline.stages.clean.spaces import norm


def _pages() -> list[str]:
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "clean"
    return [f.read_text("utf-8") for f in sorted(fixtures.rglob("*.html"))]


def _trees() -> list[Any]:
    from tests.stages.test_clean_exact_own_steps_s20 import _trees as random_trees

    return [*random_trees(), *(parse_html(p) for p in _pages())]


def _visible_text_before(el: Any) -> str:
    """``html.visible_text`` as it was (26fb55e)."""
    if not any(True for _ in el.iter("script", "style", "noscript", "template")):
        return str(el.text_content())
    el = copy.deepcopy(el)
    for bad in list(el.iter("script", "style", "noscript", "template")):
        bad.drop_tree()
    return str(el.text_content())


def test_a_caption_and_the_image_count_read_as_before() -> None:
    """``visible_text`` by ``text_of``, a caption's text squeezed by ``norm``, a named caption's length by
    ``text_of``, and the gallery check's image count stopped at the tenth image."""
    images = etree.XPath("count(descendant-or-self::img)")
    checked = many = 0
    rnd = random.Random(2027)
    galleries = []
    for k in range(25):
        imgs = "".join(rnd.choice(["<img src=a>", "<IMG src=b>", "<svg:img/>", "<p><img src=c></p>", "<b>x</b>"])
                       for _ in range(k))
        galleries.append(lxml.html.document_fromstring(f"<html><body><div>{imgs}</div>{imgs[:40]}</body></html>"))
    odd = lxml.html.document_fromstring("<html><body><img src=a></body></html>")
    for _ in range(12):
        etree.SubElement(odd.find("body"), "{http://x}img")
    for tree in [*_trees(), *galleries, odd, odd.find("body/img")]:
        for el in tree.iter(etree.Element):
            if rnd.random() < 0.3 and el.tag not in ("script", "style", "noscript", "template"):  # as callers ask
                try:
                    want = _visible_text_before(el)
                except ValueError:  # a control character in a dropped block's tail (the random pages' \x1c)
                    continue
                assert visible_text(el) == want
                assert norm(visible_text(el)) == re.sub(r"\s+", " ", want).strip()
                assert len(text_of(el).strip()) == len(el.text_content().strip())
                checked += 1
        for root in (tree, tree.find("body")):
            if root is not None:
                count = images(root)
                for n in (1, 2, 9, 10, 11):
                    assert _images_at_least(root, n) == (count >= n)
                many += count >= 10
    assert checked > 10000 and many > 0


def _holder_chars_before(el: Any) -> int:
    """``prune._holder_chars`` as it was (26fb55e): the own text joined, then measured."""
    n = len(own_text(el).strip())
    if n >= prune.PROSE_MIN_CHARS:
        links = sum(len(text_of(a)) for a in el if a.tag == "a")
        if links * 2 < n + links:
            return n
    return 0


def test_a_text_holders_prose_is_measured_without_joining_its_own_text() -> None:
    checked = kept = 0
    for tree in _trees():
        for el in tree.iter():
            want = _holder_chars_before(el)
            assert prune._holder_chars(el) == want, etree.tostring(el)
            checked += 1
            kept += want > 0
    assert checked > 10000 and kept > 20
