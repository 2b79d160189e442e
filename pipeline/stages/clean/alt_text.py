"""Repeated lines of a text dump: image alt-text repeated before its caption, and other lines a page repeats.

Text mode's repetition signal within one document (``pipeline.stages.clean.text`` runs it in every pass);
no phrase list: a short non-prose line seen ``repeat_min`` times is page furniture, and when two or more of
its copies stand right above a short line that does not end a sentence, it is alt-text and those lines are
its captions. What a source repeats across documents is ``pipeline.stages.clean.repetition``."""

from __future__ import annotations

import re

from pipeline.stages.clean.lines import Line, is_prose
from pipeline.stages.clean.rules import TextRules
from pipeline.stages.clean.script import _ASCII_WORDS_LOWER, line_memo, tokens

__all__ = ["CLOSED", "mark_repeats", "more_word_chars", "repeat_key"]


@line_memo
def repeat_key(t: str) -> str:
    """``" ".join(tokens(t))``; an ASCII line's read as ``tokens`` reads it (its non-word bytes become spaces,
    the only white space left), as bytes, without a tuple or ``tokens``' own memo."""
    if t.isascii():
        return b" ".join(t.encode("ascii").translate(_ASCII_WORDS_LOWER).split()).decode("ascii")
    return " ".join(tokens(t))


_MORE_WORD_CHARS: dict[int, re.Pattern[str]] = {}
_ASCII_NON_WORD = bytes(c for c in range(128) if not re.fullmatch(r"\w", chr(c)))  # (the rest: [0-9A-Za-z_])


def more_word_chars(t: str, n: int) -> bool:
    """``t`` holds more than ``n`` word characters (``\\w``), read only as far as the ``n + 1``-th, so its
    repeat key is longer than ``n``: each token of the key is a ``\\w`` run of ``t``, of its lower case, or
    a bigram of a run (``script.tokens``), and neither lowering (every ``\\w`` character lowers to at least
    one, checked over every code point by the test) nor bigrams (``2 (m - 1) >= m``) shortens them. An ASCII
    line's word characters are the bytes left when the others are deleted (in C: a prose line's key costs
    several times as much to make)."""
    if len(t) <= n:
        return False
    if t.isascii():
        return len(t.encode("ascii").translate(None, _ASCII_NON_WORD)) > n
    rx = _MORE_WORD_CHARS.get(n)
    if rx is None:  # (keys are made of lines of at most ``repeat_max_chars``: a few hundred lengths at most)
        rx = _MORE_WORD_CHARS[n] = re.compile(rf"(?:\W*+\w){{{n + 1}}}")
    return rx.match(t) is not None


CLOSED = re.compile(r"[.!;:。！；：]['\"”’]?$")


def mark_repeats(lines: list[Line], r: TextRules, captions: list[str]) -> None:
    """Lines repeated ``repeat_min`` times or more (short, not prose): ``repeat``, or ``alt`` when at least two
    of them are directly followed by a short non-sentence line (alt-text and its caption: that line becomes
    ``caption``); each ``alt`` text is appended once to ``captions``."""
    counts: dict[str, int] = {}
    repeat_max, floor = r.repeat_max, r.prose_floor
    asked: list[str | None] = []  # each line's key, once (no line changes below)
    for ln in lines:
        t = ln.text
        n = len(t)
        if n <= repeat_max and (n < floor or not is_prose(t, r)):  # (shorter than ``floor``: never prose)
            k = repeat_key(t)
            if k:
                counts[k] = counts.get(k, 0) + 1
            asked.append(k)
        else:
            asked.append(None)
    repeated = {k for k, c in counts.items() if c >= r.repeat_min}
    if not repeated:
        return
    # the other lines (prose, long) only need whether their key is a repeated one: a line with more word
    # characters than the longest repeated key has none of them (:func:`more_word_chars`): "", no key made
    longest = max(map(len, repeated))
    keys = [("" if more_word_chars(ln.text, longest) else repeat_key(ln.text)) if k is None else k
            for ln, k in zip(lines, asked)]
    # alt-text + caption pairs: a repeated line directly followed (same block) by a short non-sentence line
    followers: dict[str, list[int]] = {}
    for i in range(len(lines) - 1):
        k = keys[i]
        if k in repeated:
            nxt = lines[i + 1]
            nt = nxt.text
            if (
                nxt.gap == 0
                and len(nt) <= r.follow_caption_max
                and not CLOSED.search(nt[-4:])  # (it reads at most the last 3 characters)
                and keys[i + 1] not in repeated
            ):
                followers.setdefault(k, []).append(i + 1)
    for ln, k in zip(lines, keys):
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
