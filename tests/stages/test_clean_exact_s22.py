"""Session 22's exact shortcuts against the code they replace (issue 27)."""

from __future__ import annotations

import random
import re
import sys

from pipeline.stages.clean.recall import word_key
from pipeline.stages.words import count_words

_WORDS = re.compile(r"\w+")


def _key_before(s: str) -> str:
    return " ".join(_WORDS.findall(s.casefold()))


def _texts() -> list[str]:
    chars = [chr(c) for c in range(sys.maxunicode + 1)]
    out = [" ".join(chars), *("a".join(chars[i:i + 4096]) for i in range(0, len(chars), 4096))]
    rnd = random.Random(22)
    odd = list("ab_1 .,’“—\u00a0\u2028\ud800\udfff\U0001f642é中ǅİΣßﬁ\u0301\u200d\x1c\t\n") + ["Straße", "İstanbul", "ΌΣΟΣ"]
    out += ["".join(rnd.choices(odd, k=rnd.randint(0, 40))) for _ in range(20000)]
    return out + ["", " ", "a", " a", "a ", "é", "’", "a’b"]


def test_a_lines_word_key_is_its_casefolded_w_runs_joined_by_spaces() -> None:
    for t in _texts():
        assert word_key.__wrapped__(t) == _key_before(t), repr(t)  # type: ignore[attr-defined]
        assert word_key(t) == _key_before(t), repr(t)


def test_words_are_counted_as_the_regex_counts_them() -> None:
    for t in _texts():
        assert count_words(t) == len(_WORDS.findall(t)), repr(t)
