"""A page tree's elements by their text, found by a line of extracted text (recall, lead, tail).

Every element's ``text_content()`` with its whitespace collapsed and stripped is a slice of one string:
the whole tree's text collapsed once (:func:`flat_text`). An element is kept as its span in that string,
not as a text of its own: the texts of a page's outer elements hold its inline ``<style>`` and
``<script>`` blocks (175 kB a page on the throughput corpus), copied and hashed once per level when each
element held its own string.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from lxml import etree

from pipeline.stages.clean.spaces import collapse, norm

_HIDDEN = frozenset(("script", "style", "noscript", "template"))  # never a text block (their text counts above)
_EVENTS = ("start", "end", "comment", "pi")


def text_of(el: Any) -> str:
    """``el.text_content()``: lxml.html evaluates the XPath ``string()`` for it, whose setup costs more than
    the text on most elements; serialised as text (without the tail), the element gives the same string
    (libxml2 gathers the same text nodes for both)."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def flat_text(tree: Any) -> tuple[str, list[tuple[Any, int, int]]]:
    """(the tree's text collapsed (``collapse(text_of(tree))``, but for the tree's own tail), each element
    (document order) with the span ``[start, end)`` of its collapsed ``text_content()`` in it).

    The pieces (each element's text and tail; comments and processing instructions hold no text, their
    tails do) are collapsed one by one and joined, a space ending one piece and starting the next as one.
    An element's span holds its pieces as the whole has them: its text as it collapses alone but for a
    leading space the piece before it may have taken, so with the ends stripped, the span is the
    element's text collapsed and stripped."""
    parts: list[str] = []
    add = parts.append
    pos = 0
    last_space = False
    elements: list[Any] = []
    bounds: list[int] = []  # start, end of elements[i] at 2 * i, 2 * i + 1
    opened: list[int] = []
    for event, el in etree.iterwalk(tree, events=_EVENTS):
        if event == "start":
            opened.append(len(bounds))
            elements.append(el)
            bounds.append(pos)
            bounds.append(pos)
            piece = el.text if isinstance(el.tag, str) else None  # an entity's text is its name, not text
        elif event == "end":
            bounds[opened.pop() + 1] = pos
            piece = el.tail
        else:  # a comment or processing instruction: its tail only
            piece = el.tail
        if piece:
            if "  " in piece or not piece.isprintable():
                piece = collapse(piece)
            if last_space and piece[0] == " ":
                piece = piece[1:]
                if not piece:
                    continue
            add(piece)
            pos += len(piece)
            last_space = piece[-1] == " "
    spans = [(el, bounds[2 * i], bounds[2 * i + 1]) for i, el in enumerate(elements)]
    return "".join(parts), spans


class TextBlocks:
    """The pruned tree's elements by their normalised text (deepest element for a text): each element's
    ``norm(el.text_content())`` as a span of the page's flat text (:func:`flat_text`),
    outside scripts, styles and templates, empty texts left out."""

    def __init__(self, tree: Any) -> None:
        """Nothing is read before the first question: a page's passes share one (``tree`` must not change
        from then on)."""
        self.tree = tree
        self._flat: str | None = None
        self._spans: list[tuple[Any, int, int]] = []  # (element, start, end) in document order
        self._by_length: dict[int, list[int]] = {}  # span length -> indices into _spans

    def _read(self) -> str:
        if self._flat is not None:
            return self._flat
        flat, spans = flat_text(self.tree)
        self._flat = flat
        kept, by_length = self._spans, self._by_length
        for el, a, b in spans:
            if a == b or not isinstance(el.tag, str) or el.tag in _HIDDEN:
                continue
            if flat[a] == " ":  # the flat text holds single spaces only: one to strip at each end at most
                a += 1
            if b > a and flat[b - 1] == " ":
                b -= 1
            if b > a:
                by_length.setdefault(b - a, []).append(len(kept))
                kept.append((el, a, b))
        return flat

    @property
    def spans(self) -> list[tuple[Any, int, int]]:
        """(element, start, end) of each block, in document order."""
        self._read()
        return self._spans

    def texts(self) -> list[tuple[Any, str]]:
        """(element, text) of each block, in document order."""
        flat = self._read()
        return [(el, flat[a:b]) for el, a, b in self._spans]

    def exact(self, n: str) -> Any | None:
        """The last element (document order) whose text is ``n``."""
        flat = self._read()
        for i in reversed(self._by_length.get(len(n), ())):
            el, a, _ = self._spans[i]
            if flat.startswith(n, a):
                return el
        return None

    def smallest_holding(self, n: str) -> Any | None:
        """The element with the shortest text holding ``n`` (the first in document order of those)."""
        flat = self._read()
        if not n:  # every text holds the empty string
            return min(self._spans, key=lambda s: s[2] - s[1])[0] if self._spans else None
        size = len(n)
        at: list[int] = []  # where n starts in the flat text (overlapping occurrences too), in order
        q = flat.find(n)
        while q >= 0:
            at.append(q)
            q = flat.find(n, q + 1)
        if not at:
            return None
        best = None
        best_len = 0
        for el, a, b in self._spans:
            m = b - a
            if m < size or (best is not None and m >= best_len):
                continue
            k = bisect_left(at, a)
            if k < len(at) and at[k] + size <= b:
                best, best_len = el, m
        return best

    def find(self, line: str) -> Any | None:
        n = norm(line)
        if n.startswith("- "):  # a list item as the extractor writes it
            n = n[2:]
        if n.startswith("|"):  # a table row: its first cell's row
            cells = [c.strip() for c in n.strip("|").split("|") if c.strip()]
            el = self.exact(cells[0]) if cells else None
            if el is not None:
                return next((a for a in el.iterancestors("tr")), el)
            return None
        el = self.exact(n)
        if el is not None:
            return el
        return self.smallest_holding(n)  # text split by <br>: the smallest element holding it
