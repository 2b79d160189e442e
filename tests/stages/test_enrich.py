"""Enrich: identity and counts are deterministic and derived from the cleaned content."""

from __future__ import annotations

from datetime import datetime, timezone

from pipeline import PIPELINE_VERSION
from pipeline.document import Document
from pipeline.stages.enrich import content_hash, document_id, enrich


def make(body: str, title: str | None = "T", path: str = "/data/a.txt") -> Document:
    return Document(source="a.txt", source_path=path, title=title, body=body)


def test_id_depends_only_on_source_path():
    a = enrich(make("one"))
    b = enrich(make("completely different"))
    c = enrich(make("one", path="/data/b.txt"))
    assert a.id == b.id == document_id("", "/data/a.txt") and a.id != c.id


def test_id_of_a_run_document_is_source_name_and_relative_path():
    """Inside a run the absolute path is not part of the id: the same folder mounted elsewhere keeps it."""
    here = Document(source="x/a.txt", source_path="/mnt/one/x/a.txt", source_id="feed", source_relpath="x/a.txt")
    there = Document(source="x/a.txt", source_path="/srv/two/x/a.txt", source_id="feed", source_relpath="x/a.txt")
    other = Document(source="x/a.txt", source_path="/mnt/one/x/a.txt", source_id="wire", source_relpath="x/a.txt")
    assert enrich(here).id == enrich(there).id == document_id("feed", "x/a.txt") != enrich(other).id


def test_counts_hash_and_provenance():
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    doc = enrich(make("Hello brave new world.\n\nSecond paragraph here."), now=now)
    assert (doc.word_count, doc.paragraph_count) == (7, 2)
    assert doc.char_count == len(doc.body)
    assert doc.content_sha256 == content_hash("T", doc.body)
    assert doc.pipeline_version == PIPELINE_VERSION
    assert doc.ingested_at == "2026-01-02T03:04:05+00:00"


def test_content_hash_changes_with_title_or_body():
    assert len({content_hash("a", "b"), content_hash("a", "c"), content_hash("x", "b")}) == 3


def test_missing_title_falls_back_to_first_line():
    doc = enrich(make("\n  First line of the story\nmore", title=None))
    assert doc.title == "First line of the story"


def test_failed_document_still_gets_an_id_but_no_counts():
    doc = make("text")
    doc.fail("extract", "empty", "empty file")
    doc = enrich(doc)
    assert doc.id and doc.word_count == 0 and doc.content_sha256 == ""
