"""The paragraphs' prose measured once per page (issue 27): ``prune.prose_chars`` read by the article container
check, the pruning's guard and the fast pass's check, each drop forgetting the paragraphs it was in, gives
what measuring the paragraphs again gives; and the bound that spares the guard measuring the doomed text
holders' prose holds."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from pipeline.stages.clean.blocks import text_of
from pipeline.stages.clean.html import _article_container
from pipeline.stages.clean.packs import load_packs
from pipeline.stages.clean.parse import parse_html
from pipeline.stages.clean.prune import (
    TEXT_HOLDERS,
    _holder_chars,
    attributed,
    prose_chars,
    prose_paragraphs,
    prune,
    prune_media,
)

WORDS = ["The council passed the budget on Tuesday after a long debate", "share", "Read more", "中文字",
         "x", "Subscribe to our newsletter", "Photo: AP", "and then it rained for a week in the valley"]
OPEN = ['<p>', '<p class="caption">', '<div class="share">', '<div>', '<nav>', '<aside>', '<footer>',
        '<div class="related">', '<section>', '<article>', '<span hidden>', '<b>', '<a href="x">', '<form>',
        '<div style="display:none">', '<figure><video></video>', '<figcaption>', '<li>', '<td>', '<blockquote>']


def _random_page(rnd: random.Random) -> str:
    def node(depth: int) -> str:
        if depth > 5 or rnd.random() < 0.25:
            return " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(0, 6)))
        tag = rnd.choice(OPEN)
        names = [t.split()[0].strip("<>").split(">")[0] for t in tag.split("<")[1:]]
        inner = "".join(node(depth + 1) for _ in range(rnd.randint(0, 5)))
        close = "".join(f"</{n}>" for n in reversed(names) if n not in ("video",))
        return f"{tag}{inner}{close}{rnd.choice(['', ' tail text ', rnd.choice(WORDS)])}"

    return f"<html><head><title>t</title></head><body>{''.join(node(0) for _ in range(4))}</body></html>"


def _pages() -> list[str]:
    rnd = random.Random(41)
    pages = [_random_page(rnd) for _ in range(400)]
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "clean"
    pages += [f.read_text("utf-8") for f in sorted(fixtures.rglob("*.html"))]
    return pages


def _body(tree: Any) -> Any:
    return tree.find("body") if tree.find("body") is not None else tree


def _serialised(pairs: list[tuple[Any, int]]) -> list[tuple[bytes, int]]:
    return [(etree.tostring(p), n) for p, n in pairs]


def test_prose_read_once_and_forgotten_where_drops_change_it_equals_measuring_again() -> None:
    hr = load_packs().for_language(None).html
    for page in _pages():
        a, b = parse_html(page), parse_html(page)
        assert [(p, n) for p, n in prose_chars(a).items() if n] == prose_paragraphs(a)
        known = prose_chars(b)
        assert _article_container(a) == _article_container(b, known)
        assert prune(a, hr, attributed(_body(a))) == prune(b, hr, attributed(_body(b)), known)
        assert prune_media(_body(a)) == prune_media(_body(b), known)
        assert lxml.html.tostring(a) == lxml.html.tostring(b)
        assert _serialised(prose_paragraphs(_body(a))) == _serialised(prose_paragraphs(_body(b), known))
        for p in b.iter("p"):  # what is left in it is what measuring again gives
            if p in known:
                assert known[p] == prose_chars(p)[p]


def test_doomed_text_holders_prose_is_at_most_twice_the_doomed_text() -> None:
    rnd = random.Random(43)
    for page in _pages():
        tree = parse_html(page)
        elements = list(_body(tree).iter(etree.Element))
        for _ in range(5):
            doomed = rnd.sample(elements, min(len(elements), rnd.randint(1, 6)))
            inside = {x for el in doomed for x in el.iter("p", *TEXT_HOLDERS)}
            held = sum(_holder_chars(x) for x in inside if x.tag != "p")
            assert held <= 2 * sum(len(text_of(el)) for el in doomed)
