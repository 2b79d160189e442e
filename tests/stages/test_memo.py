"""``TextMemo``: the kept answers' weight stays exact and within the budget, also with threads putting at once."""

from __future__ import annotations

import threading

from pipeline.stages.memo import TextMemo


def test_budget_oldest_out_long_texts_never_kept() -> None:
    memo: TextMemo[int] = TextMemo(10, 4, lambda text, _: len(text))
    for text in ["aa", "bbb", "cccc", "dd", "eeeee", "ff"]:
        memo.put(text, len(text))
    assert list(memo.kept) == ["cccc", "dd", "ff"] and memo.size == 8  # "eeeee" too long; aa, bbb out first
    memo.put("cccc", 99)  # kept already: unchanged
    assert memo.get("cccc") == 4 and memo.get("aa") is None
    memo.clear()
    assert memo.kept == {} and memo.size == 0


def test_size_is_exact_with_threads_putting_at_once() -> None:
    memo: TextMemo[int] = TextMemo(5_000, 100, lambda text, _: len(text))

    def put(prefix: str) -> None:
        for i in range(20_000):
            memo.put(f"{prefix}{i % 3_000}", i)

    threads = [threading.Thread(target=put, args=(p,)) for p in "abcd"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert memo.size == sum(len(text) for text in memo.kept) <= 5_000
