"""trafilatura 2.3.1's ``prune_unwanted_sections`` without repeating a link-density test on the tree it
already tested.

The function runs ``delete_by_link_density`` for ``div``, ``list`` and ``p`` twice in a row, so that what the
first round's deletions change is tested again. Most calls delete nothing (on 300 pages of the throughput
corpus, 189 of 3,084): a call whose first-round run deleted nothing, with no deletion by any call since,
would test the same tree with the same arguments again, and the test reads nothing but that tree (the
element, its subtree, its next sibling, its parent's tag), so it deletes nothing again and is skipped.
Every other step is trafilatura's, in its order, through ``main_extractor``'s own names (which the clean
stage's passes replace by their Python readings, :mod:`extraction`).

:func:`prune_outer` is the passes' ``prune_unwanted_nodes(..., with_backup=True)`` (moved here from
:mod:`extraction`, where it is installed).

The link-density test itself (:func:`link_density_test`, issue 27, s27-traf) gives trafilatura's answer without
splitting a long element's text into words: the test compares its trimmed length with thresholds of a few
hundred characters (or with a link text's), so the length is read from a prefix as far as that needs
(:class:`_TrimmedLength`). And an element that holds no ``ref`` is not tested at all (:func:`linked`, found
once a prune from the refs up; 4 of 5 tests found no link): ``delete_by_link_density`` 0.52 x its time on 300
throughput-corpus pages, ``clean_html`` 0.98 x.
Used only while the installed ``link_density_test`` is the one followed (:func:`density_matches`);
``tests/stages/test_clean_exact_s27_traf.py`` compares the answers on every element of the pruned sections.

Used only inside the clean stage's passes and only if the installed ``prune_unwanted_sections`` and
``delete_by_link_density`` are the ones this was written from (:func:`sections_match`);
``tests/stages/test_clean_exact_link_density.py`` compares the two on hand-made and real pages.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from pipeline.stages.clean.ancestry import within
from pipeline.stages.clean.library_source import source_hash

# trafilatura 2.3.1's source texts: sha256, first 16 hex digits
_WRITTEN_FROM = {"prune_unwanted_sections": "e6eb7afcc64d3f37", "delete_by_link_density": "306ab5a31636cd08",
                 "link_density_test": "0b3d71f252bf1963"}
_ROUND = (("div", True), ("list", False), ("p", False))  # (tag, backtracking) of each call of a round


@functools.cache
def sections_match() -> bool:
    """The installed trafilatura's two functions are the ones followed here."""
    from trafilatura import htmlprocessing, main_extractor

    installed = inspect.unwrap(main_extractor.prune_unwanted_sections)  # trafilatura's, once install() wrapped it
    return (source_hash(installed) == _WRITTEN_FROM["prune_unwanted_sections"]
            and source_hash(htmlprocessing.delete_by_link_density) == _WRITTEN_FROM["delete_by_link_density"]
            and main_extractor.delete_by_link_density is htmlprocessing.delete_by_link_density)


@functools.cache
def density_matches() -> bool:
    """The installed ``link_density_test`` is the one :func:`link_density_test` follows (and its link-farm ratio
    the pinned one's, above a half, which the bound of :meth:`_TrimmedLength.at_least` relies on)."""
    from trafilatura import htmlprocessing

    return (source_hash(htmlprocessing.link_density_test) == _WRITTEN_FROM["link_density_test"]
            and htmlprocessing.LINK_FARM_RATIO == 0.9)


class _TrimmedLength:
    """``len(trim(text))``, read from a prefix of ``text`` as long as a comparison only needs to know it is
    large. trafilatura's ``trim`` is ``" ".join(text.split()).strip()`` (the strip finds nothing to take):
    splitting a long element's text into words is most of a link-density test's time, and the test compares
    the length with thresholds of a few hundred characters. ``trim`` of a prefix is a prefix of ``trim`` of
    the whole (the cut word shortened, the rest as they are), so its length is a lower bound."""

    __slots__ = ("exact", "text", "value")

    def __init__(self, text: str) -> None:
        self.text, self.value, self.exact = text, 0, False

    def at_least(self, n: int) -> int:
        """The length if it is below ``n``; else a number between ``n`` and the length."""
        if self.exact or self.value >= n:
            return self.value
        text, k = self.text, 2 * n + 64
        while k < len(text):
            self.value = len(" ".join(text[:k].split()))
            if self.value >= n:
                return self.value
            k *= 4
        self.value, self.exact = len(" ".join(text.split())), True
        return self.value


def link_density_test(element: Any, favor_precision: bool = False) -> tuple[bool, bool]:
    """trafilatura 2.3.1 ``link_density_test``, the same answer: the refs and image looked for by C iterators
    (ElementPath's ``.//ref`` walks them in the same order, through Python generators), the element's trimmed
    length read only as far as each comparison needs (:class:`_TrimmedLength`; a bound at least twice the link
    text's length decides the two ``>`` comparisons with it as the exact length would, the ratios being 0.9)."""
    from trafilatura.htmlprocessing import LINK_FARM_RATIO, collect_link_info, is_paragraph_listing, trim

    links_xpath = list(element.iterdescendants("ref"))
    if not links_xpath:
        return False, False
    if next(element.iterdescendants("graphic"), None) is not None:  # preserve image containers
        return False, False
    text = _TrimmedLength(element.text_content())
    if len(links_xpath) == 1:
        len_threshold = 10 if favor_precision else 100
        link_text = trim(links_xpath[0].text_content())
        if len(link_text) > len_threshold and len(link_text) > text.at_least(2 * len(link_text) + 1) * 0.9:
            return True, False
    if element.tag == "p":
        limitlen = 60 if element.getnext() is None else 30
    elif element.getnext() is None:
        limitlen = 300
    else:
        limitlen = 100
    elemlen = text.at_least(limitlen)
    if elemlen < limitlen:  # exact
        linklen, elemnum, shortelems, _ = collect_link_info(links_xpath)
        if elemnum == 0:
            return True, False
        return linklen > elemlen * 0.8 or (elemnum > 1 and shortelems / elemnum > 0.8), True
    if len(links_xpath) > 4:  # a large near-total-link farm
        linklen, elemnum, _, _ = collect_link_info(links_xpath)
        if (linklen > text.at_least(2 * linklen + 1) * LINK_FARM_RATIO and linklen < 100 * elemnum
                and not is_paragraph_listing(links_xpath)):
            return True, False
    return False, False


def prune_outer(tree: Any, nodelist: list[Any]) -> Any:
    """trafilatura 2.3.1 ``prune_unwanted_nodes(tree, nodelist, with_backup=True)``, the same tree: the
    matched elements without a matched ancestor are removed unless that would leave less than a seventh
    of the text. trafilatura asks every match for all its ancestors (``any(a in matches for a in
    elem.iterancestors())``: matches x depth element proxies, 5 % of clean on the throughput corpus); here
    each element's answer is remembered on the way up, so an ancestor is asked once."""
    from trafilatura.xml import delete_element

    matches = dict.fromkeys(elem for expression in nodelist for elem in expression(tree))
    under_match = within(matches)  # it or an ancestor is one of them (each element asked once)

    outer = [elem for elem in matches if not under_match(elem.getparent())]
    old_len = len(tree.text_content())
    if old_len - sum(len(elem.text_content()) for elem in outer) > old_len / 7:
        for elem in outer:
            delete_element(elem)
    return tree


def linked(tree: Any) -> set[Any]:
    """The elements of ``tree`` (itself included) that hold a ``ref``: every element that :func:`link_density_test`
    can find links in. Deletions only take refs away, so the set stays a superset of them while elements are
    only deleted (as in the link-density rounds)."""
    found: set[Any] = set()
    for ref in tree.iterdescendants("ref"):
        for above in ref.iterancestors():
            if above in found:
                break
            found.add(above)
            if above is tree:
                break
    return found


def delete_by_link_density(subtree: Any, tagname: str, backtracking: bool = False,
                           favor_precision: bool = False, holders: set[Any] | None = None) -> bool:
    """trafilatura 2.3.1 ``delete_by_link_density``, the same deletions; True if it deleted any element.
    ``holders``: a superset of the elements holding a ref (:func:`linked`); another element is not tested, the
    test finding no links in it (:func:`density_matches`: the test is :func:`link_density_test`)."""
    from trafilatura.htmlprocessing import delete_element, trim
    from trafilatura.htmlprocessing import link_density_test as library_test

    test = link_density_test if density_matches() else library_test
    if not density_matches():
        holders = None
    deletions = []
    len_threshold = 200 if favor_precision else 100
    depth_threshold = 1 if favor_precision else 3
    for elem in subtree.iter(tagname):
        if holders is not None and elem not in holders:  # no links: (False, False)
            continue
        result, short_with_links = test(elem, favor_precision)
        if result or (backtracking and short_with_links and len(elem) >= depth_threshold
                      and len(trim(elem.text_content())) < len_threshold):
            parent = elem.getparent()  # a paragraph holding a list item's content is kept (GH #788)
            if tagname == "p" and parent is not None and parent.tag in ("item", "td", "th"):
                continue
            deletions.append(elem)
    for elem in dict.fromkeys(deletions):
        delete_element(elem)
    return bool(deletions)


def prune_unwanted_sections(tree: Any, potential_tags: set[str], options: Any, keep_teasers: bool = False) -> Any:
    """trafilatura 2.3.1 ``prune_unwanted_sections``: the same tree, a second-round link-density call skipped
    where it would test the tree its first-round call tested and left as it was."""
    from trafilatura import main_extractor as m

    favor_precision = options.focus == "precision"
    tree = m.prune_unwanted_nodes(tree, m.OVERALL_DISCARD_XPATH, with_backup=True)
    if "graphic" not in potential_tags:
        tree = m.prune_unwanted_nodes(tree, m.DISCARD_IMAGE_ELEMENTS)
    if options.focus != "recall":
        if not keep_teasers:
            tree = m.prune_unwanted_nodes(tree, m.TEASER_DISCARD_XPATH)
        if favor_precision:
            tree = m.prune_unwanted_nodes(tree, m.PRECISION_DISCARD_XPATH)
    holders = linked(tree) if density_matches() else None  # the elements a link-density test finds links in
    deleted: list[bool] = []  # per call, in order: whether it deleted anything
    for second in (False, True):
        for k, (tagname, backtracking) in enumerate(_ROUND):
            # the k-th call of the second round: the tree is as the k-th of the first left it when no call
            # from that one on deleted anything
            if second and not any(deleted[k:]):
                deleted.append(False)
                continue
            deleted.append(delete_by_link_density(tree, tagname, backtracking, favor_precision, holders))
    if "table" in potential_tags or favor_precision:
        boilerplate_tables = [elem for elem in tree.iter("table") if m.link_density_test_tables(elem) is True]
        for elem in boilerplate_tables:
            m.delete_element(elem, keep_tail=False)
    if favor_precision:
        while len(tree) > 0 and (tree[-1].tag == "head"):
            m.delete_element(tree[-1], keep_tail=False)
        delete_by_link_density(tree, "head", backtracking=False, favor_precision=True, holders=holders)
        delete_by_link_density(tree, "quote", backtracking=False, favor_precision=True, holders=holders)
    m.strip_tags(tree, "span", *(() if "ref" in potential_tags else ("ref",)))
    return tree


def install(in_pass: Callable[[], bool]) -> None:
    """``main_extractor.prune_unwanted_sections`` (the main pass's and ``recover_wild_text``'s) becomes
    :func:`prune_unwanted_sections` where ``in_pass()`` says so and the installed trafilatura matches."""
    from trafilatura import main_extractor

    if not sections_match():
        return
    original = main_extractor.prune_unwanted_sections

    def prune(tree: Any, potential_tags: set[str], options: Any, keep_teasers: bool = False) -> Any:
        if in_pass():
            return prune_unwanted_sections(tree, potential_tags, options, keep_teasers)
        return original(tree, potential_tags, options, keep_teasers)

    prune.__wrapped__ = original  # type: ignore[attr-defined]
    main_extractor.prune_unwanted_sections = prune
