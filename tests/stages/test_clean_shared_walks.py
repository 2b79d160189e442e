"""The clean stage's own steps that share one walk or one reading of the tree give what each step gave alone."""

from __future__ import annotations

import itertools

import lxml.html
from lxml import etree

from pipeline.stages.clean import load_packs
from pipeline.stages.clean.class_names import _doomed_by_attributes
from pipeline.stages.clean.prune import (
    _hidden_style,
    _verdicts,
    attributed,
    named_captions,
    prune,
)

PROSE = ("The council met on Tuesday evening to discuss the budget for the coming year, and members argued "
         "for hours about the cost of the new bridge over the river.")
PAGE = f"""<html><head><title>t</title></head><body>
<nav class="menu"><a href="/">Home</a></nav>
<article class="post share-wrapper">
  <h1>Budget passed</h1>
  <figure><img src="a.jpg"><figcaption class="photo-caption">Harbour at dawn <span class="credit">dpa</span>
    <span id="relatedThing">x</span></figcaption></figure>
  <figcaption><figcaption class="caption">nested</figcaption> outer</figcaption>
  <div class="body"><p>{PROSE}</p><p>{PROSE}</p><p style="display: none">{PROSE}</p></div>
  <div class="image-caption">A caption of some length here</div>
  <div id="comments" hidden>Comments</div>
  <div class="d-none sharebar">Share</div>
  <div class="outer caption"><div class="inner caption">inner</div></div>
</article>
<div class="footer-related"><p>{PROSE}</p></div>
<div style="visibility:hidden">hidden</div>
</body></html>"""


def _tree() -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(PAGE)


def test_prune_with_the_attributes_read_before_the_tag_drops_is_prune_alone() -> None:
    hr = load_packs().for_language(None).html
    alone, shared = _tree(), _tree()
    want = prune(alone, hr)
    body = shared.find("body")
    captions = named_captions(body, hr.caption_tokens, attributed(body))
    assert [el.get("class") for el in captions] == [el.get("class") for el in named_captions(_tree().find("body"),
                                                                                             hr.caption_tokens)]
    assert captions  # the page has named captions
    got = prune(shared, hr, attributed(body))
    assert got == want
    assert etree.tostring(shared) == etree.tostring(alone)


def test_verdicts_by_attribute_are_the_verdicts_of_the_whole_attribute_set() -> None:
    hr = load_packs().for_language(None).html
    verdicts = _verdicts(hr.tokens, hr.hidden_classes)
    classes = [None, "", " ", "post", "share-bar main", "d-none", "x hidden", "relatedPosts", "photo\u00a0caption",
               "main\tcontent", "cookieNotice", "shareholder"]
    ids = [None, "", "comments", "main", "sidebarPromo", "x_share_y"]
    styles = [None, "", "display:none", "color: red", "VISIBILITY : hidden"]
    for cls, id_, style, hidden in itertools.product(classes, ids, styles, (False, True)):
        whole = _doomed_by_attributes(cls, id_, style, hidden, hr.tokens, hr.hidden_classes)
        parts = bool(hidden or (cls and verdicts.by_class(cls)) or (id_ and verdicts.by_id(id_))
                     or (style and _hidden_style(style)))
        assert parts is whole, (cls, id_, style, hidden)


def test_the_parsed_tree_has_no_comments_without_stripping_them() -> None:
    from pipeline.stages.clean.parse import parse_html

    html = ("<html><body><!-- a --><ul><li>one<!-- b --></li></ul><p>Text<!-- c --> more</p>"
            "<?php echo 1 ?></body></html>")
    tree = parse_html(html)
    assert not list(tree.iter(etree.Comment)) and not list(tree.iter(etree.ProcessingInstruction))
    assert tree.find("body").text_content() == "oneText more"


def test_a_date_needs_a_digit_and_digits_are_normalised_as_before() -> None:
    import unicodedata

    from pipeline.stages.clean.dates import _normalise_digits, find_local_date

    def by_hand(text: str) -> str:
        out = []
        for ch in text:
            if ch.isdigit() and not ("0" <= ch <= "9"):
                d = unicodedata.decimal(ch, None)
                out.append(str(d) if d is not None else ch)
            elif "\uff01" <= ch <= "\uff5e":
                out.append(chr(ord(ch) - 0xFEE0))
            else:
                out.append(ch)
        return "".join(out)

    for text in ("19 March 2026", "١٩ مارس ٢٠٢٦", "２０２６年３月１９日", "x² y", "No date here", "Ｂｙ Ａｎｎａ", "", "٣"):
        assert _normalise_digits(text) == by_hand(text), text
    assert find_local_date("Published on Thursday, by our reporter") is None
    assert find_local_date("١٩ مارس ٢٠٢٦", "ar") is not None
    assert find_local_date("２０２６年３月１９日") is not None


def _fixture_trees() -> list[lxml.html.HtmlElement]:
    from pathlib import Path

    from pipeline.stages.clean.parse import parse_html

    root = Path(__file__).resolve().parents[1] / "fixtures" / "clean"
    return [parse_html(f.read_text("utf-8")) for f in sorted(root.rglob("*.html"))] + [_tree()]


def test_collapse_and_text_of_give_what_the_regex_and_text_content_give() -> None:
    import re

    from pipeline.stages.clean.blocks import text_of
    from pipeline.stages.clean.spaces import collapse

    _WS = re.compile(r"\s+")  # what collapse replaces

    samples = ["", " ", "a", "a b", "a  b", " a ", "a\tb", "a\u00a0b", "\n  \n", "a\u3000b", "x\u200bY", "a \n b",
               "\u2028", "end "]
    for s in samples:
        assert collapse(s) == _WS.sub(" ", s), repr(s)
    for tree in _fixture_trees():
        for el in tree.iter():
            if isinstance(el.tag, str):
                assert text_of(el) == el.text_content()
                assert collapse(text_of(el)) == _WS.sub(" ", el.text_content())


def test_the_majority_check_counts_the_blocks_only_when_they_could_be_a_majority() -> None:
    import random

    from pipeline.stages.clean.prune import _majority_lost, prose_blocks, prose_paragraphs

    def whole(root: lxml.html.HtmlElement, doomed: list[lxml.html.HtmlElement]) -> str | None:  # as before
        gone = {x for el in doomed for x in el.iter()}
        paragraphs = prose_paragraphs(root)
        for what in ("paragraphs", "blocks"):
            prose = paragraphs if what == "paragraphs" else prose_blocks(root, paragraphs)
            prose_chars = sum(n for _, n in prose)
            lost = sum(n for x, n in prose if x in gone) if prose_chars else 0
            if lost * 2 > prose_chars:
                return (f"clean/pruned-majority: class/id pruning would remove {lost} of {prose_chars} "
                        f"characters of text-bearing {what}; not applied")
        return None

    rng = random.Random(7)
    warned = 0
    for tree in _fixture_trees():
        root = tree.find("body")
        candidates = [el for el in root.iter() if isinstance(el.tag, str) and el is not root]
        for _ in range(30):
            doomed = rng.sample(candidates, min(len(candidates), rng.choice((1, 3, 10, 40))))
            want = whole(root, doomed)
            assert _majority_lost(root, doomed) == want
            warned += want is not None
    assert warned  # some subsets hold a majority
