"""Orphan headings closing the body (pipeline/stages/clean/tail.py): a short heading whose link list the
extractor dropped is cut, counted, by shape and position -- a colon or question mark, or a bare short line
in a box of its own; a sign-off under the last paragraph stays. Several scripts."""

from __future__ import annotations

import lxml.html

from pipeline.stages.clean.html import clean_html
from pipeline.stages.clean.tail import cut_orphans, is_orphan_heading

P1 = "Der Stadtrat hat am Dienstag nach langer Debatte den Haushalt für das kommende Jahr beschlossen."
P2 = "Kritiker sagen, der Plan lasse zu wenig Geld für die Instandhaltung von Schulen und Straßen übrig."


def _tree(body: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(f"<html><body>{body}</body></html>")


def test_shape_of_an_orphan_heading() -> None:
    assert is_orphan_heading("Mehr Themen:")
    assert is_orphan_heading("Schon gelesen?")
    assert is_orphan_heading("相关阅读：")
    assert is_orphan_heading("Читайте также")
    assert not is_orphan_heading(P1)
    assert not is_orphan_heading("Das war es für heute.")


def test_a_closing_heading_with_a_colon_is_cut_and_counted() -> None:
    tree = _tree(f"<p>{P1}</p><p>{P2}</p><h3>Mehr Themen:</h3>")
    cuts: list[dict[str, object]] = []
    assert cut_orphans([P1, P2, "Mehr Themen:"], tree, cuts) == [P1, P2]
    assert cuts == [{"at": "Mehr Themen:", "lines": 1, "chars": 12}]


def test_a_bare_short_line_goes_only_from_a_box_of_its_own() -> None:
    boxed = _tree(f"<div class='text'><p>{P1}</p><p>{P2}</p></div><div class='more'><p>Weitere Themen aus der Stadt</p></div>")
    assert cut_orphans([P1, P2, "Weitere Themen aus der Stadt"], boxed, []) == [P1, P2]
    signed = _tree(f"<div class='text'><p>{P1}</p><p>{P2}</p><p>Euer Hans</p></div>")
    assert cut_orphans([P1, P2, "Euer Hans"], signed, []) == [P1, P2, "Euer Hans"]


def test_nothing_is_cut_without_prose_before_it() -> None:
    tree = _tree("<p>Mehr Themen:</p><p>Schon gelesen?</p>")
    assert cut_orphans(["Übersicht", "Schon gelesen?"], tree, []) == ["Übersicht", "Schon gelesen?"]


def test_clean_html_drops_a_russian_read_more_heading_left_over_its_links() -> None:
    paras = ["Городской совет утвердил бюджет на следующий год после долгого обсуждения расходов на школы.",
             "Оппозиция потребовала повторного голосования, но большинство отклонило это предложение без споров.",
             "Мэр пообещал провести публичные слушания весной, чтобы жители могли высказаться о каждой строке."]
    links = "".join(f'<li><a href="/n/{i}">Другая новость города номер {i} о бюджете</a></li>' for i in range(6))
    page = (f"<html><body><article><h1>Бюджет принят</h1>{''.join(f'<p>{p}</p>' for p in paras * 2)}"
            f"<p><strong>Читайте также:</strong></p><ul>{links}</ul></article></body></html>")
    res = clean_html(page)
    assert res.body.endswith(paras[2])
    assert "Читайте также" not in res.body
    assert {"at": "Читайте также:", "lines": 1, "chars": 14} in res.metadata["cuts"]


def test_a_line_of_the_pages_own_keywords_is_cut_with_its_label_and_counted() -> None:
    from pipeline.stages.clean.tail import cut_keyword_lines

    keywords = ["stock car brasil", "Interlagos", "calendário 2018", "Velo Città"]
    tags = "stock car brasil, interlagos, calendário 2018, velo città"
    cuts: list[dict[str, object]] = []
    assert cut_keyword_lines([P1, P2, "Tags", tags], keywords, cuts) == [P1, P2]
    assert cuts == [{"at": "Tags", "lines": 2, "chars": 4 + len(tags)}]
    # a sentence that names some keywords stays; so does any line on a page that declares none
    mention = "Die Saison beginnt in Interlagos, endet in Velo Città, und stock car brasil zeigt alles live."
    assert cut_keyword_lines([P1, mention], keywords, []) == [P1, mention]
    assert cut_keyword_lines([P1, tags], None, []) == [P1, tags]
    han = "上海, 经济, 股市"  # any script, any list separator the page uses
    assert cut_keyword_lines([P1, han], ["上海", "经济", "股市"], []) == [P1]


def test_clean_html_cuts_a_keyword_box_by_the_meta_keywords() -> None:
    page = (f"<html><head><meta name='keywords' content='Haushalt, Stadtrat, Schulen, Straßen'></head><body>"
            f"<article><h1>Haushalt</h1><p>{P1}</p><p>{P2}</p><p>{P1.replace('Dienstag', 'Mittwoch')}</p>"
            f"<p>Schlagworte</p><p>Haushalt, Stadtrat, Schulen, Straßen</p></article></body></html>")
    res = clean_html(page)
    assert "Stadtrat, Schulen" not in res.body and "Schlagworte" not in res.body and res.body.startswith(P1)
    assert any(c["at"] == "Schlagworte" for c in res.metadata["cuts"])
