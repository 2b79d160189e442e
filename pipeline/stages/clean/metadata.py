"""HTML metadata: title, author, published and modified dates, site, URL, description, keywords.

Structured data first (JSON-LD, meta tags), then the fallbacks the best extractors use, each only when
everything before it found nothing:

* author: byline markup in the article head (``rel``/``itemprop=author``, byline/author/autor/... classes,
  ``<address>``), then a byline line below the headline in the page's language ("By", "Von", "Автор:",
  "记者", "기자"; see :mod:`byline`);
* published date: htmldate's markup heuristics (``<time>``, ``itemprop=datePublished``, date-classed
  elements; no free-text search), then a local-form date near the headline
  (:func:`dates.parse_local_date`), then a date in the URL (``/2026/03/19/``). A UTC stamp one day off
  the day shown beside the headline (near midnight: :func:`dates.shown_day`) or the URL's yields that day.

Published date from structured data: JSON-LD (:func:`jsonld.published`: the article's ``datePublished``,
else its ``dateCreated``; any JSON-LD shape, Unix timestamps too), else Open Graph and the named meta fields.
A named field with another day (a "latest published" stamp) wins only where the page shows that day beside
the headline; a field that says a date but not which (``<meta name="date">``, ``DC.date``) gives way to
the day shown there. A canonical URL dated more than a day before the structured date is the address of
the first version: its day is the original publication (source ``url``).

Each value records where it came from (``author_source``, ``published_at_source``,
``modified_at_source``: ``structured`` | ``markup`` | ``text`` | ``url``) so an analyst can filter out
weak guesses. A date labelled "Updated"/"Aktualisiert"/"更新" is a modified date, never a published one.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from pipeline.stages.clean import byline, jsonld
from pipeline.stages.clean.dates import find_local_date, is_updated_label, midnight_east, shown_day, zone_open
from pipeline.stages.clean.heads import pick_title
from pipeline.stages.clean.metadata_names import _clean_authors, _names, not_a_person
from pipeline.stages.clean.spaces import norm

_DATE_KEYS = (
    "article:published_time", "og:published_time", "og:article:published_time", "datepublished",
    "dc.date.issued", "dcterms.created", "pubdate", "publishdate", "publish-date",
    "publish_date", "sailthru.date", "parsely-pub-date", "article.published", "published_time",
    "cxenseparse:recs:publishtime", "originalpublicationdate", "dc.date.created", "citation_publication_date",
)
# fields that say a date but not which one (many CMSs write the last change there): the day the page
# shows beside its headline overrides them (extract_metadata)
_GENERIC_DATE_KEYS = ("date", "dc.date", "dcterms.date")
_MOD_KEYS = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "last-modified")
_AUTHOR_KEYS = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author", "byl", "citation_author")
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-]([01]?\d)[/-]([0-3]?\d)(?=[/\-_.]|$)|/((?:19|20)\d\d)([01]\d)([0-3]\d)/")


# ------------------------------------------------------------------------------------ structured
# What structured_metadata reads, in one walk instead of five (lxml's iterator finds the next match before it
# hands out one: ``find(".//title")`` on a page with one title walks the whole tree); ``find(".//h1")`` is the
# first h1 that is not ``tree`` itself (tests/stages/test_clean_exact_metadata_walk.py)
_READ_TAGS = ("meta", "link", "script", "title", "h1")


def read_elements(tree: lxml.html.HtmlElement) -> dict[str, list[lxml.html.HtmlElement]]:
    """The page's meta, link, script, title and h1 elements, each tag's in document order (one walk)."""
    found: dict[str, list[lxml.html.HtmlElement]] = {tag: [] for tag in _READ_TAGS}
    for el in tree.iter(*_READ_TAGS):
        found[el.tag].append(el)
    return found


def _first_below(tree: lxml.html.HtmlElement, elements: list[lxml.html.HtmlElement]) -> lxml.html.HtmlElement | None:
    """``tree.find(".//tag")`` from ``read_elements(tree)[tag]``."""
    return next((el for el in elements if el is not tree), None)


def _meta_map(tree: lxml.html.HtmlElement, metas: list[lxml.html.HtmlElement] | None = None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in tree.iter("meta") if metas is None else metas:
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
        val = (m.get("content") or "").strip()
        if key and val:
            out.setdefault(key, []).append(val)
    return out


def iso_date(value: str) -> str | None:
    """ISO 8601 from the usual machine-readable date forms (None if it is not one)."""
    v = (value or "").strip()
    if not v:
        return None
    if re.fullmatch(r"\d{10}(\d{3})?(\.\d+)?", v):  # Unix time: seconds or milliseconds, maybe a fraction
        ts = int(v[:10])
        return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat()
    v2 = v.replace("Z", "+00:00")
    v2 = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", v2)
    v2 = re.sub(r"\s+", "T", v2, count=1) if re.match(r"\d{4}-\d{2}-\d{2}\s+\d", v2) else v2
    try:
        return datetime.fromisoformat(v2).isoformat()
    except ValueError:
        pass
    m = re.match(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", v)
    if m:
        try:
            return datetime(int(m[1]), int(m[2]), int(m[3])).date().isoformat()
        except ValueError:
            return None
    for fmt in ("%a, %d %b %Y %H:%M:%S %z", "%a, %d %b %Y %H:%M:%S %Z", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%Y%m%d"):
        try:
            return datetime.strptime(v, fmt).isoformat()
        except ValueError:
            continue
    return None


def _plausible(value: str) -> str | None:
    """``iso_date`` limited to plausible news years (``0001-01-01`` placeholders are no date)."""
    from pipeline.stages.clean.dates import date_rules

    iso = iso_date(value)
    if iso is None:
        return None
    r = date_rules()
    return iso if r.min_year <= int(iso[:4]) <= r.max_year else None


def _local_day(stamp: str, others: list[str]) -> str:
    """A UTC stamp and a local one naming the same instant: the local one (the newsroom's day)."""
    try:
        t = datetime.fromisoformat(stamp)
        if t.utcoffset() is None or t.utcoffset().total_seconds() != 0:  # type: ignore[union-attr]
            return stamp
        for o in others:
            u = datetime.fromisoformat(o)
            off = u.utcoffset()
            if off is not None and off.total_seconds() != 0 and abs((u - t).total_seconds()) <= 300:
                return o
    except ValueError:
        pass
    return stamp


def structured_metadata(tree: lxml.html.HtmlElement) -> dict[str, Any]:
    """Everything the page states in JSON-LD and meta tags (no heuristics)."""
    read = read_elements(tree)
    meta = _meta_map(tree, read["meta"])
    nodes = jsonld.nodes(tree, read["script"])
    ld = [d for d in nodes if not d.get("@nested") and jsonld.ARTICLE.search(jsonld.ld_type(d))]
    ld.sort(key=lambda d: 0 if re.search(r"Article|Posting|Report", jsonld.ld_type(d)) else 1)
    first = lambda *keys: next((meta[k][0] for k in keys if k in meta), None)  # noqa: E731
    md: dict[str, Any] = {}

    title = first("og:title", "twitter:title", "dc.title", "headline")
    if not title:
        title = next((d["headline"] for d in ld if isinstance(d.get("headline"), str)), None)
    h1 = _first_below(tree, read["h1"])
    h1_text = norm(h1.text_content()) if h1 is not None else ""
    t_el = _first_below(tree, read["title"])
    doc_title = norm(t_el.text_content()) if t_el is not None else ""
    title_slots = [title or "", doc_title, h1_text]
    md["h1"] = h1_text
    md["doc_title"] = doc_title

    authors: list[str] = []
    by_id = {d["@id"]: d for d in nodes if isinstance(d.get("@id"), str) and d.get("name")}
    for d in ld:
        refs = d.get("author")
        refs = refs if isinstance(refs, list) else [refs]
        # a schema.org graph (Yoast & co) names the author by reference: {"@id": ".../person/..."}
        authors += _names([by_id.get(x.get("@id"), x) if isinstance(x, dict) and "name" not in x else x
                           for x in refs if x])
    for k in _AUTHOR_KEYS:
        authors += meta.get(k, [])
    site = first("og:site_name", "application-name", "twitter:site")
    publishers = [n for d in ld for n in _names(d.get("publisher"))]
    authors = [a for a in _clean_authors(authors)
               if not any(not_a_person(a, x) for x in [site, *publishers[:2]])]
    if authors:
        md["authors"] = authors
        md["author_source"] = "structured"

    pub = jsonld.published(nodes, _plausible)
    metas = [x for x in (_plausible(v) for k in _DATE_KEYS for v in meta.get(k, [])) if x]
    generic = [x for x in (_plausible(v) for k in _GENERIC_DATE_KEYS for v in meta.get(k, [])) if x]
    md["generic_date"] = not pub and not metas and bool(generic)  # read by extract_metadata, then dropped
    pub = _local_day(pub, metas + generic) if pub else next(iter(metas + generic), None)
    # a named field (Open Graph's article:published_time, a vendor's) may hold a later (re)publication;
    # it wins over the JSON-LD original only where the page shows its day beside the headline (extract_metadata)
    md["other_dates"] = [x for x in metas if pub and x[:10] != pub[:10]]
    og = next((x for x in (_plausible(v) for v in meta.get("article:published_time", [])) if x), None)
    pub = og if og and pub and og[:10] == pub[:10] else pub  # the same day: Open Graph's form of it, as before
    if pub:
        md["published_at"], md["published_at_source"] = pub, "structured"
    mod = next((_plausible(meta[k][0]) for k in _MOD_KEYS if k in meta and _plausible(meta[k][0])), None)
    mod = mod or next((x for d in ld for x in map(_plausible, jsonld.date_values(d.get("dateModified"))) if x), None)
    if mod:
        md["modified_at"], md["modified_at_source"] = mod, "structured"

    if not site:
        site = next((_names(d.get("publisher"))[0] for d in ld if _names(d.get("publisher"))), None)
    if site:
        md["site_name"] = site
    canon = next((link.get("href").strip() for link in read["link"]
                  if (link.get("rel") or "").lower() == "canonical" and link.get("href")), None)
    canon = canon or first("og:url", "twitter:url")
    host = re.sub(r"^www\.", "", urlsplit(canon).hostname or "") if canon else None
    md["title"], site = pick_title(title_slots, site, host.rsplit(".", 1)[0] if host else None)
    if site:
        md["site_name"] = site
    if canon:
        md["canonical_url"] = canon
    desc = first("description", "og:description", "twitter:description", "dc.description")
    if desc:
        md["description"] = desc
    kw = first("keywords", "news_keywords", "article:tag")
    tags = meta.get("article:tag", [])
    if kw or tags:
        words = [w.strip() for w in (kw or "").split(",") if w.strip()] + tags
        md["keywords"] = list(dict.fromkeys(words))
    section = first("article:section")
    if section:
        md["section"] = section
    lang = tree.get("lang") or first("og:locale", "content-language", "language")
    if lang:
        md["html_lang"] = lang
    return md


# ------------------------------------------------------------------------------------- fallbacks
def url_date(url: str | None) -> str | None:
    """``/2026/03/19/``, ``/2026-03-19/`` or ``/20260319/`` in a URL path -> ISO date."""
    from pipeline.stages.clean.dates import date_rules

    m = _URL_DATE.search(url or "")
    if not m:
        return None
    y, mo, d = (m[1], m[2], m[3]) if m[1] else (m[4], m[5], m[6])
    try:
        iso = datetime(int(y), int(mo), int(d)).date().isoformat()
    except ValueError:
        return None
    r = date_rules()
    return iso if r.min_year <= int(y) <= r.max_year else None


def text_dates(strings: list[str], language: str | None) -> tuple[str | None, str | None]:
    """(published, modified) from local-form dates in the lines below the headline."""
    published: str | None = None
    modified: str | None = None
    for i, s in enumerate(strings):
        if len(s) > 200:
            continue
        m = find_local_date(s, language)
        if not m:
            continue
        before = (strings[i - 1] + " " if i else "") + s[: m.start]
        if is_updated_label(before):
            modified = modified or m.iso
        elif published is None:
            published = m.iso
        if published and modified:
            break
    return published, modified


def _time_element(tree: lxml.html.HtmlElement) -> str | None:
    """The first ``<time datetime>`` (full precision) that is not marked as an update."""
    for t in tree.iter("time"):
        marks = f"{t.get('class') or ''} {t.get('itemprop') or ''}".lower()
        if "modif" in marks or "updat" in marks:
            continue
        value = _plausible(t.get("datetime") or "")
        if value:
            return value
    return None


def _htmldate(tree: lxml.html.HtmlElement, url: str | None, extensive: bool = False) -> str | None:
    from htmldate import find_date

    try:
        return find_date(tree, extensive_search=extensive, original_date=True, url=url or None,
                         outputformat="%Y-%m-%d", deferred_url_extractor=True)
    except Exception:  # noqa: BLE001 - a heuristic date finder failing is "no date", not a page failure
        return None


def _cross_check(published: str, url: str | None) -> tuple[str, str]:
    """A structured stamp is often UTC while the date in the article's URL is the newsroom's local day:
    when the URL date is exactly one day off, the local day wins (day precision, source ``url``).
    Anything further off is a different event (a URL of the first version, a series): structured stays."""
    found = url_date(url)
    if found and found != published[:10]:
        try:
            gap = abs((datetime.fromisoformat(found) - datetime.fromisoformat(published[:10])).days)
        except ValueError:
            return published, "structured"
        if gap == 1:
            return found, "url"
    return published, "structured"


def _language(md: dict[str, Any]) -> str | None:
    lang = str(md.get("html_lang") or "").strip().lower().replace("_", "-")
    return lang.split("-")[0] or None if lang else None


def _fallback_dates(md: dict[str, Any], tree: lxml.html.HtmlElement, strings: list[str],
                    url: str | None, lang: str | None) -> None:
    """Published (and, if the page has none yet, modified) date from markup (htmldate), text, URL."""
    udate = url_date(url)
    found = _time_element(tree) or _htmldate(tree, url)
    tpub, tmod = text_dates(strings, lang)
    if found:
        day = shown_day(found, tpub) if len(found) > 10 else None  # htmldate's bare day is its own reading
        found = day or _cross_check(found, url)[0]
        md["published_at"], md["published_at_source"] = found, "text" if day else "url" if found == udate else "markup"
    elif tpub:
        md["published_at"], md["published_at_source"] = tpub, "text"
    elif udate:
        md["published_at"], md["published_at_source"] = udate, "url"
    else:  # last resort: htmldate's free-text search over the whole page (dates in copy, footers)
        found = _htmldate(tree, url, extensive=True)
        if found:
            md["published_at"], md["published_at_source"] = found, "text"
    if tmod and not md.get("modified_at"):  # labelled "updated": kept even on the same day
        md["modified_at"], md["modified_at_source"] = tmod, "text"


def _trafilatura_authors(tree: lxml.html.HtmlElement, site: str | None) -> list[str]:
    """trafilatura's byline XPaths (the pinned dependency that extracts the body), for the bylines our
    head-region markup rules miss; each name through the same non-name checks as ours."""
    from pipeline.stages.clean.trafilatura_byline import trafilatura_author

    try:
        found = trafilatura_author(tree) or ""
    except Exception:  # noqa: BLE001 - a heuristic failing is "no author", not a page failure
        return []
    names = [byline.clean_name(a) for a in found.split(";")]
    return [n for n in dict.fromkeys(n for n in names if n) if not not_a_person(n, site)][:5]


def extract_metadata(tree: lxml.html.HtmlElement, url: str | None = None) -> dict[str, Any]:
    """Structured metadata, completed by the fallbacks where it says nothing; empty values dropped."""
    md = structured_metadata(tree)
    url = url or md.get("canonical_url")
    need_author = not md.get("authors")
    need_date = not md.get("published_at")
    generic, others = md.pop("generic_date", False), md.pop("other_dates", [])
    lang = _language(md)
    # the strings decide a structured date only when one of these holds (a shown day moves no other date:
    # shown_day and midnight_east answer only zone_open stamps); else only the text byline may read them
    dated = need_date or generic or others or zone_open(md["published_at"])
    strings = byline.head_strings(tree, md.get("title")) if dated else []
    if md.get("published_at"):
        shown, _ = text_dates(strings, lang) if strings else (None, None)
        day = shown_day(md["published_at"], shown)
        confirmed = next((x for x in others if x[:10] == shown), None)
        if confirmed:  # two signals agree on another structured date: the page shows it
            md["published_at"] = confirmed
        elif generic and shown and shown != md["published_at"][:10]:  # a field that does not say which date
            md["published_at"], md["published_at_source"] = shown, "text"
        elif day:  # the reader's local day beside the headline, where the stamp's zone leaves it open
            md["published_at"], md["published_at_source"] = day, "text"
        elif not shown and midnight_east(md["published_at"]):  # a day stored as local midnight, in UTC
            md["published_at"] = midnight_east(md["published_at"])
        elif shown != md["published_at"][:10] and zone_open(md["published_at"]):  # a local offset keeps its day
            md["published_at"], md["published_at_source"] = _cross_check(md["published_at"], url)
        first = url_date(url)
        if first and (date.fromisoformat(md["published_at"][:10]) - date.fromisoformat(first)).days > 1:
            md["published_at"], md["published_at_source"] = first, "url"  # the URL of the first version
    if need_author:
        soup = byline.head_region(tree, md.get("title"))
        name = byline.markup_author(soup) if soup is not None else None
        source = "markup"
        names = [byline.first_author(name)] if name else _trafilatura_authors(tree, md.get("site_name"))
        if not names:  # nothing above changes the tree: the strings are the ones read before it
            strings = strings if dated else byline.head_strings(tree, md.get("title"))
            name, source = byline.text_author(strings), "text"
            names = [byline.first_author(name)] if name else []
        if names:
            md["authors"], md["author_source"] = names, source
    if need_date:
        _fallback_dates(md, tree, strings, url, lang)
    return {k: v for k, v in md.items() if v}
