"""Class, id, style and ``hidden`` read once a page (:func:`attributed`), and whether a class/id string
names boilerplate by its tokens: moved out of :mod:`prune` as they were (it keeps its per-string verdicts)."""

from __future__ import annotations

import functools
import re
from typing import Any

from lxml import etree

__all__ = ["Attributed", "attributed"]

_TOKEN_SPLIT = re.compile(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])")


@functools.lru_cache(maxsize=8192)
def _named_boiler(names: str, tokens: frozenset[str]) -> bool:
    """A class/id string holds one of the pack's boilerplate tokens (split at spaces, ``-``, ``_`` and
    camelCase, lower-cased). Cached per string: a page repeats its class names, a site its pages'; a
    string seen for the first time (one with a unique id) is answered from its names' cached tokens."""
    return any(not tokens.isdisjoint(_name_tokens(name)) for name in names.split())


@functools.lru_cache(maxsize=32768)
def _name_tokens(name: str) -> frozenset[str]:
    """One class name's or id's tokens (no whitespace in it: splitting a string at whitespace first gives
    the same tokens, a camelCase break never spans a space)."""
    return frozenset(t.lower() for t in _TOKEN_SPLIT.split(name) if t)


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


@functools.lru_cache(maxsize=8192)
def _doomed_by_attributes(cls: str | None, id_: str | None, style: str | None, hidden: bool,
                          tokens: frozenset[str], hidden_classes: frozenset[str]) -> bool:
    """An element with these attributes goes: its class/id names carry one of the pack's boilerplate tokens,
    or it is not shown to a reader (the ``hidden`` attribute, an inline ``display: none`` / ``visibility:
    hidden``, one of the pack's hiding class names, whole). Remembered: a page repeats its attributes.
    (:func:`prune.prune` asks the same per attribute: ``prune._Verdicts``.)"""
    names = f"{cls or ''} {id_ or ''}"
    if names.strip() and _named_boiler(names, tokens):
        return True
    if hidden or _HIDDEN_STYLE.search(style or ""):
        return True
    return bool(hidden_classes) and not hidden_classes.isdisjoint((cls or "").split())


# (element, class, id, style, has ``hidden``) of an element carrying one of those attributes
Attributed = tuple[Any, "str | None", "str | None", "str | None", bool]


def attributed(root: Any) -> list[Attributed]:
    """The elements under ``root`` (itself included) carrying a class, id, style or ``hidden`` attribute, in
    document order, with those attributes read once: the caption search and the pruning share them.
    The elements of ``descendant-or-self::*[@class or @id or @hidden or @style]``, found by a walk that reads
    the four attributes of each element: the XPath's predicates cost libxml2 more than the walk and the reads
    (0.65 x on the throughput corpus's pages; ``tests/stages/test_clean_exact_attributed.py``)."""
    out: list[Attributed] = []
    add = out.append
    for el in root.iter(etree.Element):  # elements only (no comments, processing instructions, entities), as ``*``
        get = el.get
        cls, id_, style, hidden = get("class"), get("id"), get("style"), get("hidden")
        if cls is not None or id_ is not None or style is not None or hidden is not None:
            add((el, cls, id_, style, hidden is not None))
    return out
