"""Needles: the literal strings one of which every match of a line pattern contains, read from the
pattern's parse tree (moved out of :mod:`pipeline.stages.clean.rules`, which re-exports them), and the
patterns that use them to skip lines that cannot match (:class:`Needled`, :class:`AnyMatch`,
:class:`TailNeedled`)."""

from __future__ import annotations

import re
from re import _constants as sre_c  # type: ignore[attr-defined]  # a pattern's parse tree: its needles
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any


def _union(patterns: list[str], flags: int) -> re.Pattern[str]:
    """One regex trying each pattern in turn (each keeps its own ^ anchor); never matches when empty."""
    if not patterns:
        return re.compile("(?!)")
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


# ------------------------------------------------------------------------------------- needles
# A line rule's pattern is tried on nearly every line, and most of its alternatives read up to 300
# characters (``^.{2,300}?<credit>``) whatever the line. A literal string that every match contains (a
# needle: "photo", "©") is found by ``str``'s own search far faster: a line with none of a pattern's
# needles cannot match it. The needles are read from the pattern's parse tree: a mandatory element's
# literal run or small set of characters; a group or alternation gives its alternatives' needles.
_REPEATS = (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT)
# Case-insensitive needles are looked for in ``t.lower()``: ``re`` matches a cased character with
# another when their simple lower cases are equal (or in one of ``re``'s few extra case groups:
# ``s ſ``, ``σ ς``, ``в ᲀ`` ...), which ``str.lower`` gives, one character for one, for every character
# but these (tests/stages/test_clean_exact_needles.py recomputes them over every code point): a line
# holding one is always tried.
_ODD = re.compile("[\u00b5\u0130\u0131\u017f\u0345\u0390\u03a3\u03b0\u03c2\u03d0\u03d1\u03d5\u03d6\u03f0"
                  "\u03f1\u03f5\u1c80-\u1c88\u1e9b\u1fbe\u1fd3\u1fe3\ufb05\ufb06]")


def _rarity(s: str) -> float:
    """A rough chance that a line holds ``s`` (to pick each alternative's rarest needles)."""
    return (0.9 if s[0].isalnum() or s[0] in " .,'\"-" else 0.15) * 0.25 ** (len(s) - 1)


def _needles_of_seq(seq: Any) -> list[str] | None:
    """Literal strings one of which every match of the sequence ``seq`` contains (the rarest such set
    among its mandatory elements), None when none is known."""
    best: list[str] | None = None
    best_cost = float("inf")
    i, n = 0, len(seq)
    while i < n:
        if seq[i][0] is sre_c.LITERAL:
            j = i
            while j < n and seq[j][0] is sre_c.LITERAL:
                j += 1
            cand: list[str] | None = ["".join(chr(av) for _, av in seq[i:j])]
            i = j
        else:
            cand = _needles_of_item(seq[i])
            i += 1
        if cand is not None:
            cost = sum(_rarity(s) for s in cand)
            if cost < best_cost:
                best, best_cost = cand, cost
    return best


def _needles_of_item(item: Any) -> list[str] | None:
    op, av = item
    if op is sre_c.BRANCH:
        out: list[str] = []
        for alt in av[1]:
            found = _needles_of_seq(alt)
            if found is None:
                return None
            out.extend(found)
        return out
    if op is sre_c.SUBPATTERN:
        _, add_flags, del_flags, sub = av
        return None if add_flags or del_flags else _needles_of_seq(sub)
    if op in _REPEATS:
        return _needles_of_seq(av[2]) if av[0] >= 1 else None
    if op is sre_c.IN and all(o is sre_c.LITERAL for o, _ in av):
        return [chr(c) for _, c in av]
    return None


def _refers_back(seq: Any) -> bool:
    """A backreference or conditional anywhere (a needle cut out of its pattern could not keep it)."""
    for op, av in seq:
        if op in (sre_c.GROUPREF, sre_c.GROUPREF_EXISTS):
            return True
        subs = (av[1] if op is sre_c.BRANCH else [av[-1]] if op is sre_c.SUBPATTERN else [av[2]] if op in _REPEATS
                else [av[1]] if op in (sre_c.ASSERT, sre_c.ASSERT_NOT) else [av] if op is sre_c.ATOMIC_GROUP else [])
        if any(_refers_back(s) for s in subs):
            return True
    return False


def needles(pattern: str, flags: int = 0) -> tuple[tuple[str, ...], bool] | None:
    """The needles of ``re.compile(pattern, flags)`` and whether they are looked for case-folded (in
    ``t.lower()``); None when the pattern has none, or reads in a way the needles cannot follow."""
    try:
        parsed = sre_parse.parse(pattern, flags)
    except re.error:
        return None
    all_flags = flags | parsed.state.flags
    if all_flags & (re.LOCALE | re.ASCII) or _refers_back(parsed.data):
        return None
    found = _needles_of_seq(parsed.data)
    if not found:
        return None
    folded = bool(all_flags & re.IGNORECASE)
    if folded:
        if any(_ODD.search(s) for s in found):
            return None
        found = [s.lower() for s in found]
    kept: list[str] = []
    for s in sorted(set(found), key=lambda s: (len(s), s)):  # one that holds a shorter one adds nothing
        if not any(k in s for k in kept):
            kept.append(s)
    return tuple(kept), folded


class Needled:
    """A compiled pattern whose ``match`` / ``search`` answer None at once for a line without any of its
    needles (the same answers as the pattern's own)."""

    __slots__ = ("rx", "needles", "folded")

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx
        found = needles(rx.pattern, rx.flags)
        self.needles, self.folded = found if found else ((), False)

    def may_match(self, t: str) -> bool:
        """False only when ``t`` holds none of the needles (so the pattern cannot match anywhere in it)."""
        if not self.needles:
            return True
        if self.folded:
            if not t.isascii() and _ODD.search(t):
                return True
            t = t.lower()
        for s in self.needles:  # (a loop: ``any`` of a generator costs a frame per needle)
            if s in t:
                return True
        return False

    def match(self, t: str) -> re.Match[str] | None:
        return self.rx.match(t) if self.may_match(t) else None

    def search(self, t: str) -> re.Match[str] | None:
        return self.rx.search(t) if self.may_match(t) else None


def _scans(parsed: Any) -> bool:
    """The pattern does not open with ``^`` and a fixed start: it reads into the line before it can fail."""
    data = parsed.data
    if not data or data[0] != (sre_c.AT, sre_c.AT_BEGINNING):
        return True
    if len(data) < 2:
        return False
    op, av = data[1]
    if op not in _REPEATS or av[1] <= 1 or len(av[2]) != 1:
        return False
    body_op, body = av[2][0]
    return body_op is sre_c.ANY or (body_op is sre_c.IN and any(o in (sre_c.NEGATE, sre_c.CATEGORY) for o, _ in body))


class AnyMatch:
    """``_union(patterns, flags).match(t) is not None`` (some pattern matches at the start of ``t``), with
    the patterns that read into the line (``^.{2,300}?...``) tried only when ``t`` holds a needle of theirs."""

    def __init__(self, patterns: list[str], flags: int) -> None:  # (``_union`` of them compiled: each parses)
        fixed: list[str] = []
        scanning: list[str] = []
        parsed = [sre_parse.parse(p, flags) for p in patterns]
        back = any(_refers_back(tree.data) for tree in parsed)  # numbered groups would shift apart
        for p, tree in zip(patterns, parsed):
            (scanning if not back and _scans(tree) and needles(p, flags) is not None else fixed).append(p)
        self.fixed = _union(fixed, flags)
        self.scanning = Needled(_union(scanning, flags))

    def matches(self, t: str) -> bool:
        return self.fixed.match(t) is not None or self.scanning.match(t) is not None



_SPACE = [(sre_c.IN, [(sre_c.CATEGORY, sre_c.CATEGORY_SPACE)])]  # ``\\s``


def _cap_space_runs(seq: Any) -> None:
    """Every repeat of ``\\s`` alone in ``seq`` (a parse tree, changed in place) at most once, and every
    cached width forgotten: in a line whose white space runs are single characters such a repeat never
    consumes more."""
    seq.width = None
    for k, (op, av) in enumerate(seq.data):
        if op in _REPEATS:
            lo, hi, body = av
            if body.data == _SPACE:
                seq.data[k] = (op, (lo, max(lo, 1), body))
            subs = [body]
        else:
            subs = (av[1] if op is sre_c.BRANCH else [av[-1]] if op is sre_c.SUBPATTERN else
                    [av[1]] if op in (sre_c.ASSERT, sre_c.ASSERT_NOT) else [av] if op is sre_c.ATOMIC_GROUP else [])
        for sub in subs:
            _cap_space_runs(sub)


def spaced_width(pattern: str, flags: int) -> int | None:
    """The most characters a match of ``pattern`` consumes in a line whose only white space is single
    ASCII spaces (lookarounds consume none); None when that is unbounded or unknown (a backreference or
    conditional, whose widths the parser keeps elsewhere)."""
    try:
        parsed = sre_parse.parse(pattern, flags)
    except re.error:
        return None
    if _refers_back(parsed.data):
        return None
    _cap_space_runs(parsed)
    hi = parsed.getwidth()[1]
    return hi if hi < sre_parse.MAXWIDTH else None


class TailNeedled(Needled):
    """:class:`Needled` for a pattern ``(?:^|(?<=…))(?:<marks>)\\s*$`` (``closing``: ``(?:<marks>)`` with
    the pattern's flags) whose ``search`` answers as the pattern's own, reading a line only from its end.
    A match ends at the line's end (or before a final newline) and only white space follows its
    ``<marks>`` (``\\s`` is ``str.isspace``, what ``rstrip`` strips): so ``<marks>`` ends at or after
    ``len(t.rstrip())``. In a printable line without two spaces in a row (its white space is single ASCII
    spaces: ``str.isprintable`` is false for any other) a repeat of ``\\s`` consumes at most one
    character, so ``<marks>`` consumes at most ``width`` characters (:func:`spaced_width`) and
    starts at or after ``len(t.rstrip()) - width``. No match starts earlier: the leftmost found from there
    is the pattern's leftmost, and the same match (the same pattern on the same string: lookbehinds see
    the characters before ``pos``, ``^`` matches only at the string's real start). Other lines, and
    unbounded marks: the needles."""

    __slots__ = ("width",)

    def __init__(self, rx: re.Pattern[str], closing: str, flags: int) -> None:
        super().__init__(rx)
        self.width = spaced_width(closing, flags)

    def search(self, t: str) -> re.Match[str] | None:
        w = self.width
        if w is None or "  " in t or not t.isprintable():
            return self.rx.search(t) if self.may_match(t) else None
        pos = len(t.rstrip()) - w
        return self.rx.search(t, pos if pos > 0 else 0)
