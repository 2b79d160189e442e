"""The places and enrich stages' shortcuts (s20) answer exactly as the code they replace: the text key's
spaces, hyphens and apostrophes made one space each by ``str.replace`` instead of the regex's ``sub``;
enrich's word count by ``pipeline.stages.words`` (its paragraph count checked alongside)."""

from __future__ import annotations

import random
import re
import sys
import unicodedata

from pipeline.stages.geo import gazetteer

# the regex the places stage replaced by str.replace (gazetteer._one_space)
ONE_SPACE = re.compile("[\t\n\r\f\v\u00a0\u2028\u2029\\-\u2010\u2019']")


def _text_key_before(text: str) -> str:
    if text.isascii():
        return ONE_SPACE.sub(" ", text.lower())
    text = gazetteer._COMBINING.sub("", unicodedata.normalize("NFD", text.lower()))
    text = ONE_SPACE.sub(" ", unicodedata.normalize("NFC", text))
    for a, b in gazetteer._SAME_LETTER_PAIRS:
        text = text.replace(a, b)
    return text


def test_one_space_equals_the_regex_on_every_code_point() -> None:
    for c in range(sys.maxunicode + 1):
        ch = chr(c)
        assert gazetteer._one_space(ch) == ONE_SPACE.sub(" ", ch), hex(c)
        assert gazetteer._one_space(f"a{ch}b") == ONE_SPACE.sub(" ", f"a{ch}b"), hex(c)


def test_text_keys_equal_the_regex_way() -> None:
    rnd = random.Random(25)
    odd = list("aA é\u0301ÉİΣς-‐’'\t\n\r\f\v\u00a0\u2028\u2029ðيكىأإآ中") + ["Côte d’Ivoire", "São Tomé", "Nigeria"]
    for _ in range(20000):
        t = "".join(rnd.choices(odd, k=rnd.randint(0, 30)))
        assert gazetteer.text_key(t) == _text_key_before(t), repr(t)


def test_enrich_counts_equal_the_regex_and_strip_ways() -> None:
    from pipeline.document import Document
    from pipeline.stages.enrich import enrich

    rnd = random.Random(27)
    odd = list("ab é中 \n\n\n\t\x0b\x1c\u2028\u3000.,’") + ["\n\n", " \n\n ", "word"]
    for _ in range(3000):
        body = "".join(rnd.choices(odd, k=rnd.randint(0, 40)))
        doc = enrich(Document(source="/x.txt", source_path="/x.txt", body=body, title="t"))
        assert doc.paragraph_count == sum(1 for p in body.split("\n\n") if p.strip()), repr(body)
        assert doc.word_count == len(re.findall(r"\w+", body)), repr(body)
