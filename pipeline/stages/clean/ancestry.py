"""Is an element, or one of its ancestors, among a set of elements: answered once per element of the tree.

``any(a in members for a in el.iterancestors())`` makes an element proxy for every ancestor of every element
asked (members x depth); :func:`within` remembers each answer on the way up, so every element is asked once.
Used by the trafilatura re-implementations that delete the outermost matches (``trafilatura_sections``,
``trafilatura_cleaning``)."""

from __future__ import annotations

from collections.abc import Callable, Container
from typing import Any

__all__ = ["within"]


def within(members: Container[Any]) -> Callable[[Any], bool]:
    """A test ``node -> bool``: ``node`` (an lxml element, or None) or one of its ancestors is in ``members``.
    Answers are remembered for the test's life: they stay right while no element changes ancestors, except
    members taken out of the tree with their subtrees (what the deletions of outermost members do)."""
    covered: dict[Any, bool] = {}  # element -> it or one of its ancestors is a member

    def test(node: Any) -> bool:
        path = []
        found = False
        while node is not None:
            known = covered.get(node)
            if known is not None:
                found = known
                break
            if node in members:
                found = True
                break
            path.append(node)
            node = node.getparent()
        for seen in path:
            covered[seen] = found
        return found

    return test
