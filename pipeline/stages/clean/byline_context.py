"""Where a byline can be in a text dump: the layout around a line that has a byline's shape.

A page's visible text carries menus, link lists and UI lines that have a name's shape too: a menu item
``"Kirchlicher Dienst Ländlicher Raum (KDL)"`` reads as ``<Name> (<AGENCY>)``, ``"- Bremen Airport"``
between ``"- CAE"`` lines as a ``— <Name>`` sign-off, ``"Show Comments"`` after a teaser as a signature.
The signals here are structural, the same in every language and script (no phrase lists):

* a navigation run: the lines around the candidate are short non-sentence lines (menu entries), on both
  sides, or they open with the same list marker (``-``, ``–``, ``•``) as the candidate;
* a sentence fragment: the candidate is a link inside a paragraph (the next line, with no blank line
  between, continues the sentence: it opens in lower case or with punctuation);
* a signature closes the article region: its prose line must be the region's last line.
"""

from __future__ import annotations

import re
from collections import Counter

from pipeline.stages.clean.lines import Line, is_prose
from pipeline.stages.clean.rules import CleanResult, TextRules
from pipeline.stages.clean.script import dense_chars, ends_sentence

NAV_SIDE = 2  # this many menu entries right above a candidate and right below it: a navigation run
_MARKERS = "-–—•·*▪►›»"
_DIGITS = re.compile(r"\d+")
_CONTINUES = ",.;:!?)]}’”%»，。、；：！？）」』„“"


def _menu_entry(ln: Line, r: TextRules, short: bool = False, repeated: frozenset[str] = frozenset()) -> bool:
    """A line a menu is made of: short (a Han / kana / Thai character counts as two: it writes a word or
    half of one), no sentence end, at most one number (``"2019 elections"`` is a menu entry; the date or
    time beside a byline, ``"August 10, 2025"``, ``"06.05. 07:36"``, is not),
    no end mark (``（完）`` closes an article); ``short``: half as long. A line the dump repeats
    (``repeated``: a menu shown twice, in the header and the footer) may be as long as a repeated line."""
    t = ln.text
    width = r.short_chars // 2 if short else r.repeat_max if t in repeated else r.short_chars
    return (ln.kind in ("", "byline") and len(t) + dense_chars(t) <= width and not ends_sentence(t)
            and len(_DIGITS.findall(t)) < 2 and not is_prose(t, r) and not r.end_mark.search(t))


def _marker(t: str) -> str:
    return t[:1] if t[:1] in _MARKERS else ""


def in_navigation(lines: list[Line], i: int, r: TextRules, start: int = 0) -> bool:
    """``lines[i]`` sits in a navigation run or inside a sentence (see the module docstring). Lines
    before ``start`` (the headline and what is above it) count as menu entries only when as short as the
    entries of a menu that opens a dump (half ``short_chars``): a short headline over the byline is not
    one, the title guessed from a menu may be."""
    mark = _marker(lines[i].text)
    if mark:
        for k in (i - 1, i + 1):
            if 0 <= k < len(lines) and _marker(lines[k].text):
                return True
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    if nxt is not None and nxt.gap == 0 and lines[i].gap == 0 and nxt.text[:1] and (
            nxt.text[:1] in _CONTINUES or nxt.text[:1].islower()):
        return True
    around = [*range(i - 1, i - 1 - NAV_SIDE, -1), *range(i + 1, i + 1 + NAV_SIDE)]
    if not all(0 <= k < len(lines) for k in around):
        return False
    if all(_menu_entry(lines[k], r, short=k < start) for k in around):
        return True
    texts = {lines[k].text for k in around}
    counts = Counter(ln.text for ln in lines if ln.text in texts)
    repeated = frozenset(t for t, c in counts.items() if c >= r.repeat_min)
    return bool(repeated) and all(_menu_entry(lines[k], r, short=k < start, repeated=repeated) for k in around)


def signature_outside(lines: list[Line], sig: int, r: TextRules) -> bool:
    """The signature ``lines[sig]`` does not close the article region: the nearest prose line above it
    that was live when the signature was read is now outside the region (a short line the region left
    out between them does not count), or no kept line is above it."""
    for k in range(sig - 1, -1, -1):
        kind = lines[k].kind
        if kind == "":
            return False
        if kind == "outside" and is_prose(lines[k].text, r):
            return True
    return True


def keep_signature_in_region(lines: list[Line], sig: Line | None, r: TextRules, res: CleanResult,
                             before: Snapshot) -> None:
    """After region selection: a signature (or closing byline) that does not close the region is a UI
    line after some other text ("Show Comments" under a teaser): it goes outside with the region, and the
    author / agency it gave are taken back (``before``: :func:`snapshot` taken before it was read)."""
    if sig is None:
        return
    i = next(k for k, x in enumerate(lines) if x is sig)
    if not signature_outside(lines, i, r):
        return
    sig.kind = "outside"
    res.author, res.source_name = before[0], before[1]
    for key, value in zip(("authors", "agency"), before[2:]):
        if value is None:
            res.metadata.pop(key, None)
        else:
            res.metadata[key] = value


Snapshot = tuple[str | None, str | None, object, object]


def snapshot(res: CleanResult) -> Snapshot:
    return res.author, res.source_name, res.metadata.get("authors"), res.metadata.get("agency")
