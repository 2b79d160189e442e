"""Metadata lines of an article, the same in text and HTML mode: the repeated title, datelines
(``<Agency>, <Place>, <Date>``, ``<PLACE> (<AGENCY>) -``, ``中新社北京3月19日电``), bylines (``By <Name>``,
``记者 <Name>``, ``<Name> 기자``), a trailing signature and end marks (``（完）``, ``(hết)``, ``/.``).

The patterns are the language pack's (``config/cleaning/<iso>.yaml``) on top of the common ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from pipeline.stages.clean.byline_context import in_navigation
from pipeline.stages.clean.lines import Line, is_prose, link_like
from pipeline.stages.clean.rules import CleanResult, TextRules, is_heading_like
from pipeline.stages.clean.script import ends_sentence, line_memo, similar, similar_tokens, tokens, word_count

HEAD_LINES = 100  # datelines and repeated titles are looked for in this many first lines (menus come first)
BYLINE_LINES = 100
TAIL_LINES = 3  # a closing byline / signature is one of the last lines


def strip_column(title: str, r: TextRules) -> tuple[str, str | None]:
    m = r.column_tag.match(title)
    if m and len(title) - m.end() >= 10:
        return title[m.end():].strip(), m.group(1).strip()
    return title, None


_TITLE_SEP = re.compile(r"^\s*[|｜–—\-:：·•»]\s*")


def site_suffix(title: str, line: str) -> str | None:
    """``"<line> | <Site>"`` (or ``"<Site> - <line>"``) -> ``"<Site>"``; None when it is not that shape."""
    if title.startswith(line):
        rest = title[len(line):]
        m = _TITLE_SEP.match(rest)
        if m and 0 < len(rest[m.end():].strip()) <= 60:
            return rest[m.end():].strip()
    if title.endswith(line):
        rest = title[: len(title) - len(line)][::-1]
        m = _TITLE_SEP.match(rest)
        if m and 0 < len(rest[m.end():].strip()) <= 60:
            return rest[m.end():][::-1].strip()
    return None


OPENING_PROSE_PARAGRAPHS = 2  # HTML mode: datelines and bylines are read until this many prose paragraphs have passed
DATELINE_FRAGMENT_WORDS = 8  # a dateline's text: a sentence, or at least this many words (a wrapped line)


@line_memo
def match_dateline(t: str, r: TextRules) -> Mapping[str, str] | None:
    """The dateline opening ``t`` (place, date, agency, and the ``rest`` of the line), if any. A dateline
    opens the article's first paragraph: text after it that is a short fragment with no sentence end
    ("<Name> / <Agency>: <a few words>" is a caption's shape) means it is not one. Remembered for lines
    (every pass reads the same head lines); the answer is read-only."""
    if len(t) > 2000:
        return None
    for rx in r.datelines:
        m = rx.match(t)
        if m:
            d = {k: (v or "").strip() for k, v in m.groupdict().items()}
            rest = d.get("rest", "")
            if rest and not ends_sentence(rest) and word_count(rest) < DATELINE_FRAGMENT_WORDS:
                continue
            if len(d.get("place", "")) <= 40:
                return MappingProxyType(d)
    return None


@line_memo
def match_byline(t: str, r: TextRules) -> Mapping[str, str] | None:
    """The byline ``t`` is (name, agency ...), if any; remembered for lines, read-only."""
    if len(t) > 150:
        return None
    for rx in r.bylines:
        m = rx.match(t)
        if m and ((m.groupdict().get("name") or "").strip() or (m.groupdict().get("agency") or "").strip()):
            return MappingProxyType({k: (v or "").strip() for k, v in m.groupdict().items()})
    return None


@line_memo
def end_mark_in(t: str, r: TextRules) -> re.Match[str] | None:
    """The end mark closing ``t`` (``（完）``), if any; remembered for lines."""
    return r.end_mark_needled.search(t)


def split_names(s: str, r: TextRules) -> list[str]:
    return [p.strip() for p in r.name_split.split(s) if p and p.strip()]


def _dateline_text(d: Mapping[str, str]) -> str:
    return ", ".join(x for x in (d.get("place", ""), d.get("date", "")) if x)


def _set_agency(res: CleanResult, agency: str | None) -> None:
    """The wire agency goes to metadata["agency"]; it is the source unless the markup named a site."""
    if agency:
        res.metadata.setdefault("agency", agency)
        res.source_name = res.source_name or agency


def mark_head(lines: list[Line], r: TextRules, res: CleanResult, title: str | None,
              start: int, max_prose_before: int | None = None) -> tuple[str | None, bool]:
    """Datelines and near-copies of ``title`` among the first lines (from ``start``): metadata, removed.

    A dateline line that goes on with body text keeps the text; one ending ``title: <title>`` goes.
    ``max_prose_before``: datelines are looked for only until this many prose lines have passed (the
    extracted text of a page starts at its article, so a dateline opens it; a dump starts with menus).
    Returns the (possibly site-suffix-stripped) title and whether a copy of it was seen."""
    confirmed = False
    with_agency = False
    prose_before = 0
    tb = tokens(title) if title else ()  # the title's tokens, once (not once per line)
    sb = set(tb)
    for ln in lines[start:min(len(lines), HEAD_LINES)]:
        if ln.kind:
            continue
        t = ln.text
        looking = max_prose_before is None or prose_before < max_prose_before
        dl = match_dateline(t, r) if looking else None
        if looking and max_prose_before is not None and not dl and is_prose(t, r):  # past the count: no question
            prose_before += 1
        if dl:
            rest = dl.get("rest", "")
            tm = r.title_label.match(rest) if rest else None
            if tm and title and similar(tm.group("title"), title):
                ln.kind = "title"
                confirmed = True
            elif rest:
                ln.text = rest
                ln.raw = rest
            else:
                ln.kind = "dateline"
            _set_agency(res, dl.get("agency") or None)
            names = split_names(dl.get("name", ""), r)  # "新华社北京3月19日电（记者 X）"
            if names:
                res.author = res.author or names[0]
                res.metadata.setdefault("authors", names)
            if not res.dateline or (dl.get("agency") and not with_agency):
                res.dateline = _dateline_text(dl) or res.dateline  # one naming its agency wins
                with_agency = bool(dl.get("agency"))
            continue
        if not title:
            continue
        # an ASCII line's tokens are runs in its lower case: without most title tokens it is no copy of it
        if len(t) <= 300 and (not t.isascii() or _holds_most(t.lower(), sb)) and similar_tokens(tokens(t), tb, sb):
            ln.kind = "title"
            confirmed = True
        elif (title.startswith(t) or title.endswith(t)) and len(tokens(t)) >= 3:  # (site_suffix's shapes only)
            site = site_suffix(title, t)
            if site is not None:
                ln.kind = "title"
                confirmed = True
                res.metadata.setdefault("site_name", site)
                title = t
                tb = tokens(title)
                sb = set(tb)
    return title, confirmed


def _holds_most(low: str, title_tokens: set[str]) -> bool:
    """At least 4/5 of the title's distinct tokens occur in ``low`` (a lowered ASCII line, whose tokens are
    its runs of word characters): else the line's tokens cannot be similar to the title's
    (:func:`script.similar_tokens` needs that many shared)."""
    misses = len(title_tokens) - (4 * len(title_tokens) + 4) // 5  # allowed: n - ceil(4n/5)
    for tok in title_tokens:
        if tok not in low:
            misses -= 1
            if misses < 0:
                return False
    return True


def mark_bylines(lines: list[Line], r: TextRules, res: CleanResult, start: int,
                 max_prose_before: int | None = None, *, dump: bool = False) -> None:
    """Byline lines among the first lines (from ``start``): author and agency, the line removed.
    ``max_prose_before``: looked for only until this many prose lines have passed (see :func:`mark_head`).
    ``dump``: the lines are a page's visible text, menus included: a byline-shaped line in a navigation
    run or inside a sentence is not one (:func:`byline_context.in_navigation`)."""
    prose_before = 0
    for i in range(start, min(len(lines), BYLINE_LINES)):
        ln = lines[i]
        if ln.kind:
            continue
        if max_prose_before is not None and prose_before >= max_prose_before:
            return
        b = match_byline(ln.text, r)
        if not b:
            if max_prose_before is not None and is_prose(ln.text, r):
                prose_before += 1
            continue
        if dump and in_navigation(lines, i, r, start):
            continue
        ln.kind = "byline"
        names = split_names(b.get("name", ""), r)
        if names:
            res.author = res.author or names[0]
            res.metadata.setdefault("authors", names)
        _set_agency(res, b.get("agency") or None)


def mark_signature(lines: list[Line], r: TextRules, res: CleanResult) -> Line | None:
    """A trailing name-only line after prose is the author's signature; a byline among the last lines
    ("（记者 王秀军）", "Theo TTXVN", "<Name> (<AGENCY>)") closes the article the same way. The line
    marked, if any."""
    live = [ln for ln in lines if not ln.kind]
    if len(live) < 3:
        return None
    last, prev = live[-1].text, live[-2].text
    if (r.name_only.match(last) and len(last) <= r.name_max_chars and is_prose(prev, r)
            and not r.related.match(last) and not _in_furniture(lines, live[-1])):
        live[-1].kind = "signature"
        res.author = res.author or last
        res.metadata.setdefault("authors", [last])
        return live[-1]
    if not any(is_prose(ln.text, r) for ln in live[:-1]):
        return None
    for ln in live[-TAIL_LINES:]:
        if is_prose(ln.text, r):
            continue
        b = match_byline(ln.text, r)
        if b:
            ln.kind = "byline"
            names = split_names(b.get("name", ""), r)
            if names:
                res.author = res.author or names[0]
                res.metadata.setdefault("authors", names)
            _set_agency(res, b.get("agency") or None)
            return ln
        name = agency_signature(ln.text, r, res)
        if name:
            ln.kind = "byline"
            res.author = res.author or name
            res.metadata.setdefault("authors", [name])
            return ln
    return None


_SIGN_SEPARATORS = " \t,;/|·•(–—-"


def agency_signature(t: str, r: TextRules, res: CleanResult) -> str | None:
    """``"<Name>, <Agency>"`` (or ``/``, ``|``, ``-``, ``(``) where ``<Agency>`` is the wire agency this
    document already named (its dateline): the name. The agency named twice is the signal, in any
    language and without a phrase list; the name must have a name's shape (``fragments.name``)."""
    agency = res.metadata.get("agency")
    if not agency or len(t) > r.name_max_chars + len(agency) + 4:
        return None
    signed = t.rstrip(" .)）")
    if len(signed) <= len(agency) or signed[-len(agency):].casefold() != agency.casefold():
        return None
    head = signed[: -len(agency)]
    name = head.rstrip(_SIGN_SEPARATORS)
    if name == head or not name or len(name) > r.name_max_chars:  # no separator: part of a longer name
        return None
    return name if r.name_only.match(name) and not r.related.match(name) else None


FURNITURE = ("repeat", "boiler", "alt")  # kinds of page furniture: share bars, repeated menus, alt texts


def _in_furniture(lines: list[Line], ln: Line) -> bool:
    """``ln`` is one of a run of page furniture: the line right below it, with no blank line between,
    was removed as furniture (a share bar's "分享到微信" above its "分享到微博" is not a signature)."""
    i = next(k for k, x in enumerate(lines) if x is ln)
    return i + 1 < len(lines) and lines[i + 1].gap == 0 and lines[i + 1].kind in FURNITURE


def _signature_line(ln: Line, r: TextRules, res: CleanResult, following: Line | None = None) -> bool:
    """A name-only or byline line (the signature right after an end mark) -> author / agency. A name-only
    line followed by another name-only line is a list's first entry or a heading over one (the commenters
    under "评论"), not a signature."""
    t = ln.text
    if (r.name_only.match(t) and len(t) <= r.name_max_chars and not r.related.match(t)
            and not (following is not None and r.name_only.match(following.text))):
        ln.kind = "signature"
        res.author = res.author or t
        res.metadata.setdefault("authors", [t])
        return True
    b = match_byline(t, r)
    if not b:
        return False
    ln.kind = "byline"
    names = split_names(b.get("name", ""), r)
    if names:
        res.author = res.author or names[0]
        res.metadata.setdefault("authors", names)
    _set_agency(res, b.get("agency") or None)
    return True


def mark_end(lines: list[Line], r: TextRules, cuts: list[dict[str, object]], res: CleanResult) -> None:
    """An end mark (``（完）``) closes the article: stripped from its line; a signature right after it
    is read, and a following run of non-prose lines (related links, editor credits) is cut, counted."""
    live = [i for i, ln in enumerate(lines) if not ln.kind]
    for pos, i in enumerate(live):
        ln = lines[i]
        m = end_mark_in(ln.text, r)
        if not m:
            continue
        ln.text = ln.text[: m.start()].rstrip()
        ln.raw = ln.text
        if not ln.text:
            ln.kind = "end"
        after = [lines[k] for k in live[pos + 1:]]
        if after and _signature_line(after[0], r, res, after[1] if len(after) > 1 else None):
            after = after[1:]
        if after and not any(is_prose(a.text, r) for a in after):
            cuts.append({"at": m.group(0).strip(), "lines": len(after), "chars": sum(len(a.text) for a in after)})
            for a in after:
                a.kind = "end"
        return


def link_run_after(lines: list[Line], i: int, r: TextRules) -> bool:
    """The lines after ``lines[i]`` start with a run of link-like short lines (or there are none)."""
    nxt = lines[i + 1: i + 1 + r.cut_link_run]
    return all(ln.kind in ("boiler", "related", "caption", "repeat", "alt") or link_like(ln.text, r) for ln in nxt)


def cut_after(lines: list[Line], i: int, kind: str, cuts: list[dict[str, object]]) -> None:
    """Remove ``lines[i:]`` (a closing related / comments block) and count the cut."""
    gone = [ln for ln in lines[i:] if not ln.kind]
    cuts.append({"at": lines[i].text, "lines": len(gone), "chars": sum(len(ln.text) for ln in gone)})
    for ln in lines[i:]:
        ln.kind = ln.kind or kind


def looks_like_title(head: str) -> bool:
    return is_heading_like(head) or len(head) <= 200


_TAIL_SEP = re.compile(r"\s+[|｜–—\-:·•»]\s+")
TITLE_MAX_CHARS = 300  # longer than this is body text in a title slot, not a title


def _fold(s: str) -> str:
    return re.sub(r"[\W_]+", "", (s or "").casefold())


def pick_title(candidates: list[str], site: str | None, host: str | None) -> tuple[str | None, str | None]:
    """The page title from its title slots in order (``og:title`` & co, ``<title>``, ``<h1>``) and the
    site name it carries: ``(title, site)``. The same suffix rule for every page: ``"<title> | <Site>"`` or
    ``"<Site> - <title>"`` lose the site part when it is the site name, the page's host name, or what
    another title slot adds to the same headline. A slot longer than ``TITLE_MAX_CHARS`` is not a title;
    None when the page has no title at all."""
    slots = [re.sub(r"\s+", " ", c).strip() for c in candidates if c]
    slots = [c for c in slots if 0 < len(c) <= TITLE_MAX_CHARS]
    if not slots:
        return None, None
    title = slots[0]
    names = [n for n in (site, host) if n]
    for other in slots[1:]:  # "<h1> | <Site>" in <title>: the h1 is the title, the rest the site
        found = site_suffix(title, other)
        if found is not None and other != title:
            return other, site or found
    for part in (_TAIL_SEP.split(title)[-1], _TAIL_SEP.split(title)[0]):
        if part == title or len(part) > 60:
            continue
        f = _fold(part)
        if f and any(f == _fold(n) or (len(f) >= 4 and f in _fold(n)) for n in names):
            rest = title[: len(title) - len(part)] if title.endswith(part) else title[len(part):]
            rest = _TITLE_SEP.sub("", rest[::-1])[::-1] if title.endswith(part) else _TITLE_SEP.sub("", rest)
            if len(tokens(rest)) >= 2:
                return rest.strip(), site or part
    return title, site
