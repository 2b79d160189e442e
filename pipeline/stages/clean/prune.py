"""Pruning before extraction: boilerplate containers by class/id token, elements hidden from readers, and
media blocks (a video player's UI, photo galleries) by structure; never most of the article's text."""

from __future__ import annotations

import functools
from itertools import islice
from typing import Any

import lxml.html
from lxml import etree

from pipeline.stages.clean.class_names import _HIDDEN_STYLE, Attributed, _named_boiler, attributed
from pipeline.stages.clean.recall import TEXT_HOLDERS, own_chars, text_of
from pipeline.stages.clean.rules import HtmlRules

__all__ = ["PROSE_MIN_CHARS", "attributed", "named_captions", "prose_chars", "prose_paragraphs", "prune", "prune_media"]

_KEEP_TAGS = frozenset(("html", "body", "article", "main"))
_BOXES = frozenset(("article", "main"))  # an article's own container: the guard also runs inside each


_VERDICTS_MAX = 16384  # remembered strings per rule set before its answers are forgotten (memory stays bounded)


class _Verdicts:
    """:func:`_doomed_by_attributes` and :func:`_named_boiler` asked per attribute string, each answer in a
    plain dict: the names of ``f"{cls} {id}"`` are the class's names and the id's, so the string carries a
    token when the class or the id does; a hiding class name is in the class. A page repeats its class
    strings; a dict lookup costs less than a cached call with six arguments."""

    def __init__(self, tokens: frozenset[str], hidden_classes: frozenset[str] = frozenset()) -> None:
        self.tokens, self.hidden_classes = tokens, hidden_classes
        self.classes: dict[str, bool] = {}  # class string -> carries a token, or a hiding class name
        self.ids: dict[str, bool] = {}  # id string -> carries a token

    def by_class(self, cls: str) -> bool:
        known = self.classes.get(cls)
        if known is None:
            if len(self.classes) >= _VERDICTS_MAX:
                self.classes.clear()
            known = self.classes[cls] = _named_boiler(cls, self.tokens) or (
                bool(self.hidden_classes) and not self.hidden_classes.isdisjoint(cls.split()))
        return known

    def by_id(self, id_: str) -> bool:
        known = self.ids.get(id_)
        if known is None:
            if len(self.ids) >= _VERDICTS_MAX:
                self.ids.clear()
            known = self.ids[id_] = _named_boiler(id_, self.tokens)
        return known


@functools.lru_cache(maxsize=64)
def _verdicts(tokens: frozenset[str], hidden_classes: frozenset[str] = frozenset()) -> _Verdicts:
    return _Verdicts(tokens, hidden_classes)


@functools.lru_cache(maxsize=4096)
def _hidden_style(style: str) -> bool:
    return _HIDDEN_STYLE.search(style) is not None


PROSE_MIN_CHARS = 80  # a text-bearing paragraph: a <p> with this much text, mostly not link text


def prose_paragraphs(root: Any, known: dict[Any, int] | None = None) -> list[tuple[Any, int]]:
    """(element, characters) of the text-bearing ``<p>`` elements: the article text, whatever the markup.
    ``known``: :func:`prose_chars` of paragraphs whose text has not changed since (read, not measured again)."""
    out: list[tuple[Any, int]] = []
    if known is not None:
        for p in root.iter("p"):
            n = known.get(p)
            if n is None:
                n = _prose_chars(p)
            if n:
                out.append((p, n))
        return out
    for p in root.iter("p"):
        n = len(text_of(p).strip())
        if n >= PROSE_MIN_CHARS:
            links = sum(len(text_of(a)) for a in p.iter("a"))
            if links * 2 < n:
                out.append((p, n))
    return out


def _prose_chars(p: Any, text: str | None = None) -> int:
    """A ``<p>``'s characters when :func:`prose_paragraphs` counts it, else 0 (``text``: its ``text_of``)."""
    n = len((text_of(p) if text is None else text).strip())
    if n >= PROSE_MIN_CHARS and sum(len(text_of(a)) for a in p.iter("a")) * 2 < n:
        return n
    return 0


def prose_chars(root: Any, texts: dict[Any, str] | None = None) -> dict[Any, int]:
    """Each ``<p>`` under ``root`` (document order) -> its characters when it is one of
    :func:`prose_paragraphs`, else 0: ``prose_paragraphs(root)`` is its items with a count, and a later
    :func:`prose_paragraphs` of the same tree reads it (``known``) for the paragraphs nothing changed since
    (:func:`prune` and :func:`prune_media` forget those a block they drop was in). ``texts``: filled with each
    ``<p>``'s ``text_of``, read for the measure (still its text while the paragraph is in the answer)."""
    if texts is None:
        return {p: _prose_chars(p) for p in root.iter("p")}
    known: dict[Any, int] = {}
    for p in root.iter("p"):
        text = texts[p] = text_of(p)
        known[p] = _prose_chars(p, text)
    return known


def _has_prose_paragraph(root: Any) -> bool:
    """``bool(prose_paragraphs(root))``, stopping at the first text-bearing ``<p>``."""
    for p in root.iter("p"):
        n = len(text_of(p).strip())
        if n >= PROSE_MIN_CHARS and sum(len(text_of(a)) for a in p.iter("a")) * 2 < n:
            return True
    return False


def prose_blocks(root: Any, paragraphs: list[tuple[Any, int]] | None = None) -> list[tuple[Any, int]]:
    """(element, characters) of the page's text: the text-bearing ``<p>`` elements and the blocks holding as
    much text of their own outside any ``<p>`` (recall's text holders: a forum post, lines split by ``<br>``),
    mostly not links. ``paragraphs``: ``prose_paragraphs(root)`` when the caller has it already."""
    out = list(prose_paragraphs(root) if paragraphs is None else paragraphs)
    for el in root.iter(*TEXT_HOLDERS):
        n = _holder_chars(el)
        if n:
            out.append((el, n))
    return out


def _prose_blocks(root: Any, known: dict[Any, int] | None) -> list[tuple[Any, int]]:
    """``prose_blocks(root)``, its paragraphs read from ``known`` (:func:`prose_paragraphs`) where it has them."""
    return prose_blocks(root, None if known is None else prose_paragraphs(root, known))


def _holder_chars(el: Any) -> int:
    """The characters of a text holder's own text when it is one of :func:`prose_blocks`, else 0
    (``own_chars`` is ``len(own_text(el).strip())`` without the joined string)."""
    n = own_chars(el)
    if n >= PROSE_MIN_CHARS:
        links = sum(len(text_of(a)) for a in el if a.tag == "a")
        if links * 2 < n + links:
            return n
    return 0


def named_captions(root: Any, tokens: frozenset[str], named: list[Attributed] | None = None) -> list[Any]:
    """The outermost elements whose class/id carries a caption token, in document order. ``named``:
    ``attributed(root)`` when the caller has it (it passes the same to :func:`prune`)."""
    if not tokens:
        return []
    found: list[Any] = []
    kept: set[Any] = set()  # the same elements (``found`` keeps their proxies alive, so identity holds)
    verdicts = _verdicts(tokens)
    classes, ids, by_class, by_id = verdicts.classes, verdicts.ids, verdicts.by_class, verdicts.by_id
    for el, cls, id_, _, _ in attributed(root) if named is None else named:
        # verdicts.by_class(cls) / by_id(id_), the remembered answer read here: no call per element
        if (((cls and (by_class(cls) if (v := classes.get(cls)) is None else v))
             or (id_ and (by_id(id_) if (v := ids.get(id_)) is None else v)))
                and kept.isdisjoint(el.iterancestors())):
            found.append(el)
            kept.add(el)
    return found


def _majority_lost(root: Any, doomed: list[Any], known: dict[Any, int] | None = None,
                   doomed_chars: int | None = None) -> str | None:
    """The warning when the ``doomed`` elements hold most of the page's text-bearing paragraphs, or else most
    of its text blocks (:func:`prose_blocks`); None when they do not. The blocks are counted only when the
    doomed blocks' own prose could be a majority of them: the page holds at least the doomed text holders.
    ``known``: see :func:`prose_paragraphs`. ``doomed_chars``: the sum of the doomed elements' ``len(text_of())``
    when the caller has it; twice that bounds their text holders' prose (each holder's own text is its
    text pieces joined by single spaces, each piece at least one character of the doomed blocks' text, no
    piece in two holders), so the prose is measured only where the bound leaves the question open."""
    inside = {x for el in doomed for x in el.iter("p")}  # their proxies stay alive
    paragraphs = prose_paragraphs(root, known)
    chars = sum(n for _, n in paragraphs)
    lost = sum(n for x, n in paragraphs if x in inside) if chars else 0
    if lost * 2 > chars:
        return _lost_warning(lost, chars, "paragraphs")
    if doomed_chars is not None and lost * 2 + 2 * doomed_chars <= chars:  # held <= 2 * doomed_chars: see below
        return None
    inside.update(x for el in doomed for x in el.iter(*TEXT_HOLDERS))  # their text holders: read only from here
    held = sum(_holder_chars(x) for x in inside if x.tag != "p")  # the doomed text holders' prose
    if lost * 2 + held <= chars:  # lost + held of at least chars + held characters: no majority of the blocks
        return None
    blocks = prose_blocks(root, paragraphs)
    chars = sum(n for _, n in blocks)
    lost = sum(n for x, n in blocks if x in inside) if chars else 0
    return _lost_warning(lost, chars, "blocks") if lost * 2 > chars else None


def _lost_warning(lost: int, chars: int, what: str) -> str:  # not done, counted
    return (f"clean/pruned-majority: class/id pruning would remove {lost} of {chars} "
            f"characters of text-bearing {what}; not applied")


def prune(tree: lxml.html.HtmlElement, hr: HtmlRules, named: list[Attributed] | None = None,
          known: dict[Any, int] | None = None) -> str | None:
    """Boilerplate containers out by tag and class/id token. Returns a warning when the token step was
    undone because it would have removed most of the page's text-bearing paragraphs, or when blocks were
    kept because they hold most of an ``<article>``/``<main>`` element's (``_article_guard``). ``named``:
    ``attributed()`` of the tree's body (else of the tree) as it is now, when the caller has it. ``known``:
    :func:`prose_chars` of the tree as it is now, when the caller has it (the paragraphs a dropped block was
    in are taken out of it: their text changes)."""
    body = tree.find("body")
    root = body if body is not None else tree
    spared: set[Any] = set()
    gone: set[Any] = set()  # the named elements of the blocks dropped by tag (``named`` was read before)
    if hr.drop_tags:
        by_tag = list(root.iter(*hr.drop_tags))
        spared = _article_guard(root, by_tag, known)
        for el in by_tag:
            if el.getparent() is not None and el not in spared:
                if named is not None:
                    gone.update(el.iter(etree.Element))  # a superset of its named elements: only those are asked
                _drop(el, known)
    if not hr.tokens:
        return _spared_warning(spared)
    total = len(text_of(root)) or 1
    if named is None:
        named = attributed(root)
    doomed = _doomed(named, _verdicts(hr.tokens, hr.hidden_classes), gone)
    # never drop a container holding much of the page's text (e.g. <div class="post has-comments">)
    sized = [(el, n) for el in doomed if (n := len(text_of(el))) / total <= hr.max_share]
    doomed = [el for el, _ in sized]
    doomed_chars = sum(n for _, n in sized)
    del sized
    if doomed and (warning := _majority_lost(root, doomed, known, doomed_chars)):  # a guess by name would take most of the article
        return warning
    by_name = _article_guard(root, doomed, known)
    for el in doomed:
        if el.getparent() is not None and el not in by_name:
            _drop(el, known)
    return _spared_warning(spared | by_name)


def _doomed(named: list[Attributed], verdicts: _Verdicts, gone: set[Any]) -> list[Any]:
    """The ``named`` elements :func:`_doomed_by_attributes` names, attribute by attribute (``verdicts``), but
    ``html``, ``body``, ``<article>``, ``<main>`` and those in ``gone``. The remembered answers are read from
    the verdicts' dictionaries here, ``by_class`` / ``by_id`` called only for a string they do not hold."""
    classes, ids, by_class, by_id = verdicts.classes, verdicts.ids, verdicts.by_class, verdicts.by_id
    return [el for el, cls, id_, style, hidden in named
            if (hidden or (cls and (by_class(cls) if (v := classes.get(cls)) is None else v))
                or (id_ and (by_id(id_) if (v := ids.get(id_)) is None else v))
                or (style and _hidden_style(style)))
            and el.tag not in _KEEP_TAGS and isinstance(el, etree._Element) and el not in gone]


def _spared_warning(spared: set[Any]) -> str | None:
    if not spared:
        return None
    return (f"clean/pruned-majority: pruning by tag or class/id would remove most of an <article>/<main> "
            f"element's text-bearing paragraphs; {len(spared)} block(s) holding them kept")


def _article_guard(root: Any, doomed: list[Any], known: dict[Any, int] | None = None) -> set[Any]:
    """The doomed blocks holding prose inside an ``<article>``/``<main>`` element whose prose they hold most
    of: the page's own article, pruned by a guess at its name or tag (a video page's description in
    ``item-caption``, a slideshow's text in its slides' captions), while a cookie notice or form text
    outside it keeps the page-wide guard quiet. ``known``: see :func:`prose_paragraphs` (the tree as it is now)."""
    inside: dict[Any, list[Any]] = {}  # box -> the doomed blocks in it (one walk up from each block)
    doomed_set = set(doomed)
    for el in doomed:
        for anc in el.iterancestors():
            if anc in doomed_set:  # its doomed ancestor decides
                break
            if anc.tag in _BOXES:
                inside.setdefault(anc, []).append(el)
    spared: set[Any] = set()
    for box, blocks in inside.items():
        held = {el: chars for el in blocks if (chars := sum(n for _, n in _prose_blocks(el, known)))}
        if not held or any(a in doomed_set for a in box.iterancestors()):
            continue  # most pages: their captions and boxes hold no prose; the box's is counted only if needed
        if sum(held.values()) * 2 > sum(n for _, n in _prose_blocks(box, known)):
            spared.update(held)
    return spared


GALLERY_MIN_IMAGES = 10  # a block of this many images ...
GALLERY_TEXT_PER_IMAGE = 150  # ... with less text than this per image, and no prose paragraph, is a gallery
PLAYER_MAX_CHARS = 1500  # a <video>'s ancestor with less text than this and no prose is its player UI


def _images_at_least(root: Any, n: int) -> bool:
    """``count(descendant-or-self::img) >= n``, the walk stopped at the ``n``-th image: a plain name matches
    the elements of that name without a namespace, in the XPath's name test as in lxml's ``iter``."""
    return next(islice(root.iter("img"), n - 1, None), None) is not None


def prune_media(root: Any, known: dict[Any, int] | None = None) -> dict[str, int]:
    """Media blocks out by structure, not by name: a video player's UI ("Chapters", "This is a modal
    window", caption settings) and photo galleries (many images, little text, no prose). Returns the
    counts (``metadata["pruned_blocks"]``); captions were recorded before. ``known``: see :func:`prune`."""
    counts = {"player": 0, "gallery": 0}
    for video in list(root.iter("video")):
        top = None
        for anc in video.iterancestors():
            if anc.tag in ("body", "html", "article", "main") or len(text_of(anc)) > PLAYER_MAX_CHARS:
                break
            if _has_prose_paragraph(anc):
                break
            top = anc
        if top is not None and top.getparent() is not None:
            _drop(top, known)
            counts["player"] += 1
    page_chars: int | None = None  # the page's text, counted at the first candidate (before any gallery goes)
    prose_chars: int | None = None  # the page's prose, counted at the first gallery (most pages have none)
    images: dict[Any, int] = {}
    if _images_at_least(root, GALLERY_MIN_IMAGES):  # else no block holds as many
        for img in root.iter("img"):
            for anc in img.iterancestors():
                if anc.tag in ("body", "html"):
                    break
                images[anc] = images.get(anc, 0) + 1
    for el, n in sorted(images.items(), key=lambda kv: -kv[1]):
        if n < GALLERY_MIN_IMAGES or el.getparent() is None:
            continue
        if el.tag in ("article", "main") or _has_prose_paragraph(el):
            continue
        chars = len(text_of(el).strip())
        if page_chars is None:
            page_chars = len(text_of(root))
        if chars >= n * GALLERY_TEXT_PER_IMAGE or chars * 2 >= page_chars or not _attached(el, root):
            continue
        if prose_chars is None:
            prose_chars = sum(n for _, n in prose_blocks(root))
        if chars <= prose_chars:  # a gallery with more text than the page's prose is its text (a photo story)
            _drop(el, known)
            counts["gallery"] += 1
    return {k: v for k, v in counts.items() if v}


def _attached(el: Any, root: Any) -> bool:
    """Still in the tree under ``root`` (an ancestor may have been dropped already)."""
    return any(a is root for a in el.iterancestors())


def _drop(el: etree._Element, known: dict[Any, int] | None = None) -> None:
    """Remove an element but keep its tail text in place. ``known`` (:func:`prose_chars`) forgets the
    paragraphs it is in: their text changes (a paragraph's own tail, where the element's tail may go, is
    no part of its text)."""
    parent = el.getparent()
    if parent is None:
        return
    if known:
        for p in el.iterancestors("p"):
            known.pop(p, None)
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)
