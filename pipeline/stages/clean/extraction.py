"""trafilatura's text extraction of one page, with its raw-tree preparation done once for every pass.

``trafilatura.extract(tree)`` copies the tree it is given (``bare_extraction``) and prunes the copy with
two whole-tree XPath sets (``RAW_TREE_PRUNE_XPATH``; with comments off also
``REMOVE_COMMENTS_AND_LISTS_XPATH``, on a thread-forum page only in precision mode) before its cascade.
The clean stage extracts a page in one to three passes (precise fast, precise full, broad), each of which
paid the copy and both prunes again: about 2 ms a pass on the shared pages (issue 27, plan item 2).

:class:`PageExtraction` makes that prepared copy once per page and runs the rest of trafilatura's
``trafilatura_sequence`` on it for each pass -- the pinned version's own steps (``tree_cleaning``,
``convert_tags``, ``extract_content``, ``compare_extraction``, ``baseline``, the recall escalation), in
its order, with comments off as the clean stage asks, and without the pre-conversion backup copy in fast
mode, where nothing reads it -- then ``bare_extraction``'s size checks and ``extract``'s text output
(``determine_returnstring``). The cascade never changes the prepared tree: every step of it that prunes
or cleans works on a copy of its own. A tree nothing reads afterwards (a fresh parse for one pass) is
prepared in place, without the copy (``owned=True``).

Inside these passes (issue 27) trafilatura's guarded prune of its cleaned tree is
:func:`trafilatura_sections.prune_outer` (no match asked for all its ancestors); its frame, discard and raw-tree XPaths that call ``re:test`` are read in
Python by walks of the tree (:mod:`trafilatura_xpaths`); a pass's cleaning copy leaves out the ``<head>``
``tree_cleaning`` deletes whole (:func:`_cleaning_copy`). ``tree_cleaning`` up to its ``prune_html`` is done
once a page, on a copy made without what the raw-tree prunes and the cleaning delete whole
(:mod:`trafilatura_cleaning`), kept in ``PageExtraction._cleaned``; each pass copies it and prunes its empty
elements for its focus. ``prune_unwanted_sections`` skips a second link-density round on a tree the first
left as it was (:mod:`trafilatura_sections`), and ``extract_content`` makes its backup tree again only when
its recovery reads it (:mod:`trafilatura_content`). The prepared (raw-pruned, uncleaned) tree is read only by
the full cascade's readability and jusText, ``baseline``, ``html2txt`` and the recall retry (about 15 % of
the corpus pages): it is made when one of them first reads it (``PageExtraction._raw``).

The text is ``trafilatura.extract``'s byte for byte (``devtools/clean_compare.py passes`` over the 1,111
shared and trafilatura-eval pages, every pass kind; ``tests/stages/test_clean_parse_once.py``). Another
trafilatura version than :data:`SEQUENCE_OF` makes every pass a plain ``trafilatura.extract`` call.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import functools
from collections.abc import Callable, Iterator
from typing import Any

import lxml.html
from lxml import etree

from pipeline.stages.clean.trafilatura_sections import prune_outer as _prune_outer

SEQUENCE_OF = "2.3.1"  # the trafilatura version whose trafilatura_sequence this follows (requirements.in pins it)


@functools.cache
def sequence_matches() -> bool:
    import trafilatura

    return bool(trafilatura.__version__ == SEQUENCE_OF)


_PER_PASS = False  # every pass a trafilatura.extract call, as before plan item 2 (see per_pass_extract)


def _matches() -> bool:
    return not _PER_PASS and sequence_matches()


@contextlib.contextmanager
def per_pass_extract() -> Iterator[None]:
    """Inside: every pass is a plain ``trafilatura.extract`` call, which copies and prepares the tree
    itself -- the clean stage before plan item 2, same text. The same-process baseline of
    ``benchmarks/profile_clean.py``; not for concurrent use."""
    global _PER_PASS
    _PER_PASS = True
    try:
        yield
    finally:
        _PER_PASS = False


@functools.cache
def _options(precision: bool, fast: bool) -> Any:
    """The ``Extractor`` that ``trafilatura.extract`` builds for the clean stage's arguments. Shared by
    the passes: trafilatura copies it before the one change it makes (the recall escalation's focus)."""
    from trafilatura.settings import DEFAULT_CONFIG, Extractor

    return Extractor(config=DEFAULT_CONFIG, output_format="txt", fast=fast, precision=precision, recall=False,
                     comments=False, formatting=None, links=False, images=False, tables=True, dedup=False,
                     lang=None, url=None, with_metadata=False, only_with_metadata=False, tei_validation=False,
                     author_blacklist=None, url_blacklist=None, date_params=None)


def public_extract(tree: lxml.html.HtmlElement, *, precision: bool, fast: bool = False) -> str:
    """``trafilatura.extract`` on the tree (it copies it) with the clean stage's arguments."""
    import trafilatura

    return trafilatura.extract(tree, fast=fast, include_comments=False, favor_precision=precision,
                               include_tables=True, deduplicate=False, with_metadata=False) or ""


def _prunes_lists(precision: bool, forum: bool) -> bool:
    """trafilatura_sequence prunes comment containers and lists off the raw tree (comments off) unless a
    non-precision pass runs on a thread-forum page."""
    return precision or not forum


def _prepare(tree: lxml.html.HtmlElement, lists: bool) -> lxml.html.HtmlElement:
    """trafilatura_sequence's raw-tree prunes, in place (:func:`trafilatura_xpaths.prepare_raw`)."""
    from pipeline.stages.clean.trafilatura_xpaths import prepare_raw

    return prepare_raw(tree, lists)


def _head_goes_whole(tree: lxml.html.HtmlElement, options: Any) -> Any:
    """The tree's ``<head>`` when ``tree_cleaning`` deletes it, first child of the root, whole and with no
    effect on the rest but its tail joining the root's text; else None. Every step before the deletion
    (MathML recovery, figure and table retagging, tag stripping) acts inside the head on what is in it; the
    recall focus (which may restore the tree as it was before the deletions) is left alone, and so is a
    head holding an element of a deleted tag inside another of that tag (deleting the outer one while
    lxml iterates the tag ends the iteration, the rest of the page keeps that tag's elements)."""
    from trafilatura import htmlprocessing

    head = tree[0] if len(tree) else None
    if head is None or head.tag != "head" or options.focus == "recall" or "head" not in htmlprocessing.MANUALLY_CLEANED:
        return None
    deleted = set(htmlprocessing.MANUALLY_CLEANED) | (set() if options.tables else {"table", "td", "th", "tr"})
    for elem in head.iter():
        if elem.tag in deleted and next(elem.iterdescendants(elem.tag), None) is not None:
            return None
    return head


def _cleaning_copy(tree: lxml.html.HtmlElement, options: Any) -> Any:
    """``copy.copy(tree)`` as ``tree_cleaning`` leaves it: without a head it deletes whole
    (:func:`_head_goes_whole`, its tail already joined to the root's text), which is then not copied (a fifth
    of the copy's cost on the throughput corpus: scripts, styles). The tree itself is left as it was."""
    head = _head_goes_whole(tree, options)
    if head is None:
        return copy.copy(tree)
    tree.remove(head)  # the tail goes with it
    try:
        cleaned = copy.copy(tree)
    finally:
        tree.insert(0, head)
    if head.tail:
        cleaned.text = (cleaned.text or "") + head.tail  # delete_element(head): the root's text gets the tail
    return cleaned


def _prepare_tree(tree: Callable[[], Any], options: Any, base: Any = None, comments: bool = False,
                  backup: bool = True) -> tuple[Any, Any]:
    """trafilatura's ``_prepare_tree`` (the cleaned, converted tree and its pre-conversion backup), without
    the backup in fast mode, where nothing reads it (it feeds jusText in ``compare_extraction`` only), or
    where not asked; ``comments``: comment containers pruned off the converted tree (a precise pass).
    ``base``: the page's tree cleaned up to ``prune_html`` (``PageExtraction._cleaned``), copied for a pass of a
    focus other than recall instead of cleaning a copy of ``tree`` again."""
    from trafilatura.htmlprocessing import convert_tags, prune_unwanted_nodes, tree_cleaning

    from pipeline.stages.clean.trafilatura_cleaning import after_pruning
    from pipeline.stages.clean.trafilatura_xpaths import read_in_python

    if base is not None and options.focus != "recall":
        cleaned = after_pruning(copy.copy(base), options)
    else:
        cleaned = tree_cleaning(_cleaning_copy(tree(), options), options)
    kept = copy.copy(cleaned) if backup and not options.fast else None
    converted = convert_tags(cleaned, options, None)
    if comments:
        converted = prune_unwanted_nodes(converted, read_in_python("REMOVE_COMMENTS_XPATH"))
    return converted, kept


def _extract_and_compare(tree: Callable[[], Any], options: Any, cleaned_tree: Any = None, backup: Any = None,
                         again: Callable[[], Any] | None = None) -> tuple[Any, str]:
    """trafilatura's ``_extract_and_compare`` (``_recall_retry`` when the cleaned trees are not given);
    ``again()`` makes ``cleaned_tree`` once more (:mod:`trafilatura_content`)."""
    from trafilatura.external import compare_extraction
    from trafilatura.main_extractor import extract_content

    from pipeline.stages.clean.trafilatura_content import content_matches
    from pipeline.stages.clean.trafilatura_content import extract_content as made_again

    if cleaned_tree is None:
        cleaned_tree, backup = _prepare_tree(tree, options)
        again = functools.partial(_converted, tree, options, None, False)
    if again is not None and content_matches():
        postbody, temp_text = made_again(cleaned_tree, options, again)
    else:
        postbody, temp_text = extract_content(cleaned_tree, options)
    if not options.fast:
        postbody, temp_text = compare_extraction(backup, copy.copy(tree()), postbody, temp_text, options)
    return postbody, temp_text


def _converted(tree: Callable[[], Any], options: Any, base: Any, comments: bool) -> Any:
    return _prepare_tree(tree, options, base, comments, backup=False)[0]


def _sequence(tree: Callable[[], Any], forum: bool, options: Any, base: Any = None) -> tuple[Any, str]:
    """trafilatura 2.3.1 ``trafilatura_sequence`` after its raw-tree prunes, comments off (no comment
    capture, no forum-post salvage, the escalation input is the prepared tree itself). ``tree`` gives the
    prepared tree, made when a step first asks; ``base``: its cleaned base (:func:`_prepare_tree`)."""
    from trafilatura import core
    from trafilatura.baseline import baseline, html2txt
    from trafilatura.external import justext_rescue

    comments = options.focus == "precision" and not forum
    cleaned_tree, cleaned_tree_backup = _prepare_tree(tree, options, base, comments)
    postbody, temp_text = _extract_and_compare(tree, options, cleaned_tree, cleaned_tree_backup,
                                               functools.partial(_converted, tree, options, base, comments))
    if len(temp_text) < options.min_extracted_size and options.focus != "precision":
        b_body, b_text, b_len = baseline(tree())  # baseline copies element inputs
        if b_len > len(temp_text):
            postbody, temp_text = b_body, b_text
    if (options.focus == "balanced" and 0 < len(temp_text) < core.ESCALATION_MAX_LENGTH
            and len(temp_text) < core.ESCALATION_PAGE_SHARE * len(html2txt(tree()))):
        r_options = copy.copy(options)
        r_options.focus = "recall"
        r_text = j_text = ""
        try:
            r_body, r_text = _extract_and_compare(tree, r_options)  # trafilatura's _recall_retry
        except Exception as err:  # noqa: BLE001 - as trafilatura: a failed retry keeps the first text
            core.LOGGER.warning("recall retry failed: %s %s", err, None)
        if not options.fast:
            try:
                j_body, j_text = justext_rescue(copy.copy(tree()), options)
            except Exception as err:  # noqa: BLE001 - as trafilatura
                core.LOGGER.warning("justext candidate failed: %s %s", err, None)
        len_text, r_len, j_len = len(temp_text), len(r_text), len(j_text)
        if j_len > r_len and j_len > core.ESCALATION_JUSTEXT_RATIO * len_text:
            postbody, temp_text = j_body, j_text
        elif r_len >= options.min_extracted_size and r_len > core.ESCALATION_ACCEPT_RATIO * len_text:
            postbody, temp_text = r_body, r_text
    return postbody, temp_text


def _text(tree: Callable[[], Any], forum: bool, options: Any, base: Any = None) -> str:
    """``bare_extraction``'s checks after the sequence, then ``extract``'s text output."""
    from lxml.etree import Element, strip_tags
    from trafilatura.settings import Document

    from pipeline.stages.clean.trafilatura_text import text_output

    try:
        postbody, temp_text = _sequence(tree, forum, options, base)
        if options.max_tree_size:
            if len(postbody) > options.max_tree_size:
                strip_tags(postbody, "hi")
            if len(postbody) > options.max_tree_size:
                return ""
        if len(temp_text) < options.min_output_size and 0 < options.min_output_comm_size:  # no comments: 0 chars
            return ""
    except (TypeError, ValueError):  # trafilatura's "discarding data": no text
        return ""
    document = Document(body=postbody, commentsbody=Element("body"), raw_text=temp_text)
    return text_output(document, options)  # determine_returnstring, entities shown as text kept


_IN_PASS: contextvars.ContextVar[bool] = contextvars.ContextVar("in_page_extraction", default=False)


class _InPass:
    """One of trafilatura's XPaths in its extractor's lists: inside this module's passes (``_IN_PASS``) the
    Python reading of :mod:`trafilatura_xpaths`, the same elements; elsewhere the XPath itself."""

    def __init__(self, xpath: Any, finder: Any) -> None:
        self.xpath, self.finder, self.path = xpath, finder, xpath.path

    def __call__(self, tree: Any) -> Any:
        if _IN_PASS.get() and isinstance(tree, etree._Element):
            return self.finder(tree)
        return self.xpath(tree)

    def __str__(self) -> str:
        return str(self.xpath)


@functools.cache
def _install_in_pass() -> None:
    """Inside this module's passes (``_IN_PASS``), trafilatura's extractor prunes with
    :func:`trafilatura_sections.prune_outer`
    and reads its frame and discard XPaths in Python (:func:`trafilatura_xpaths.replacements`), as does
    ``compare_extraction``'s prune of readability's input in a precise full pass (``external``'s own
    ``OVERALL_DISCARD_XPATH``: lxml ran its ``re:test`` over the whole raw tree, about 5 ms a call); every
    other caller (``trafilatura.extract`` itself, the benchmarks' baselines) keeps the originals."""
    from trafilatura import external, main_extractor

    from pipeline.stages.clean.trafilatura_sections import install as install_sections
    from pipeline.stages.clean.trafilatura_xpaths import replacements

    original = main_extractor.prune_unwanted_nodes

    def prune_unwanted_nodes(tree: Any, nodelist: list[Any], with_backup: bool = False) -> Any:
        if with_backup and _IN_PASS.get():
            return _prune_outer(tree, nodelist)
        return original(tree, nodelist, with_backup)

    main_extractor.prune_unwanted_nodes = prune_unwanted_nodes
    install_sections(_IN_PASS.get)  # no second link-density round on the tree the first left as it was
    for module in (main_extractor, external):  # external: the precision prune of readability's input
        for (name, index), (xpath, finder) in replacements().items():
            xpaths = list(getattr(module, name, ()))  # the raw-tree lists are this module's (_prepare)
            if index < len(xpaths) and xpaths[index] is xpath:
                xpaths[index] = _InPass(xpath, finder)
                setattr(module, name, xpaths)


def _forum(tree: lxml.html.HtmlElement) -> bool:
    from trafilatura.core import _forum_thread_page

    return bool(_forum_thread_page(tree))


class PageExtraction:
    """The passes of trafilatura over one (pruned) page tree, which stays as it is: one copy of it per kind
    of raw-tree preparation (two kinds only on a thread-forum page with both kinds of pass), cleaned once up
    to ``prune_html`` for every pass; the raw-pruned tree itself only for a step that reads it (``_raw``)."""

    def __init__(self, tree: lxml.html.HtmlElement, *, owned: bool = False) -> None:
        """``owned``: nothing reads ``tree`` afterwards (a fresh parse); it is prepared in place, no copy."""
        self.tree = tree
        self._owned = owned
        self._forum: bool | None = None
        self._prepared: dict[bool, lxml.html.HtmlElement] = {}
        self._cleaned: dict[bool, Any] = {}  # the raw-pruned copies cleaned up to prune_html

    def text(self, *, precision: bool, fast: bool = False) -> str:
        from pipeline.stages.clean.trafilatura_cleaning import cleaned_base, cleaning_matches

        if not _matches():
            return public_extract(self.tree, precision=precision, fast=fast)
        if self._forum is None:
            self._forum = _forum(self.tree)
        lists = _prunes_lists(precision, self._forum)
        options = _options(precision, fast)
        base = None
        if not self._owned and cleaning_matches():
            if lists not in self._cleaned:
                try:
                    # a copy of the page given the raw-tree prunes and cleaned up to prune_html (the passes copy it)
                    self._cleaned[lists] = cleaned_base(self.tree, lists, options)
                except (TypeError, ValueError):  # as trafilatura: "discarding data", no text
                    return ""
            base = self._cleaned[lists]
            source = functools.partial(self._raw, lists)
        else:
            prepared = self._prepared.get(lists)
            if prepared is None:
                if self._owned and self._prepared:
                    raise RuntimeError("an owned tree is prepared once: the other kind of pass needs a PageExtraction")
                try:
                    prepared = _prepare(self.tree if self._owned else copy.copy(self.tree), lists)
                except (TypeError, ValueError):  # as trafilatura: "discarding data", no text
                    return ""
                self._prepared[lists] = prepared
            source = functools.partial(_given, prepared)  # made already (an owned tree, another trafilatura)
        _install_in_pass()
        token = _IN_PASS.set(True)
        try:
            return _text(source, self._forum, options, base)
        finally:
            _IN_PASS.reset(token)

    def _raw(self, lists: bool) -> Any:
        """The prepared tree, made when a step of a pass first reads it (a full cascade, a short text)."""
        prepared = self._prepared.get(lists)
        if prepared is None:
            prepared = self._prepared[lists] = _prepare(copy.copy(self.tree), lists)
        return prepared


def _given(tree: Any) -> Any:
    return tree

