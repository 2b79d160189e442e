"""Text-mode cleaning: a plain-text dump of an article page -> title, body, captions, byline metadata.

Works on lines, with general features only (see ``config/cleaning.yaml``):

1. inline fragments are re-joined (a dump of ``a <a>link</a> b`` has the link on its own line);
2. the title is the first line; a later near-copy of it (or a dateline line ending ``title: ...``)
   is removed;
3. bylines (``<Agency> reporter <Name>``, ``By <Name>``), datelines (``<Agency>, <Place>, <Month> <Day>``,
   ``<PLACE>, <Month> <Day> (<Agency>) -``) and a trailing name-only line move to metadata;
4. caption lines (caption patterns, photo credits and the line they credit, repeated alt-text lines and
   the line right after each), related-links blocks, share/subscribe/cookie/navigation/footer lines are
   removed;
5. in a long dump, the main article region is the run of lines that maximises prose minus link-like short
   lines (a maximum-sum segment, like Finn et al.'s Body Text Extraction on lines).

``clean_text`` is idempotent on its own body: the line rules are applied until nothing changes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipeline.stages.clean.rules import (
    CJK,
    SENT_END,
    SENT_PUNCT,
    URLISH,
    WORD,
    CleaningRules,
    CleanResult,
    TextRules,
    is_boiler,
    is_caption,
    is_credit,
    is_heading_like,
    load_rules,
    similar,
    tokens,
)


# --------------------------------------------------------------------------------------- lines
@dataclass
class Line:
    text: str  # whitespace-collapsed
    raw: str  # as in the input (for inline-fragment joining)
    gap: int  # blank lines before it
    kind: str = ""  # why it was removed ("" = kept)


def _norm_space(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def normalize_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # zero-width characters and soft hyphens carry no text
    return re.sub(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]", "", text)


def split_lines(text: str) -> list[Line]:
    out: list[Line] = []
    gap = 0
    for raw in normalize_text(text).split("\n"):
        t = _norm_space(raw)
        if not t:
            gap += 1
            continue
        out.append(Line(t, raw, gap))
        gap = 0
    return out


_JOIN_NEXT_START = re.compile(r"^[,.;:!?)\]}’”%»]")
_JOIN_PREV_END = re.compile(r"[(\[{“‘«\-–—/]$")


def join_fragments(lines: list[Line]) -> list[Line]:
    """Re-join inline fragments of one paragraph that a markup dump put on separate lines."""
    out: list[Line] = []
    for ln in lines:
        if out and ln.gap == 0:
            prev = out[-1]
            spaced = prev.raw[-1:].isspace() or ln.raw[:1].isspace()
            ends_sentence = bool(SENT_END.search(prev.text))
            starts_upper = ln.text[:1].isupper()
            if (
                _JOIN_NEXT_START.match(ln.text)
                or _JOIN_PREV_END.search(prev.text)
                or (spaced and not (ends_sentence and starts_upper) and not is_heading_like(prev.text))
                or (spaced and ln.text[:1].islower())
            ):
                sep = "" if _JOIN_NEXT_START.match(ln.text) or prev.text.endswith(("(", "[", "“", "‘", "/")) else " "
                prev.text = prev.text + sep + ln.text
                prev.raw = prev.raw.rstrip("\n") + (" " if sep else "") + ln.raw
                continue
        out.append(Line(ln.text, ln.raw, ln.gap))
    return out


def _is_prose(t: str, r: TextRules) -> bool:
    n = len(t)
    if CJK.search(t):
        return n >= r.prose_min // 3 and bool(re.search(r"[。，！？,.]", t))
    return n >= r.prose_min and bool(SENT_PUNCT.search(t)) and len(WORD.findall(t)) >= 10


def _weight(t: str) -> float:
    if CJK.search(t):
        return len(t) / 2.0
    return float(len(WORD.findall(t)))


# --------------------------------------------------------------------------------------- pieces
def _strip_column(title: str, r: TextRules) -> tuple[str, str | None]:
    m = r.column_tag.match(title)
    if m and len(title) - m.end() >= 10:
        return title[m.end():].strip(), m.group(1).strip()
    return title, None


def _title_part(s: str) -> str:
    return re.sub(r"^\W+|\W+$", "", s)


_TITLE_SEP = re.compile(r"^\s*[|–—\-:·•»]\s*")


def _site_suffix(title: str, line: str) -> str | None:
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


def _match_dateline(t: str, r: TextRules) -> dict[str, str] | None:
    m = r.dateline_agency_first.match(t)
    if m:
        return {k: (v or "").strip() for k, v in m.groupdict().items()}
    m = r.dateline_place_first.match(t)
    if m and len(m.group("place")) <= 40:
        return {k: (v or "").strip() for k, v in m.groupdict().items()}
    return None


def _match_byline(t: str, r: TextRules) -> dict[str, str] | None:
    if len(t) > 150:
        return None
    for rx in (r.byline_role, r.byline_by):
        m = rx.match(t)
        if m:
            return {k: (v or "").strip() for k, v in m.groupdict().items()}
    return None


def _split_names(s: str) -> list[str]:
    return [p.strip() for p in re.split(r"\s*(?:,|\band\b|&)\s*", s) if p.strip()]


def _repeat_key(t: str) -> str:
    return " ".join(tokens(t))


# --------------------------------------------------------------------------------------- passes
def _mark_repeats(lines: list[Line], r: TextRules, captions: list[str]) -> None:
    counts: dict[str, int] = {}
    for ln in lines:
        if len(ln.text) <= r.repeat_max and not _is_prose(ln.text, r):
            k = _repeat_key(ln.text)
            if k:
                counts[k] = counts.get(k, 0) + 1
    repeated = {k for k, c in counts.items() if c >= r.repeat_min}
    if not repeated:
        return
    # alt-text + caption pairs: a repeated line directly followed (same block) by a short non-sentence line
    followers: dict[str, list[int]] = {}
    for i, ln in enumerate(lines[:-1]):
        k = _repeat_key(ln.text)
        if k in repeated:
            nxt = lines[i + 1]
            nt = nxt.text
            if (
                nxt.gap == 0
                and len(nt) <= r.follow_caption_max
                and not re.search(r"[.!;:。！；：]['\"”’]?$", nt)
                and _repeat_key(nt) not in repeated
            ):
                followers.setdefault(k, []).append(i + 1)
    for i, ln in enumerate(lines):
        k = _repeat_key(ln.text)
        if k in repeated and not ln.kind:
            ln.kind = "alt" if len(followers.get(k, [])) >= 2 else "repeat"
    for k, idxs in followers.items():
        if len(idxs) >= 2:
            for i in idxs:
                if not lines[i].kind:
                    lines[i].kind = "caption"
    seen: set[str] = set()
    for ln in lines:
        if ln.kind == "alt" and ln.text not in seen:
            seen.add(ln.text)
            captions.append(ln.text)


def _mark_captions(lines: list[Line], r: TextRules) -> None:
    for i, ln in enumerate(lines):
        if ln.kind:
            continue
        if is_caption(ln.text, r):
            ln.kind = "caption"
        elif is_credit(ln.text, r):
            ln.kind = "caption"
            if i > 0 and ln.gap == 0:
                prev = lines[i - 1]
                if not prev.kind and len(prev.text) <= r.caption_max and not is_heading_like(prev.text):
                    prev.kind = "caption"


def _mark_boiler(lines: list[Line], r: TextRules, res: CleanResult | None = None) -> None:
    for ln in lines:
        if ln.kind:
            continue
        if is_boiler(ln.text, r):
            ln.kind = "boiler"


def _mark_dates(lines: list[Line], r: TextRules, res: CleanResult) -> None:
    """Date-only lines (``March 21, 2021``, ``2021-03-21 08:30``) left in the article: text to metadata."""
    for ln in lines:
        if not ln.kind and len(ln.text) <= 60 and r.date_only.match(ln.text):
            ln.kind = "date"
            res.metadata.setdefault("date_text", ln.text)


def _mark_related(lines: list[Line], r: TextRules) -> None:
    total = sum(len(ln.text) for ln in lines) or 1
    pos = 0
    for i, ln in enumerate(lines):
        if not ln.kind and len(ln.text) <= 60 and r.related.match(ln.text):
            if pos / total >= r.related_tail:
                for rest in lines[i:]:
                    rest.kind = rest.kind or "related"
                return
            ln.kind = "related"
            for nxt in lines[i + 1:]:
                if _is_prose(nxt.text, r):
                    break
                nxt.kind = nxt.kind or "related"
        pos += len(ln.text)


def _select_region(lines: list[Line], r: TextRules) -> None:
    """Keep the maximum-sum run of lines: prose counts its words, short link-like lines and wide
    layout gaps (many blank lines / removed lines in between) cost; an end marker (comments, related,
    most-read heading) after the start of the article ends it."""
    live = [i for i, ln in enumerate(lines) if not ln.kind]
    if len(live) < 3:
        return
    scores: list[float] = []
    prev = -1
    for i in live:
        ln = lines[i]
        t = ln.text
        if _is_prose(t, r):
            s = _weight(t)
        elif len(t) >= r.short_chars and SENT_PUNCT.search(t):
            s = _weight(t) * r.medium_factor
        elif URLISH.search(t):
            s = -r.url_penalty
        else:
            s = -r.short_penalty
        # distance from the previous kept line: blank lines plus lines removed by other rules
        dist = sum(lines[k].gap + 1 for k in range(prev + 1, i)) + ln.gap if prev >= 0 else 0
        s -= r.gap_penalty * min(max(dist - r.gap_free, 0), r.gap_cap)
        scores.append(s)
        prev = i
    best, best_lo, best_hi = float("-inf"), 0, -1
    cur, lo = 0.0, 0
    for j, s in enumerate(scores):
        if cur <= 0:
            cur, lo = s, j
        else:
            cur += s
        if cur > best:
            best, best_lo, best_hi = cur, lo, j
    if best <= 0:
        return
    # a short heading-like line right before the region is its first sub-heading / lead-in
    if best_lo > 0:
        t = lines[live[best_lo - 1]].text
        if is_heading_like(t) and not is_boiler(t, r) and len(WORD.findall(t)) >= 2:
            best_lo -= 1
    # end markers inside the region, once some article text has been seen
    words = 0.0
    for j in range(best_lo, best_hi + 1):
        t = lines[live[j]].text
        if words >= r.end_marker_after_words and len(t) <= 60 and (r.related.match(t) or r.end_marker.match(t)):
            best_hi = j - 1
            break
        if _is_prose(t, r):
            words += _weight(t)
    for j, i in enumerate(live):
        if j < best_lo or j > best_hi:
            lines[i].kind = "outside"


def _one_pass(text: str, r: TextRules, res: CleanResult, *, first: bool) -> str:
    lines = join_fragments(split_lines(text))
    if not lines:
        return ""

    # title / dateline / byline removal runs in every pass (metadata kept from the first)
    # ---- title: first line; remove later near-copies and "…, title: <title>" dateline lines
    head = lines[0].text
    title, column = _strip_column(head, r)
    confirmed = False
    limit = min(len(lines), 40)
    for i in range(1, limit):
        ln = lines[i]
        t = ln.text
        dl = _match_dateline(t, r)
        if dl:
            rest = dl.get("rest", "")
            tm = r.title_label.match(rest) if rest else None
            if tm and similar(tm.group("title"), title):
                ln.kind = "title"
                confirmed = True
            elif rest:
                ln.text = rest
                ln.raw = rest
            else:
                ln.kind = "dateline"
            res.source_name = res.source_name or dl.get("agency") or None
            res.dateline = res.dateline or f"{dl['place']}, {dl['date']}"
            continue
        if len(t) <= 300 and similar(t, title):
            ln.kind = "title"
            confirmed = True
        elif len(tokens(t)) >= 3:
            site = _site_suffix(title, t)
            if site is not None:
                ln.kind = "title"
                confirmed = True
                res.metadata.setdefault("site_name", site)
                title = t
    if column:
        res.metadata["column"] = column
    res.title = title if (confirmed or is_heading_like(head) or len(head) <= 200) else None
    if confirmed:
        lines[0].kind = "title"
    # ---- bylines in the head of the text
    for ln in lines[1: min(len(lines), 30)]:
        if ln.kind:
            continue
        b = _match_byline(ln.text, r)
        if b:
            ln.kind = "byline"
            names = _split_names(b["name"])
            if names:
                res.author = res.author or names[0]
                res.metadata.setdefault("authors", names)
            if b.get("agency"):
                res.source_name = res.source_name or b["agency"]

    _mark_related(lines, r)
    captions: list[str] = []
    _mark_repeats(lines, r, captions)
    _mark_captions(lines, r)
    _mark_boiler(lines, r)
    # ---- trailing name-only line (a signature) -> author
    live = [ln for ln in lines if not ln.kind]
    if len(live) >= 3:
        last, prev = live[-1].text, live[-2].text
        if r.name_only.match(last) and len(last) <= 40 and _is_prose(prev, r) and not r.related.match(last):
            live[-1].kind = "signature"
            res.author = res.author or last
            res.metadata.setdefault("authors", [last])
    _select_region(lines, r)
    _mark_dates(lines, r, res)

    kept = [ln for ln in lines if not ln.kind]
    for ln in lines:
        if ln.kind == "caption" and ln.text not in captions:
            captions.append(ln.text)
    if first:
        res.captions.extend(c for c in captions if c not in res.captions)
        res.metadata["removed_lines"] = {}
        for ln in lines:
            if ln.kind:
                res.metadata["removed_lines"][ln.kind] = res.metadata["removed_lines"].get(ln.kind, 0) + 1
    return "\n\n".join(ln.text for ln in kept)


def clean_text(text: str, rules: CleaningRules | None = None) -> CleanResult:
    """Clean a plain-text article (or a page's visible-text dump). Never raises on str input.

    ``rules`` default to ``config/cleaning.yaml`` (the stage always passes its own)."""
    r = (rules or load_rules()).text
    res = CleanResult()
    if not isinstance(text, str) or not text.strip():
        return res
    body = _one_pass(text, r, res, first=True)
    for _ in range(r.max_passes):
        nxt = _one_pass(body, r, CleanResult(), first=False)
        if nxt == body:
            break
        body = nxt
    res.body = body
    return res
