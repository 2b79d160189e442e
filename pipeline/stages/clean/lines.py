"""Lines of a text dump: normalisation, splitting, inline-fragment joining, prose and weight measures."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipeline.stages.clean.rules import TextRules, is_heading_like
from pipeline.stages.clean.script import (
    CJK,
    LINE_MEMO_MAX_CHARS,
    SENT_PUNCT,
    THAI,
    URLISH,
    ends_sentence,
    is_dense,
    line_memo,
    word_count,
)


@dataclass
class Line:
    text: str  # whitespace-collapsed
    raw: str  # as in the input (for inline-fragment joining)
    gap: int  # blank lines before it
    kind: str = ""  # why it was removed ("" = kept)


_SPACES = re.compile(r"\s+")


def norm_space(s: str) -> str:
    """Whitespace runs as one space, none at the ends. A printable string's only whitespace is the ASCII
    space (``str.isprintable`` is false for every other ``\\s`` character), so without a double space
    there is nothing to collapse: most lines skip the regex."""
    if s.isprintable() and "  " not in s:
        return s.strip()
    return _SPACES.sub(" ", s).strip()


# zero-width spaces, soft hyphens and bidi controls (right-to-left pages carry many) hold no text; the
# zero-width (non-)joiners stay: Persian and the Indic scripts spell words with them (می‌توانند)
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def normalize_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    if "\r" in text:  # (one scan for the two replacements' none)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _INVISIBLE.sub("", text)


def split_lines(text: str) -> list[Line]:
    out: list[Line] = []
    gap = 0
    for raw in normalize_text(text).split("\n"):
        # ``norm_space(raw)``, inline (most raw lines of a dump are empty; ``\s`` is ``str.isspace``)
        if not raw:
            gap += 1
            continue
        if raw.isprintable() and "  " not in raw:
            t = raw.strip()
        elif raw.isspace():
            gap += 1
            continue
        else:
            t = _SPACES.sub(" ", raw).strip()
        if not t:
            gap += 1
            continue
        out.append(Line(t, raw, gap))
        gap = 0
    return out


_JOIN_NEXT_START = re.compile(r"^[,.;:!?)\]}’”%»，。、；：！？）」』]")
_JOIN_PREV_END = re.compile(r"[(\[{“‘«\-–—/（「『]$")


def join_fragments(lines: list[Line], *, owned: bool = False) -> list[Line]:
    """Re-join inline fragments of one paragraph that a markup dump put on separate lines (new lines;
    ``owned``: the caller gives up ``lines``, fresh from :func:`split_lines`, and they are reused)."""
    out: list[Line] = []
    for ln in lines:
        if out and ln.gap == 0:
            prev = out[-1]
            spaced = prev.raw[-1:].isspace() or ln.raw[:1].isspace()
            opens = _JOIN_NEXT_START.match(ln.text)
            if (
                opens
                or _JOIN_PREV_END.search(prev.text[-2:])  # (``...$``: the last character, or the one before a final newline)
                or (spaced and not (ends_sentence(prev.text) and ln.text[:1].isupper()) and not is_heading_like(prev.text))
                or (spaced and ln.text[:1].islower())
            ):
                glue = opens or prev.text.endswith(("(", "[", "“", "‘", "/", "（", "「"))
                sep = "" if glue or (is_dense(prev.text[-1:]) and is_dense(ln.text[:1])) else " "
                prev.text = prev.text + sep + ln.text
                prev.raw = prev.raw.rstrip("\n") + (" " if sep else "") + ln.raw
                continue
        out.append(ln if owned else Line(ln.text, ln.raw, ln.gap))
    return out


# ``len(WORD.findall(t)) >= 10`` without listing every word: ten maximal ``\w+`` runs (possessive: no backtracking)
_TEN_WORDS = re.compile(r"\W*+\w++(?:\W++\w++){9}")
_CJK_THAI = re.compile(f"{CJK.pattern[:-1]}{THAI.pattern[1:-1]}]")


def _is_prose(t: str, r: TextRules) -> bool:
    """A sentence-like line: long enough (in characters for scripts without spaces) with punctuation."""
    # CJK and THAI share no character: one scan counts both (none in an ASCII line)
    if (0 if t.isascii() else len(_CJK_THAI.findall(t))) * 3 >= len(t):  # Hangul too: short words
        if len(t) < r.prose_min_dense:
            return False
        return bool(SENT_PUNCT.search(t)) or (bool(THAI.search(t)) and " " in t)
    return len(t) >= r.prose_min and bool(SENT_PUNCT.search(t)) and _TEN_WORDS.match(t) is not None


_remembered_prose = line_memo(_is_prose).remembered  # type: ignore[attr-defined]


def is_prose(t: str, r: TextRules) -> bool:
    """``_is_prose(t, r)``, remembered as :func:`script.line_memo` remembers; a line shorter than both
    prose minimums (``r.prose_floor``: 70 % of a dump's lines) is answered False without the cache (either
    branch of ``_is_prose`` refuses it)."""
    n = len(t)
    if n < r.prose_floor:
        return False
    return _remembered_prose(t, r) if n <= LINE_MEMO_MAX_CHARS else _is_prose(t, r)


is_prose.__wrapped__ = _is_prose  # type: ignore[attr-defined]
is_prose.remembered = _remembered_prose  # type: ignore[attr-defined]


def weight(t: str) -> float:
    return word_count(t)


def link_like(t: str, r: TextRules) -> bool:
    """A line of a link list: short, no sentence end (or a bare URL)."""
    return bool(URLISH.search(t)) and len(t) <= r.repeat_max or (
        len(t) <= r.repeat_max and not ends_sentence(t) and not is_prose(t, r))
