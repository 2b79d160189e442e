"""``structure._trailing_end`` answers as ``_TRAILING_END.search``: the search is skipped only on a line
whose last non-space character closes none of the end marks."""

from __future__ import annotations

import random

from pipeline.stages.clean import structure

POOL = list(".!?。！？\"”’»[(（【<《])）】>》-–—/#x中 \t\n\u3000\u2028ab1,")


def test_trailing_end_equals_the_search() -> None:
    rnd = random.Random(8)
    found = 0
    for _ in range(200000):
        t = "".join(rnd.choice(POOL) for _ in range(rnd.randint(0, 14)))
        got, want = structure._trailing_end(t), structure._TRAILING_END.search(t)
        assert (got and got.span()) == (want and want.span()), repr(t)
        found += want is not None
    assert found > 100


def test_trailing_end_on_article_endings() -> None:
    for t in ["The end of it. (完)", "Done.  -30-", "Fin. ///", "Over. ###  ", "Plain sentence.", "句子。【完】", ""]:
        want = structure._TRAILING_END.search(t)
        got = structure._trailing_end(t)
        assert (got and got.span()) == (want and want.span()), t
