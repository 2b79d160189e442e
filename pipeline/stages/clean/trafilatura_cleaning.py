"""trafilatura 2.3.1's ``tree_cleaning`` in two parts: what every pass of a page does alike, and the rest.

``tree_cleaning(tree, options)`` recovers MathML, retags figures holding a table and layout tables, strips
``MANUALLY_STRIPPED``, deletes ``MANUALLY_CLEANED`` (one walk of the tree per tag), demotes or deletes
forms, and ends with ``prune_html(tree, options.focus)``. Before that last step it reads nothing of the
options but ``tables`` and ``images`` (the same in every pass of the clean stage) and ``focus`` only when
it is ``"recall"`` (its undo copy). So for the precise and broad passes of a page, :func:`before_pruning`
on one copy of the prepared tree, kept, and a pass's own ``prune_html`` on a copy of that give the tree
``tree_cleaning`` gives on a fresh copy: copying the cleaned tree (scripts, navigation, SVG, forms gone)
costs about a third of copying the prepared one, and the cleaning is done once a page
(``extraction.PageExtraction``). The recall focus keeps trafilatura's own function.

Used only if the installed ``tree_cleaning`` is the one this was written from (:func:`cleaning_matches`);
``tests/stages/test_clean_exact_cleaned_once.py`` compares the two.

The copy that is cleaned once a page is :func:`copy_without`: the page's tree copied without the raw-tree
prunes' matches and the elements ``tree_cleaning`` deletes whole, each left out the way ``delete_element``
deletes it (its tail joined to the text before it), so neither the copy nor the deletions pay for what goes
(the head, scripts, SVG, navigation: about half the page's elements). Deleting with the tail kept, and
stripping tags, only move text along the page's reading order, so doing some of them earlier gives the same
tree, as long as nothing in between reads what goes: a ``<math>`` (whose tail ``recover_math`` writes), a
``<form>`` (``_handle_forms`` measures text) or an element holding a ``<table>`` (a ``<figure>`` holding one is
kept as a ``<div>``) is left to ``before_pruning``, and so is every element of a tag that one of its elements
holds (``tree.iter(tag)`` stops at the first such pair ``delete_element`` takes out of the tree, leaving the
rest). ``tests/stages/test_clean_exact_left_out.py`` compares it with deleting on a copy.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from pipeline.stages.clean.ancestry import within
from pipeline.stages.clean.library_source import source_hash

# trafilatura 2.3.1 htmlprocessing.tree_cleaning's source text: sha256, first 16 hex digits
_WRITTEN_FROM = "828e83a7393082de"
# and of the two functions whose effects copy_without relies on: trafilatura.xml.delete_element, recover_math
_LEFT_OUT_FROM = {"delete_element": "76e448c154eb43ba", "recover_math": "a8dd575f1afe5a6e"}


@functools.cache
def cleaning_matches() -> bool:
    """The installed trafilatura's ``tree_cleaning`` is the one :func:`before_pruning` follows."""
    from trafilatura import htmlprocessing

    return source_hash(htmlprocessing.tree_cleaning) == _WRITTEN_FROM  # no source installed: each pass cleans itself


@functools.cache
def left_out_matches() -> bool:
    """:func:`copy_without` may stand for a copy and its deletions: the installed trafilatura cleans and
    deletes as the pinned one does, and no tag is both deleted whole and stripped."""
    from trafilatura import htmlprocessing as hp
    from trafilatura import xml

    return (cleaning_matches() and source_hash(xml.delete_element) == _LEFT_OUT_FROM["delete_element"]
            and source_hash(hp.recover_math) == _LEFT_OUT_FROM["recover_math"]
            and not set(hp.MANUALLY_CLEANED) & set(hp.MANUALLY_STRIPPED))


def _deleted_whole(tree: Any, options: Any) -> list[Any]:
    """The elements of ``tree`` that ``tree_cleaning`` deletes with all they hold whatever the steps before
    do (see the module's docstring), in document order; none when the options change what it deletes."""
    from trafilatura import htmlprocessing as hp

    if not options.tables or options.images or options.focus == "recall":
        return []
    found = list(tree.iter(*[tag for tag in hp.MANUALLY_CLEANED if tag not in ("form", "math")]))
    nested = {el.tag for el in found if next(el.iterancestors(el.tag), None) is not None}
    return [el for el in found if el.tag not in nested and next(el.iterdescendants("table", *nested), None) is None]


def copy_without(tree: Any, matches: list[list[Any]], options: Any) -> Any:
    """``copy.copy(tree)`` with trafilatura's ``delete_element`` done on each element of ``matches`` (the
    raw-tree prunes' lists, in their order) and then on the elements :func:`_deleted_whole` finds, all in the
    copy: these are taken out of ``tree`` for the copy, their tails joined to the text before them, and put
    back as they were. ``before_pruning`` on it gives the tree it gives on a copy pruned as trafilatura prunes.
    Only for :func:`left_out_matches`."""
    doomed = dict.fromkeys(el for found in matches for el in found)
    doomed.update(dict.fromkeys(_deleted_whole(tree, options)))
    under_doomed = within(doomed)  # it or an ancestor is one of them (each element asked once)

    undo = []
    try:
        for el in doomed:
            parent = el.getparent()
            if parent is None or under_doomed(parent):  # goes with the doomed element it is in
                continue
            before, tail = el.getprevious(), el.tail
            old = None
            if tail:  # delete_element: the tail joins the previous sibling's tail, or the parent's text
                if before is None:
                    old = parent.text
                    parent.text = (old or "") + tail
                else:
                    old = before.tail
                    before.tail = (old or "") + tail
            parent.remove(el)  # lxml keeps the tail on the element
            undo.append((el, parent, before, old, tail))
        copied = copy.copy(tree)
    finally:
        for el, parent, before, old, tail in reversed(undo):  # the tree as it was
            if tail:
                if before is None:
                    parent.text = old
                else:
                    before.tail = old
            if before is None:
                parent.insert(0, el)
            else:
                before.addnext(el)  # after the sibling's tail, with its own
    return copied


def cleaned_base(tree: Any, lists: bool, options: Any) -> Any:
    """``before_pruning(prepare_raw(copy.copy(tree), lists), options)`` (the raw-tree prunes): the page
    cleaned once up to ``prune_html``; from :func:`copy_without` where the installed trafilatura allows."""
    from pipeline.stages.clean.trafilatura_xpaths import prepare_raw, raw_prunes, raw_prunes_match

    if raw_prunes_match() and left_out_matches():
        return before_pruning(copy_without(tree, raw_prunes(tree, lists), options), options)
    return before_pruning(prepare_raw(copy.copy(tree), lists), options)


def before_pruning(tree: Any, options: Any) -> Any:
    """trafilatura 2.3.1 ``tree_cleaning(tree, options)`` up to its closing ``prune_html``, in place, for a
    focus other than recall (every step but that one is the same for the precision and balanced focus)."""
    from trafilatura import htmlprocessing as hp

    if options.focus == "recall":
        raise ValueError("the recall focus may restore the tree: trafilatura's tree_cleaning does it whole")
    hp.recover_math(tree)
    cleaning_list, stripping_list = hp.MANUALLY_CLEANED.copy(), hp.MANUALLY_STRIPPED.copy()
    clean_forms = "form" in cleaning_list
    if clean_forms:
        cleaning_list.remove("form")
    if not options.tables:
        cleaning_list.extend(["table", "td", "th", "tr"])
    else:
        for elem in tree.iter("figure", "table"):
            if elem.find(".//table") is not None if elem.tag == "figure" else elem.get("role") in ("presentation", "none"):
                elem.tag = "div"
    if options.images:
        cleaning_list = [e for e in cleaning_list if e not in hp.PRESERVE_IMG_CLEANING]
        stripping_list.remove("img")
    hp.strip_tags(tree, stripping_list)
    present = {el.tag for el in tree.iter()}  # a tag not in the tree now is not in it after deletions either
    for expression in cleaning_list:
        if expression not in present:  # one walk of the tree instead of one per tag of the list (about 45)
            continue
        for element in tree.iter(expression):
            hp.delete_element(element)
    if clean_forms:
        hp._handle_forms(tree)
    return tree


def after_pruning(tree: Any, options: Any) -> Any:
    """The rest of ``tree_cleaning``: its ``prune_html`` for the pass's focus."""
    from trafilatura import htmlprocessing

    return htmlprocessing.prune_html(tree, options.focus)
