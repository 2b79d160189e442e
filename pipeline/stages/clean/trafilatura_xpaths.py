"""trafilatura's content and discard XPaths that call ``re:test``, the same elements at a fraction of the cost.

lxml runs every EXSLT ``re:test`` as a Python call per element it tests, so trafilatura 2.3.1's search for
the article's frame (``BODY_XPATH``) and its boilerplate prunes (``OVERALL_DISCARD_XPATH``,
``PRECISION_DISCARD_XPATH``) cost about a tenth of the clean stage on the throughput corpus, asked again in
every extraction pass, and its raw-tree prunes (``RAW_TREE_PRUNE_XPATH``, ``REMOVE_COMMENTS_XPATH``,
``REMOVE_COMMENTS_AND_LISTS_XPATH``) another 7 %. Here a walk of the tree (lxml's ``iterdescendants`` over
the tags the XPath names, in document order) reads the attributes the predicate reads and runs the predicate in
Python, remembered for the attribute values (a page repeats its class names); even an XPath in C that only
selects the candidates (``.//*[self::div or ...][@class or @id]``) cost about three times the walk in libxml2
(0.34 of 1.05 ms a page for the raw-tree prunes, 0.2 of 0.55 ms a pass for the frames and discards; issue 27).
The extractor's lists are switched inside the clean stage's passes only (``extraction._InPass``); the raw-tree
prunes are :func:`raw_prunes` (one walk for all of them) or the lists :func:`read_in_python` gives ``extraction``.

Each reading is used only if the installed trafilatura's XPath is the one it was written from (the hash of
its source text, :func:`replacements`); ``tests/stages/test_clean_trafilatura_xpaths.py`` compares the
elements with lxml's on hand-made attribute orders and on the shared pages. XPath semantics kept:

* ``re:test(@a|@b, ...)`` tests the attribute of the two that comes first in the element's source order
  (lxml passes the node-set in that order and tests its first string);
* a missing attribute is the empty string (``re:test``, ``contains``, ``starts-with``, ``translate``);
* ``re:test`` is ``re.search`` with the pattern compiled as lxml compiles it (``re.UNICODE``; ``re.I`` for
  the ``'i'`` flag);
* ``.//*[...][1]`` keeps each parent's first match; ``(.//*[...])[1]`` the first match of all.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any

from lxml import etree

Finder = Callable[[Any], list[Any]]


def source_hash(xpath: Any) -> str:
    return hashlib.sha256(str(xpath.path).encode()).hexdigest()[:16]


def _first_of(el: Any, a: str, b: str, va: str | None, vb: str | None) -> str:
    """The string value of ``@a|@b``: the one of the two attributes that comes first in source order."""
    if va is None:
        return vb or ""
    if vb is None:
        return va
    keys = el.keys()
    return va if keys.index(a) < keys.index(b) else vb


def _search(pattern: str, flags: int = 0) -> Callable[[str], bool]:
    compiled = re.compile(pattern, re.UNICODE | flags)
    return lambda s: compiled.search(s) is not None


_BODY_NAMES = ("article", "div", "main", "section")  # .//*[self::article or self::div or ...]
_TEXT_NAMES = ("div", "item", "list", "p", "section", "span")

# BODY_XPATH[0]: .//*[article|div|main|section][...][1]
_BODY0_ID = _search("(?:entry|article|art)-content|article__content|article(?:-|__)?body|articleBody|body-text")
_BODY0_CLASS = _search("post[-_]text|post-body|post-?entry|post[-_]?content|postContent|post_inner_wrapper|"
                       "article-?text|articleText|(?:entry|page|text|article|art)-content|article__content|"
                       "article(?:-|__)?body|articleBody|ArticleContent|body-text|article__container")


@functools.lru_cache(maxsize=4096)
def _body0(cls: str | None, itemprop: str | None, id_: str | None) -> bool:
    return (cls in ("post", "entry") or itemprop == "articleBody" or id_ == "articleContent"
            or _BODY0_ID(id_ or "") or _BODY0_CLASS(cls or ""))


def body_frame_0(tree: Any) -> list[Any]:
    out, parents = [], set()
    for el in tree.iterdescendants(*_BODY_NAMES):
        cls, itemprop, id_ = el.get("class"), el.get("itemprop"), el.get("id")
        if (cls is not None or itemprop is not None or id_ is not None) and _body0(cls, itemprop, id_):
            parent = el.getparent()
            if parent not in parents:  # [1]: the first match among its parent's children
                parents.add(parent)
                out.append(el)
    return out


# BODY_XPATH[2]: (.//*[article|div|main|section][...])[1]
_BODY2_ID = _search("^primary|story-body")
_BODY2_FULLTEXT = _search("fulltext", re.IGNORECASE)
_BODY2_CLASS = _search("^article |post-bodycopy|story-?content|(?:theme|blog|section|single)-content|single-post|"
                       "main-column|wpb_text_column|story-body|field-body")


@functools.lru_cache(maxsize=4096)
def _body2(role: str | None, id_: str | None, cls: str | None) -> bool:
    return (role == "article" or id_ in ("article", "story")
            or cls in ("postarea", "art-postcontent", "text", "cell", "story")
            or _BODY2_ID(id_ or "") or _BODY2_FULLTEXT(cls or "") or _BODY2_CLASS(cls or ""))


def body_frame_2(tree: Any) -> list[Any]:
    for el in tree.iterdescendants(*_BODY_NAMES):
        role, id_, cls = el.get("role"), el.get("id"), el.get("class")
        if (role is not None or id_ is not None or cls is not None) and _body2(role, id_, cls):
            return [el]
    return []


# BODY_XPATH[3]: (.//*[article|div|main|section][...])[1]
_BODY3_ID = _search("content-main|content-body|contentBody")
_BODY3_CLASS = _search("content[-_]main|content(?:-|__)body")
_CM = str.maketrans("CM", "cm")
_CP = str.maketrans("CP", "cp")


@functools.lru_cache(maxsize=4096)
def _body3(id_: str | None, cls: str | None) -> bool:
    i, c = id_ or "", cls or ""
    return (id_ == "content" or cls == "content" or _BODY3_ID(i) or _BODY3_CLASS(c)
            or "main-content" in i.translate(_CM) or "main-content" in c.translate(_CM)
            or "page-content" in c.translate(_CP))


def body_frame_3(tree: Any) -> list[Any]:
    for el in tree.iterdescendants(*_BODY_NAMES):
        id_, cls = el.get("id"), el.get("class")
        if (id_ is not None or cls is not None) and _body3(id_, cls):
            return [el]
    return []


# OVERALL_DISCARD_XPATH[0]: .//*[div|item|list|p|section|span][...]
_DISCARD0_COOKIE = _search("cookie")
_BOTH = "^shar|social|viral|newsletter|syndication|tags|sidebar|banner|bread-?crumb|button|author|"
_DISCARD0_ID = _search(_BOTH + "^(?:jp-|dpsp-content)|bmdh|footer|Footer|share|Share|nav|Nav|menu|related|"
                       "message-container|premium|^ad-")
_DISCARD0_CLASS = _search(
    _BOTH + "^(?:nav|post-nav|ZendeskForm)|subnav|avigation|navbar|navbox|menu|bar| ad |-ad-|(?:^| )ad-|dfp[Aa]d|"
    "outbrain|taboola|criteo|paid-?content|widget|footer|Footer|byline|Byline|share-|sociable|embedded|embed|"
    "tag-list|consent|modal-content|permission|elated|next-|-stories|most-popular|more-on|meta|rating|attachment|"
    "timestamp|user-info|user-profile|-icon|article-infos|message-container|slide|viewport|overlay|options|"
    "expand|obfuscated|blurred|mol-factbox|yin|zlylin|nfoline")
_N = str.maketrans("N", "n")


@functools.lru_cache(maxsize=8192)
def _discard0(lp: bool, role: str | None, component: str | None, id_class: str, id_: str | None,
              cls: str | None) -> bool:
    return (lp or "nav" in (role or "").translate(_N) or "MostPopularStories" in (component or "")
            or _DISCARD0_COOKIE(id_class) or _DISCARD0_ID(id_ or "") or _DISCARD0_CLASS(cls or ""))


def overall_discard_0(tree: Any) -> list[Any]:
    out = []
    for el in tree.iterdescendants(*_TEXT_NAMES):
        if not el.keys():  # none of the attributes the predicate reads (a cheaper test first)
            continue
        id_, cls, role, component = el.get("id"), el.get("class"), el.get("role"), el.get("data-component")
        lp = el.get("data-lp-replacement-content") is not None
        if ((lp or role is not None or component is not None or id_ is not None or cls is not None)
                and _discard0(lp, role, component, _first_of(el, "id", "class", id_, cls), id_, cls)):
            out.append(el)
    return out


# OVERALL_DISCARD_XPATH[1]: .//*[...]
_DISCARD1_HIDDEN = _search("hidden")
_DISCARD1_ID = _search("reader-comments|akismet")
_DISCARD1_CLASS = _search("^hide-|comments-title|nocomments|-reply-|message|akismet|suggest-links|-hide-|"
                          "hide-print| hidden| hide|noprint|notloaded")


@functools.lru_cache(maxsize=8192)
def _discard1(cls: str | None, id_class: str, id_style: str, id_: str | None, style: str | None,
              aria_hidden: str | None) -> bool:
    s = style or ""
    return (cls == "comments-title" or id_class.startswith("reply-") or _DISCARD1_HIDDEN(id_style)
            or "display:none" in s or "display: none" in s or _DISCARD1_ID(id_ or "")
            or _DISCARD1_CLASS(cls or "") or aria_hidden == "true")


def overall_discard_1(tree: Any) -> list[Any]:
    out = []
    for el in tree.iterdescendants(etree.Element):  # every element (no comments, no processing instructions)
        if not el.keys():
            continue
        id_, cls, style, hidden = el.get("id"), el.get("class"), el.get("style"), el.get("aria-hidden")
        if ((id_ is not None or cls is not None or style is not None or hidden is not None)
                and _discard1(cls, _first_of(el, "id", "class", id_, cls), _first_of(el, "id", "style", id_, style),
                              id_, style, hidden)):
            out.append(el)
    return out


# PRECISION_DISCARD_XPATH[1]: .//*[div|item|list|p|section|span][...]
_PRECISION1_BOTTOM = _search(r"(^|\s)bottom|bottom(\s|$)")
_PRECISION1_LINK = _search(r"(^|\s)link(\s|$)")


@functools.lru_cache(maxsize=4096)
def _precision1(id_class: str, style: str | None) -> bool:
    return _PRECISION1_BOTTOM(id_class) or _PRECISION1_LINK(id_class) or "border" in (style or "")


def precision_discard_1(tree: Any) -> list[Any]:
    out = []
    for el in tree.iterdescendants(*_TEXT_NAMES):
        id_, cls, style = el.get("id"), el.get("class"), el.get("style")
        if (id_ is not None or cls is not None or style is not None) and _precision1(
                _first_of(el, "id", "class", id_, cls), style):
            out.append(el)
    return out


# TEASER_DISCARD_XPATH[0]: .//*[div|item|list|p|section|span][contains(translate(@id|@class, 'T', 't'), 'teaser')]
_T = str.maketrans("T", "t")


def teaser_discard_0(tree: Any) -> list[Any]:
    out = []
    for el in tree.iterdescendants(*_TEXT_NAMES):
        id_, cls = el.get("id"), el.get("class")
        if (id_ is not None and "teaser" in id_.translate(_T)) or (cls is not None and "teaser" in cls.translate(_T)):
            out.append(el)
    return out


# DISCARD_IMAGE_ELEMENTS[0]: .//*[div|item|list|p|section|span][contains(@id, 'caption') or contains(@class, ...)]
def discard_image_0(tree: Any) -> list[Any]:
    out = []
    for el in tree.iterdescendants(*_TEXT_NAMES):
        id_, cls = el.get("id"), el.get("class")
        if (id_ is not None and "caption" in id_) or (cls is not None and "caption" in cls):
            out.append(el)
    return out


# RAW_TREE_PRUNE_XPATH[0]: .//*[div|section|aside][...][not(.//h1) or ...] (the raw tree, once a page)
_RAW_NAMES = ("div", "section", "aside")
_RAW0_ANY = _search("mvp-post-add-(?:box|wrap)|infinite-?scroll")
_RAW0_ADD = _search("mvp-post-add-(?:box|wrap)")


@functools.lru_cache(maxsize=4096)
def _raw0(id_: str | None, cls: str | None) -> tuple[bool, bool]:
    i, c = id_ or "", cls or ""
    return _RAW0_ANY(i) or _RAW0_ANY(c), _RAW0_ADD(i) or _RAW0_ADD(c)


def _raw0_match(el: Any, id_: str | None, cls: str | None) -> bool:
    i, c = id_ or "", cls or ""
    if not ("scroll" in i or "scroll" in c or "mvp-post-add-" in i or "mvp-post-add-" in c):  # every match has one
        return False
    scroll, add = _raw0(id_, cls)
    return scroll and (add or next(el.iterdescendants("h1"), None) is None)


def raw_tree_prune_0(tree: Any) -> list[Any]:
    return [el for el in tree.iterdescendants(*_RAW_NAMES) if _raw0_match(el, el.get("id"), el.get("class"))]


# RAW_TREE_PRUNE_XPATH[1]: .//*[div|section|aside][contains(@class, 'elementor-share-buttons')]
_SHARE_BUTTONS = "elementor-share-buttons"


def raw_tree_prune_1(tree: Any) -> list[Any]:
    return [el for el in tree.iterdescendants(*_RAW_NAMES) if _SHARE_BUTTONS in (el.get("class") or "")]


# REMOVE_COMMENTS_XPATH[0] and REMOVE_COMMENTS_AND_LISTS_XPATH[0] (the raw tree, once a page and pass kind)
_COMMENTS_ID = _search("^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)")
_COMMENTS_CLASS = _search("^[Cc]omment(?!ary)|(?:article|post)-comments")
_COMMENTS_LIST_ID = _search("^(?:[Cc]omment(?!ary)|comol)")
_COMMENTS_NAMES = ("div", "list", "section", "details")
_LISTS = ("ol", "ul")


@functools.lru_cache(maxsize=4096)
def _comments(id_: str | None, cls: str | None) -> tuple[bool, bool]:
    """(a comment container, one that is also a comment list by its names)"""
    i, c = id_ or "", cls or ""
    if not ("omment" in i or "comol" in i or "disqus_thread" in i or "omment" in c):  # every match has one
        return False, False
    by_class = _COMMENTS_CLASS(c)
    return _COMMENTS_ID(i) or by_class, _COMMENTS_LIST_ID(i) or by_class


def _comments_match(tag: str, id_: str | None, cls: str | None) -> bool:
    """REMOVE_COMMENTS_AND_LISTS_XPATH[0]'s predicate on a div, list, section, details, ol or ul"""
    container, as_list = _comments(id_, cls)
    return container and (tag not in _LISTS or as_list)


def remove_comments_0(tree: Any) -> list[Any]:
    return [el for el in tree.iterdescendants(*_COMMENTS_NAMES) if _comments(el.get("id"), el.get("class"))[0]]


def remove_comments_and_lists_0(tree: Any) -> list[Any]:
    return [el for el in tree.iterdescendants(*_COMMENTS_NAMES, *_LISTS)
            if _comments_match(el.tag, el.get("id"), el.get("class"))]


def raw_prunes(tree: Any, lists: bool) -> list[list[Any]]:
    """The elements of ``RAW_TREE_PRUNE_XPATH``'s two XPaths and, with ``lists``, of
    ``REMOVE_COMMENTS_AND_LISTS_XPATH``'s, each list in document order, from one walk of the raw tree. Every
    predicate but the first XPath's ``not(.//h1)`` reads the element's tag and attributes only, and that one is
    asked first: deleting the lists in turn (``prune_unwanted_nodes``) leaves the tree those XPaths evaluated
    one after the other leave (an element under one already deleted is removed from a detached subtree)."""
    scroll: list[Any] = []
    share: list[Any] = []
    comments: list[Any] = []
    for el in tree.iterdescendants(*_RAW_NAMES, *_COMMENTS_NAMES, *_LISTS) if lists else tree.iterdescendants(
            *_RAW_NAMES):
        id_, cls = el.get("id"), el.get("class")
        if id_ is None and cls is None:
            continue
        tag = el.tag
        if tag in _RAW_NAMES:
            if _raw0_match(el, id_, cls):
                scroll.append(el)
            if cls is not None and _SHARE_BUTTONS in cls:
                share.append(el)
        if lists and tag != "aside" and _comments_match(tag, id_, cls):
            comments.append(el)
    return [scroll, share, comments] if lists else [scroll, share]


@functools.cache
def raw_prunes_match() -> bool:
    """:func:`raw_prunes` reads the installed trafilatura's raw-tree XPath lists, all of them."""
    from trafilatura import xpaths

    found = replacements()
    return (len(xpaths.RAW_TREE_PRUNE_XPATH) == 2 and len(xpaths.REMOVE_COMMENTS_AND_LISTS_XPATH) == 1
            and {("RAW_TREE_PRUNE_XPATH", 0), ("RAW_TREE_PRUNE_XPATH", 1),
                 ("REMOVE_COMMENTS_AND_LISTS_XPATH", 0)} <= set(found))


# each reading, with the source text of the XPath it was written from (trafilatura 2.3.1): sha256, first 16
# hex digits
_READINGS: dict[tuple[str, int], tuple[str, Finder]] = {
    ("BODY_XPATH", 0): ("caaa561ceca17064", body_frame_0),
    ("BODY_XPATH", 2): ("6c9b5e1fdc092943", body_frame_2),
    ("BODY_XPATH", 3): ("10a7ceacc0ff8cdf", body_frame_3),
    ("OVERALL_DISCARD_XPATH", 0): ("a837e58a1b1ea116", overall_discard_0),
    ("OVERALL_DISCARD_XPATH", 1): ("c1d5b70b8cd03783", overall_discard_1),
    ("PRECISION_DISCARD_XPATH", 1): ("53d31ea1df47920a", precision_discard_1),
    ("TEASER_DISCARD_XPATH", 0): ("ebb02f066626551d", teaser_discard_0),
    ("DISCARD_IMAGE_ELEMENTS", 0): ("cb1ab981e44913f7", discard_image_0),
    ("RAW_TREE_PRUNE_XPATH", 0): ("01e7c660fd6406f2", raw_tree_prune_0),
    ("RAW_TREE_PRUNE_XPATH", 1): ("3c7afe92279543d5", raw_tree_prune_1),
    ("REMOVE_COMMENTS_XPATH", 0): ("5d97216ca15d0558", remove_comments_0),
    ("REMOVE_COMMENTS_AND_LISTS_XPATH", 0): ("9cc18d34e6e2d258", remove_comments_and_lists_0),
}


def replacements() -> dict[tuple[str, int], tuple[Any, Finder]]:
    """(list name, index) -> (trafilatura's XPath, its reading here), for each XPath of the installed
    trafilatura whose source text is the one the reading was written from."""
    from trafilatura import xpaths

    found = {}
    for (name, index), (written_from, finder) in _READINGS.items():
        xpath = getattr(xpaths, name)[index]
        if source_hash(xpath) == written_from:
            found[(name, index)] = (xpath, finder)
    return found


@functools.cache
def read_in_python(name: str) -> list[Any]:
    """trafilatura's XPath list ``name`` with each XPath that has a reading here replaced by it (for the
    lists the clean stage's own code passes to ``prune_unwanted_nodes``)."""
    from trafilatura import xpaths

    found = replacements()
    return [found[(name, i)][1] if (name, i) in found else xpath for i, xpath in enumerate(getattr(xpaths, name))]


def prepare_raw(tree: Any, lists: bool) -> Any:
    """trafilatura_sequence's raw-tree prunes (``RAW_TREE_PRUNE_XPATH``, and with ``lists`` the comment and
    list prunes), in place: the tree the passes and the cleaned-once copy start from."""
    from trafilatura.htmlprocessing import prune_unwanted_nodes
    from trafilatura.xml import delete_element

    if raw_prunes_match():  # one walk of the tree finds what each XPath would find in turn
        for matches in raw_prunes(tree, lists):
            for elem in matches:  # prune_unwanted_nodes without backup
                delete_element(elem)
        return tree
    tree = prune_unwanted_nodes(tree, read_in_python("RAW_TREE_PRUNE_XPATH"))
    if lists:
        tree = prune_unwanted_nodes(tree, read_in_python("REMOVE_COMMENTS_AND_LISTS_XPATH"))
    return tree
