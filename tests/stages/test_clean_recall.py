"""Recall after the precise extraction (pipeline/stages/clean/recall.py): broad-only lines put back by
structure -- inside the article, a lead in the article's container, a paragraph the precise pass
shortened -- and never link-heavy blocks or far-away prose."""

from __future__ import annotations

import lxml.html

from pipeline.stages.clean.html import clean_html
from pipeline.stages.clean.recall import gap, link_share, merge

A = "The council approved the new budget on Tuesday after a long debate about schools and roads in the town."
B = "Critics said the plan leaves too little for maintenance, and several members asked for a second vote."
C = "The mayor promised a public hearing in spring, where residents can comment on every single line item."
LEAD = "A short summary of the story that the page shows above the article body, written as one full sentence."
FAR = "A teaser for another story in the site footer that happens to be written as a long prose sentence too."

PAGE = f"""<html><body>
<div class="wrap"><div class="head"><p class="standfirst">{LEAD}</p></div>
<div class="body"><p>{A}</p><h2>What comes next</h2><p>{B}</p>
<p><a href="/other">Read our other coverage of the town council and its budget debates</a></p><p>{C}</p></div></div>
<footer><div><div><div><p>{FAR}</p></div></div></div></footer></body></html>"""


def _tree() -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(PAGE)


def test_heading_inside_the_article_is_put_back_and_link_lines_are_not() -> None:
    precise = "\n".join([A, B, C])
    broad = "\n".join([A, "What comes next", B, "Read our other coverage of the town council and its budget debates", C])
    text, added = merge(precise, broad, _tree())
    assert text.split("\n") == [A, "What comes next", B, C]
    assert added == 1


def test_lead_in_the_article_container_is_put_back_far_prose_is_not() -> None:
    precise = "\n".join([A, B, C])
    text, added = merge(precise, "\n".join([LEAD, A, B, C, FAR]), _tree())
    assert text.split("\n") == [LEAD, A, B, C]
    assert added == 1


def test_a_paragraph_the_precise_pass_shortened_comes_back_whole() -> None:
    short = B.replace("several members ", "")
    text, added = merge("\n".join([A, short, C]), "\n".join([A, B, C]), _tree())
    assert text.split("\n") == [A, B, C]
    assert added == 0  # a replacement, not a new line


def test_same_text_is_left_alone_and_contact_links_are_not_navigation() -> None:
    assert merge("x\ny", "x\ny", _tree()) == ("x\ny", 0)
    el = lxml.html.fromstring('<p>Write to <a href="mailto:a@b.org">a@b.org</a></p>')
    assert link_share(el) == 0.0
    el = lxml.html.fromstring('<p><a href="/x">All the news</a></p>')
    assert link_share(el) == 1.0


def test_clean_html_keeps_an_in_article_heading_in_reading_order() -> None:
    first = "".join(f"<p>{s}</p>" for s in (A, B))
    second = "".join(f"<p>{s}</p>" for s in (C, A.replace("Tuesday", "Monday"), B.replace("second", "third")))
    html = (f"<html><head><title>Budget</title></head><body><article><h1>Budget approved</h1>{first}"
            f"<h2>What comes next for the town</h2>{second}</article></body></html>")
    body = clean_html(html).body
    order = [body.find(x) for x in (A, B, "What comes next for the town", C)]
    assert -1 not in order and order == sorted(order)


def test_the_broad_pass_runs_only_when_the_precise_text_lacks_an_article_block() -> None:
    tree = _tree()
    assert gap("\n".join([A, B, C]), tree)  # the heading between A and B is missing
    assert not gap("\n".join([LEAD, A, "What comes next", B, C]), tree)  # all there; the footer is not inside
    assert not gap("unrelated text that the page does not hold anywhere at all", tree)
