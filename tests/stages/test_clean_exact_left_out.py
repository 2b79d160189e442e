"""The page's copy cleaned once a page (issue 27, twentieth session): ``trafilatura_cleaning.copy_without``
leaves the raw-tree prunes' matches and the elements ``tree_cleaning`` deletes whole out of the copy, their
tails joined as ``delete_element`` joins them, and puts them back in the page. ``cleaned_base`` on it gives
the tree ``before_pruning`` gives on a copy pruned by trafilatura's own steps (``extraction._prepare``), and
the page is left as it was; after ``prune_html`` it is trafilatura's own ``tree_cleaning`` (whose deletions
``before_pruning`` asks only for the tags the tree holds) -- on hand-made trees (nested elements of one
deleted tag, tables in deleted elements and figures, MathML, forms, comments and tails beside what goes)
and on real pages."""

from __future__ import annotations

import copy

import pytest
from lxml import etree
from trafilatura.htmlprocessing import tree_cleaning

from pipeline.stages.clean import extraction, trafilatura_cleaning
from pipeline.stages.clean.parse import parse_html
from tests.conftest import needs_shared_pages, shared_pages
from tests.stages.test_clean_exact_cleaned_once import TRICKY, P, page

MORE = [
    f"<!-- c --><script>a</script>s tail<p>{P}</p><!-- d -->d tail<style>x</style>st tail<svg><g/></svg>",
    f"<div class='comments'>c<script>x</script>in</div>ct<p>{P}</p><div class='infinite-scroll'>i</div>it",
    f"<source>a<source>b</source>c</source>s1<picture><source>p</source></picture>s2<source>x</source>s3<p>{P}</p>",
    f"<noscript><table><tr><td>{P}</td></tr></table></noscript>n<figure><noscript><table></table></noscript></figure>",
    f"<figure><div class='elementor-share-buttons'><table></table></div></figure>f tail<p>{P}</p>",
    f"<p>{P}<math display='block'><annotation encoding='application/x-tex'>a+b</annotation></math>m</p>",
    f"<p><button>b</button>bt<input>it<label>l<input>x</label>lt</p><p>{P}<time>t</time>tt</p>",
    f"<nav><ul><li>a</li></ul></nav>nt<aside><nav>n</nav>a</aside>at<footer><p>{P}</p></footer>ft<p>{P}</p>",
    f"<section id='comment-list'><ol><li>{P}</li></ol></section>sc<ul class='comments'><li>u</li></ul>ul<p>{P}</p>",
]


def same_cleaned(tree: etree._Element) -> None:
    kept = etree.tostring(tree)
    for lists in (True, False):
        for options in (extraction._options(True, True), extraction._options(False, False)):
            there = trafilatura_cleaning.before_pruning(extraction._prepare(copy.copy(tree), lists), options)
            here = trafilatura_cleaning.cleaned_base(tree, lists, options)
            assert etree.tostring(here) == etree.tostring(there)
            assert etree.tostring(tree) == kept  # the page is as it was
            library = tree_cleaning(extraction._prepare(copy.copy(tree), lists), options)  # trafilatura's own
            assert etree.tostring(trafilatura_cleaning.after_pruning(here, options)) == etree.tostring(library)


def test_the_installed_trafilatura_is_the_one_it_follows() -> None:
    assert trafilatura_cleaning.left_out_matches()


@pytest.mark.parametrize("body", TRICKY + MORE)
def test_the_copy_without_cleans_to_the_same_tree(body: str) -> None:
    same_cleaned(parse_html(page(body)))


def test_it_leaves_out_what_goes_and_not_what_a_step_reads() -> None:
    tree = parse_html(page(MORE[2] + MORE[3] + TRICKY[0] + TRICKY[3]))
    left = {el.tag for el in trafilatura_cleaning._deleted_whole(tree, extraction._options(True, True))}
    assert {"head", "script", "input"} <= left
    # nested, or holding a nested tag's element; holding a table; read before the deletions
    assert not left & {"source", "picture", "noscript", "math", "form"}
    assert trafilatura_cleaning._deleted_whole(tree, extraction._options(False, False)) != []
    recall = copy.copy(extraction._options(False, False))
    recall.focus = "recall"
    assert trafilatura_cleaning._deleted_whole(tree, recall) == []


def test_another_trafilatura_copies_and_prunes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trafilatura_cleaning, "left_out_matches", lambda: False)
    called = []
    monkeypatch.setattr(trafilatura_cleaning, "copy_without", lambda *a: called.append(a))
    same_cleaned(parse_html(page(MORE[0])))
    assert not called


@needs_shared_pages
def test_the_copy_without_cleans_to_the_same_tree_on_the_shared_pages() -> None:
    for _, html in shared_pages(step=2):
        same_cleaned(parse_html(html))
