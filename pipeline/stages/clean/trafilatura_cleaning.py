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
"""

from __future__ import annotations

import functools
import hashlib
import inspect
from typing import Any

# trafilatura 2.3.1 htmlprocessing.tree_cleaning's source text: sha256, first 16 hex digits
_WRITTEN_FROM = "828e83a7393082de"


@functools.cache
def cleaning_matches() -> bool:
    """The installed trafilatura's ``tree_cleaning`` is the one :func:`before_pruning` follows."""
    from trafilatura import htmlprocessing

    try:
        source = inspect.getsource(htmlprocessing.tree_cleaning)
    except (OSError, TypeError):  # no source installed (bytecode only): each pass cleans itself
        return False
    return hashlib.sha256(source.encode()).hexdigest()[:16] == _WRITTEN_FROM


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
    for expression in cleaning_list:
        for element in tree.iter(expression):
            hp.delete_element(element)
    if clean_forms:
        hp._handle_forms(tree)
    return tree


def after_pruning(tree: Any, options: Any) -> Any:
    """The rest of ``tree_cleaning``: its ``prune_html`` for the pass's focus."""
    from trafilatura import htmlprocessing

    return htmlprocessing.prune_html(tree, options.focus)
