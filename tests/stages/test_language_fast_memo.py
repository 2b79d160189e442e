"""The first pass's memo (``language_models.fast_classify``): a text asked before is answered from it with
exactly what fastText answers, and the memo stays within its bounds whatever it is fed."""

from __future__ import annotations

import random

import pytest

from pipeline.stages import language_models as M
from pipeline.stages.memo import TextMemo


@pytest.fixture
def empty_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(M, "FAST_ANSWERS", TextMemo(M.FAST_ANSWERS.budget, M.FAST_ANSWERS.max_chars, M.FAST_ANSWERS.weigh))


def _texts() -> list[str]:
    rng = random.Random(7)
    words = ["Hanoi", "Bắc Kinh", "资料图", "новости", "الأخبار", "ข่าว", "NEWS", "the", "của", "und", "\n", "\r\n",
             "\ud800", "日本語の記事", " ", "9", "—"]
    out = ["", " ", "\n", "Barack Obama in Berlin", "DATA MAP: THE PICTURE SHOWS", "Ảnh minh họa", "x" * 2500]
    out += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 40))) for _ in range(300)]
    return out


def test_memo_answers_exactly_what_the_model_answers(empty_memo: None) -> None:
    texts = _texts()
    # the reference: the model's own k=1 answer by the module's other path (``fasttext_top``), zh folded
    reference = [(M._FOLD.get(top[0][0], top[0][0]), top[0][1]) if top else (M.UND, 0.0)
                 for top in M.fasttext_top(texts, k=1)]
    assert reference == [M._fast_one(t) for t in texts]
    assert M.fast_classify(texts) == reference  # the first time: asked, and kept
    assert M.FAST_ANSWERS.kept  # something was kept
    assert M.fast_classify(texts) == reference  # the second time: from the memo
    assert M.fast_classify(list(reversed(texts))) == list(reversed(reference))
    assert "x" * 2500 not in M.FAST_ANSWERS.kept  # over max_chars (2,000): asked afresh each time, never kept


def test_memo_keeps_within_its_character_budget_oldest_out_first(empty_memo: None,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(M.FAST_ANSWERS, "budget", 200)
    texts = [f"sentence number {i} in English" for i in range(50)]
    answers = M.fast_classify(texts)
    assert M.FAST_ANSWERS.size <= 200
    assert M.FAST_ANSWERS.size == sum(len(t) + 1 for t in M.FAST_ANSWERS.kept)
    kept = list(M.FAST_ANSWERS.kept)
    assert kept == texts[-len(kept):]  # the newest stay
    assert M.fast_classify(texts) == answers  # dropped or kept, the answers are the same
    assert M.FAST_ANSWERS.size <= 200
