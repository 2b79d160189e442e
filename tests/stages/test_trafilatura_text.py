"""The clean stage keeps an entity a page shows as text (``pipeline/stages/clean/trafilatura_text.py``):
trafilatura's own text output decodes it a second time. The real trafilatura runs."""

from __future__ import annotations

from pipeline.stages.clean import clean_html_string, load_packs
from pipeline.stages.clean.extraction import PageExtraction, public_extract
from pipeline.stages.clean.html import parse_html

# what the reader sees (the page's source escapes each "&" once more)
SHOWN = ("The tutorial says you write &lt;p&gt; to start a paragraph and &amp; for an ampersand, "
         "which confuses many beginners at first.")
QUOTE = "He preached on &ldquo;the kingdom of God&rdquo; for three months, using the synagogue as his centre."
PAGE = ("<html><head><title>Writing HTML by hand</title></head><body><article><h1>Writing HTML by hand</h1>"
        f"<p>{SHOWN.replace('&', '&amp;')}</p><p>{QUOTE.replace('&', '&amp;')}</p>"
        "<p>The rest of the lesson covers headings, lists and links, each with an example and an exercise.</p>"
        "</article></body></html>")


def test_an_entity_shown_as_text_stays_in_the_body():
    body = clean_html_string(PAGE, load_packs()).body
    assert "you write &lt;p&gt; to start a paragraph and &amp; for an ampersand" in body
    assert "on &ldquo;the kingdom of God&rdquo; for three months" in body
    assert "<p>" not in body and "“" not in body


def test_every_pass_keeps_it_where_trafilatura_extract_decodes_it_again():
    tree = parse_html(PAGE)
    page = PageExtraction(tree)
    for precision, fast in [(True, True), (True, False), (False, True), (False, False)]:
        ours, theirs = page.text(precision=precision, fast=fast), public_extract(tree, precision=precision, fast=fast)
        assert SHOWN in ours and QUOTE in ours
        # trafilatura's output is the same text decoded once more (if this fails, trafilatura stopped doing
        # that: trafilatura_text.py can go)
        assert "you write <p> to start" in theirs and "“the kingdom of God”" in theirs
        assert ours.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace(
            "&ldquo;", "“").replace("&rdquo;", "”") == theirs
