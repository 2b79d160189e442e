"""Metadata lines of the article's end (``pipeline/stages/clean/heads.py``): a signature naming the wire
agency the dateline already named is the author's, in any language, without a phrase list."""

from __future__ import annotations

import pytest

from pipeline.stages.clean.heads import agency_signature
from pipeline.stages.clean.packs import load_packs
from pipeline.stages.clean.rules import CleanResult
from pipeline.stages.clean.text import clean_text

PROSE_UK = [
    "Міська рада ухвалила нову програму ремонту шкіл, яка розрахована на три роки і охоплює сорок будівель.",
    "За словами заступника мера, перші роботи почнуться вже навесні, коли завершиться опалювальний сезон.",
    "Батьки учнів просили передбачити в кошторисі також укриття та нові спортивні зали для молодших класів.",
]


def article(signature: str, dateline: str = "ЛЬВІВ, 3 березня — Укрінформ. ") -> str:
    paras = [dateline + PROSE_UK[0], *PROSE_UK[1:]]
    return "\n\n".join(["Львів відремонтує сорок шкіл за три роки", *paras, signature, "Теги: Освіта, Львів"])


@pytest.mark.parametrize("signature", ["Ірина Мельник, Укрінформ", "Ірина Мельник / Укрінформ",
                                       "Ірина Мельник (Укрінформ)", "Ірина Мельник — УКРІНФОРМ"])
def test_a_name_signed_with_the_datelines_agency_is_the_author(signature: str) -> None:
    res = clean_text(article(signature))
    assert res.metadata.get("agency") == "Укрінформ"
    assert res.author == "Ірина Мельник"
    assert "Ірина Мельник" not in res.body
    assert PROSE_UK[-1] in res.body


def test_without_an_agency_named_before_the_line_stays_unread() -> None:
    res = clean_text(article("Ірина Мельник, Укрінформ", dateline=""))
    assert res.metadata.get("agency") is None
    assert res.author is None


@pytest.mark.parametrize("line", [
    "так сказав представник компанії, Укрінформ",   # not a name's shape
    "Ірина МельникУкрінформ",                        # no separator: not a signature
    "Укрінформ",                                     # the agency alone
])
def test_only_a_name_shaped_signature_is_read(line: str) -> None:
    r = load_packs().for_language("uk").text
    res = CleanResult(metadata={"agency": "Укрінформ"})
    assert agency_signature(line, r, res) is None


def test_the_same_signal_in_a_latin_script_language() -> None:
    r = load_packs().for_language("it").text
    res = CleanResult(metadata={"agency": "ANSA"})
    assert agency_signature("Giulia Bianchi, ANSA", r, res) == "Giulia Bianchi"
    assert agency_signature("Giulia Bianchi, AGI", r, res) is None  # another agency than the one named


def test_a_dateline_opens_a_paragraph_not_a_caption_fragment() -> None:
    """"<Name> / <Agency>: <a few words>" has a dateline's shape (the "<Place>/<AGENCY>. <text>" form of
    German and Polish wires) but nothing after it is a sentence: a caption, not the article's first line."""
    from pipeline.stages.clean.heads import match_dateline

    r = load_packs().for_language("de").text
    assert match_dateline("Eron / Blending: viele Besucher (Archivbild)", r) is None
    wire = match_dateline("Berlin/AFP. Die Regierung hat am Montag neue Regeln beschlossen.", r)
    assert wire is not None and wire["place"] == "Berlin" and wire["agency"] == "AFP"
    short = match_dateline("Berlin/AFP. Der Zug fährt.", r)  # a short first sentence still opens the article
    assert short is not None and short["rest"] == "Der Zug fährt."
    wrapped = match_dateline("Berlin/AFP. Die Regierung hat am Montag neue Regeln für den Verkehr in", r)
    assert wrapped is not None  # a line cut mid-sentence, long enough to be text


PROSE_EN = [
    "The city council approved a new plan on Tuesday to repair forty schools over the next three years.",
    "The deputy mayor said the first works would start in spring, once the heating season is over.",
    "Parents had asked for shelters and new sports halls for the youngest pupils to be part of the budget.",
]


def test_a_trailing_name_shaped_line_of_a_share_bar_is_not_a_signature() -> None:
    """"Leave Comments" has a name's shape; the share bar's next line, with no blank line between, is
    furniture repeated on the page, so the line is part of that bar (seen on real page dumps)."""
    bar = ["Leave Comments", "Share Facebook"]
    text = "\n\n".join(["Forty schools to be repaired", "Share Facebook", *PROSE_EN]) + "\n\n" + "\n".join(bar)
    res = clean_text(text)
    assert res.author is None
    alone = clean_text("\n\n".join(["Forty schools to be repaired", *PROSE_EN, "Maria Lopez"]))
    assert alone.author == "Maria Lopez"  # a signature of its own is still read


def test_a_heading_over_names_after_the_end_mark_is_not_a_signature() -> None:
    r = load_packs().for_language("zh").text
    from pipeline.stages.clean.heads import _signature_line
    from pipeline.stages.clean.lines import Line

    res = CleanResult()
    heading, first = Line("评论", "评论", 0), Line("陈秀军", "陈秀军", 0)
    assert not _signature_line(heading, r, res, following=first) and res.author is None
    assert _signature_line(Line("王秀军", "王秀军", 0), r, res, following=None) and res.author == "王秀军"


def test_in_a_page_a_dateline_opens_the_article_not_a_paragraph_deep_in_it() -> None:
    """A page's extracted text starts at its article: "<Word> (<CODE>) - text" three paragraphs down is
    a term and its abbreviation, and its words stay in the body (before, "Flüssiggas (LPG) -" was cut
    from such a paragraph and "LPG" became the source)."""
    from pipeline.stages.clean.html import clean_html

    term = ("Flüssiggas (LPG) - nicht zu verwechseln mit verflüssigtem Erdgas - besteht aus Propan und Butan "
            "und wird bereits unter geringem Druck flüssig.")
    paras = [
        "Die Heizkosten sind in diesem Winter für viele Haushalte deutlich gestiegen, berichten die Verbände.",
        "Wer mit Gas heizt, zahlt nach Angaben der Verbraucherzentrale fast doppelt so viel wie im Vorjahr.",
        "Besonders betroffen sind ländliche Regionen, in denen viele Häuser nicht am Netz hängen.",
        term,
        "Die Preise für Flüssiggas folgen dem Ölpreis mit einigen Wochen Verzögerung, sagen Händler.",
    ]
    html = ("<html><head><title>Heizen wird teurer</title></head><body><article><h1>Heizen wird teurer</h1>"
            + "".join(f"<p>{p}</p>" for p in paras) + "</article></body></html>")
    res = clean_html(html)
    assert term in res.body
    assert res.dateline is None and res.source_name != "LPG"
    opening = clean_html(html.replace(f"<p>{paras[0]}</p>", "<p>Berlin (dpa) - " + paras[0] + "</p>"))
    assert opening.dateline == "Berlin" and opening.metadata.get("agency") == "dpa"  # one opening the article is read


def test_in_a_page_a_byline_line_deep_in_the_article_is_text() -> None:
    """A byline heads the article; a line of a byline's shape three paragraphs down is the article's
    own (on the shared pages: list items such as "Keine Anzahlung", "Separate Küche" read as authors)."""
    from pipeline.stages.clean.html import clean_html

    paras = [
        "Die Heizkosten sind in diesem Winter für viele Haushalte deutlich gestiegen, berichten die Verbände.",
        "Wer mit Gas heizt, zahlt nach Angaben der Verbraucherzentrale fast doppelt so viel wie im Vorjahr.",
        "Besonders betroffen sind ländliche Regionen, in denen viele Häuser nicht am Netz hängen.",
        "Von Anna Berg",
        "Die Preise für Flüssiggas folgen dem Ölpreis mit einigen Wochen Verzögerung, sagen Händler.",
        "Die Verbände fordern deshalb einen Zuschuss für Haushalte mit kleinem Einkommen noch in diesem Jahr.",
        "Das Ministerium will im Frühjahr über weitere Hilfen entscheiden, hieß es am Dienstag in Berlin.",
    ]

    def page(ps: list[str]) -> str:
        return ("<html><head><title>Heizen wird teurer</title></head><body><article><h1>Heizen wird teurer</h1>"
                + "".join(f"<p>{p}</p>" for p in ps) + "</article></body></html>")

    longer = " Die Stadtwerke rechnen damit, dass die Preise auch im kommenden Jahr nicht sinken werden." * 12
    paras[:3] = [p + longer for p in paras[:3]]  # the byline far below the head window metadata reads
    deep = clean_html(page(paras))
    assert deep.author is None and "Von Anna Berg" in deep.body
    top = clean_html(page([paras[3], *paras[:3], *paras[4:]]))
    assert top.author == "Anna Berg" and "Von Anna Berg" not in top.body
