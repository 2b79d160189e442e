"""A file name that is not UTF-8: its document fails in extract with a clear reason, named with the bytes
shown, so the run report, the dead-letter record and the logs can carry it (issue found by an audit: such a
name reached the index as lone surrogates, and every search that returned it failed)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipeline.document import shown_path
from pipeline.run.batch import new_document
from pipeline.run.report import DocumentOutcome
from pipeline.stages.extract import Extract, ExtractConfig

ARTICLE = "The council approved the budget on Tuesday after a long debate about the schools. " * 5


def test_shown_path_leaves_valid_names_alone_and_escapes_the_bytes_of_others():
    assert shown_path("ünïcödé/new\nline.txt") == "ünïcödé/new\nline.txt"
    assert shown_path(os.fsdecode(b"dir/caf\xe9.txt")) == "dir/caf\\xe9.txt"
    assert shown_path("\ud800x") == "\\xed\\xa0\\x80x"  # a surrogate that stands for no byte: its UTF-8 form
    json.dumps(shown_path(os.fsdecode(b"\xff\xfe.txt")), ensure_ascii=False).encode("utf-8")  # writable


def test_a_name_that_is_not_utf8_fails_in_extract_and_is_reported_by_its_shown_name(tmp_path):
    root = tmp_path / "src"
    root.mkdir()
    raw = os.fsdecode(b"caf\xe9.txt")
    (root / raw).write_text(ARTICLE)
    (root / "ok.txt").write_text(ARTICLE)
    extract = Extract(ExtractConfig(max_file_bytes=1 << 20, time_limit_seconds=10, source_root=root))

    bad = extract(new_document(root, "src", raw))
    good = extract(new_document(root, "src", "ok.txt"))

    assert good.errors == [] and "council" in good.raw_text
    assert [(e.stage, e.code) for e in bad.errors] == [("extract", "bad-name")]
    assert "caf\\xe9.txt" in bad.errors[0].message and "rename" in bad.errors[0].message
    assert bad.source == "caf\\xe9.txt" and bad.source_relpath == "caf\\xe9.txt"
    assert bad.source_path == str(root.absolute() / raw)  # the real path: the dead-letter record shows it
    assert bad.raw_text == ""
    assert bad.id == new_document(root, "src", raw).id  # the id of its real name, not of the shown one
    assert bad.id != new_document(root, "src", "caf\\xe9.txt").id
    assert extract.counters["failed/bad-name"] == 1


def test_a_report_line_never_carries_a_lone_surrogate():
    outcome = DocumentOutcome(source=os.fsdecode(b"a/\xe9.txt"), id="x", status="failed")
    assert outcome.source == "a/\\xe9.txt"
    json.dumps(outcome.to_dict(), ensure_ascii=False).encode("utf-8")
    assert Path(outcome.source).name == "\\xe9.txt"
