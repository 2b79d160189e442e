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
_WRITTEN_FROM = {"prune_unwanted_sections": "e6eb7afcc64d3f37", "delete_by_link_density": "306ab5a31636cd08"}
_ROUND = (("div", True), ("list", False), ("p", False))  # (tag, backtracking) of each call of a round


@functools.cache
def sections_match() -> bool:
    """The installed trafilatura's two functions are the ones followed here."""
    from trafilatura import htmlprocessing, main_extractor

    installed = inspect.unwrap(main_extractor.prune_unwanted_sections)  # trafilatura's, once install() wrapped it
    return (source_hash(installed) == _WRITTEN_FROM["prune_unwanted_sections"]
            and source_hash(htmlprocessing.delete_by_link_density) == _WRITTEN_FROM["delete_by_link_density"]
            and main_extractor.delete_by_link_density is htmlprocessing.delete_by_link_density)


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


def delete_by_link_density(subtree: Any, tagname: str, backtracking: bool = False,
                           favor_precision: bool = False) -> bool:
    """trafilatura 2.3.1 ``delete_by_link_density``, the same deletions; True if it deleted any element."""
    from trafilatura.htmlprocessing import delete_element, link_density_test, trim

    deletions = []
    len_threshold = 200 if favor_precision else 100
    depth_threshold = 1 if favor_precision else 3
    for elem in subtree.iter(tagname):
        result, short_with_links = link_density_test(elem, favor_precision)
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
    deleted: list[bool] = []  # per call, in order: whether it deleted anything
    for second in (False, True):
        for k, (tagname, backtracking) in enumerate(_ROUND):
            # the k-th call of the second round: the tree is as the k-th of the first left it when no call
            # from that one on deleted anything
            if second and not any(deleted[k:]):
                deleted.append(False)
                continue
            deleted.append(delete_by_link_density(tree, tagname, backtracking, favor_precision))
    if "table" in potential_tags or favor_precision:
        boilerplate_tables = [elem for elem in tree.iter("table") if m.link_density_test_tables(elem) is True]
        for elem in boilerplate_tables:
            m.delete_element(elem, keep_tail=False)
    if favor_precision:
        while len(tree) > 0 and (tree[-1].tag == "head"):
            m.delete_element(tree[-1], keep_tail=False)
        delete_by_link_density(tree, "head", backtracking=False, favor_precision=True)
        delete_by_link_density(tree, "quote", backtracking=False, favor_precision=True)
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
