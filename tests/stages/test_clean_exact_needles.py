"""A pattern's needles (``needles.Needled``, ``needles.AnyMatch``) answer exactly as the pattern itself: a line
without any needle is one the pattern cannot match. Checked for every pack's caption, credit and end-mark
patterns on corpus-like lines and on lines made to hold a needle in odd case forms, and the case folding
the needles rely on is checked over every code point."""

from __future__ import annotations

import _sre
import random
import re
from re._casefix import _EXTRA_CASES  # re's extra case groups (``s ſ``, ``σ ς`` ...)

import pytest

from pipeline.stages.clean import needles
from pipeline.stages.clean.packs import load_packs

ALL = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)


def _odd_chars() -> set[str]:
    """The characters whose ``str.lower`` is not the one character ``re`` folds them to (its simple lower
    case, or the ordinary member of an extra case group), recomputed."""
    def ordinary(lo: int) -> str | None:
        group = (lo, *_EXTRA_CASES.get(lo, ()))
        plain = [m for m in group if len(chr(m).upper()) == 1 and chr(m).upper().lower() == chr(m)]
        return chr(plain[0]) if len(plain) == 1 else None

    odd = {"Σ"}  # final sigma: str.lower reads the next character
    for x in ALL:
        lo = _sre.unicode_tolower(ord(x))
        low = x.lower()
        if len(low) != 1 or low != (ordinary(lo) if lo in _EXTRA_CASES else chr(lo)):
            odd.add(x)
    return odd


def test_the_odd_characters_are_every_one_str_lower_folds_differently() -> None:
    assert set(re.findall(needles._ODD, ALL)) == _odd_chars()


def _packs_needle_chars() -> set[str]:
    packs = load_packs()
    chars: set[str] = set()
    for lang in [*sorted(packs.available), "common"]:
        r = packs.for_language(lang).text
        for n in (r.caption_any.scanning, r.credit_needled, r.end_mark_needled):
            chars.update("".join(n.needles))
    return chars


def test_a_case_insensitive_match_is_found_in_the_lowered_text() -> None:
    """For each needle character (and every ASCII, Latin, Greek and Cyrillic letter): every character
    ``re`` matches it with, case-insensitively, lowers to the needle's lowered character, or is odd."""
    odd = needles._ODD
    sample = _packs_needle_chars() | {chr(i) for i in range(0x20, 0x530)}
    for c in sorted(sample):
        if odd.match(c):
            continue
        for x in re.findall(re.escape(c), ALL, re.IGNORECASE):
            assert odd.match(x) or x.lower() == c.lower(), (c, x)


def test_needles_of_simple_patterns() -> None:
    assert needles.needles(r"^.{2,300}?\s(?:photo|image)\s*:", re.I) == (("image", "photo"), True)
    assert needles.needles(r"^x?(?:ab|cd)+y") == (("ab", "cd"), False)  # a repeat of at least one
    assert needles.needles(r"^x?(?:ab|cd)+©") == (("©",), False)  # the rarest mandatory part
    assert needles.needles(r"(a)\1b") is None  # a backreference
    assert needles.needles(r".*") is None
    assert needles.needles(r"^(?-i:Ab)c", re.I) == (("c",), True)


def _lines(seed: int, needles: list[str], n: int) -> list[str]:
    rnd = random.Random(seed)
    parts = [*needles, "Photo", "PHOTO", "©", " ", ".", ":", "(", ")", " - ", "/", "AFP", "Reuters", "|",
             "ſ", "ı", "İ", "Σ", "K", "é", "中", "\u0301", "a", "b", "Getty Images", "Fot.", "ФОТО"]
    return ["".join(rnd.choice(parts) for _ in range(rnd.randint(1, 12))) for _ in range(n)]


@pytest.mark.parametrize("lang", ["en", "de", "fr", "ru", "uk", "zh", "ja", "ko", "ar", "vi", "tr", "pl", "common"])
def test_gated_patterns_answer_as_the_patterns(lang: str) -> None:
    r = load_packs().for_language(lang).text
    needles = [*r.caption_any.scanning.needles, *r.credit_needled.needles, *r.end_mark_needled.needles]
    folded = [s.upper() for s in needles] + [s.title() for s in needles]
    for t in _lines(hash(lang) & 0xFFFF, needles + folded, 3000):
        assert r.caption_any.matches(t) == (r.caption.match(t) is not None), repr(t)
        assert (r.credit_needled.match(t) is None) == (r.credit.match(t) is None), repr(t)
        got, want = r.end_mark_needled.search(t), r.end_mark.search(t)
        assert (got and got.span()) == (want and want.span()), repr(t)
