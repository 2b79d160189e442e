"""Session 27: ``extract_metadata`` reads the strings around the headline only when a date or the text byline
needs them (a page with a structured date whose zone leaves no day open and a markup byline skips them),
against the code before (issue 27)."""

from __future__ import annotations

import gzip
import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import lxml.html

from pipeline.stages.clean import byline
from pipeline.stages.clean import metadata as m
from pipeline.stages.clean.dates import midnight_east, shown_day, zone_open
from pipeline.stages.clean.parse import parse_html
from tests.stages.test_clean_exact_parse_metadata import _real_pages

CORPUS = Path("/tmp/news-etl-throughput/docs-2000")


def _extract_metadata_before(tree: lxml.html.HtmlElement, url: str | None = None) -> dict[str, Any]:
    """``metadata.extract_metadata`` as it was: the strings read first whenever anything could use them."""
    md = m.structured_metadata(tree)
    url = url or md.get("canonical_url")
    need_author = not md.get("authors")
    need_date = not md.get("published_at")
    generic, others = md.pop("generic_date", False), md.pop("other_dates", [])
    lang = m._language(md)
    strings = (byline.head_strings(tree, md.get("title"))
               if need_author or need_date or generic or others or zone_open(md["published_at"]) else [])
    if md.get("published_at"):
        shown, _ = m.text_dates(strings, lang) if strings else (None, None)
        day = shown_day(md["published_at"], shown)
        confirmed = next((x for x in others if x[:10] == shown), None)
        if confirmed:
            md["published_at"] = confirmed
        elif generic and shown and shown != md["published_at"][:10]:
            md["published_at"], md["published_at_source"] = shown, "text"
        elif day:
            md["published_at"], md["published_at_source"] = day, "text"
        elif not shown and midnight_east(md["published_at"]):
            md["published_at"] = midnight_east(md["published_at"])
        elif shown != md["published_at"][:10] and zone_open(md["published_at"]):
            md["published_at"], md["published_at_source"] = m._cross_check(md["published_at"], url)
        first = m.url_date(url)
        if first and (date.fromisoformat(md["published_at"][:10]) - date.fromisoformat(first)).days > 1:
            md["published_at"], md["published_at_source"] = first, "url"
    if need_author:
        soup = byline.head_region(tree, md.get("title"))
        name = byline.markup_author(soup) if soup is not None else None
        source = "markup"
        names = [byline.first_author(name)] if name else m._trafilatura_authors(tree, md.get("site_name"))
        if not names:
            name, source = byline.text_author(strings), "text"
            names = [byline.first_author(name)] if name else []
        if names:
            md["authors"], md["author_source"] = names, source
    if need_date:
        m._fallback_dates(md, tree, strings, url, lang)
    return {k: v for k, v in md.items() if v}


def _pages() -> list[str]:
    out = _real_pages()
    files = sorted(CORPUS.rglob("*.html*"))[:300] if CORPUS.is_dir() else []  # the throughput corpus, where made
    for f in files:
        data = f.read_bytes()
        out.append((gzip.decompress(data) if f.name.endswith(".gz") else data).decode("utf-8", "replace"))
    return out


def test_extract_metadata_is_what_it_was() -> None:
    for html in _pages():
        try:
            tree, again = parse_html(html), parse_html(html)
        except ValueError:
            continue
        assert m.extract_metadata(tree) == _extract_metadata_before(again)


def _stamps(n: int) -> list[str]:
    """Stamps as structured dates are written after ``metadata.iso_date``: days, zone-less, UTC and offset times."""
    rnd = random.Random(27)
    zones = [None, timezone.utc, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5)),
             timezone(timedelta(hours=5, minutes=30))]
    out = []
    for _ in range(n):
        t = datetime(2026, 1, 1) + timedelta(days=rnd.randrange(800), minutes=rnd.choice((0, 30, rnd.randrange(1440))),
                                             seconds=rnd.choice((0, 0, rnd.randrange(60))))
        zone = rnd.choice(zones)
        out.append(t.date().isoformat() if rnd.random() < 0.15 else t.replace(tzinfo=zone).isoformat())
    return out


def test_a_shown_day_moves_only_a_stamp_whose_zone_leaves_it_open() -> None:
    """What lets a page with no other use for the strings skip them: with ``zone_open`` false, neither
    ``shown_day`` (for any shown day) nor ``midnight_east`` changes the date."""
    for stamp in _stamps(20000):
        if zone_open(stamp):
            continue
        assert midnight_east(stamp) is None, stamp
        day = date.fromisoformat(stamp[:10])
        for k in range(-3, 4):
            assert shown_day(stamp, (day + timedelta(days=k)).isoformat()) is None, (stamp, k)
