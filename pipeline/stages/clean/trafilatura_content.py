"""trafilatura 2.3.1's ``extract_content`` without its copy of the tree on every pass.

``extract_content`` deep-copies the cleaned, converted tree before its main pass and reads the copy only when
that pass finds too little (``recover_wild_text``, 21 of 323 passes on 300 pages of the throughput corpus).
Inside the clean stage's passes that tree is made again instead, when it is read: the pass's own steps
(``extraction._prepare_tree``) on the page's kept trees, which the passes do not change, give the same
tree (the elements the main pass took are found in it by their place in document order, as trafilatura
finds them in its copy: a tree of another shape raises). Everything else is trafilatura's, in its order.

Used only if the installed ``extract_content`` is the one this was written from (:func:`content_matches`);
``tests/stages/test_clean_exact_content.py`` compares the two on hand-made and real pages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from pipeline.stages.clean.library_source import source_hash

_WRITTEN_FROM = "f0270c94ac5f30b5"  # trafilatura 2.3.1 main_extractor.extract_content: sha256, 16 hex digits


@functools.cache
def content_matches() -> bool:
    from trafilatura import main_extractor

    return source_hash(main_extractor.extract_content) == _WRITTEN_FROM  # no source installed: False


def extract_content(cleaned_tree: Any, options: Any, again: Callable[[], Any]) -> tuple[Any, str]:
    """``extract_content(cleaned_tree, options)``; ``again()`` makes ``cleaned_tree`` as it was given."""
    from trafilatura import main_extractor as m

    order = list(cleaned_tree.iter())  # source order before the main pass moves elements
    result_body, temp_text, potential_tags = m._extract(cleaned_tree, options)
    if len(result_body) == 0 or len(temp_text) < options.min_extracted_size:
        backup_tree = again()  # trafilatura's copy, made only here where it is read
        consumed = {twin for elem, twin in zip(order, backup_tree.iter(), strict=True) if elem.tag == "done"}
        result_body = m.recover_wild_text(backup_tree, result_body, options, potential_tags, consumed)
        temp_text = " ".join(result_body.itertext()).strip()  # type: ignore[arg-type]
    previous = None
    for el in list(result_body):
        current = m._elem_text(el)
        if current and current == previous and len(current) > m.MIN_DUPLICATE_LENGTH:
            m.delete_element(el, keep_tail=False)
        else:
            previous = current
    m.strip_elements(result_body, "done")
    m.strip_tags(result_body, "div")
    for linebreak in result_body.iter("lb"):
        if (linebreak.tail and not m.text_chars_test(linebreak.tail)
                and not any(anc.tag in m.SPACING_PROTECTED for anc in linebreak.iterancestors())):
            linebreak.tail = None
    return result_body, temp_text
