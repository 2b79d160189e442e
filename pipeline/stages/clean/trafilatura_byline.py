"""trafilatura's byline search (``trafilatura.metadata.extract_author``), the same answer at a fraction of its
cost: the metadata fallbacks ask it on every page whose structured data and byline rules name no author
(issue 27: 0.33 x its time on the 1,111 shared and trafilatura-eval pages, same answer on each)."""

from __future__ import annotations

import functools
import re
from typing import Any

import lxml.html
from lxml import etree

from pipeline.stages.clean.extraction import sequence_matches

# trafilatura 2.3.1's byline XPaths (``AUTHOR_XPATHS``) and the blocks it discards before them
# (``AUTHOR_DISCARD_XPATHS``), their predicates read in Python: lxml runs each ``re:test`` as a Python call
# per element, three whole-page searches of about 2 ms each. One walk finds the elements with an attribute
# (or a tag) some predicate reads, in document order: ``_AUTHOR_SCOPE``'s elements (:func:`_scope_roles`; the
# walk reading the attributes costs 0.77 x this XPath in C with the reads after it); the predicates run on
# those only.
_AUTHOR_SCOPE = ("descendant-or-self::*[@class or @id or @rel or @itemprop or @data-testid or "
                 "@data-component or self::author or self::time or self::figure]")  # what _scope_roles walks for
_SCOPE_TAGS = frozenset(("author", "time", "figure"))
_BYLINE_TAGS = (frozenset(("a", "address", "div", "link", "p", "span", "strong")),
                frozenset(("a", "div", "h3", "h4", "p", "span")))
_AUTHOR_CLASS = (re.compile("author-?name|AuthorName|authorName"),
                 re.compile("author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name"),
                 re.compile("[Aa]uthor|screenname|writer|[Bb]yline"))
_AUTHOR_ID = (re.compile("author|zuozhe|bianji|xiaobian"), re.compile("[Aa]uthor"))
_DISCARD_TAGS = frozenset(("a", "div", "section", "span"))
_DISCARD_ID = re.compile("^comments|comment-?list|ProductReviews")
_DISCARD_CLASS = re.compile("^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|"
                            "article-(?:share|support)|print|category|meta-date|meta-reviewer")


@functools.lru_cache(maxsize=8192)
def _author_roles(tag: str, cls: str | None, id_: str | None, rel: str | None, itemprop: str | None,
                  testid: str | None, component: str | None) -> tuple[bool, bool, bool, bool]:
    """Whether an element with these tag and attributes is a match of each of the three ``AUTHOR_XPATHS``
    (``rel='me'``, the one predicate reading a child element, is left to the caller), and of
    ``AUTHOR_DISCARD_XPATHS`` (below the page's root). Remembered: a page repeats its class names."""
    by_itemprop = itemprop is not None and "author" in itemprop
    first = tag == "author" or (tag in _BYLINE_TAGS[0] and (
        rel == "author" or id_ == "author" or cls == "author" or itemprop == "author name"
        or testid in ("AuthorCard", "AuthorURL") or (cls is not None and _AUTHOR_CLASS[0].search(cls) is not None)))
    second = tag in _BYLINE_TAGS[1] and (
        cls in ("byline", "username", "byl", "BBL") or by_itemprop
        or (id_ is not None and _AUTHOR_ID[0].search(id_) is not None)
        or (cls is not None and _AUTHOR_CLASS[1].search(cls) is not None))
    third = ((component is not None and "Byline" in component) or by_itemprop
             or (id_ is not None and _AUTHOR_ID[1].search(id_) is not None)
             or (cls is not None and _AUTHOR_CLASS[2].search(cls) is not None))
    discard = tag in ("time", "figure") or (tag in _DISCARD_TAGS and (
        id_ == "comments" or cls in ("comments", "title", "date")
        or (id_ is not None and _DISCARD_ID.search(id_) is not None)
        or (cls is not None and _DISCARD_CLASS.search(cls) is not None)
        or (component is not None and "Figure" in component)))
    return first, second, third, discard


def _scope_roles(tree: Any) -> list[tuple[Any, tuple[bool, bool, bool, bool]]]:
    """(element, :func:`_author_roles`) of the elements of ``_AUTHOR_SCOPE`` under ``tree`` (itself included),
    in document order: one walk over the elements (no comments or processing instructions, as ``*``)
    reading the six attributes once (``tests/stages/test_clean_exact_attributed.py``)."""
    out: list[tuple[Any, tuple[bool, bool, bool, bool]]] = []
    add = out.append
    for el in tree.iter(etree.Element):
        get, tag = el.get, el.tag
        cls, id_, rel, itemprop = get("class"), get("id"), get("rel"), get("itemprop")
        testid, component = get("data-testid"), get("data-component")
        if (cls is not None or id_ is not None or rel is not None or itemprop is not None or testid is not None
                or component is not None or tag in _SCOPE_TAGS):
            add((el, _author_roles(tag, cls, id_, rel, itemprop, testid, component)))
    return out


def _texts_without(el: Any, discarded: set[Any]) -> list[str] | None:
    """``el.itertext()`` as it reads once the discarded elements below it are deleted the way trafilatura
    deletes them (``delete_element``: the tail joined to the previous sibling's tail or to the parent's
    text, so it is one piece with it); None below a node that is not an element (a comment), left to
    trafilatura."""
    out: list[str] = []

    def walk(node: Any) -> bool:
        pending = node.text or ""  # the node's text, then each kept child's tail, with the deleted ones' tails
        for child in node:
            if not isinstance(child.tag, str):
                return False
            if child in discarded:
                pending += child.tail or ""
                continue
            if pending:
                out.append(pending)
            if not walk(child):
                return False
            pending = child.tail or ""
        if pending:
            out.append(pending)
        return True

    return out if walk(el) else None


def trafilatura_author(tree: lxml.html.HtmlElement) -> str | None:
    """``trafilatura.metadata.extract_author(tree)`` (2.3.1), the same answer at a fraction of the cost.
    trafilatura copies the page, deletes the discarded blocks (comments, sidebars, ``<time>``, ``<figure>``
    ...) and takes the first element of its byline XPaths, in their order, with a text of 3 to 119
    characters. Here the predicates run in Python on the elements that carry the attributes they read
    (:func:`_author_roles`), and a match in (or being) a discarded block is passed over:
    the predicates test attributes, so deleting blocks never makes a match, and a match with no discarded
    block inside has the same text in the copy; a match holding one has the text the deletions leave
    (:func:`_texts_without`). A page with a ``<rel>`` element (one predicate reads a child element) is
    asked as trafilatura asks (issue 27)."""
    from trafilatura.metadata import extract_author, normalize_authors
    from trafilatura.utils import trim

    if not sequence_matches() or next(tree.iter("rel"), None) is not None:
        return extract_author(tree)
    roles = _scope_roles(tree)
    # the root is no match of the first discard XPath (``.//*``), a <time> or <figure> root would be
    discarded = {el for el, of in roles if of[3] and (el is not tree or el.tag in ("time", "figure"))}
    for k in range(3):
        for elem, of in roles:
            if not of[k] or elem in discarded or any(a in discarded for a in elem.iterancestors()):
                continue
            if discarded and any(d in discarded for d in elem.iterdescendants()):
                pieces = _texts_without(elem, discarded)
                if pieces is None:
                    return extract_author(tree)
            else:
                pieces = list(elem.itertext())
            content = trim(" ".join(pieces))
            if content and 2 < len(content) < 120:
                return normalize_authors(None, content)
    return None
