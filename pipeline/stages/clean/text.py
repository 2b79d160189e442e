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
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pipeline.config import load_yaml

_WORD = re.compile(r"\w+")
_SENT_END = re.compile(r"[.!?。！？…]['\"”’)\]]*$")
_SENT_PUNCT = re.compile(r"[.!?。！？,;，；:]\s|[.!?。！？]$|[。，！？]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_COOKIE = re.compile(r"cookie|consent", re.IGNORECASE)
_URLISH = re.compile(r"https?://|www\.|\.(com|org|net)\b|@\w")


@dataclass
class CleanResult:
    title: str | None = None
    body: str = ""
    captions: list[str] = field(default_factory=list)
    author: str | None = None
    source_name: str | None = None
    dateline: str | None = None
    published_at: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------------------- rules
class TextRules:
    """Compiled rules from ``config/cleaning.yaml`` (built once per process)."""

    def __init__(self, raw: dict[str, Any]) -> None:
        flags = re.IGNORECASE
        self.raw = raw
        self.caption = [re.compile(p, flags) for p in raw.get("caption_patterns", [])]
        self.credit = [re.compile(p, flags) for p in raw.get("credit_patterns", [])]
        self.caption_max = int(raw.get("caption_max_chars", 400))
        self.related = re.compile(raw["related_heading"], flags)
        self.related_tail = float(raw.get("related_tail_fraction", 0.6))
        self.boiler = [re.compile(p, flags) for p in raw.get("boilerplate_line_patterns", [])]
        self.boiler_max = int(raw.get("boilerplate_max_chars", 200))
        t = raw.get("text", {})
        self.prose_min = int(t.get("prose_min_chars", 80))
        self.short_chars = int(t.get("short_line_chars", 40))
        self.repeat_min = int(t.get("repeat_min_count", 2))
        self.repeat_max = int(t.get("repeat_max_chars", 120))
        self.follow_caption_max = int(t.get("following_caption_max_chars", 250))
        self.max_passes = int(t.get("max_fixpoint_passes", 6))
        self.medium_factor = float(t.get("medium_line_factor", 0.5))
        self.short_penalty = float(t.get("short_line_penalty", 3.0))
        self.url_penalty = float(t.get("url_line_penalty", 6.0))
        self.gap_penalty = float(t.get("gap_penalty", 0.0))
        self.gap_free = int(t.get("gap_free_lines", 2))
        self.gap_cap = int(t.get("gap_cap_lines", 10))
        self.end_marker_after_words = float(t.get("end_marker_after_words", 80))
        self.end_marker = re.compile(raw.get("end_marker", r"^$^"), flags)
        self.column_tag = re.compile(raw.get("column_tag", r"^$^"))

        months = "|".join(sorted((re.escape(m) for m in raw.get("months", [])), key=len, reverse=True))
        nouns = "|".join(re.escape(n) for n in raw.get("agency_nouns", []))
        roles = "|".join(sorted((re.escape(r) for r in raw.get("byline_roles", [])), key=len, reverse=True))
        particles = "|".join(re.escape(p) for p in raw.get("name_particles", []))
        nmax = int(raw.get("name_max_words", 4))
        cap = r"[A-Z\u00C0-\u024F][\w'’.\-]*"
        word = rf"(?:{cap}|(?:{particles}))" if particles else cap
        self.name_re = rf"{cap}(?:\s+{word}){{1,{nmax - 1}}}"
        self.name_only = re.compile(rf"^{self.name_re}$")
        agency = rf"(?:(?:{cap}\s+){{0,4}}(?:{nouns})\b(?:\s+{cap}){{0,2}}|[A-Z]{{2,6}})"
        date = rf"(?:{months})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}\s+(?:{months})\.?(?:,?\s+\d{{4}})?"
        place = r"[A-Z\u00C0-\u024F][\w'’.\-]*(?:\s+[A-Z\u00C0-\u024F][\w'’.\-]*){0,3}"
        # "<Agency>, <Place>, <Month> <Day>[, <rest>]"  (rest may be "title: ..." or body text)
        self.dateline_agency_first = re.compile(
            rf"^(?P<agency>{agency})\s*[,，]\s*(?P<place>{place})\s*[,，]\s*(?P<date>{date})"
            rf"(?:\s*(?:[,，:：]|\s[-—–]\s?)\s*(?P<rest>.*))?$"
        )
        # "<PLACE>, <Month> <Day> (<Agency>) - <body text>"
        self.dateline_place_first = re.compile(
            rf"^(?P<place>{place}|[A-Z][A-Z .'\-]{{1,40}})\s*,\s*(?P<date>{date})\s*"
            rf"(?:\((?P<agency>[^()]{{2,40}})\))?\s*[-—–:]+\s*(?P<rest>.+)$"
        )
        self.date_only = re.compile(
            rf"^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:{date})"
            rf"(?:,?\s+(?:at\s+)?\d{{1,2}}[:.]\d{{2}}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{{2,4}})?)?\s*$"
            rf"|^\d{{1,4}}[-/.]\d{{1,2}}[-/.]\d{{1,4}}(?:[ T]\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?\s*$",
            flags,
        )
        self.title_label = re.compile(r"^(?:title|headline|题|标题)\s*[:：]\s*(?P<title>.+)$", flags)
        self.byline_role = re.compile(
            rf"^(?:(?P<agency>{agency})\s+)?(?i:{roles})\s*[:：]?\s+(?P<name>{self.name_re}"
            rf"(?:\s*(?:,|and|&)\s*{self.name_re})*)\s*$",
            flags=0,
        )
        self.byline_role_ci = re.compile(rf"\b(?:{roles})\b", flags)
        self.byline_by = re.compile(
            rf"^(?:written\s+)?by\s*[:：]?\s+(?P<name>{self.name_re}(?:\s*(?:,|and|&)\s*{self.name_re})*)"
            rf"(?:\s*[,|/—–-]\s*(?P<agency>[^,|/]{{2,60}}))?\s*$",
            flags,
        )


@lru_cache(maxsize=1)
def rules() -> TextRules:
    return TextRules(load_yaml("cleaning.yaml") or {})


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
            ends_sentence = bool(_SENT_END.search(prev.text))
            starts_upper = ln.text[:1].isupper()
            if (
                _JOIN_NEXT_START.match(ln.text)
                or _JOIN_PREV_END.search(prev.text)
                or (spaced and not (ends_sentence and starts_upper) and not _is_heading_like(prev.text))
                or (spaced and ln.text[:1].islower())
            ):
                sep = "" if _JOIN_NEXT_START.match(ln.text) or prev.text.endswith(("(", "[", "“", "‘", "/")) else " "
                prev.text = prev.text + sep + ln.text
                prev.raw = prev.raw.rstrip("\n") + (" " if sep else "") + ln.raw
                continue
        out.append(Line(ln.text, ln.raw, ln.gap))
    return out


def _is_heading_like(t: str) -> bool:
    return len(t) <= 100 and not _SENT_END.search(t) and t[:1].isupper() and len(_WORD.findall(t)) <= 12


def _tokens(t: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(t)]


def _similar(a: str, b: str) -> bool:
    """Near-identical lines (punctuation, case, ellipsis and small wording changes ignored)."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    sa, sb = set(ta), set(tb)
    inter = len(sa & sb)
    return inter >= 3 and inter / max(len(sa), len(sb)) >= 0.8


def _is_prose(t: str, r: TextRules) -> bool:
    n = len(t)
    if _CJK.search(t):
        return n >= r.prose_min // 3 and bool(re.search(r"[。，！？,.]", t))
    return n >= r.prose_min and bool(_SENT_PUNCT.search(t)) and len(_WORD.findall(t)) >= 10


def _weight(t: str) -> float:
    if _CJK.search(t):
        return len(t) / 2.0
    return float(len(_WORD.findall(t)))


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


def _is_caption(t: str, r: TextRules) -> bool:
    return len(t) <= r.caption_max and any(rx.match(t) for rx in r.caption)


def _is_credit(t: str, r: TextRules) -> bool:
    return len(t) <= 160 and any(rx.match(t) for rx in r.credit)


def _is_boiler(t: str, r: TextRules) -> bool:
    n = len(t)
    if n > r.boiler_max and (n > 420 or not _COOKIE.search(t)):
        return False
    return any(rx.match(t) for rx in r.boiler)


def _repeat_key(t: str) -> str:
    return " ".join(_tokens(t))


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
        if _is_caption(ln.text, r):
            ln.kind = "caption"
        elif _is_credit(ln.text, r):
            ln.kind = "caption"
            if i > 0 and ln.gap == 0:
                prev = lines[i - 1]
                if not prev.kind and len(prev.text) <= r.caption_max and not _is_heading_like(prev.text):
                    prev.kind = "caption"


def _mark_boiler(lines: list[Line], r: TextRules, res: CleanResult | None = None) -> None:
    for ln in lines:
        if ln.kind:
            continue
        if _is_boiler(ln.text, r):
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
        elif len(t) >= r.short_chars and _SENT_PUNCT.search(t):
            s = _weight(t) * r.medium_factor
        elif _URLISH.search(t):
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
        if _is_heading_like(t) and not _is_boiler(t, r) and len(_WORD.findall(t)) >= 2:
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

    if True:  # title / dateline / byline removal runs in every pass (metadata kept from the first)
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
                if tm and _similar(tm.group("title"), title):
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
            if len(t) <= 300 and _similar(t, title):
                ln.kind = "title"
                confirmed = True
            elif len(_tokens(t)) >= 3:
                site = _site_suffix(title, t)
                if site is not None:
                    ln.kind = "title"
                    confirmed = True
                    res.metadata.setdefault("site_name", site)
                    title = t
        if column:
            res.metadata["column"] = column
        res.title = title if (confirmed or _is_heading_like(head) or len(head) <= 200) else None
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


def clean_text(text: str) -> CleanResult:
    """Clean a plain-text article (or a page's visible-text dump). Never raises on str input."""
    r = rules()
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
