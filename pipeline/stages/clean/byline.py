"""Author fallbacks for HTML pages without structured author data: byline markup, then byline text.

Both look only at the *article head*: the smallest block around the headline that holds some text
(``region_min_chars``), serialised from the lxml tree and parsed with BeautifulSoup, because CSS
attribute selectors (``[class*=byline i]``, ``[rel~=author]``) and "strings after the headline"
(``h1.find_all_next(string=True)``) say exactly what we look for, and a small fragment keeps the cost
to a fraction of a millisecond. Words and tokens come from ``config/metadata.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import lxml.html
from bs4 import BeautifulSoup
from lxml import etree

from pipeline.config import check_keys, load_yaml
from pipeline.stages.clean.spaces import norm

_SPLIT = re.compile(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3]")
_HAN_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
_HANGUL_NAME = re.compile(r"[\uac00-\ud7a3]{2,4}")
_INVISIBLE = ("script", "style", "noscript", "template", "svg")


# Every key of config/metadata.yaml with its type (see pipeline.config.check_keys).
SCHEMA: dict[str, Any] = {
    "author_tokens": list, "author_skip_tokens": list, "byline_prefixes": list, "byline_labels": list,
    "cjk_reporter_before": list, "cjk_reporter_after": list, "arabic_prefixes": list, "non_name_words": list,
    "name_particles": list, "head_window_chars": int, "region_min_chars": int,
    "region_max_elements": int,
}


@dataclass(frozen=True)
class BylineRules:
    author_tokens: frozenset[str]
    skip_tokens: frozenset[str]
    non_name: frozenset[str]
    particles: frozenset[str]
    prefix: re.Pattern[str]  # "By Jane Doe"
    label: re.Pattern[str]  # "Autor: Jane Doe"
    bare: re.Pattern[str]  # a string that is only a prefix ("By") -> the name is the next string
    cjk_before: re.Pattern[str]
    cjk_after: re.Pattern[str]
    cjk_suffix: re.Pattern[str]
    head_window: int
    region_min: int
    region_max_elements: int
    candidates_xpath: etree.XPath


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


_RE_NS = {"re": "http://exslt.org/regular-expressions"}


def _candidates_xpath(toks: list[str]) -> etree.XPath:
    """One C-level query (an EXSLT regex per element) for the elements the markup fallback looks at;
    refined by whole tokens in Python."""
    stems = sorted({t.replace("-", "") for t in toks if re.fullmatch(r"[a-z-]+", t)} | {"author", "byline", "autor"})
    pattern = "|".join(stems)
    return etree.XPath(f".//*[@rel='author' or contains(@itemprop, 'author') or self::address or "
                       f"re:test(concat(@class, ' ', @id), '{pattern}', 'i')]", namespaces=_RE_NS)


@lru_cache(maxsize=1)
def byline_rules() -> BylineRules:
    raw: dict[str, Any] = load_yaml("metadata.yaml")
    check_keys(raw, SCHEMA, "config/metadata.yaml")
    prefixes = [str(p) for p in raw["byline_prefixes"]] + [str(p) for p in raw.get("arabic_prefixes", [])]
    labels = [str(p) for p in raw["byline_labels"]]
    toks = [str(t).lower() for t in raw["author_tokens"]]
    return BylineRules(
        author_tokens=frozenset(toks),
        skip_tokens=frozenset(str(t).lower() for t in raw["author_skip_tokens"]),
        non_name=frozenset(str(t).lower() for t in raw["non_name_words"]),
        particles=frozenset(str(t).lower() for t in raw["name_particles"]),
        prefix=re.compile(r"^\s*(?:" + _alt(prefixes) + r")\s*[:：]?\s+(?P<n>.+)$", re.IGNORECASE),
        label=re.compile(r"(?:^|[\s(（|·•])(?:" + _alt(labels) + r")\s*[:：/／]\s*(?P<n>.+)$", re.IGNORECASE),
        bare=re.compile(r"^\s*(?:" + _alt(prefixes + labels) + r")\s*[:：]?\s*$", re.IGNORECASE),
        cjk_before=re.compile(r"(?:" + _alt([str(w) for w in raw["cjk_reporter_before"]]) + r")\s*(?P<n>[\u4e00-\u9fff]{2,4})(?=[\s）)\]】|,，、。]|$)"),
        cjk_after=re.compile(r"(?P<n>[\u4e00-\u9fff\uac00-\ud7a3]{2,4})\s*(?:" + _alt([str(w) for w in raw["cjk_reporter_after"]]) + r")"),
        cjk_suffix=re.compile(r"\s*(?:" + _alt([str(w) for w in raw["cjk_reporter_after"]]) + r")$"),
        head_window=int(raw["head_window_chars"]),
        region_min=int(raw["region_min_chars"]),
        region_max_elements=int(raw["region_max_elements"]),
        candidates_xpath=_candidates_xpath(toks),
    )


# ------------------------------------------------------------------------------------------ region
def _anchor(tree: lxml.html.HtmlElement, title: str | None = None) -> lxml.html.HtmlElement | None:
    """The headline: the first ``<h1>`` that repeats the page title (a logo h1 does not), else the first in
    ``<article>``/``<main>``, else the first h1, article or main."""
    t = re.sub(r"\W+", " ", (title or "").lower()).strip()
    if t:
        for h in tree.xpath("(//h1)[position() <= 6]"):
            ht = re.sub(r"\W+", " ", h.text_content().lower()).strip()
            if len(ht) >= 10 and (ht in t or t in ht):
                return h
    anchor = next(iter(tree.xpath("(//article//h1 | //main//h1)[1]")), None)
    if anchor is None:
        anchor = next(iter(tree.xpath("(//h1 | //article | //main)[1]")), None)
    return anchor


def head_region(tree: lxml.html.HtmlElement, title: str | None = None) -> lxml.html.HtmlElement | None:
    """The block around the headline: grown from the h1 until it holds ``region_min_chars`` of text, never
    to more than ``region_max_elements`` elements (None for a page without h1/article/main)."""
    r = byline_rules()
    anchor = _anchor(tree, title)
    if anchor is None:
        return None
    el = anchor
    while True:
        parent = el.getparent()
        if parent is None or parent.tag in ("body", "html") or len(el.text_content()) >= r.region_min:
            break
        if parent.xpath("count(.//*)") > r.region_max_elements:
            break
        el = parent
    return el


_TEXTS = etree.XPath("descendant::text()[not(ancestor::script or ancestor::style or ancestor::noscript "
                     "or ancestor::template or ancestor::svg)]")


def _texts(el: Any) -> list[str]:
    """Visible text of ``el``'s subtree in document order (no script/style), without el's own tail.
    One C-level query: no Python recursion, whatever the nesting depth."""
    if not isinstance(el.tag, str) or el.tag in _INVISIBLE:
        return []
    return [str(t) for t in cast(list[Any], _TEXTS(el))]


def _lazy_texts(el: Any) -> Iterator[str]:
    """What :func:`_texts` returns, one string at a time: the head window is filled long before the
    end of a sibling that holds the whole article, and the rest of it is never walked. No recursion
    (an explicit stack of (element, children) frames), so no nesting depth is too deep."""
    if not isinstance(el.tag, str) or el.tag in _INVISIBLE:
        return
    if any(a.tag in _INVISIBLE for a in el.iterancestors()):  # the query tests every ancestor too
        return
    if el.text:
        yield el.text
    stack: list[tuple[Any, Iterator[Any]]] = [(el, iter(el))]
    while stack:
        parent, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack and parent.tail:  # the tail of a finished element follows its subtree (not el's own)
                yield parent.tail
            continue
        if isinstance(child.tag, str) and child.tag not in _INVISIBLE:
            if child.text:
                yield child.text
            stack.append((child, iter(child)))
        elif child.tail:  # a comment's, or an invisible element's: outside it, so visible
            yield child.tail


def _following(anchor: Any) -> Iterator[str]:
    el = anchor
    while el is not None and el.tag not in ("body", "html"):
        if el.tail:
            yield el.tail
        for sib in el.itersiblings():
            yield from _lazy_texts(sib)
            if sib.tail:
                yield sib.tail
        el = el.getparent()


def _preceding(anchor: Any, limit: int) -> list[str]:
    out: list[str] = []
    el = anchor
    while el is not None and el.tag not in ("body", "html") and len(out) < limit:
        for sib in el.itersiblings(preceding=True):
            if isinstance(sib.tag, str) and sib.xpath("count(.//*)") > 40:
                return list(reversed(out[:limit]))  # a navigation block: nothing above it is the byline
            out.extend(reversed([t for t in ([*_texts(sib)] + [sib.tail or ""]) if t.strip()]))
            if len(out) >= limit:
                break
        el = el.getparent()
    return list(reversed(out[:limit]))


def head_strings(tree: lxml.html.HtmlElement, title: str | None = None) -> list[str]:
    """Visible strings around the headline in document order: a few before it (a byline above the
    headline, at most 120 characters each), the headline, then up to ``head_window_chars`` after it."""
    r = byline_rules()
    anchor = _anchor(tree, title)
    if anchor is None:
        return []
    out = [t for t in (norm(x) for x in _preceding(anchor, 6)) if len(t) <= 120]
    out.append(norm(anchor.text_content()))
    total = 0
    for s in _following(anchor):
        t = norm(s)
        if not t:
            continue
        out.append(t)
        total += len(t)
        if total >= r.head_window:
            break
    return out


# -------------------------------------------------------------------------------------------- names
def clean_name(text: str) -> str | None:
    """The person (or agency) name in a byline fragment, or None when it does not look like one."""
    r = byline_rules()
    s = re.sub(r"\s+", " ", text or "").strip(" \t|·•,;:-–—()（）[]")
    m = r.prefix.match(s) or r.label.match(s)
    if m:
        s = m["n"]
    s = re.split(r"\s+[|·•/–—]\s+|\s*[|·•]\s*|,\s+(?=\d)|\s+-\s+|\s*\(\s*|\s+\d", s)[0].strip(" ,;:-")
    s = re.sub(r",\s*(?:[A-Z][\w.]*\s*)+$", "", s) if "," in s and not _CJK.search(s) else s  # "Troy Smith, Site.com"
    if not s or len(s) > 60 or re.search(r"\d|@|https?:|www\.|©", s):
        return None
    if _CJK.search(s):
        s = r.cjk_suffix.sub("", s).strip()  # "이지은 기자" -> "이지은"
        return s if 2 <= len(s.replace(" ", "")) <= 12 and not re.search(r"[，。、：:！？]", s) else None
    words = s.split()
    if not 1 <= len(words) <= 5:
        return None
    capitalised = 0
    for w in words:
        lw = w.lower().strip(".,")
        if lw in r.non_name:
            return None
        if not w[0].islower():  # upper case, or a script without case (Arabic, Hebrew, Thai ...)
            capitalised += 1
        elif lw not in r.particles and lw not in {"and", "und", "et", "y", "e", "i", "и", "та", "ve", "dan", "và"}:
            return None
    if capitalised == 0 or not re.search(r"\w", s):
        return None
    if s.isupper() and len(s) > 4:
        s = s.title()  # "FEDERICA LUSIARDI" -> "Federica Lusiardi"
    return s


def first_author(names: str) -> str:
    """First of several names ("A and B", "A, B", "A und B")."""
    parts = re.split(r"\s+(?:and|und|et|y|e|i|и|та|ve|dan|và)\s+|\s*[,;&]\s*", names)
    return parts[0].strip() or names


# ------------------------------------------------------------------------------------------ markup
def _lxml_tokens(el: Any) -> set[str]:
    attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
    return {t.lower() for t in _SPLIT.split(attrs) if t}


def markup_author(region: lxml.html.HtmlElement | None) -> str | None:
    """Author from byline markup in the article head (rel/itemprop=author, byline classes, <address>).

    lxml finds the few candidate elements (one C-level XPath); each candidate, a small fragment, is read
    with BeautifulSoup: ``select_one("[itemprop~=name]")`` and ``stripped_strings`` say what we want."""
    if region is None:
        return None
    r = byline_rules()
    for el in cast(list[Any], r.candidates_xpath(region))[:12]:
        explicit = "author" in (el.get("rel") or "") or "author" in (el.get("itemprop") or "").lower()
        toks = _lxml_tokens(el)
        if not explicit and el.tag != "address":
            if not toks & r.author_tokens and not any(t.startswith(("author", "byline", "autor")) for t in toks):
                continue
            if toks & r.skip_tokens:
                continue
        text = el.text_content().strip()
        if not text or len(text) > 400:
            continue  # empty (an avatar) or a whole bio box: not a byline
        html = lxml.html.tostring(el, encoding="unicode", with_tail=False)
        frag = BeautifulSoup(html, "lxml")
        if "<script" in html or "<style" in html or "<noscript" in html:
            for bad in frag.find_all(_INVISIBLE):
                bad.decompose()
        name_el = frag.select_one("[itemprop~=name]") if explicit and "itemprop" in html[10:] else None
        if name_el is not None:
            name = clean_name(str(name_el.get("content") or name_el.get_text(" ", strip=True)))
            if name:
                return name
        pending = False
        for s in [norm(x) for x in frag.stripped_strings][:8]:
            if r.bare.match(s):
                pending = True
                continue
            name = clean_name(s)
            if name:
                return name
            if pending:
                break
    return None


# -------------------------------------------------------------------------------------------- text
def text_author(strings: list[str]) -> str | None:
    """Author from a byline line below the headline: "By X", "Von X", "Autor: X", "记者 王秀军", "홍길동 기자"."""
    r = byline_rules()
    for i, s in enumerate(strings):
        m = r.cjk_before.search(s) or r.cjk_after.search(s)
        if m and (_HAN_NAME.fullmatch(m["n"]) or _HANGUL_NAME.fullmatch(m["n"])):
            return m["n"]
        if r.bare.match(s) and i + 1 < len(strings):
            name = clean_name(strings[i + 1])
            if name:
                return name
            continue
        m = r.label.search(s)
        if m:
            name = clean_name(m["n"])
            if name:
                return name
        if r.prefix.match(s) and len(s) <= 80:
            name = clean_name(s)
            if name:
                return name
    return None
