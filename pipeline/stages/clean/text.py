"""Text-mode cleaning: a plain-text dump of an article page -> title, body, captions, byline metadata.

Works on lines, with general features only (rules: ``config/cleaning/common.yaml`` + the pack of the
text's language, see :mod:`pipeline.stages.clean.packs`):

1. inline fragments are re-joined (a dump of ``a <a>link</a> b`` has the link on its own line);
2. the title is the first line; a later near-copy of it (or a dateline line ending ``title: ...``)
   is removed;
3. bylines, datelines with agencies, a trailing signature and end marks move to metadata
   (:mod:`pipeline.stages.clean.heads`, shared with HTML mode);
4. caption lines (caption patterns, photo credits and the line they credit, repeated alt-text lines and
   the line right after each), related-links blocks, share/subscribe/cookie/navigation/footer lines are
   removed; a related / comments heading cuts the rest only near the end and when a run of link-like
   lines follows it (each cut is counted in ``metadata["cuts"]``);
5. in a long dump, the main article region is the run of lines that maximises prose minus link-like short
   lines (a maximum-sum segment, like Finn et al.'s Body Text Extraction on lines).

``clean_text`` is idempotent on its own body: the line rules are applied until nothing changes.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter

from pipeline.stages.clean.alt_text import mark_repeats
from pipeline.stages.clean.byline_context import keep_signature_in_region, snapshot
from pipeline.stages.clean.captions_by_form import load_lexicon
from pipeline.stages.clean.heads import (
    cut_after,
    link_run_after,
    looks_like_title,
    mark_bylines,
    mark_end,
    mark_head,
    mark_signature,
    match_dateline,
    strip_column,
)
from pipeline.stages.clean.lines import Line, is_prose, join_fragments, split_lines
from pipeline.stages.clean.packs import RulePacks, load_packs
from pipeline.stages.clean.repetition import SourceStats, mark_learned
from pipeline.stages.clean.rules import (
    CleaningRules,
    CleanResult,
    TextRules,
    is_boiler,
    is_caption,
    is_credit,
    is_heading_like,
)
from pipeline.stages.clean.script import SENT_PUNCT, URLISH, WORD, line_memo, word_count
from pipeline.stages.clean.structure import (
    mark_blocks,
    mark_caption_forms,
    mark_end_of_article,
    mark_line_repeats,
    paragraph_above_credit,
)

Cuts = list[dict[str, object]]


# --------------------------------------------------------------------------------------- passes
CREDIT, CAPTION, BOILER = 1, 2, 4
_credit, _caption, _boiler = (f.__wrapped__ for f in (is_credit, is_caption, is_boiler))  # type: ignore[attr-defined]


@line_memo
def _pattern_verdict(t: str, r: TextRules) -> int:
    """What the pack's line patterns say of ``t``, in one remembered answer (one cache look-up a line
    instead of three): ``CREDIT`` (:func:`is_credit`), else ``CAPTION`` (:func:`is_caption`, asked only
    when it is no credit, as :func:`_mark_captions` asks), and ``BOILER`` (:func:`is_boiler`)."""
    v = CREDIT if _credit(t, r) else CAPTION if _caption(t, r) else 0
    return v | BOILER if _boiler(t, r) else v


def _mark_captions(lines: list[Line], r: TextRules) -> list[int]:
    """Caption and credit lines (and the caption a credit is under); each line's :func:`_pattern_verdict`
    (0 for a line already removed), for :func:`_mark_boiler`: no rule between them changes a line's text,
    and a removed line is never kept again."""
    verdicts = [0] * len(lines)
    for i, ln in enumerate(lines):
        if ln.kind:
            continue
        v = verdicts[i] = _pattern_verdict(ln.text, r)
        if v & (CREDIT | CAPTION):
            ln.kind = "caption"
            # a credit line ("Photo: <credit>") under its caption, same block: the line above is the caption
            if v & CREDIT and i > 0 and ln.gap == 0:
                prev = lines[i - 1]
                if (not prev.kind and len(prev.text) <= r.caption_max and not is_heading_like(prev.text)
                        and not paragraph_above_credit(lines, i, r)):
                    prev.kind = "caption"
    return verdicts


def _mark_boiler(lines: list[Line], verdicts: list[int]) -> None:
    """Boilerplate lines among those still kept (each was kept, with its text, when :func:`_mark_captions`
    read its verdict)."""
    for ln, v in zip(lines, verdicts):
        if v & BOILER and not ln.kind:
            ln.kind = "boiler"


def _mark_dates(lines: list[Line], r: TextRules, res: CleanResult) -> None:
    """Date-only lines (``March 21, 2021``, ``2021-03-21 08:30``) left in the article: removed; the first
    one (also above the article region, where the page header puts it) is kept as metadata["date_text"]."""
    for ln in lines:
        if ln.kind in ("", "outside") and len(ln.text) <= 60 and r.date_only.match(ln.text):
            ln.kind = ln.kind or "date"
            res.metadata.setdefault("date_text", ln.text)


def _mark_related(lines: list[Line], r: TextRules, cuts: Cuts) -> None:
    """A related heading drops the run of non-prose lines after it; near the end, followed by a run of
    link-like lines, it cuts the rest (counted). Elsewhere a heading of an article stays."""
    total = sum(map(len, [ln.text for ln in lines])) or 1
    pos = 0
    for i, ln in enumerate(lines):
        if not ln.kind and len(ln.text) <= 60 and r.related.match(ln.text):
            if not link_run_after(lines, i, r) and i + 1 < len(lines) and is_prose(lines[i + 1].text, r):
                pos += len(ln.text)
                continue  # a sub-heading of the article that happens to read "Latest", "Other", ...
            if pos / total >= r.related_tail:
                cut_after(lines, i, "related", cuts)
                return
            ln.kind = "related"
            for nxt in lines[i + 1:]:
                if is_prose(nxt.text, r):
                    break
                nxt.kind = nxt.kind or "related"
        pos += len(ln.text)


def _select_region(lines: list[Line], r: TextRules, cuts: Cuts) -> None:
    """Keep the maximum-sum run of lines: prose counts its words, short link-like lines and wide
    layout gaps (many blank lines / removed lines in between) cost; an end marker (comments, related,
    most-read heading) after the start of the article ends it."""
    live = [i for i, ln in enumerate(lines) if not ln.kind]
    if len(live) < 3:
        return
    scores: list[float] = []
    prose_weight: list[float | None] = []  # per live line: its weight if prose (no text changes in here)
    prev = -1
    floor, short_chars, medium, url_cost, short_cost = (r.prose_floor, r.short_chars, r.medium_factor, r.url_penalty,
                                                        r.short_penalty)
    gap_penalty, gap_free, gap_cap = r.gap_penalty, r.gap_free, r.gap_cap
    plain_gaps = gap_cap >= 0 and math.isfinite(gap_penalty)  # (then a gap within ``gap_free`` costs a zero)
    for i in live:
        ln = lines[i]
        t = ln.text
        pw: float | None = None
        if len(t) >= floor and is_prose(t, r):  # (shorter than ``floor``: never prose)
            s = pw = word_count(t)  # (``weight``)
        elif len(t) >= short_chars and SENT_PUNCT.search(t):
            s = word_count(t) * medium
        elif URLISH.search(t):
            s = -url_cost
        else:
            s = -short_cost
        prose_weight.append(pw)
        # distance from the previous kept line: blank lines plus lines removed by other rules (a caption
        # is part of the article, not a layout boundary: only the blank lines around it count)
        if prev < 0:
            dist = 0
        elif prev + 1 == i:  # the next line: nothing in between
            dist = ln.gap
        else:
            dist = sum(lines[k].gap + (lines[k].kind != "caption") for k in range(prev + 1, i)) + ln.gap
        if dist > gap_free or not plain_gaps:  # (else ``max(dist - gap_free, 0)`` is 0: a zero taken off)
            s -= gap_penalty * min(max(dist - gap_free, 0), gap_cap)
        scores.append(s)
        prev = i
    _region_from_scores(lines, live, scores, prose_weight, r, cuts)


def _region_from_scores(lines: list[Line], live: list[int], scores: list[float], prose_weight: list[float | None],
                        r: TextRules, cuts: Cuts) -> None:
    """:func:`_select_region` from the live lines' scores (and weights, for prose): the maximum-sum run,
    a heading right before it, an end marker inside it; the lines outside it marked."""
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
    # a short heading-like line right before the region is its first sub-heading / lead-in (right before:
    # no line removed by another rule lies between them, so a menu item above the headline never is)
    if best_lo > 0:
        t = lines[live[best_lo - 1]].text
        adjacent = live[best_lo] - live[best_lo - 1] == 1
        if adjacent and is_heading_like(t) and not is_boiler(t, r) and len(WORD.findall(t)) >= 2:
            best_lo -= 1
    # end markers inside the region, once some article text has been seen
    words = 0.0
    for j in range(best_lo, best_hi + 1):
        t = lines[live[j]].text
        if (words >= r.end_marker_after_words and len(t) <= 60 and (r.related.match(t) or r.end_marker.match(t))
                and link_run_after(lines, live[j], r)):
            gone = [lines[live[k]] for k in range(j, best_hi + 1)]
            cuts.append({"at": t, "lines": len(gone), "chars": sum(len(g.text) for g in gone)})
            best_hi = j - 1
            break
        pw = prose_weight[j]
        if pw is not None:
            words += pw
    for j, i in enumerate(live):
        if j < best_lo or j > best_hi:
            lines[i].kind = "outside"


MENU_RUN = 3  # this many short lines in a row, no blank line between them, are a menu


def _title_index(lines: list[Line], r: TextRules) -> int:
    """The title is the first line, unless the dump opens with navigation: boilerplate lines and runs of
    short menu lines (``首页 / 国际 / 财经``, ``Trang chủ / Thế giới``) are skipped."""
    i, n = 0, min(len(lines), 60)
    while i < n:
        t = lines[i].text
        if is_boiler(t, r):
            i += 1
            continue
        run = i
        while run < n and len(lines[run].text) <= r.short_chars // 2 and (run == i or lines[run].gap == 0):
            run += 1
        if run - i >= MENU_RUN:
            i = run
            continue
        return i
    return 0


def _headline_follows(lines: list[Line], h: int, r: TextRules) -> bool:
    """A headline is followed by its date, dateline or byline lines (a body's sub-heading never is:
    those lines are gone from a cleaned body, so re-cleaning a body keeps its first heading)."""
    for ln in lines[h + 1: h + 4]:
        if ln.kind in ("dateline", "byline") or (not ln.kind and r.date_only.match(ln.text)) or is_boiler(ln.text, r):
            return True
        if match_dateline(ln.text, r):
            return True
    return False


def _one_pass(lines: list[Line], r: TextRules, res: CleanResult, cuts: Cuts, signals: Counter, *, first: bool,
              stats: SourceStats | None = None) -> list[str]:
    """The line rules over ``lines`` (those of the text, or of the body of the previous pass): the kept texts."""
    if not lines:
        return []
    # title / dateline / byline removal runs in every pass (metadata kept from the first)
    h = _title_index(lines, r)
    head = lines[h].text
    stripped, column = strip_column(head, r)
    title, confirmed = mark_head(lines, r, res, stripped, h + 1)
    if column:
        res.metadata["column"] = column
    res.title = title if (confirmed or looks_like_title(head)) else None
    mark_bylines(lines, r, res, h + 1, dump=True)
    if confirmed or (res.title and is_heading_like(head) and _headline_follows(lines, h, r)):
        lines[h].kind = "title"  # the headline is the title, not the first line of the body

    _mark_related(lines, r, cuts)
    captions: list[str] = []
    mark_repeats(lines, r, captions)
    verdicts = _mark_captions(lines, r)
    signals["caption_pack"] += [ln.kind for ln in lines].count("caption")
    mark_caption_forms(lines, load_lexicon(), r, signals)
    mark_line_repeats(lines, r, signals)
    mark_learned(lines, stats, r, signals)
    _mark_boiler(lines, verdicts)
    mark_end(lines, r, cuts, res)
    mark_end_of_article(lines, r, signals, res.metadata)
    mark_blocks(lines, r, signals)
    before = snapshot(res)
    sig = mark_signature(lines, r, res)
    _select_region(lines, r, cuts)
    keep_signature_in_region(lines, sig, r, res, before)
    _mark_dates(lines, r, res)

    kept = [ln for ln in lines if not ln.kind]
    for ln in lines:
        if ln.kind == "caption" and ln.text not in captions:
            captions.append(ln.text)
    if first:
        res.captions.extend(c for c in captions if c not in res.captions)
        removed: dict[str, int] = {}
        for ln in lines:
            if ln.kind:
                removed[ln.kind] = removed.get(ln.kind, 0) + 1
        res.metadata["removed_lines"] = removed
    return [ln.text for ln in kept]


def _body_lines(kept: list[str], body: str) -> list[Line]:
    """``join_fragments(split_lines(body))`` of a body ``"\\n\\n".join(kept)``, without re-reading it. A kept
    text is non-empty, stripped, its only whitespace single ASCII spaces (``norm_space``; the texts that
    rules shorten are stripped again), and free of ``\\r`` and invisible characters (``normalize_text``): so
    each is one line, as it is, a blank line before every line but the first (which ``join_fragments``
    never joins), when the body is NFC. Joining two NFC texts may not be NFC (a combining mark opening
    the second): such a body is read again the long way."""
    if not unicodedata.is_normalized("NFC", body):
        return join_fragments(split_lines(body), owned=True)
    return [Line(t, t, 1 if i else 0) for i, t in enumerate(kept)]


def resolve_rules(text: str, rules: CleaningRules | RulePacks | None) -> CleaningRules:
    """Fixed rules as given; with packs (the default ones when None), the pack of ``text``'s language."""
    if isinstance(rules, CleaningRules):
        return rules
    return (rules or load_packs()).for_text(text)


def record_cuts(res: CleanResult, cuts: Cuts) -> None:
    if cuts:
        res.metadata["cuts"] = cuts
        res.metadata["cut_chars"] = sum(int(c["chars"]) for c in cuts)  # type: ignore[call-overload]


def clean_text(text: str, rules: CleaningRules | RulePacks | None = None,
               stats: SourceStats | None = None, learn: SourceStats | None = None) -> CleanResult:
    """Clean a plain-text article (or a page's visible-text dump). Never raises on str input.

    ``rules``: one language's compiled rules, or the packs to pick from by the text's language
    (default: the packs of ``config/cleaning/``). ``stats``: the learned line statistics of the
    document's source (:mod:`pipeline.stages.clean.repetition`), if any. ``learn``: statistics the
    text is added to (``learn.add(text)``) once it is cleaned, from the lines read here."""
    res = CleanResult()
    if not isinstance(text, str) or not text.strip():
        if learn is not None and isinstance(text, str):
            learn.add(text)
        return res
    rules = resolve_rules(text, rules)
    r = rules.text
    res.metadata["rules_language"] = rules.language
    cuts: Cuts = []
    signals: Counter = Counter()
    lines = split_lines(text)
    texts = [ln.text for ln in lines] if learn is not None else None  # before join_fragments changes them
    kept = _one_pass(join_fragments(lines, owned=True), r, res, cuts, signals, first=True, stats=stats)
    body = "\n\n".join(kept)
    for _ in range(r.max_passes):
        kept = _one_pass(_body_lines(kept, body), r, CleanResult(), cuts, signals, first=False, stats=stats)
        nxt = "\n\n".join(kept)
        if nxt == body:
            break
        body = nxt
    res.body = body
    record_cuts(res, cuts)
    if +signals:
        res.metadata["signals"] = dict(+signals)
    _published_from_text(res, rules.language)
    if texts is not None and learn is not None:
        learn.add_lines(texts)
    return res


def _published_from_text(res: CleanResult, language: str) -> None:
    """A dump has no markup: its date line (or the dateline's date) in the local form gives the date."""
    from pipeline.stages.clean.dates import parse_local_date

    for text in (res.metadata.get("date_text"), res.dateline):
        iso = parse_local_date(text, None if language == "common" else language) if text else None
        if iso:
            res.published_at = iso
            res.metadata["published_at_source"] = "text"
            return
