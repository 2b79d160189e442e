"""Pruning before extraction (pipeline/stages/clean/prune.py): elements hidden from readers go -- the
``hidden`` attribute, an inline display:none / visibility:hidden, a whole hiding class name -- while class
names that only mention hiding ("field--label-hidden", "hidden-mobile") keep their text; never most of the
article."""

from __future__ import annotations

import lxml.html

from pipeline.stages.clean.html import clean_html
from pipeline.stages.clean.packs import load_packs
from pipeline.stages.clean.prune import prune

ARTICLE = ["Die Ampel streitet über einen subventionierten Strompreis für die Industrie in ganz Deutschland.",
           "Die Wirtschaft fordert eine schnelle Entscheidung, die Opposition spricht von einem teuren Irrweg.",
           "Eine Einigung wird frühestens im Herbst erwartet, wenn der Haushalt für das nächste Jahr steht."]


def _texts(body: str) -> str:
    tree = lxml.html.document_fromstring(f"<html><body>{body}</body></html>")
    assert prune(tree, load_packs().for_language(None).html) is None
    return tree.text_content()


def test_elements_hidden_from_readers_are_pruned() -> None:
    article = "".join(f"<p>{p}</p>" for p in ARTICLE)
    page = (f"<article>{article}</article>"
            "<div hidden>Vielen Dank, Ihre Nachricht wurde gesendet.</div>"
            "<p style='color: red; display : none'>Ein Fehler ist aufgetreten.</p>"
            "<div style='visibility:hidden'>Bitte warten …</div>"
            "<p id='email-error' class='msg hide'>An error has occurred, please try again later.</p>")
    text = _texts(page)
    assert all(p in text for p in ARTICLE)
    for gone in ("Vielen Dank", "Ein Fehler", "Bitte warten", "An error has occurred"):
        assert gone not in text


def test_class_names_that_only_mention_hiding_keep_their_text() -> None:
    page = ("<div class='field field--label-hidden'><p>Der Titel des Artikels steht hier.</p></div>"
            "<div class='teaser hidden-mobile'><p>Auf dem Handy nicht, am Rechner schon sichtbar.</p></div>"
            + "".join(f"<p>{p}</p>" for p in ARTICLE))
    text = _texts(page)
    assert "Der Titel des Artikels" in text and "am Rechner schon sichtbar" in text


def test_a_hidden_container_holding_the_article_is_not_pruned() -> None:
    """Some sites hide the body until a script shows it: the share guard keeps it."""
    body = "".join(f"<p>{p}</p>" for p in ARTICLE * 3)
    res = clean_html(f"<html><body><h1>Strompreis</h1><div style='display:none'>{body}</div>"
                     "<footer><p>Impressum</p></footer></body></html>")
    assert all(p in res.body for p in ARTICLE)
