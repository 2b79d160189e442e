"""HTML-mode cleaning: page markup -> title, body (headings + paragraphs in reading order), metadata.

1. Parse once with lxml (tolerant; an encoding declaration in a ``str`` is dropped).
2. Metadata from the head: ``<title>``/og:title, authors (meta author, article:author, JSON-LD
   ``author``, ``rel=author``), published date (article:published_time & co, JSON-LD ``datePublished``,
   ``<time datetime>``) normalised to ISO 8601, site name, canonical URL, description, keywords.
3. Prune boilerplate by markup role before extraction: ``<figcaption>``, ``<nav>``, ``<aside>``,
   ``<footer>``, forms, and small containers whose class/id tokens say related / share / subscribe /
   cookie / comment / caption / promo (never one holding a large share of the page's text).
4. Main-body extraction by trafilatura (pinned) on the pruned tree, comments excluded.
5. Line post-filters shared with text mode: caption and photo-credit lines, share/subscribe/cookie
   lines, a trailing related-links block.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timezone
from typing import Any

import lxml.html
from lxml import etree

from pipeline.stages.clean.rules import (
    WORD,
    CleaningRules,
    CleanResult,
    HtmlRules,
    TextRules,
    is_boiler,
    is_caption,
    is_credit,
    load_rules,
    similar,
)

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_TOKEN_SPLIT = re.compile(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])")


class MalformedHTML(ValueError):
    pass


def parse_html(html: str) -> lxml.html.HtmlElement:
    from trafilatura.utils import load_html  # same parser settings trafilatura's extraction is tuned on

    tree = load_html(html)
    if tree is not None and len(tree):
        return tree
    html = _XML_DECL.sub("", html, count=1)
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        try:
            tree = lxml.html.document_fromstring(html.encode("utf-8", "replace"))
        except Exception:
            raise MalformedHTML(str(exc)) from exc
    if tree is None:
        raise MalformedHTML("no document element")
    return tree


# ------------------------------------------------------------------------------------- metadata
_DATE_KEYS = (
    "article:published_time", "og:published_time", "og:article:published_time", "datepublished",
    "date", "dc.date", "dc.date.issued", "dcterms.created", "pubdate", "publishdate", "publish-date",
    "publish_date", "sailthru.date", "parsely-pub-date", "article.published", "published_time",
    "cxenseparse:recs:publishtime", "originalpublicationdate", "dc.date.created", "citation_publication_date",
)
_MOD_KEYS = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "last-modified")
_AUTHOR_KEYS = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author", "byl", "citation_author")


def _meta_map(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in tree.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
        val = (m.get("content") or "").strip()
        if key and val:
            out.setdefault(key, []).append(val)
    return out


def _jsonld(tree: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for s in tree.iter("script"):
        if (s.get("type") or "").lower() != "application/ld+json" or not s.text:
            continue
        try:
            data = json.loads(s.text.strip().rstrip(";"))
        except ValueError:
            continue
        stack = [data]
        while stack:
            d = stack.pop()
            if isinstance(d, list):
                stack.extend(d)
            elif isinstance(d, dict):
                items.append(d)
                if "@graph" in d:
                    stack.append(d["@graph"])
    return items


def _ld_type(d: dict[str, Any]) -> str:
    t = d.get("@type")
    return " ".join(t) if isinstance(t, list) else str(t or "")


def _names(v: Any) -> list[str]:
    if isinstance(v, str):
        return [v]
    if isinstance(v, dict):
        n = v.get("name")
        return _names(n) if n else []
    if isinstance(v, list):
        return [n for x in v for n in _names(x)]
    return []


def iso_date(value: str) -> str | None:
    """ISO 8601 from the usual machine-readable date forms (None if it is not one)."""
    v = (value or "").strip()
    if not v:
        return None
    if re.fullmatch(r"\d{10}(\d{3})?", v):  # epoch seconds / ms
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


def extract_metadata(tree: lxml.html.HtmlElement) -> dict[str, Any]:
    meta = _meta_map(tree)
    ld = [d for d in _jsonld(tree) if re.search(r"Article|Posting|Report|NewsArticle|WebPage|BlogPosting", _ld_type(d))]
    ld.sort(key=lambda d: 0 if re.search(r"Article|Posting|Report", _ld_type(d)) else 1)
    first = lambda *keys: next((meta[k][0] for k in keys if k in meta), None)  # noqa: E731
    md: dict[str, Any] = {}

    title = first("og:title", "twitter:title", "dc.title", "headline")
    if not title:
        title = next((d["headline"] for d in ld if isinstance(d.get("headline"), str)), None)
    h1 = tree.find(".//h1")
    h1_text = re.sub(r"\s+", " ", h1.text_content()).strip() if h1 is not None else ""
    t_el = tree.find(".//title")
    doc_title = re.sub(r"\s+", " ", t_el.text_content()).strip() if t_el is not None else ""
    md["title"] = (title or h1_text or doc_title or None)
    md["h1"] = h1_text
    md["doc_title"] = doc_title

    authors: list[str] = []
    for d in ld:
        authors += _names(d.get("author"))
    for k in _AUTHOR_KEYS:
        for v in meta.get(k, []):
            if not re.match(r"https?://", v):
                authors.append(v)
    for a in tree.xpath('//a[@rel="author"] | //*[@itemprop="author"]//*[@itemprop="name"]'):
        authors.append(a.text_content())
    seen: set[str] = set()
    clean_authors = []
    for a in authors:
        a = re.sub(r"\s+", " ", a).strip()
        a = re.sub(r"^by\s+", "", a, flags=re.I)
        if a and len(a) <= 80 and a.lower() not in seen:
            seen.add(a.lower())
            clean_authors.append(a)
    if clean_authors:
        md["authors"] = clean_authors

    date = None
    for d in ld:
        if isinstance(d.get("datePublished"), str):
            date = iso_date(d["datePublished"])
            if date:
                break
    if not date:
        for k in _DATE_KEYS:
            for v in meta.get(k, []):
                date = iso_date(v)
                if date:
                    break
            if date:
                break
    if not date:
        for t in tree.iter("time"):
            date = iso_date(t.get("datetime") or "")
            if date:
                break
    md["published_at"] = date
    for k in _MOD_KEYS:
        if k in meta and iso_date(meta[k][0]):
            md["modified_at"] = iso_date(meta[k][0])
            break
    else:
        mod = next((d.get("dateModified") for d in ld if isinstance(d.get("dateModified"), str)), None)
        if mod and iso_date(mod):
            md["modified_at"] = iso_date(mod)

    site = first("og:site_name", "application-name", "twitter:site")
    if not site:
        for d in ld:
            pub = _names(d.get("publisher"))
            if pub:
                site = pub[0]
                break
    if site:
        md["site_name"] = site
    canon = None
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            canon = link.get("href").strip()
            break
    canon = canon or first("og:url", "twitter:url")
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
    return {k: v for k, v in md.items() if v}


# --------------------------------------------------------------------------------------- pruning
def _tokens_of(el: etree._Element) -> set[str]:
    attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
    if not attrs.strip():
        return set()
    return {t.lower() for t in _TOKEN_SPLIT.split(attrs) if t}


def prune(tree: lxml.html.HtmlElement, hr: HtmlRules) -> None:
    body = tree.find("body")
    root = body if body is not None else tree
    if hr.drop_tags:
        for el in list(root.iter(*hr.drop_tags)):
            if el.getparent() is not None:
                _drop(el)
    if not hr.tokens:
        return
    total = len(root.text_content()) or 1
    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body", "article", "main"):
            continue
        toks = _tokens_of(el)
        if toks & hr.tokens:
            doomed.append(el)
    for el in doomed:
        if el.getparent() is None:
            continue
        # never drop a container holding much of the page's text (e.g. <div class="post has-comments">)
        if len(el.text_content()) / total <= hr.max_share:
            _drop(el)


def _drop(el: etree._Element) -> None:
    """Remove an element but keep its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


# --------------------------------------------------------------------------------------- filters
def filter_lines(paragraphs: list[str], r: TextRules) -> tuple[list[str], list[str]]:
    kept: list[str] = []
    captions: list[str] = []
    total = sum(len(p) for p in paragraphs) or 1
    pos = 0
    for i, p in enumerate(paragraphs):
        if len(p) <= 60 and r.related.match(p) and pos / total >= r.related_tail:
            break
        pos += len(p)
        if is_caption(p, r) or is_credit(p, r):
            captions.append(p)
            continue
        if is_boiler(p, r):
            continue
        kept.append(p)
    return kept, captions


def clean_html(html: str, rules: CleaningRules | None = None) -> CleanResult:
    """Raises MalformedHTML only when lxml cannot build a tree at all. ``rules`` default to
    ``config/cleaning.yaml`` (the stage always passes its own)."""
    rules = rules or load_rules()
    r, hr = rules.text, rules.html
    tree = parse_html(html)
    res = CleanResult()
    md = extract_metadata(tree)
    res.title = md.pop("title", None)
    res.published_at = md.pop("published_at", None)
    if md.get("authors"):
        res.author = md["authors"][0]
    res.source_name = md.get("site_name")
    res.metadata = md

    # captions are recorded before pruning removes them
    for fc in tree.iter("figcaption"):
        t = re.sub(r"\s+", " ", visible_text(fc)).strip()
        if t and t not in res.captions:
            res.captions.append(t)
    prune(tree, hr)
    text = _extract(tree, precision=True)
    if len(WORD.findall(text)) < hr.min_words:
        # precision mode found (almost) nothing: a recall-oriented pass on a fresh tree
        text = _extract(parse_html(html), precision=False) or text
    paras = [re.sub(r"[ \t\u00a0]+", " ", p).strip() for p in text.split("\n")]
    paras = [p for p in paras if p]
    kept, caps = filter_lines(paras, r)
    res.captions.extend(c for c in caps if c not in res.captions)
    # the headline repeated as the first line of the body
    titles = [t for t in (res.title, md.get("h1"), md.get("doc_title")) if t]
    while kept and any(similar(kept[0], t) or kept[0].lower() in t.lower() for t in titles) and len(kept[0]) <= 300:
        kept = kept[1:]
    md.pop("h1", None)
    md.pop("doc_title", None)
    res.body = "\n\n".join(kept)
    return res


_INVISIBLE = ("script", "style", "noscript", "template")


def visible_text(el: lxml.html.HtmlElement) -> str:
    """Text a reader sees: without script/style/noscript/template content."""
    if not any(True for _ in el.iter(*_INVISIBLE)):
        return el.text_content()
    el = copy.deepcopy(el)
    for bad in list(el.iter(*_INVISIBLE)):
        bad.drop_tree()
    return el.text_content()


def _extract(tree: lxml.html.HtmlElement, *, precision: bool) -> str:
    import trafilatura

    return trafilatura.extract(
        tree,
        include_comments=False,
        favor_precision=precision,
        include_tables=True,
        deduplicate=False,
        with_metadata=False,
    ) or ""
