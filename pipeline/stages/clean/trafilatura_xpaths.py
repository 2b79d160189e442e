"""trafilatura's content and discard XPaths that call ``re:test``, the same elements at a fraction of the cost.

lxml runs every EXSLT ``re:test`` as a Python call per element it tests, so trafilatura 2.3.1's search for
the article's frame (``BODY_XPATH``) and its boilerplate prunes (``OVERALL_DISCARD_XPATH``,
``PRECISION_DISCARD_XPATH``) cost about a tenth of the clean stage on the throughput corpus, asked again in
every extraction pass, and its raw-tree prunes (``RAW_TREE_PRUNE_XPATH``, ``REMOVE_COMMENTS_XPATH``,
``REMOVE_COMMENTS_AND_LISTS_XPATH``) another 7 %. Here one XPath in C finds the elements of the right tags
carrying an attribute the predicate reads (for the raw-tree prunes, also a substring every match holds),
in document order, and the predicate runs in Python on those only, remembered for the attribute values
(a page repeats its class names). The extractor's lists are switched inside the clean stage's passes only
(``extraction._InPass``); the raw-tree lists are the ones :func:`read_in_python` gives ``extraction``.

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
from typing import Any, cast

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


def _elements(path: str) -> Finder:
    """An XPath in C that selects elements only (its result typed as such)."""
    xpath = etree.XPath(path)
    return lambda tree: cast(list[Any], xpath(tree))


def _search(pattern: str, flags: int = 0) -> Callable[[str], bool]:
    compiled = re.compile(pattern, re.UNICODE | flags)
    return lambda s: compiled.search(s) is not None


_BODY_TAGS = "self::article or self::div or self::main or self::section"
_TEXT_TAGS = "self::div or self::item or self::list or self::p or self::section or self::span"

# BODY_XPATH[0]: .//*[article|div|main|section][...][1]
_BODY0_SCOPE = _elements(f".//*[{_BODY_TAGS}][@class or @itemprop or @id]")
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
    for el in _BODY0_SCOPE(tree):
        if _body0(el.get("class"), el.get("itemprop"), el.get("id")):
            parent = el.getparent()
            if parent not in parents:  # [1]: the first match among its parent's children
                parents.add(parent)
                out.append(el)
    return out


# BODY_XPATH[2]: (.//*[article|div|main|section][...])[1]
_BODY2_SCOPE = _elements(f".//*[{_BODY_TAGS}][@role or @id or @class]")
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
    return next(([el] for el in _BODY2_SCOPE(tree) if _body2(el.get("role"), el.get("id"), el.get("class"))), [])


# BODY_XPATH[3]: (.//*[article|div|main|section][...])[1]
_BODY3_SCOPE = _elements(f".//*[{_BODY_TAGS}][@id or @class]")
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
    return next(([el] for el in _BODY3_SCOPE(tree) if _body3(el.get("id"), el.get("class"))), [])


# OVERALL_DISCARD_XPATH[0]: .//*[div|item|list|p|section|span][...]
_DISCARD0_SCOPE = _elements(f".//*[{_TEXT_TAGS}][@data-lp-replacement-content or @role or @data-component "
                              "or @id or @class]")
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
    for el in _DISCARD0_SCOPE(tree):
        id_, cls = el.get("id"), el.get("class")
        if _discard0(el.get("data-lp-replacement-content") is not None, el.get("role"), el.get("data-component"),
                     _first_of(el, "id", "class", id_, cls), id_, cls):
            out.append(el)
    return out


# OVERALL_DISCARD_XPATH[1]: .//*[...]
_DISCARD1_SCOPE = _elements(".//*[@class or @id or @style or @aria-hidden]")
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
    for el in _DISCARD1_SCOPE(tree):
        id_, cls, style = el.get("id"), el.get("class"), el.get("style")
        if _discard1(cls, _first_of(el, "id", "class", id_, cls), _first_of(el, "id", "style", id_, style), id_,
                     style, el.get("aria-hidden")):
            out.append(el)
    return out


# PRECISION_DISCARD_XPATH[1]: .//*[div|item|list|p|section|span][...]
_PRECISION1_SCOPE = _elements(f".//*[{_TEXT_TAGS}][@id or @class or @style]")
_PRECISION1_BOTTOM = _search(r"(^|\s)bottom|bottom(\s|$)")
_PRECISION1_LINK = _search(r"(^|\s)link(\s|$)")


@functools.lru_cache(maxsize=4096)
def _precision1(id_class: str, style: str | None) -> bool:
    return _PRECISION1_BOTTOM(id_class) or _PRECISION1_LINK(id_class) or "border" in (style or "")


def precision_discard_1(tree: Any) -> list[Any]:
    out = []
    for el in _PRECISION1_SCOPE(tree):
        id_, cls = el.get("id"), el.get("class")
        if _precision1(_first_of(el, "id", "class", id_, cls), el.get("style")):
            out.append(el)
    return out


# RAW_TREE_PRUNE_XPATH[0]: .//*[div|section|aside][...][not(.//h1) or ...] (the raw tree, once a page)
# (the scopes of these whole-tree searches also test in C a substring every match must hold)
_RAW0_SCOPE = _elements(".//*[self::div or self::section or self::aside][contains(@id, 'mvp-post-add-') or "
                        "contains(@class, 'mvp-post-add-') or contains(@id, 'scroll') or contains(@class, 'scroll')]")
_RAW0_ANY = _search("mvp-post-add-(?:box|wrap)|infinite-?scroll")
_RAW0_ADD = _search("mvp-post-add-(?:box|wrap)")


@functools.lru_cache(maxsize=4096)
def _raw0(id_: str | None, cls: str | None) -> tuple[bool, bool]:
    i, c = id_ or "", cls or ""
    return _RAW0_ANY(i) or _RAW0_ANY(c), _RAW0_ADD(i) or _RAW0_ADD(c)


def raw_tree_prune_0(tree: Any) -> list[Any]:
    out = []
    for el in _RAW0_SCOPE(tree):
        scroll, add = _raw0(el.get("id"), el.get("class"))
        if scroll and (add or next(el.iterdescendants("h1"), None) is None):
            out.append(el)
    return out


# REMOVE_COMMENTS_XPATH[0] and REMOVE_COMMENTS_AND_LISTS_XPATH[0] (the raw tree, once a page and pass kind)
_COMMENTS_ID = _search("^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)")
_COMMENTS_CLASS = _search("^[Cc]omment(?!ary)|(?:article|post)-comments")
_COMMENTS_LIST_ID = _search("^(?:[Cc]omment(?!ary)|comol)")
_COMMENTS_HOLD = ("[contains(@id, 'omment') or contains(@id, 'comol') or contains(@id, 'disqus_thread') or "
                  "contains(@class, 'omment')]")
_COMMENTS_SCOPE = _elements(".//*[self::div or self::list or self::section or self::details]" + _COMMENTS_HOLD)
_COMMENTS_AND_LISTS_SCOPE = _elements(".//*[self::div or self::list or self::section or self::details or self::ol "
                                      "or self::ul]" + _COMMENTS_HOLD)


@functools.lru_cache(maxsize=4096)
def _comments(id_: str | None, cls: str | None) -> tuple[bool, bool]:
    """(a comment container, one that is also a comment list by its names)"""
    i, c = id_ or "", cls or ""
    by_class = _COMMENTS_CLASS(c)
    return _COMMENTS_ID(i) or by_class, _COMMENTS_LIST_ID(i) or by_class


def remove_comments_0(tree: Any) -> list[Any]:
    return [el for el in _COMMENTS_SCOPE(tree) if _comments(el.get("id"), el.get("class"))[0]]


def remove_comments_and_lists_0(tree: Any) -> list[Any]:
    out = []
    for el in _COMMENTS_AND_LISTS_SCOPE(tree):
        container, as_list = _comments(el.get("id"), el.get("class"))
        if container and (el.tag not in ("ol", "ul") or as_list):
            out.append(el)
    return out


# each reading, with the source text of the XPath it was written from (trafilatura 2.3.1): sha256, first 16
# hex digits
_READINGS: dict[tuple[str, int], tuple[str, Finder]] = {
    ("BODY_XPATH", 0): ("caaa561ceca17064", body_frame_0),
    ("BODY_XPATH", 2): ("6c9b5e1fdc092943", body_frame_2),
    ("BODY_XPATH", 3): ("10a7ceacc0ff8cdf", body_frame_3),
    ("OVERALL_DISCARD_XPATH", 0): ("a837e58a1b1ea116", overall_discard_0),
    ("OVERALL_DISCARD_XPATH", 1): ("c1d5b70b8cd03783", overall_discard_1),
    ("PRECISION_DISCARD_XPATH", 1): ("53d31ea1df47920a", precision_discard_1),
    ("RAW_TREE_PRUNE_XPATH", 0): ("01e7c660fd6406f2", raw_tree_prune_0),
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
