"""The language stage's sample squeezes white space with ``spaces.norm`` (``str.split``, issue 27): the same
string as the regex it replaces, ``_SPACE_RE.sub(" ", text).strip()``, on every code point and on mixed strings."""

from __future__ import annotations

import random
import sys

from pipeline.stages import language
from pipeline.stages.clean.spaces import norm


def _old(text: str) -> str:
    return language._SPACE_RE.sub(" ", text).strip()


def test_split_and_join_equal_the_regex_on_every_code_point() -> None:
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        for text in (ch, f"a{ch}b", f"{ch}{ch}x{ch}", f" {ch} "):
            assert norm(text) == _old(text), hex(cp)


def test_split_and_join_equal_the_regex_on_mixed_strings() -> None:
    rnd = random.Random(5)
    alphabet = list(" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2028\u2029\u202f\u205f\u3000\u200b\ufeffab.é中")
    for _ in range(20000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 20)))
        assert norm(text) == _old(text), repr(text)
    assert norm("") == _old("") == ""

