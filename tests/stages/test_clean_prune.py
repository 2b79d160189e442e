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


def test_a_thread_whose_posts_are_named_comment_keeps_its_posts() -> None:
    """Forum posts written without <p> (lines split by <br>) are the page's text: pruning them all by the
    'comment' token would take most of it, so the step is undone and counted."""
    posts = "".join(f"<div class='forum-comment'>{p}<br>{p.upper()}</div>" for p in ARTICLE * 3)
    tree = lxml.html.document_fromstring(f"<html><body><h1>Thread</h1>{posts}"
                                         "<div class='share'>Teilen Drucken</div></body></html>")
    warning = prune(tree, load_packs().for_language(None).html)
    assert warning is not None and warning.startswith("clean/pruned-majority") and "blocks" in warning
    assert all(p in tree.text_content() for p in ARTICLE)


def test_a_photo_story_keeps_its_gallery_and_a_gallery_beside_an_article_goes() -> None:
    from pipeline.stages.clean.prune import prune_media

    slides = "".join(f"<figure><img src='{i}.jpg'><span>Bild {i}: Blick auf den Hafen am Morgen</span></figure>"
                     for i in range(12))
    story = lxml.html.document_fromstring(f"<html><body><h1>Hafen</h1><div class='g'>{slides}</div></body></html>")
    assert prune_media(story.find("body")) == {} and "Bild 11" in story.text_content()
    article = "".join(f"<p>{p}</p>" for p in ARTICLE * 3)
    page = lxml.html.document_fromstring(f"<html><body><article>{article}</article>"
                                         f"<div class='g'>{slides}</div></body></html>")
    assert prune_media(page.find("body")) == {"gallery": 1} and "Bild 11" not in page.text_content()


def test_a_caption_named_by_its_class_is_kept_as_a_caption_and_a_header_named_so_is_not() -> None:
    caption = "Kinder spielen am Ufer der Elbe in Dresden, 19. November 2019. Foto: Max Muster"
    article = "".join(f"<p>{p}</p>" for p in ARTICLE * 2)
    page = ("<html><body><header class='content-header__caption-style--default'><h1>Strompreis</h1>"
            "<p>Von Max Muster</p></header>"
            f"<div class='wp-caption'><img src='a.jpg'><p class='wp-caption-text'>{caption}</p></div>"
            f"<article>{article}</article><span class='image__caption'>Sonos</span></body></html>")
    res = clean_html(page)
    assert res.captions == [caption]
    assert caption not in res.body and all(p in res.body for p in ARTICLE)


def test_an_article_whose_text_is_in_its_captions_keeps_them_while_the_page_guard_stays_quiet() -> None:
    """A slideshow's text sits in its slides' figcaptions and a video page's description in a block named
    ``item-caption``; the cookie and form text outside the <article> would keep the page-wide guard quiet,
    so the guard also runs inside each <article>: the blocks holding most of its prose are kept, counted."""
    slides = "".join(f"<figure class='slide'><img src='{i}.jpg'><figcaption class='slide-caption'><p>{p}</p>"
                     f"</figcaption></figure>" for i, p in enumerate(ARTICLE))
    notice = "".join(f"<p>{p.upper()}</p>" for p in ARTICLE * 2)
    tree = lxml.html.document_fromstring(f"<html><body><article><h1>Strompreis</h1><div>{slides}</div></article>"
                                         f"<div>{notice}</div><div class='cookie'><p>{ARTICLE[0].lower()}</p></div>"
                                         "</body></html>")
    warning = prune(tree, load_packs().for_language(None).html)
    assert warning is not None and warning.startswith("clean/pruned-majority") and "block(s)" in warning
    text = tree.text_content()
    assert all(p in text for p in ARTICLE)
    assert ARTICLE[0].lower() not in text  # the cookie box outside the article still goes


def test_captions_beside_an_article_body_still_go() -> None:
    article = "".join(f"<p>{p}</p>" for p in ARTICLE * 2)
    caption = "<figure><img src='a.jpg'><figcaption>Blick auf den Hafen am Morgen. Foto: dpa</figcaption></figure>"
    text = _texts(f"<article>{caption}{article}</article>")
    assert "Blick auf den Hafen" not in text and all(p in text for p in ARTICLE)


def test_a_class_string_is_judged_by_its_names_tokens_as_by_the_whole_strings() -> None:
    """``_named_boiler`` answers from each whitespace-separated name's cached tokens; the tokens of the
    whole string split at once (spaces, ``-``, ``_``, camelCase) are the same."""
    import re

    from pipeline.stages.clean.class_names import _TOKEN_SPLIT, _named_boiler

    tokens = frozenset({"share", "related", "caption"})
    strings = ["post-body shareBar", "relatedPosts main", "article\u2003body", "x_share_y", "shareholder news",
               "main  content\tcol-md-9", "RELATED-links", "photoCaption", "captioned", "a\u00a0share", " ", ""]
    for names in strings:
        whole = not tokens.isdisjoint(t.lower() for t in _TOKEN_SPLIT.split(names) if t)
        assert _named_boiler(names, tokens) is whole, names
    assert sum(_named_boiler(n, tokens) for n in strings) >= 5  # not a comparison of "no" answers only
    assert re.fullmatch(r"\s", "\u00a0") and "a\u00a0b".split() == ["a", "b"]  # both split at no-break space
