"""The language stage's shortcuts (s27) answer exactly as the code they replace."""

from __future__ import annotations

import dataclasses
import random
import sys

from pipeline.stages import language, language_script
from pipeline.stages.language import Detection, load_language_config


def _han_prior_before(sample: str, cfg: language.LanguageConfig, answer: str | None = None) -> Detection | None:
    got = language_script.cjk_language(sample, answer, cfg.min_letters_dense)
    return Detection(got[0], got[1], detector="script") if got else None


POOL = list("ab é.,’ Ж中国人のひらがなカタカナー한국어ไทย日本語\u3400\uf900\u30fc\u3041\u3096\u30a1\u30fa\u1100\u3130") + [
    "北京", "東京では", "서울", "Москва", "The ", "Das "]


def test_han_prior_without_han_or_kana_equals_asking() -> None:
    base = load_language_config()
    rnd = random.Random(275)
    texts = ["", "abc", "中", "ひ", "カ", "한", "中ひ", "中中中 abc", "ひらがなだけ", "漢字と仮名"]
    texts += ["".join(rnd.choices(POOL, k=rnd.randint(0, 40))) for _ in range(30000)]
    texts += [chr(c) * 3 for c in range(0x2f00, 0x3200)] + [chr(c) + "ab" for c in range(0x3400, 0xfb00, 7)]
    for dense in (1, 2, 3):
        cfg = dataclasses.replace(base, min_letters_dense=dense)
        for t in texts:
            for answer in (None, "zh", "ja", "en", "ko"):
                assert language._han_prior(t, cfg, answer) == _han_prior_before(t, cfg, answer), (dense, t, answer)


def test_han_or_kana_reads_the_script_guards_characters() -> None:
    rx = language._han_or_kana()
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        want = bool(language_script._HAN.search(ch) or language_script._KANA.search(ch))
        assert bool(rx.search(ch)) == want, hex(cp)
