"""The standfirst between the headline and the body (pipeline/stages/clean/lead.py): found by position --
after the <h1>, before the first body block, prose, not links, not a date-and-byline block, not script
text -- in any script; never without a headline above or across navigation. Recorded as
metadata["standfirst"]; in the body only with html.standfirst_in_body."""

from __future__ import annotations

import dataclasses

import lxml.html

from pipeline.stages.clean.html import clean_html
from pipeline.stages.clean.lead import with_leads
from pipeline.stages.clean.packs import load_packs, load_rules

A = "The council approved the new budget on Tuesday after a long debate about schools and roads in the town."
B = "Critics said the plan leaves too little for maintenance, and several members asked for a second vote."
C = "The mayor promised a public hearing in spring, where residents can comment on every single line item."
LEAD = "Schools and roads get most of the money; the town's reserves shrink for the third year in a row."


def _page(head: str, lead_block: str, between: str = "") -> str:
    body = "".join(f"<p>{s}</p>" for s in (A, B, C))
    return (f"<html><body><main><article><header>{head}{lead_block}{between}</header>"
            f'<div class="article-body">{body}</div></article></main></body></html>')


def _with_leads(page: str, text: str) -> tuple[str, int]:
    out, found = with_leads(text, lxml.html.document_fromstring(page))
    return out, len(found)


def test_a_standfirst_under_the_headline_goes_in_front_of_the_body() -> None:
    page = _page("<h1>Budget passes</h1>", f'<div class="intro__copy">{LEAD}</div>',
                 '<div class="meta"><time datetime="2024-03-05">5 March 2024</time> By Jane Roe</div>')
    text, n = _with_leads(page, "\n".join([A, B, C]))
    assert text.split("\n") == [LEAD, A, B, C]
    assert n == 1


def test_the_headline_kept_by_the_extractor_stays_first() -> None:
    page = _page("<h1>Budget passes in a long night session of the town council</h1>", f"<p>{LEAD}</p>")
    text, n = _with_leads(page, "\n".join(["Budget passes in a long night session of the town council", A, B]))
    assert text.split("\n") == ["Budget passes in a long night session of the town council", LEAD, A, B]
    assert n == 1


def test_no_headline_above_no_lead() -> None:
    page = _page("", f"<p>{LEAD}</p>")
    assert _with_leads(page, "\n".join([A, B, C])) == ("\n".join([A, B, C]), 0)


def test_navigation_between_headline_and_body_stops_the_walk() -> None:
    nav = "".join(f'<a href="/s/{i}">Another story about the town number {i}</a> ' for i in range(4))
    page = _page("<h1>Budget passes</h1>", f"<p>{LEAD}</p>", f'<div class="teasers">{nav}</div>')
    assert _with_leads(page, "\n".join([A, B, C]))[1] == 0


def test_a_date_and_byline_block_is_not_a_lead_in_a_dense_script() -> None:
    meta = '<div class="meta">（记者 王海涛） <time datetime="2025-10-13">2025年10月13日 15:27</time> 来源：新华社</div>'
    lead = "国务院常务会议今天研究部署进一步优化营商环境的措施，会议指出要持续降低企业的制度性交易成本。"
    body = "会议强调，各地区各部门要加强协调配合，确保各项政策措施落到实处，让企业和群众有更多获得感。"
    page = f"<html><body><article><h1>国务院部署优化营商环境</h1><p>{lead}</p>{meta}<div><p>{body}</p></div></article></body></html>"
    text, n = _with_leads(page, body)
    assert text.split("\n") == [lead, body]  # the lead, across the metadata block, which stays out
    assert n == 1


def test_a_lead_already_in_the_text_is_not_repeated() -> None:
    page = _page("<h1>Budget passes</h1>", f"<p>{LEAD}</p>")
    assert _with_leads(page, "\n".join([LEAD, A, B]))[1] == 0


def test_an_ad_slot_script_is_not_a_lead() -> None:
    slot = "<div>" + "<script>googletag.cmd.push(function() { googletag.display('div-gpt-ad-1'); });</script>" * 2
    page = _page("<h1>Budget passes</h1>", slot + "</div>")
    assert _with_leads(page, "\n".join([A, B, C]))[1] == 0


def _deck_page(headline: str, deck: str, paras: list[str]) -> str:
    """A headline with its deck in a box of their own, the body paragraphs in a grid below."""
    body = "".join(f"<p>{p}</p>" for p in paras * 2)
    return (f'<html><body><div class="page"><div class="top"><h1>{headline}</h1>'
            f'<div class="intro"><div class="intro__copy">{deck}</div></div></div>'
            f'<div class="row"><div class="col"><div class="content">{body}</div></div></div></div></body></html>')


def test_clean_html_records_a_cyrillic_deck_and_puts_it_in_the_body_only_if_told() -> None:
    deck = "Городской совет утвердил бюджет на следующий год: больше всего денег получат школы и дороги."
    paras = ["Заседание продолжалось почти до полуночи, депутаты обсуждали каждую статью расходов по очереди.",
             "Оппозиция потребовала повторного голосования, но большинство отклонило это предложение без споров.",
             "Мэр пообещал провести публичные слушания весной, чтобы жители могли высказаться о каждой строке."]
    page = _deck_page("Бюджет принят", deck, paras)
    res = clean_html(page)
    assert res.metadata["standfirst"] == deck
    assert deck not in res.body and res.body.startswith(paras[0])
    rules = load_rules("ru")
    told = dataclasses.replace(rules, html=dataclasses.replace(rules.html, standfirst_in_body=True))
    res = clean_html(page, told)
    assert res.metadata["standfirst"] == deck
    assert res.body.startswith(deck + "\n\n" + paras[0])


def test_the_shipped_packs_keep_the_standfirst_apart_except_where_their_press_counts_it_as_text() -> None:
    packs = load_packs()
    assert packs.for_language(None).html.standfirst_in_body is False
    assert {lang for lang in ("en", "ru", "zh", "vi", "de", "fr", "es", "pl")
            if packs.for_language(lang).html.standfirst_in_body} == {"de", "fr", "es", "pl"}


def test_the_page_language_pack_decides_whether_the_standfirst_opens_the_body() -> None:
    """The pack is picked by the body's language; its convention (config/cleaning/<lang>.yaml) decides."""
    deck = "Schulen und Straßen bekommen das meiste Geld; die Rücklagen der Stadt schrumpfen zum dritten Mal."
    paras = ["Der Stadtrat hat am Dienstag nach einer langen Debatte über Schulen und Straßen den Haushalt beschlossen.",
             "Kritiker sagten, der Plan lasse zu wenig Geld für die Instandhaltung, mehrere Mitglieder wollten abstimmen.",
             "Der Bürgermeister versprach im Frühjahr eine öffentliche Anhörung, bei der alle Bürger mitreden können."]
    page = _deck_page("Haushalt beschlossen", deck, paras)
    res = clean_html(page)
    assert res.metadata["rules_language"] == "de"
    assert res.metadata["standfirst"] == deck
    assert res.body.startswith(deck + "\n\n" + paras[0])
    english = clean_html(page, load_rules("en"))  # the same page under a pack that keeps it apart
    assert english.metadata["standfirst"] == deck and english.body.startswith(paras[0])


def test_leaf_blocks_do_not_depend_on_which_element_proxies_are_alive():
    """lxml frees an element's Python object when nothing refers to it and may give its id() to the next
    one: the leaves are found by element, so they equal the plain definition on any page (before, some
    pages' standfirst changed with what else the process held)."""
    import gc

    import lxml.html

    from pipeline.stages.clean.lead import _BLOCK_TAGS, _SKIP, _leaf_blocks

    cell = "<span><b>x</b> <i>y</i></span>"
    page = "<html><body>" + "".join(
        f"<section><div><span>{cell}</span><div><p>{i} {cell}</p><ul><li>{cell}</li></ul></div>"
        f"<div>{cell}<script>var a = {i};</script></div></div></section>"
        # a block inside an inline element inside a block: the inline element's object is freed after use
        f"<div><font><form><p>{i} {cell}</p></form></font></div>" for i in range(300)) + "</body></html>"
    body = lxml.html.document_fromstring(page).find("body")

    def plain() -> list[str]:
        return [body.getroottree().getpath(el) for el in body.iter(*_BLOCK_TAGS)
                if next((d for d in el.iterdescendants() if d.tag in _BLOCK_TAGS), None) is None
                and not any(a.tag in _SKIP for a in el.iterancestors())
                and el.tag not in ("ul", "ol", "dl", "table", "tr")]

    want = plain()
    for _ in range(3):
        got = [body.getroottree().getpath(el) for el in _leaf_blocks(body)]
        assert got == want
        gc.collect()
