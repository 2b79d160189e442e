"""A text's unit codes read line by line, a line seen before from ``dedup._LINE_CODES``, equal the whole text's
read at once (the code before, ``test_dedup_fingerprint_exact``'s reference): fingerprints are stored and
compared across runs and must not move by a bit. Texts with repeated paragraphs (the cache's hits), combining
marks and compatibility characters at line edges, CRLF, empty lines, unspaced scripts and a lone surrogate."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from pipeline.stages import dedup
from pipeline.stages.dedup import GroupingInput
from tests.conftest import needs_shared_pages, shared_pages
from tests.stages.test_dedup_fingerprint_exact import CFG, WORDS, _same, _sequence_before

EDGES = ["\u0301accent first", "last accent e\u0301", "ﬁ ligature\u00a0and ＦＵＬＬ width", "Σίσυφος ΣΊΣΥΦΟΣ",
         "\u0308", "x", "", "   ", "a\r", "İstanbul ß straße", "数字 123 と english", "日本語のテキスト。",
         "a lone \ud800 surrogate", "\u1100\u1161 hangul jamo", "\u0915\u094d\u0937 devanagari"]


def _paragraphs(rng: random.Random) -> list[str]:
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 60))).capitalize() + "." for _ in range(30)]


def _texts() -> list[str]:
    rng = random.Random(11)
    pool = _paragraphs(rng) + EDGES
    texts = []
    for _ in range(60):  # copies of a story: the same paragraphs, some dropped, reordered, joined by \n or \r\n
        chosen = rng.sample(pool, rng.randint(1, 12))
        texts.append(rng.choice(["\n", "\n\n", "\r\n"]).join(chosen))
    texts += ["\n".join(EDGES), "\n" * 5, "word\n", "\nword", "e\n\u0301", "e\u0301\nx"]
    return texts


def _kept_bytes(kept: dict[str, np.ndarray]) -> int:
    return sum(codes.nbytes + 4 * len(line) for line, codes in kept.items())


@pytest.mark.parametrize("language", ["en", "ja", None])
def test_line_by_line_codes_equal_the_whole_texts(language, monkeypatch):
    for budget in (dedup._LINE_CODES_BYTES, 600):  # kept, and the oldest dropped again and again
        for memo in dedup._LINE_CODES.values():
            monkeypatch.setattr(memo, "budget", budget)
            memo.clear()
        for i, text in enumerate(_texts()):
            for _ in range(2):  # the second time every line is a hit
                assert np.array_equal(dedup.shingle_sequence(text, language, CFG), _sequence_before(text, language))
                _same(GroupingInput(f"d{i}", text, language, None))
            for memo in dedup._LINE_CODES.values():
                assert _kept_bytes(memo.kept) == memo.size <= budget


def test_long_lines_are_read_afresh_and_never_kept():
    dedup._LINE_CODES[False].clear()
    long = " ".join(WORDS * 30)
    assert len(long) > dedup._LINE_CODES_MAX_CHARS
    text = long + "\nshort line here"
    assert np.array_equal(dedup.shingle_sequence(text, "en", CFG), _sequence_before(text, "en"))
    assert set(dedup._LINE_CODES[False].kept) == {"short line here"}


def test_repeated_paragraphs_are_read_once():
    dedup._LINE_CODES[False].clear()
    text = "\n".join(_paragraphs(random.Random(5))[:4])
    dedup.shingle_sequence(text, "en", CFG)
    kept = dict(dedup._LINE_CODES[False].kept)
    assert set(kept) == set(text.split("\n"))
    dedup.shingle_sequence(text + "\nA new last line.", "en", CFG)
    assert all(dedup._LINE_CODES[False].kept[line] is codes for line, codes in kept.items())  # not read again


@needs_shared_pages
def test_line_by_line_codes_equal_the_whole_texts_on_the_shared_pages():
    for name, html in shared_pages(step=3):
        text = re.sub(r"\n\s*\n+", "\n", re.sub(r"<[^>]+>", "\n", html))
        for language in ("en", "zh"):
            assert np.array_equal(dedup.shingle_sequence(text, language, CFG), _sequence_before(text, language))
            _same(GroupingInput(name, text, language, None))
