"""The clean stage's own steps that share one walk or one reading of the tree give what each step gave alone."""

from __future__ import annotations

import itertools

import lxml.html
from lxml import etree

from pipeline.stages.clean import load_packs
from pipeline.stages.clean.prune import (
    _doomed_by_attributes,
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
