"""The places stage's text key (s20) answers exactly as the code it replaces: the spaces, hyphens and
apostrophes made one space each by ``str.replace`` instead of the regex's ``sub``."""

from __future__ import annotations

import random
import sys
import unicodedata

from pipeline.stages.geo import gazetteer


def _text_key_before(text: str) -> str:
    if text.isascii():
        return gazetteer._ONE_SPACE.sub(" ", text.lower())
    text = gazetteer._COMBINING.sub("", unicodedata.normalize("NFD", text.lower()))
    text = gazetteer._ONE_SPACE.sub(" ", unicodedata.normalize("NFC", text))
    for a, b in gazetteer._SAME_LETTER_PAIRS:
        text = text.replace(a, b)
    return text


def test_one_space_equals_the_regex_on_every_code_point() -> None:
    for c in range(sys.maxunicode + 1):
        ch = chr(c)
        assert gazetteer._one_space(ch) == gazetteer._ONE_SPACE.sub(" ", ch), hex(c)
        assert gazetteer._one_space(f"a{ch}b") == gazetteer._ONE_SPACE.sub(" ", f"a{ch}b"), hex(c)


def test_text_keys_equal_the_regex_way() -> None:
    rnd = random.Random(25)
    odd = list("aA é\u0301ÉİΣς-‐’'\t\n\r\f\v\u00a0\u2028\u2029ðيكىأإآ中") + ["Côte d’Ivoire", "São Tomé", "Nigeria"]
    for _ in range(20000):
        t = "".join(rnd.choices(odd, k=rnd.randint(0, 30)))
        assert gazetteer.text_key(t) == _text_key_before(t), repr(t)
