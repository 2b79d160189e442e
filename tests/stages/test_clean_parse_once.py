"""Parse once (issue 27, plan item 2): one parsed tree per HTML page; trafilatura's raw-tree preparation
(its copy and two whole-tree prunes) done once for every extraction pass of a page, with the same text
as ``trafilatura.extract`` on that tree. The real trafilatura runs everywhere; spies only count calls."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest

from pipeline.stages.clean import extraction, trafilatura_cleaning
from pipeline.stages.clean import html as clean_html_module
from pipeline.stages.clean.extraction import PageExtraction, public_extract
from pipeline.stages.clean.html import clean_html, parse_html

A = "The council approved the new budget on Tuesday after a long debate about schools and roads in the town."
B = "Critics said the plan leaves too little for maintenance, and several members asked for a second vote."
C = "The mayor promised a public hearing in spring, where residents can comment on every single line item."
D = "Teachers welcomed the money for two new classrooms but warned that the heating still fails every winter."
LEAD = "A short summary of the story that the page shows above the article body, written as one full sentence."
# the precise pass leaves the in-article heading out: the broad pass runs too (recall.gap)
HEADED = ("<html><head><title>Budget</title></head><body><nav><a href='/'>Home</a></nav>"
          f"<div class='wrap'><div class='head'><p class='standfirst'>{LEAD}</p></div>"
          f"<div class='body'><p>{A}</p><h2>What comes next</h2><p>{B}</p>"
          "<p><a href='/other'>Read our other coverage of the town council and its budget debates</a></p>"
          f"<p>{C}</p><p>{D}</p><ul class='comments'><li>First!</li></ul></div></div>"
          "<footer><p>Copyright the paper</p></footer></body></html>")
FORUM = ("<html><head><script type='application/ld+json'>{\"@type\": \"DiscussionForumPosting\"}</script></head>"
         "<body><div class='thread'>"
         + "".join(f"<div class='comment post'><p>{t}</p></div>" for t in (A, B, C))
         + "</div><ul><li>Reply</li><li>Quote</li></ul></body></html>")
SHORT = "<html><body><div><p>The meeting was moved to Friday.</p><p>Nothing else changed.</p></div></body></html>"
KINDS = [(True, True), (True, False), (False, True), (False, False)]


@pytest.mark.parametrize("html", [HEADED, FORUM, SHORT], ids=["article", "forum", "short"])
def test_every_pass_gives_the_text_trafilatura_extract_gives_on_the_same_tree(html: str) -> None:
    tree = parse_html(html)
    page = PageExtraction(tree)
    for precision, fast in KINDS:
        want = public_extract(tree, precision=precision, fast=fast)
        assert page.text(precision=precision, fast=fast) == want, (precision, fast)
        owned = PageExtraction(parse_html(html), owned=True)
        assert owned.text(precision=precision, fast=fast) == want, ("owned", precision, fast)
    assert any(page.text(precision=p, fast=f) for p, f in KINDS)  # not a comparison of empty texts only


@pytest.mark.parametrize("html", [HEADED, FORUM, SHORT], ids=["article", "forum", "short"])
def test_passes_leave_the_page_tree_and_the_prepared_copy_as_they_were(html: str) -> None:
    tree = parse_html(html)
    before = lxml.html.tostring(tree)
    page = PageExtraction(tree)
    page.text(precision=True, fast=True)
    prepared = {k: lxml.html.tostring(v) for k, v in page._prepared.items()}
    for precision, fast in KINDS:
        page.text(precision=precision, fast=fast)
    assert lxml.html.tostring(tree) == before
    assert all(lxml.html.tostring(page._prepared[k]) == v for k, v in prepared.items())


def test_a_forum_page_prepares_a_second_copy_only_for_the_broad_pass() -> None:
    page = PageExtraction(parse_html(FORUM))
    page.text(precision=True, fast=True)
    page.text(precision=True, fast=False)
    assert list(page._prepared) == [True]  # comment containers and lists pruned for precision passes
    page.text(precision=False, fast=True)
    assert sorted(page._prepared) == [False, True]  # trafilatura keeps them for a forum's broad pass


def test_an_owned_tree_is_prepared_in_place_and_only_once() -> None:
    tree = parse_html(HEADED)
    page = PageExtraction(tree, owned=True)
    page.text(precision=False)
    assert page._prepared[True] is tree  # no copy
    assert tree.find(".//ul") is None  # trafilatura's comment/list prune ran on it
    forum = PageExtraction(parse_html(FORUM), owned=True)
    forum.text(precision=True)
    with pytest.raises(RuntimeError):
        forum.text(precision=False)  # the other preparation would need the unpruned tree


def test_clean_html_parses_once_and_prepares_once_for_both_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    parses: list[int] = []
    prepares: list[bool] = []
    passes: list[tuple[bool, bool]] = []
    real_parse, real_prepare, real_text = clean_html_module.parse_html, extraction._prepare, PageExtraction.text

    def parse(html: str) -> Any:
        parses.append(1)
        return real_parse(html)

    def prepare(tree: Any, lists: bool) -> Any:
        prepares.append(lists)
        return real_prepare(tree, lists)

    def text(self: PageExtraction, *, precision: bool, fast: bool = False) -> str:
        passes.append((precision, fast))
        return real_text(self, precision=precision, fast=fast)

    monkeypatch.setattr(clean_html_module, "parse_html", parse)
    monkeypatch.setattr(extraction, "_prepare", prepare)
    monkeypatch.setattr(PageExtraction, "text", text)
    bases: list[bool] = []
    real_base = trafilatura_cleaning.cleaned_base

    def cleaned_base(tree: Any, lists: bool, options: Any) -> Any:
        bases.append(lists)
        return real_base(tree, lists, options)

    monkeypatch.setattr(trafilatura_cleaning, "cleaned_base", cleaned_base)
    res = clean_html(HEADED)
    assert all(x in res.body for x in (LEAD, A, B, C, D))
    assert len(passes) >= 2 and (False, True) in passes  # precise and broad pass ...
    # ... on one parse; one copy cleaned once for every pass (made without what the raw-tree prunes and the
    # cleaning delete, so without _prepare: trafilatura_cleaning.copy_without), and the raw-pruned tree itself
    # made once, for the one step that reads it here (the broad pass's escalation check)
    assert parses == [1] and bases == [True] and prepares == [True]


def test_another_trafilatura_version_takes_the_public_extract(monkeypatch: pytest.MonkeyPatch) -> None:
    tree = parse_html(HEADED)
    want = PageExtraction(tree).text(precision=True, fast=True)
    monkeypatch.setattr(extraction, "_matches", lambda: False)
    page = PageExtraction(tree)
    assert page.text(precision=True, fast=True) == want
    assert page._prepared == {}  # nothing prepared: trafilatura.extract copied the tree itself


def test_the_sequence_follows_the_pinned_trafilatura() -> None:
    import trafilatura

    assert trafilatura.__version__ == extraction.SEQUENCE_OF, (
        "trafilatura changed: compare pipeline/stages/clean/extraction.py with its trafilatura_sequence, "
        "then run `python -m devtools.clean_compare passes` and update SEQUENCE_OF")


def test_the_per_pass_baseline_of_profile_clean_cleans_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    prepares: list[bool] = []
    real_prepare = extraction._prepare
    monkeypatch.setattr(extraction, "_prepare", lambda tree, lists: prepares.append(lists) or real_prepare(tree, lists))
    with extraction.per_pass_extract():
        before = clean_html(HEADED)
    assert prepares == []  # each pass went through trafilatura.extract
    after = clean_html(HEADED)
    assert prepares == [True]  # the raw-pruned tree the escalation check reads (the cleaned base: copy_without)
    assert (after.body, after.title, after.metadata) == (before.body, before.title, before.metadata)
