"""``TextMemo``: answers kept by text across documents, within a budget, for the stages' pure functions
whose inputs wire copies repeat (a line's unit codes in ``dedup``, the language first pass's answer in
``language_models``). A long-lived worker stays flat whatever its input: a text longer than ``max_chars``
is never kept, and past ``budget`` (each answer weighed by ``weigh(text, answer)``) the oldest go first.
(``clean.script.line_memo`` keeps the clean's per-line answers by count, with ``functools.lru_cache``.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

_V = TypeVar("_V")


class TextMemo(Generic[_V]):
    """text -> answer, oldest out first past ``budget``; ``get`` is the dict's own (no lock: a lookup is
    atomic), ``put`` holds a lock, so ``size`` stays the kept answers' weight with threads."""

    def __init__(self, budget: int, max_chars: int, weigh: Callable[[str, _V], int]) -> None:
        self.budget, self.max_chars, self.weigh = budget, max_chars, weigh
        self.kept: dict[str, _V] = {}
        self.size = 0
        self.get = self.kept.get
        self._lock = threading.Lock()

    def put(self, text: str, answer: _V) -> None:
        """Keep ``answer`` for ``text`` (unless the text is too long to keep, or kept already)."""
        if len(text) > self.max_chars:
            return
        with self._lock:
            if text in self.kept:
                return
            self.kept[text] = answer
            self.size += self.weigh(text, answer)
            while self.size > self.budget and self.kept:
                oldest = next(iter(self.kept))
                self.size -= self.weigh(oldest, self.kept.pop(oldest))

    def clear(self) -> None:
        with self._lock:
            self.kept.clear()
            self.size = 0
