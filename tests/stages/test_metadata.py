"""HTML metadata: structured data first, each fallback in turn, provenance, local dates, published vs modified."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from pipeline.document import Document
from pipeline.elastic.bulk import to_source
from pipeline.run.single import clean
from pipeline.stages.clean.dates import is_updated_label, midnight_east, parse_local_date, shown_day
from pipeline.stages.clean.html import extract_metadata, parse_html
from pipeline.stages.clean.metadata import structured_metadata, url_date

REPO = Path(__file__).resolve().parents[2]
BODY = "".join(f"<p>Paragraph {i} of the article, a plain sentence about the harbour and its new ferry line.</p>"
               for i in range(4))


def page(head: str = "", top: str = "", url: str | None = None, lang: str = "en") -> str:
    canon = f'<link rel="canonical" href="{url}">' if url else ""
    return (f'<html lang="{lang}"><head><title>Harbour ferry opens</title>{canon}{head}</head><body>'
            f'<nav><a href="/">Home</a> <a href="/news">News</a></nav>'
            f"<article><h1>Harbour ferry opens</h1>{top}{BODY}</article></body></html>")


def md_of(html: str) -> dict:
    return extract_metadata(parse_html(html))


# ------------------------------------------------------------------------------------ author
def test_structured_author_wins_over_a_visible_byline() -> None:
    ld = json.dumps({"@type": "NewsArticle", "author": {"@type": "Person", "name": "Alice Marlow"}})
    md = md_of(page(f'<script type="application/ld+json">{ld}</script>', '<div class="byline">By Ben Ortiz</div>'))
    assert md["authors"] == ["Alice Marlow"] and md["author_source"] == "structured"


@pytest.mark.parametrize("top, expected", [
    ('<div class="byline"><span>By</span> <a href="/p/bo">Ben Ortiz</a></div>', "Ben Ortiz"),
    ('<span itemprop="author" itemscope><span itemprop="name">Carla Ruiz</span></span>', "Carla Ruiz"),
    ('<p class="article-autor">Max Mustermann</p>', "Max Mustermann"),
    ('<address>Par <a rel="author" href="/a">Julie Martin</a></address>', "Julie Martin"),
    ('<div class="penulis">Penulis: Budi Santoso</div>', "Budi Santoso"),
])
def test_byline_markup(top: str, expected: str) -> None:
    md = md_of(page(top=top))
    assert md["authors"] == [expected] and md["author_source"] == "markup"


@pytest.mark.parametrize("line, lang, expected", [
    ("Von Max Mustermann", "de", "Max Mustermann"),
    ("Por Ana Ruiz | 19 de marzo de 2026", "es", "Ana Ruiz"),
    ("Автор: Иван Петров", "ru", "Иван Петров"),
    ("Oleh: Siti Rahayu", "id", "Siti Rahayu"),
    ("（记者 王秀军）", "zh", "王秀军"),
    ("김민수 기자", "ko", "김민수"),
    ("كتب: أحمد حسن", "ar", "أحمد حسن"),
    ("Door Pieter de Vries", "nl", "Pieter de Vries"),
])
def test_byline_text_below_the_headline(line: str, lang: str, expected: str) -> None:
    md = md_of(page(top=f"<p>{line}</p>", lang=lang))
    assert md["authors"] == [expected] and md["author_source"] == "text"


def test_navigation_words_are_not_authors() -> None:
    md = md_of(page(top="<p>By subscribing you agree to our terms</p><div class='author-bio'>Share</div>"))
    assert "authors" not in md and "author_source" not in md


# ------------------------------------------------------------------------------------- dates
def test_structured_date_first_and_kept_apart_from_modified() -> None:
    head = ('<meta property="article:published_time" content="2026-03-19T07:00:00+01:00">'
            '<meta property="article:modified_time" content="2026-03-20T09:00:00+01:00">')
    md = md_of(page(head, top="<p>Updated: March 21, 2026</p>"))
    assert (md["published_at"], md["published_at_source"]) == ("2026-03-19T07:00:00+01:00", "structured")
    assert (md["modified_at"], md["modified_at_source"]) == ("2026-03-20T09:00:00+01:00", "structured")


def test_utc_stamp_one_day_off_the_url_day_takes_the_local_day() -> None:
    head = '<meta property="article:published_time" content="2026-03-20T02:15:00+00:00">'
    md = md_of(page(head, url="https://news.example/2026/03/19/harbour-ferry/"))
    assert (md["published_at"], md["published_at_source"]) == ("2026-03-19", "url")
    later = md_of(page(head, url="https://news.example/2026/05/02/harbour-ferry/"))
    assert later["published_at_source"] == "structured"  # a different event, not a time zone


def test_a_url_dated_well_before_the_structured_date_is_the_first_version() -> None:
    # a post republished (new datePublished) keeps the URL it was first published under
    ld = json.dumps({"@type": "Article", "datePublished": "2019-06-17T18:28:00+0200"})
    head = f'<script type="application/ld+json">{ld}</script>'
    md = md_of(page(head, url="https://blog.example/home/2017/7/12/harbour-ferry"))
    assert (md["published_at"], md["published_at_source"]) == ("2017-07-12", "url")


def test_utc_stamp_near_midnight_takes_the_day_shown_beside_the_headline() -> None:
    head = '<meta property="article:published_time" content="2026-05-04T00:44:52+00:00">'
    md = md_of(page(head, top="<p>3 de mayo de 2026</p>", lang="es"))
    assert (md["published_at"], md["published_at_source"]) == ("2026-05-03", "text")
    local = md_of(page(head.replace("+00:00", "-03:00"), top="<p>3 de mayo de 2026</p>", lang="es"))
    assert local["published_at"].startswith("2026-05-04")  # a local offset keeps its own day
    assert shown_day("2026-05-04T13:01:00+00:00", "2026-05-05") is None  # midday: no zone crosses midnight
    assert shown_day("2026-05-04T23:00:00+00:00", "2026-05-05") == "2026-05-05"
    assert shown_day("2026-05-04", "2026-05-03") == "2026-05-03"
    assert shown_day("2026-05-04T02:00:00", "2026-04-20") is None  # another day altogether


def test_time_markup_keeps_its_precision_and_skips_updates() -> None:
    md = md_of(page(top='<time class="updated" datetime="2026-03-20T08:00:00">20 March</time>'
                        '<time datetime="2026-03-18T10:00:00">18 March</time>'))
    assert md["published_at"] == "2026-03-18T10:00:00" and md["published_at_source"] == "markup"


def test_date_classed_markup_via_htmldate() -> None:
    md = md_of(page(top='<div class="meta"><span class="entry-date">2026-03-18</span></div>'))
    assert md["published_at"] == "2026-03-18" and md["published_at_source"] == "markup"


@pytest.mark.parametrize("line, lang, expected", [
    ("Publié le 19 mars 2026 à 07h30", "fr", "2026-03-19"),
    ("19. März 2026, 16:20 Uhr", "de", "2026-03-19"),
    ("Thứ năm, 19/3/2026, 15:02 (GMT+7)", "vi", "2026-03-19"),
    ("2026年3月19日 14時05分", "ja", "2026-03-19"),
])
def test_local_date_in_text(line: str, lang: str, expected: str) -> None:
    md = md_of(page(top=f"<p>{line}</p>", lang=lang))
    assert md["published_at"] == expected and md["published_at_source"] in ("text", "markup")


def test_updated_line_is_a_modified_date_not_a_published_one() -> None:
    md = md_of(page(top="<p>Aktualisiert am 21.03.2026</p>", url="https://n.example/2026/03/19/x/", lang="de"))
    assert md["published_at"] == "2026-03-19" and md["published_at_source"] == "url"
    assert (md["modified_at"], md["modified_at_source"]) == ("2026-03-21", "text")


def test_url_date_is_the_last_resort() -> None:
    md = md_of(page(url="https://blog.example/2026/03/16/lyon-week-end/"))
    assert (md["published_at"], md["published_at_source"]) == ("2026-03-16", "url")
    assert url_date("https://x.example/story/2026-03-19/slug") == "2026-03-19"
    assert url_date("https://x.example/read/20260318/101500/") == "2026-03-18"
    assert url_date("https://x.example/2026/13/40/") is None


def test_no_date_no_guess() -> None:
    md = md_of(page(top="<p>A timeless recipe.</p>"))
    assert "published_at" not in md and "published_at_source" not in md


def test_placeholder_year_is_no_date() -> None:
    md = md_of(page('<meta property="article:published_time" content="0001-01-01T00:00:00+00:00">',
                    top="<p>Published 11:34 PM EST Nov 19, 2025</p>"))
    assert md["published_at"] == "2025-11-19"


# ------------------------------------------------------------------------------- local dates
@pytest.mark.parametrize("text, lang, expected", [
    ("中新社北京2026年3月19日电", "zh", "2026-03-19"),
    ("МОСКВА, 19 марта 2026 г. — РИА Новости", "ru", "2026-03-19"),
    ("19. März 2026", "de", "2026-03-19"),
    ("19/3/2026", "vi", "2026-03-19"),
    ("ngày 19/3/2026", "vi", "2026-03-19"),
    ("19 tháng 3 năm 2026", "vi", "2026-03-19"),
    ("19 mars 2026", "fr", "2026-03-19"),
    ("19 de marzo de 2026", "es", "2026-03-19"),
    ("2026년 3월 19일", "ko", "2026-03-19"),
    ("١٩ مارس ٢٠٢٦", "ar", "2026-03-19"),  # Arabic-Indic digits
    ("19 آذار 2026", "ar", "2026-03-19"),  # Levantine month name
    ("19 Mart 2026", "tr", "2026-03-19"),
    ("19 marca 2026", "pl", "2026-03-19"),
    ("19 Maret 2026", "id", "2026-03-19"),
    ("19 marzo 2026", "it", "2026-03-19"),
    ("19 de março de 2026", "pt", "2026-03-19"),
    ("19 березня 2026", "uk", "2026-03-19"),
    ("19 maart 2026", "nl", "2026-03-19"),
    ("March 19, 2026", "en", "2026-03-19"),
    ("3/19/2026", "en", "2026-03-19"),
    ("3/4/2026", "en", "2026-03-04"),  # month first in English when both readings are possible
    ("3/4/2026", "de", "2026-04-03"),
    ("２０２６年３月１９日", "ja", "2026-03-19"),  # full-width digits
    ("sexta-feira, 22 de outubro de 2010 às 20:13", None, "2010-10-22"),  # language unknown: all tables
])
def test_parse_local_date(text: str, lang: str | None, expected: str) -> None:
    assert parse_local_date(text, lang) == expected


def test_yearless_dates_need_a_reference() -> None:
    assert parse_local_date("3월 19일", "ko") is None
    assert parse_local_date("3월 19일", "ko", reference=date(2026, 3, 25)) == "2026-03-19"
    assert parse_local_date("中新社北京12月30日电", "zh", reference=date(2026, 1, 2)) == "2025-12-30"  # not ahead
    assert parse_local_date("19 марта", "ru", reference=date(2026, 4, 1)) == "2026-03-19"


@pytest.mark.parametrize("text", ["tel. 12.34.5678", "1:0 nach 90 Minuten", "version 2.10.3", "31/02/2026", ""])
def test_not_dates(text: str) -> None:
    assert parse_local_date(text, "de") is None


def test_updated_labels() -> None:
    assert is_updated_label("Updated:") and is_updated_label("Mis à jour le") and is_updated_label("수정")
    assert not is_updated_label("Published") and not is_updated_label("By Jane Doe |")


# --------------------------------------------------------------------- document and index
def test_clean_records_provenance_on_the_document_and_the_index_record() -> None:
    html = page('<meta property="article:modified_time" content="2026-03-20T09:00:00Z">',
                top='<p>Von Max Mustermann</p>', url="https://n.example/2026/03/19/x/", lang="de")
    doc = clean(Document(source="a.html", source_path="/tmp/a.html", content_type="html", raw_text=html))
    assert (doc.author, doc.author_source) == ("Max Mustermann", "text")
    assert (doc.published_at, doc.published_at_source) == ("2026-03-19", "url")
    assert (doc.modified_at, doc.modified_at_source) == ("2026-03-20T09:00:00+00:00", "structured")
    assert "author_source" not in doc.metadata and "modified_at" not in doc.metadata
    src = to_source(doc)
    props = json.loads((REPO / "config" / "index_template.json").read_text())["mappings"]["properties"]
    for key in ("author_source", "published_at_source", "modified_at", "modified_at_source"):
        assert key in src and key in props  # the mapping is dynamic: strict


def test_text_mode_author_is_marked_text() -> None:
    raw = ("Harbour ferry opens\n\nBy Jane Doe\n\n" + "\n\n".join(
        f"Paragraph {i} of the article, a plain sentence about the harbour and its new ferry line." for i in range(4)))
    doc = clean(Document(source="a.txt", source_path="/tmp/a.txt", content_type="text", raw_text=raw))
    if doc.author:  # text mode's byline rules (config/cleaning) decide whether a byline is found
        assert doc.author_source == "text"
    assert doc.modified_at is None and doc.modified_at_source is None


# ------------------------------------------------------------- issue 25: pages from the wild
def test_jsonld_author_given_by_reference_in_a_graph() -> None:
    ld = json.dumps({"@context": "https://schema.org", "@graph": [
        {"@type": "Article", "author": {"@id": "https://ex.org/#/person/1"}, "datePublished": "2026-03-19"},
        {"@type": "Person", "@id": "https://ex.org/#/person/1", "name": "Tatiana Turner"}]})
    md = md_of(page(head=f'<script type="application/ld+json">{ld}</script>'))
    assert md["authors"] == ["Tatiana Turner"] and md["author_source"] == "structured"


def test_site_name_or_domain_as_author_is_not_a_person() -> None:
    head = ('<meta property="og:site_name" content="Harbour Gazette"><meta name="author" content="Harbour Gazette">'
            '<meta name="author" content="harbourgazette.com">')
    md = md_of(page(head=head, top="<p class='byline'>By Jane Doe</p>"))
    assert md["authors"] == ["Jane Doe"] and md["author_source"] == "markup"


def test_several_structured_authors_are_kept_as_a_list() -> None:
    ld = json.dumps({"@type": "NewsArticle", "author": [{"name": "Ana Ruiz"}, {"name": "Max Muster"}]})
    md = md_of(page(head=f'<script type="application/ld+json">{ld}</script>'))
    assert md["authors"] == ["Ana Ruiz", "Max Muster"]


def test_published_by_label_is_not_a_name() -> None:
    md = md_of(page(top="<div class='entry-author'>Veröffentlicht von <a>Chris Jung</a></div>", lang="de"))
    assert md["authors"] == ["Chris Jung"]


def test_utc_stamp_gives_way_to_the_same_instant_in_local_time() -> None:
    ld = json.dumps({"@type": "NewsArticle", "datePublished": "2019-10-18T22:04:00Z"})
    head = f'<meta name="date" content="2019-10-19T00:04:00+02:00"><script type="application/ld+json">{ld}</script>'
    assert md_of(page(head=head))["published_at"][:10] == "2019-10-19"


def test_a_day_stored_as_local_midnight_in_utc_is_that_day() -> None:
    # a CMS east of UTC writes the day 2022-11-07 as its local midnight, in UTC
    ld = json.dumps({"@type": "BlogPosting", "datePublished": "2022-11-06T23:00:00+00:00"})
    md = md_of(page(head=f'<script type="application/ld+json">{ld}</script>', lang="de"))
    assert md["published_at"] == "2022-11-07"
    assert midnight_east("2022-11-06T22:00:00Z") == "2022-11-07"  # summer time (UTC+2)
    assert midnight_east("2022-11-06T21:30:00+00:00") == "2022-11-07"  # a half-hour zone
    assert midnight_east("2022-11-06T23:40:47+00:00") is None  # a real time of day, not a day
    assert midnight_east("2022-11-06T12:00:00+00:00") is None  # midday: no midnight anywhere east
    assert midnight_east("2022-11-06T23:00:00+01:00") is None  # a local offset keeps its day
    assert midnight_east("2022-11-06T23:00:00") is None and midnight_east("2022-11-06") is None
    # the day shown beside the headline still decides where there is one
    shown = md_of(page(head=f'<script type="application/ld+json">{ld}</script>', top="<p>6. November 2022</p>",
                       lang="de"))
    assert shown["published_at"].startswith("2022-11-06")


def test_jsonld_date_published_wins_over_vendor_and_modified_fields() -> None:
    ld = json.dumps({"@type": "NewsArticle", "datePublished": "2023-11-03T10:25:56+00:00",
                     "dateModified": "2023-11-06T14:26:51+00:00"})
    head = ('<meta name="cXenseParse:recs:publishtime" content="2023-11-06T14:25:00+00:00">'
            f'<script type="application/ld+json">{ld}</script>')
    md = md_of(page(head=head))
    assert md["published_at"][:10] == "2023-11-03" and md["modified_at"][:10] == "2023-11-06"


def test_unix_timestamp_dates_are_understood() -> None:
    md = md_of(page(head='<meta property="article:published_time" content="1773914400">'))
    assert md["published_at"][:10] == "2026-03-19" and md["published_at_source"] == "structured"


# ------------------------------------------------------------------------------------ titles
def _titled(head: str, h1: str = "") -> dict:
    return md_of(f"<html><head>{head}</head><body><article>{f'<h1>{h1}</h1>' if h1 else ''}{BODY}</article>"
                 "</body></html>")


def test_title_site_suffix_removed_the_same_way_and_site_recorded_apart() -> None:
    a = _titled("<title>Harbour ferry opens | Harbour Gazette</title>", h1="Harbour ferry opens")
    b = _titled('<meta property="og:site_name" content="Harbour Gazette">'
                "<title>Harbour ferry opens - Harbour Gazette</title>")
    c = _titled('<link rel="canonical" href="https://www.gazette.example/a/1"><title>GAZETTE | Harbour ferry opens</title>')
    assert a["title"] == b["title"] == c["title"] == "Harbour ferry opens"
    assert a["site_name"] == b["site_name"] == "Harbour Gazette" and c["site_name"] == "GAZETTE"


def test_title_is_never_body_text_and_empty_when_the_page_has_none() -> None:
    long_h1 = "A heading that wraps the whole article text " * 10
    md = _titled("", h1=long_h1)
    assert "title" not in md
    assert "title" not in _titled("")


def test_og_title_wins_then_title_element_then_h1() -> None:
    assert _titled('<meta property="og:title" content="OG headline"><title>Doc title</title>', "H1")["title"] == "OG headline"
    assert _titled("<title>Doc title</title>", "H1 headline")["title"] == "Doc title"
    assert _titled("", "H1 headline")["title"] == "H1 headline"


def test_a_later_named_date_wins_over_the_jsonld_original_only_where_the_page_shows_it() -> None:
    ld = json.dumps({"@type": "NewsArticle", "datePublished": "2022-01-04T07:29:00.000Z"})
    for field in ('<meta property="article:published_time" content="2022-01-06T08:29:34">',
                  '<meta name="parsely-pub-date" content="2022-01-06T08:29:34Z">'):  # a latest (re)publication
        head = f'{field}<script type="application/ld+json">{ld}</script>'
        assert md_of(page(head=head))["published_at"][:10] == "2022-01-04"  # the original
        shown = md_of(page(head=head, top="<p>6. Januar 2022</p>", lang="de"))
        assert (shown["published_at"][:10], shown["published_at_source"]) == ("2022-01-06", "structured")


# ------------------------------------------------------------------------- dates: which field said it
def _ld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


@pytest.mark.parametrize(("shown", "lang"), [("<p>13.10.2021</p>", "de"), ("<p>13 octobre 2021</p>", "fr"),
                                              ("<p>2021年10月13日</p>", "ja")])
def test_a_generic_date_field_gives_way_to_the_day_shown_beside_the_headline(shown: str, lang: str) -> None:
    # <meta name="date"> says a date but not which: many CMSs write the last change there
    head = '<meta name="date" content="2021-10-15"><meta name="DC.date" content="2021-10-15">'
    md = md_of(page(head=head, top=shown, lang=lang))
    assert (md["published_at"], md["published_at_source"]) == ("2021-10-13", "text")
    assert md_of(page(head=head, lang=lang))["published_at"][:10] == "2021-10-15"  # nothing shown: the field stays
    # a field that says "published" keeps its date
    named = md_of(page(head='<meta property="article:published_time" content="2021-10-15T09:00:00+02:00">',
                       top=shown, lang=lang))
    assert named["published_at"][:10] == "2021-10-15" and named["published_at_source"] == "structured"


def test_jsonld_date_created_is_the_original_when_date_published_is_missing() -> None:
    head = _ld({"@type": "NewsArticle", "dateCreated": "2020-04-27T17:58:19+02:00",
                "dateModified": "2020-07-08T10:00:00+02:00"})
    md = md_of(page(head=head, top="<nav><time>Mittwoch, 8. Juli 2020</time></nav>", lang="de"))
    assert md["published_at"][:10] == "2020-04-27" and md["published_at_source"] == "structured"


def test_jsonld_unix_timestamps_as_numbers() -> None:
    assert md_of(page(head=_ld({"@type": "NewsArticle", "datePublished": 1773914400})))["published_at"][:10] == "2026-03-19"
    ms = md_of(page(head=_ld({"@type": "Article", "datePublished": 1773914400000, "dateModified": 1774000800000})))
    assert ms["published_at"][:10] == "2026-03-19" and ms["modified_at"][:10] == "2026-03-20"


def test_jsonld_with_a_context_object_prefixed_keys_and_value_objects() -> None:
    ctx = {"schema": "https://schema.org/", "xsd": "http://www.w3.org/2001/XMLSchema#"}
    head = _ld({"@context": ctx, "@type": "schema:NewsArticle",
                "schema:datePublished": {"@value": "2024-02-01T08:00:00+01:00", "@type": "xsd:dateTime"},
                "schema:dateModified": {"@value": "2024-02-09T08:00:00+01:00", "@type": "xsd:dateTime"}})
    head += '<meta name="parsely-pub-date" content="2024-02-09T08:00:00+01:00">'  # the latest publication
    md = md_of(page(head=head))
    assert md["published_at"][:10] == "2024-02-01" and md["modified_at"][:10] == "2024-02-09"
    iri = md_of(page(head=_ld({"@context": {"@vocab": "http://schema.org/"}, "@type": "http://schema.org/Article",
                                "http://schema.org/datePublished": "2024-02-01"})))
    assert iri["published_at"][:10] == "2024-02-01"


def test_jsonld_first_publication_and_no_media_upload_day() -> None:
    several = md_of(page(head=_ld({"@type": "Article", "datePublished": ["2024-03-05", "2024-02-01"]})))
    assert several["published_at"][:10] == "2024-02-01" and several["published_at_source"] == "structured"
    recipe = _ld({"@type": "Recipe", "datePublished": "2024-02-01",
                  "image": {"@type": "ImageObject", "datePublished": "2023-12-27"}})
    assert structured_metadata(parse_html(page(head=recipe)))["published_at"][:10] == "2024-02-01"
    image = _ld([{"@type": "NewsArticle", "headline": "Harbour ferry opens"},
                 {"@type": "ImageObject", "datePublished": "2023-12-27"}])
    assert "published_at" not in structured_metadata(parse_html(page(head=image)))


def test_jsonld_main_entity_dates_the_page_a_cited_or_reviewed_work_does_not() -> None:
    main = _ld({"@type": "WebPage", "mainEntity": {"@type": "NewsArticle", "datePublished": "2024-02-01T09:00:00Z"}})
    assert structured_metadata(parse_html(page(head=main)))["published_at"][:10] == "2024-02-01"
    cited = _ld({"@type": "Product", "name": "Ferry ticket",
                 "review": [{"@type": "Review", "datePublished": "2023-05-05"}],
                 "subjectOf": {"@type": "NewsArticle", "datePublished": "2023-04-04"}})
    assert "published_at" not in structured_metadata(parse_html(page(head=cited)))


def test_json_ld_nested_past_the_parsers_depth_is_skipped_not_fatal():
    import lxml.html

    from pipeline.stages.clean.metadata import extract_metadata

    deep = "[" * 5000 + "]" * 5000
    html = (f'<html><head><script type="application/ld+json">{deep}</script>'
            '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-05-06"}</script>'
            "</head><body><p>Text.</p></body></html>")
    md = extract_metadata(lxml.html.document_fromstring(html))
    assert md["published_at"][:10] == "2024-05-06"
