"""HTML-mode cleaning: page markup -> title, body (headings + paragraphs in reading order), metadata.

1. Parse once with lxml (tolerant; an encoding declaration in a ``str`` is dropped).
2. Metadata (:mod:`metadata`): structured data first (JSON-LD, meta tags), then byline markup / text,
   htmldate, local-form and URL dates, each value with its source; site name, canonical URL, keywords.
3. Prune boilerplate by markup role before extraction: ``<figcaption>``, ``<nav>``, ``<aside>``,
   ``<footer>``, forms, and small containers whose class/id tokens say related / share / subscribe /
   cookie / comment / caption / promo (never one holding a large share of the page's text).
4. Main-body extraction by trafilatura (pinned) on the pruned tree, comments excluded: its precise mode
   decides where the article is (its fallback extractors only when the fast pass finds too little,
   :func:`precise_text`); lines only its default mode keeps (in-article headings, a standfirst,
   list items) are put back where the structure says they belong (:mod:`recall`, counted).
5. Line post-filters shared with text mode, with the pack of the body's language (detected on the
   extracted body): caption and photo-credit lines, share/subscribe/cookie lines, a closing
   related-links block (cut only when a run of link-like lines follows its heading; counted), and the
   byline / dateline / agency / end-mark lines of :mod:`pipeline.stages.clean.heads`.
   A standfirst set apart under the headline is recorded (:mod:`lead`; in the body if the rules say so).
"""

from __future__ import annotations

import copy
import re
from typing import Any

import lxml.html
from lxml import etree

from pipeline.stages.clean.blocks import TextBlocks
from pipeline.stages.clean.extraction import PageExtraction
from pipeline.stages.clean.heads import (
    OPENING_PROSE_PARAGRAPHS,
    cut_after,
    link_run_after,
    mark_bylines,
    mark_end,
    mark_head,
    mark_signature,
)
from pipeline.stages.clean.joiners import restore_joiners
from pipeline.stages.clean.lead import with_leads
from pipeline.stages.clean.lines import Line
from pipeline.stages.clean.metadata import extract_metadata, iso_date
from pipeline.stages.clean.packs import RulePacks, load_packs
from pipeline.stages.clean.parse import MalformedHTML, parse_html
from pipeline.stages.clean.prune import (
    attributed,
    named_captions,
    prose_chars,
    prose_paragraphs,
    prune,
    prune_media,
)
from pipeline.stages.clean.recall import MAX_LINK_SHARE, link_share, page_blocks, text_holders, text_of
from pipeline.stages.clean.recall import from_twins as recall_twins
from pipeline.stages.clean.recall import gap as recall_gap
from pipeline.stages.clean.recall import merge as recall_merge
from pipeline.stages.clean.rules import (
    CleaningRules,
    CleanResult,
    HtmlRules,
    TextRules,
    is_boiler,
    is_caption,
    is_credit,
)
from pipeline.stages.clean.script import has_words, similar, word_count_at_least
from pipeline.stages.clean.spaces import collapse, norm
from pipeline.stages.clean.tail import cut_keyword_lines, cut_orphans

__all__ = ["clean_html", "parse_html", "extract_metadata", "iso_date", "MalformedHTML", "visible_text"]


_NOT_CAPTIONS = frozenset(("header", "nav", "footer", "main", "article", "section", "aside", "form", "ul", "ol",
                           "table", "body"))
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
DATE_LINE_MAX_CHARS = 60  # a body line that is only a date (the pack's date_line_patterns) and this short


# --------------------------------------------------------------------------------------- filters
def filter_lines(paragraphs: list[str], r: TextRules, res: CleanResult | None = None,
                 cuts: list[dict[str, object]] | None = None) -> tuple[list[str], list[str]]:
    """Body paragraphs -> (kept, captions), with the text-mode metadata lines moved to ``res``."""
    res = res if res is not None else CleanResult()
    cuts = cuts if cuts is not None else []
    lines = [Line(p, p, 1) for p in paragraphs]
    captions: list[str] = []
    total = sum(len(p) for p in paragraphs) or 1
    pos = 0
    for i, ln in enumerate(lines):
        p = ln.text
        if len(p) <= 60 and r.related.match(p) and pos / total >= r.related_tail and link_run_after(lines, i, r):
            cut_after(lines, i, "related", cuts)
            break
        pos += len(p)
        if is_caption(p, r) or is_credit(p, r):
            captions.append(p)
            ln.kind = "caption"
        elif is_boiler(p, r):
            ln.kind = "boiler"
        elif len(p) <= DATE_LINE_MAX_CHARS and r.date_only.match(p):  # a date alone on its line: page furniture
            ln.kind = "date"
            res.metadata.setdefault("date_text", p)
    mark_head(lines, r, res, res.title, 0, max_prose_before=OPENING_PROSE_PARAGRAPHS)
    mark_bylines(lines, r, res, 0, max_prose_before=OPENING_PROSE_PARAGRAPHS)
    mark_end(lines, r, cuts, res)
    mark_signature(lines, r, res)
    return [ln.text for ln in lines if not ln.kind], captions


def clean_html(html: str, rules: CleaningRules | RulePacks | None = None) -> CleanResult:
    """Raises MalformedHTML only when lxml cannot build a tree at all. ``rules``: one language's rules,
    or the packs to pick from by the language of the extracted body (default: ``config/cleaning/``)."""
    packs_or_rules = rules or load_packs()
    base = packs_or_rules if isinstance(packs_or_rules, CleaningRules) else packs_or_rules.for_language(None)
    hr = base.html
    tree = parse_html(html)
    res = CleanResult()
    md = extract_metadata(tree)
    res.title = md.pop("title", None)
    res.published_at = md.pop("published_at", None)
    if md.get("authors"):
        res.author = md["authors"][0]
    res.source_name = md.get("site_name")
    res.metadata = md

    # captions are recorded before pruning removes them (<figcaption>, and elements named as captions)
    root = _body_or(tree)
    attributes = attributed(root)  # class, id, style, hidden: read once for the captions and the pruning
    named = [el for el in named_captions(root, hr.caption_tokens, attributes)  # a caption's size and shape,
             if el.tag not in _NOT_CAPTIONS and next(el.iter(*_HEADINGS), None) is None  # not a header's, a menu's
             and 12 <= len(text_of(el).strip()) <= base.text.caption_max and link_share(el) <= MAX_LINK_SHARE]
    for fc in [*tree.iter("figcaption"), *named]:
        t = norm(visible_text(fc))  # re.sub(r"\s+", " ", ...).strip()
        if t and t not in res.captions:
            res.captions.append(t)
    warnings = []
    texts: dict[Any, str] = {}  # each <p>'s text, its text as long as the paragraph is in ``known``
    known = prose_chars(tree, texts)  # the paragraphs' prose, measured once for the container, the pruning and
    container = _article_container(tree, known, texts)  # the fast pass's check (each drop forgets the paragraphs
    warning = prune(tree, hr, attributes, known)
    del attributes  # the pruned elements' proxies are not kept past the pruning
    if warning:
        warnings.append(warning)
    media = prune_media(_body_or(tree), known)
    if media:
        md["pruned_blocks"] = media
    page = PageExtraction(tree)  # every pass over the pruned tree shares one prepared copy of it
    shared = TextBlocks(tree)  # ... and its elements by text, read once if a pass asks (the tree stays as it is)
    holders: dict[Any, int] = {}  # the pruned tree's text holders' own characters, measured once
    text, _ = precise_text(tree, hr, page, holders, known)
    texts = {p: texts[p] for p in known}  # the paragraphs whose text the pruning did not change
    del known
    if has_words(text, hr.min_words):
        blocks = page_blocks(tree, holders, texts)  # the pruned tree's text blocks: the passes below do not change it
        lacks = recall_gap(text, tree, blocks)
        if lacks:  # only then the second, broader pass (it costs an extraction; a full one for twin containers)
            text, recalled = recall_merge(text, page.text(precision=False, fast=lacks != "twin"), tree,
                                          hr.standfirst_in_body, shared)
            text, chunks = recall_twins(text, tree, blocks)  # what neither pass kept of an article cut into chunks
            recalled += chunks
            if recalled:
                md["recalled_lines"] = recalled
    else:  # precision mode found (almost) nothing: a recall-oriented pass on a fresh tree (rare: parse, no copy)
        text = PageExtraction(parse_html(html), owned=True).text(precision=False) or text
    if container is not None:
        text, warning = _keep_article(html, text, container, hr)
        if warning:
            warnings.append(warning)
    with_lead, lead = with_leads(text, tree, shared)
    if lead:  # the standfirst: kept apart, in the body only where the page's rules say it is body text
        md["standfirst"] = "\n\n".join(lead)
    if warnings:
        md["warnings"] = warnings
    text = restore_joiners(text, html)
    chosen = packs_or_rules if isinstance(packs_or_rules, CleaningRules) else packs_or_rules.for_text(text)
    if lead and chosen.html.standfirst_in_body:  # the convention of the language's press (its pack)
        text = restore_joiners(with_lead, html)
    paras = [_spaced(p).strip() for p in text.split("\n")]
    paras = [p for p in paras if p]
    md["rules_language"] = chosen.language
    cuts: list[dict[str, object]] = []
    kept, caps = filter_lines(paras, chosen.text, res, cuts)
    res.captions.extend(c for c in caps if c not in res.captions)
    # the headline repeated as the first line of the body
    titles = [t for t in (res.title, md.get("h1"), md.get("doc_title")) if t]
    while kept and any(similar(kept[0], t) or kept[0].lower() in t.lower() for t in titles) and len(kept[0]) <= 300:
        kept = kept[1:]
    kept = cut_orphans(cut_keyword_lines(kept, md.get("keywords"), cuts), tree, cuts, shared)
    md.pop("h1", None)
    md.pop("doc_title", None)
    if cuts:
        md["cuts"] = cuts
        md["cut_chars"] = sum(int(c["chars"]) for c in cuts)  # type: ignore[call-overload]
    res.body = "\n\n".join(kept)
    return res


def _article_container(tree: lxml.html.HtmlElement, known: dict[Any, int] | None = None,
                       texts: dict[Any, str] | None = None) -> tuple[str, list[tuple[str, int]]] | None:
    """(path, [(paragraph start, chars)]) of the element whose children hold most of the page's
    text-bearing paragraphs; None on a page with too little prose for the check to mean anything.
    ``known``: ``prune.prose_chars(tree)`` when the caller has it; ``texts``: the paragraphs' texts it read."""
    by_parent: dict[Any, list[tuple[str, int]]] = {}
    for p, n in prose_paragraphs(tree) if known is None else [(p, n) for p, n in known.items() if n]:
        parent = p.getparent()
        if parent is not None:
            head = _head(texts[p] if texts is not None and p in texts else text_of(p))
            by_parent.setdefault(parent, []).append((head, n))
    if not by_parent:
        return None
    parent, paras = max(by_parent.items(), key=lambda kv: sum(n for _, n in kv[1]))
    if len(paras) < 3 or sum(n for _, n in paras) < 600:
        return None
    return tree.getroottree().getpath(parent), paras


_BLANKS = re.compile(r"[ \t\u00a0]+")
_WS = re.compile(r"\s+")
HEAD_CHARS = 60  # a paragraph is known by its first characters (whitespace collapsed)


def _spaced(line: str) -> str:
    """``line`` with each run of spaces, tabs and no-break spaces as one space; a line without a tab, a
    no-break space or two spaces in a row is returned as it is (the substitution would not change it)."""
    if "\t" in line or "\u00a0" in line or "  " in line:
        return _BLANKS.sub(" ", line)
    return line


def _head(text: str) -> str:
    """``_WS.sub(" ", text).strip()[:HEAD_CHARS]`` without collapsing the whole of a long paragraph: the
    collapse of a prefix is a prefix of the whole's collapse, so once the prefix gives more than
    ``HEAD_CHARS`` characters after the leading strip, its first ``HEAD_CHARS`` are the answer."""
    start = collapse(text[:4 * HEAD_CHARS]).lstrip()
    if len(start) > HEAD_CHARS:
        return start[:HEAD_CHARS]
    return norm(text)[:HEAD_CHARS]


def _covered(text: str, paras: list[tuple[str, int]]) -> int:
    """The characters of the paragraphs whose head is in ``collapse(text)`` (= ``_WS.sub(" ", text)``). A head
    found in ``text`` itself is in its collapse: it holds no white space but single spaces between other
    characters (and maybe one at its end), which a run of one space, or the start of a run, keeps; so the
    text is collapsed only for a head not found as it is (``tests/stages/test_clean_exact_attributed.py``)."""
    flat: str | None = None
    have = 0
    for head, n in paras:
        if head not in text:
            if flat is None:
                flat = collapse(text)
            if head not in flat:
                continue
        have += n
    return have


def _body_or(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """``tree.find("body") if tree.find("body") is not None else tree``, with one ``find``."""
    body = tree.find("body")
    return body if body is not None else tree


def _pruned(tree: lxml.html.HtmlElement, hr: HtmlRules) -> lxml.html.HtmlElement:
    """A fresh tree for a second extraction, pruned as the first (a hidden dialog, a share bar, a player)."""
    prune(tree, hr)
    prune_media(_body_or(tree))
    return tree


def _keep_article(html: str, text: str, container: tuple[str, list[tuple[str, int]]],
                  hr: HtmlRules) -> tuple[str, str | None]:
    """When the extracted body lacks most of the article container's paragraphs (a class/id name such as
    ``premium`` or ``paywall`` on them made the extractor drop them), extract again with the names taken
    off the container, its ancestors and its paragraphs; keep whichever body has more of the article."""
    path, paras = container
    total = sum(n for _, n in paras)
    have = _covered(text, paras)
    if have * 2 >= total:
        return text, None
    fresh = parse_html(html)
    try:
        found = fresh.getroottree().xpath(path)
    except (etree.XPathError, ValueError):  # a path XPath cannot spell (tag soup, control characters; fuzz.py)
        return text, None
    if not found:
        return text, None
    el = found[0]
    for node in [*el.iterancestors(), *el.iter()]:
        for attr in ("class", "id"):
            if attr in node.attrib:
                del node.attrib[attr]
    again = PageExtraction(_pruned(fresh, hr), owned=True).text(precision=False)
    got = _covered(again, paras)
    if got <= have:
        return text, None
    return again, (f"clean/pruned-majority: the extractor dropped {total - have} of {total} characters of the "
                   f"article's paragraphs by their class/id names; extracted again without them ({got} kept)")


_INVISIBLE = ("script", "style", "noscript", "template")


def visible_text(el: lxml.html.HtmlElement) -> str:
    """Text a reader sees: without script/style/noscript/template content (``text_of`` is ``text_content()``
    without an XPath)."""
    if next(el.iter(*_INVISIBLE), None) is None:
        return text_of(el)
    el = copy.deepcopy(el)
    for bad in list(el.iter(*_INVISIBLE)):
        bad.drop_tree()
    return text_of(el)


FAST_MIN_CHARS = 250  # trafilatura's MIN_EXTRACTED_SIZE: below it its full cascade tries jusText
FAST_COVER = 2  # the fast text holds at least 1/FAST_COVER of the page's text-bearing blocks


def precise_text(tree: lxml.html.HtmlElement, hr: HtmlRules, page: PageExtraction | None = None,
                 holders: dict[Any, int] | None = None, known: dict[Any, int] | None = None) -> tuple[str, str]:
    """(text, ``"fast"`` or ``"full"``) of the precision pass. trafilatura without its fallback extractors
    (readability-lxml, jusText) first; the full cascade only when that text looks like too little of the
    article (:func:`found_article`): the fallbacks replace the own extraction only when it is short,
    much shorter than the page's article text, or structurally thin -- on most pages they give the same.
    ``page``: the tree's extraction passes when the caller runs more (they share its prepared copy);
    ``holders``: the text holders' own characters, for the caller's :func:`recall.page_blocks` (:func:`recall.own_chars`);
    ``known``: the paragraphs' prose so far (:func:`prune.prose_chars`)."""
    page = page or PageExtraction(tree)
    text = page.text(precision=True, fast=True)
    if found_article(text, tree, hr, holders, known):
        return text, "fast"
    return page.text(precision=True), "full"


def found_article(text: str, tree: lxml.html.HtmlElement, hr: HtmlRules, holders: dict[Any, int] | None = None,
                  known: dict[Any, int] | None = None) -> bool:
    """By structure, no phrase list: enough words (``hr.min_words``, dense scripts counted by character),
    at least ``FAST_MIN_CHARS`` characters, and at least half as long as the page's text-bearing blocks
    (``<p>`` prose plus elements holding a paragraph of text of their own, e.g. ``<br>``-split posts)."""
    if len(text) < FAST_MIN_CHARS or not word_count_at_least(text, hr.min_words):
        return False
    body = tree.find("body")
    root = body if body is not None else tree
    budget = len(text) * FAST_COVER - sum(n for _, n in prose_paragraphs(root, known))
    return budget >= 0 and text_holders(root, limit=budget, known=holders) <= budget
