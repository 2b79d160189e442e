"""An orphan heading at the end of the body, by shape and position, no phrase list.

A box below the article ("More topics:", "Read also", "Zum Newsletter anmelden", "Schon gelesen?") is a
short heading over a list of links or a form. The extractor drops the list (link-heavy) and keeps the
heading, which then closes the body and introduces nothing. A last line is such an orphan when:

- it is short (``ORPHAN_MAX_WORDS`` words, dense scripts counted by character) and ends with a colon or a
  question mark (a heading introduces what follows or asks a teaser question), or has no sentence end
  and sits in a box of its own (its element shares no parent with the line before: a sign-off such as
  "Euer Hans" under the last paragraph stays);
- prose comes before it (at least ``MIN_PROSE_LINES`` lines that end a sentence): it is not the text.

Up to ``MAX_ORPHANS`` such lines are cut from the end, counted in ``metadata["cuts"]`` like the other
closing cuts.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.stages.clean.blocks import TextBlocks
from pipeline.stages.clean.script import SENT_END, word_count

ORPHAN_MAX_WORDS = 8
MIN_PROSE_LINES = 2
MAX_ORPHANS = 2
_CLOSES = re.compile(r"[:：?？]\s*$")


def is_orphan_heading(t: str) -> bool:
    """Short, and no sentence end other than a colon or a question mark."""
    t = t.strip()
    if not t or word_count(t) > ORPHAN_MAX_WORDS:
        return False
    return bool(_CLOSES.search(t)) or not SENT_END.search(t)


def _apart(line: str, prev: str, blocks: TextBlocks) -> bool:
    """The line's element does not share its parent with the line before it: a box of its own."""
    el, pe = blocks.find(line), blocks.find(prev)
    if el is None or pe is None or el.getparent() is None:
        return False
    parent = el.getparent()
    return pe is not parent and not any(a is parent for a in pe.iterancestors())


def cut_orphans(kept: list[str], tree: Any, cuts: list[dict[str, object]],
                blocks: TextBlocks | None = None) -> list[str]:
    """``kept`` without the orphan headings that close it (a colon or question mark closes a heading;
    a bare short line only in a box of its own), the cut counted in ``cuts``. ``blocks``: the tree's
    :class:`TextBlocks` when the caller shares them with other passes."""
    n = len(kept)
    while n > 1 and len(kept) - n < MAX_ORPHANS and is_orphan_heading(kept[n - 1]):
        line = kept[n - 1]
        if not _CLOSES.search(line):
            blocks = blocks or TextBlocks(tree)
            if not _apart(line, kept[n - 2], blocks):
                break
        n -= 1
    if n == len(kept) or sum(1 for t in kept[:n] if SENT_END.search(t)) < MIN_PROSE_LINES:
        return kept
    gone = kept[n:]
    cuts.append({"at": gone[0], "lines": len(gone), "chars": sum(len(t) for t in gone)})
    return kept[:n]


_ITEM_SEPARATORS = ",;|·、，"
_ITEM_SPLIT = re.compile(rf"\s*[{_ITEM_SEPARATORS}]\s*")
KEYWORD_LINE_MIN_ITEMS = 3  # a line of the page's keywords: at least this many items ...
KEYWORD_LINE_SHARE = 0.6  # ... of which this share are keywords the page declares (meta keywords, article:tag)
KEYWORD_LABEL_MAX_WORDS = 3  # a short line right above it, with no sentence end, is its label: cut with it


_WORDS = re.compile(r"\w+")


def _key(s: str) -> str:
    return " ".join(_WORDS.findall(s.casefold()))


_Needles = tuple[frozenset[str], tuple[tuple[str, ...], ...]]


def _keyword_line(line: str, declared: set[str], needles: _Needles | None = None) -> bool:
    """At least ``KEYWORD_LINE_MIN_ITEMS`` items (the words of the parts between separators), of which at least
    ``KEYWORD_LINE_SHARE`` are ``declared``. Each match of ``_ITEM_SPLIT`` holds one separator: a line with too
    few is not split; and the items are read only while the share can still be reached (a prose paragraph's
    first few clauses answer): the rest can add at most one minus the share each.

    ``needles``: :func:`_needles` of ``declared``. A line is split only when a declared key could be one of
    its items: a part's key is the words (``\w`` runs) of the part casefolded, and ``casefold`` maps each
    character alone, leaving white space and the separators as they are, so the part casefolded is a piece
    of the line casefolded with no word character on either side: its words are words of the line casefolded.
    A line without every word of some declared key (looked for first by the longest word of each key, as a
    substring) has no declared item, and fewer than the share."""
    if sum(map(line.count, _ITEM_SEPARATORS)) + 1 < KEYWORD_LINE_MIN_ITEMS:  # the parts it splits into
        return False
    if needles is not None:
        folded = line.casefold()
        if not any(w in folded for w in needles[0]):
            return False
        words = set(_WORDS.findall(folded))
        if not any(words.issuperset(k) for k in needles[1]):
            return False
    parts = _ITEM_SPLIT.split(line)
    items: list[str] = []
    hits = 0
    for i, rest in enumerate(reversed(range(len(parts)))):  # rest: the parts after this one
        k = _key(parts[i])
        if k:
            items.append(k)
            hits += k in declared
        if hits - KEYWORD_LINE_SHARE * len(items) + (1 - KEYWORD_LINE_SHARE) * rest < -1e-6:
            return False  # by a margin no rounding reaches: even all the rest declared would not do
    return len(items) >= KEYWORD_LINE_MIN_ITEMS and hits >= KEYWORD_LINE_SHARE * len(items)


def _needles(declared: set[str]) -> _Needles:
    """(the longest word of each declared key, each key's words): a key is words joined by single spaces."""
    words = tuple(tuple(k.split(" ")) for k in declared)
    return frozenset(max(w, key=len) for w in words), words


def cut_keyword_lines(kept: list[str], keywords: list[str] | None, cuts: list[dict[str, object]]) -> list[str]:
    """``kept`` without the lines that list the page's own keywords (a tag box: "stock car brasil, stock car
    interlagos, ..."), recognised by the page's declared keywords, not by a label; each cut counted."""
    declared = {k for k in map(_key, keywords or []) if k}
    if len(declared) < KEYWORD_LINE_MIN_ITEMS:
        return kept
    needles = _needles(declared)
    out: list[str] = []
    for line in kept:
        if _keyword_line(line, declared, needles):
            gone = [line]
            if out and word_count(out[-1]) <= KEYWORD_LABEL_MAX_WORDS and is_orphan_heading(out[-1]):
                gone.insert(0, out.pop())  # its label ("Tags", "Schlagworte", "标签")
            cuts.append({"at": gone[0], "lines": len(gone), "chars": sum(len(t) for t in gone)})
            continue
        out.append(line)
    return out
