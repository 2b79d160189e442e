"""``heads.mark_head`` skips the token comparison of an ASCII line that lacks most of the title's tokens
(``heads._holds_most``): such a line is never similar to the title, so the answer is the same."""

from __future__ import annotations

import random

from pipeline.stages.clean import heads, script

WORDS = ["Fed", "fed", "rates", "RATES", "cut", "cuts", "the", "The", "a", "in", "2026", "U.S.", "us", "news",
         "-", "|", ":", "'s", "won't", "co-op", "x_y", "Rate", "ratesfed", "中国", "é", "über", "ſ"]


def _text(rnd: random.Random, n: int) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(1, n)))


def test_a_line_without_most_title_tokens_is_never_similar() -> None:
    rnd = random.Random(19)
    checked = 0
    for _ in range(60000):
        title, line = _text(rnd, 8), _text(rnd, 10)
        if rnd.random() < 0.3:
            line = title if rnd.random() < 0.5 else title + " " + _text(rnd, 2)
        tb = script.tokens(title)
        sb = set(tb)
        if line.isascii() and not heads._holds_most(line.lower(), sb):
            checked += 1
            assert not script.similar_tokens(script.tokens(line), tb, sb), (title, line)
    assert checked > 10000


def test_holds_most_counts_four_fifths() -> None:
    sb = {"a", "b", "c", "d", "e"}
    assert heads._holds_most("a b c d", sb)
    assert not heads._holds_most("a b c", sb)
    assert heads._holds_most("anything", set())
