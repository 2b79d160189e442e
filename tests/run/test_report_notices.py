"""Warnings are structured like failures (stage, code, message) and counted by code in the run
report; statuses and change kinds are enums, and report.json stays plain, readable JSON."""

from __future__ import annotations

import json

from pipeline.document import Change, Document, Failure, Notice
from pipeline.run.report import DocumentOutcome, RunReport, Status, load_report


def report_with_warnings() -> RunReport:
    doc = Document(source="a.txt", source_path="/x/a.txt", id="a")
    doc.warn("extract", "guessed", "not UTF-8; decoded as windows-1252 (detected)")
    doc.warn("dedup", "not-grouped", "not grouped (ValueError: x)")
    docs = [
        DocumentOutcome("a.txt", "a", Status.INDEXED, warnings=list(doc.warnings), change=Change.NEW),
        DocumentOutcome("b.txt", "b", "indexed", warnings=[{"stage": "extract", "code": "guessed", "message": "m"}],
                        change="reprocessed"),
        DocumentOutcome("c.txt", "c", "failed", errors=[Failure("clean", "empty", "no text")]),
    ]
    return RunReport("run-1", "/x", "articles", "articles-v1", "2026-12-03T10:00:00+00:00",
                     finished_at="2026-12-03T10:00:01+00:00", documents=docs)


def test_warnings_are_counted_by_stage_and_code_like_failures():
    report = report_with_warnings()
    assert report.warnings_by_code() == {"dedup/not-grouped": 1, "extract/guessed": 2}
    assert report.failures_by_code() == {"clean/empty": 1}
    assert report.counts()["new"] == 1 and report.counts()["reprocessed"] == 1 and report.counts()["changed"] == 0
    assert "warnings by code: dedup/not-grouped=1, extract/guessed=2" in report.render_text()
    assert "warning a.txt: extract: not UTF-8" in report.render_text()


def test_report_json_is_plain_and_round_trips(tmp_path):
    report = report_with_warnings()
    folder = tmp_path / report.run_id
    folder.mkdir()
    text = json.dumps(report.to_dict(), indent=2)
    (folder / "report.json").write_text(text)
    data = json.loads(text)
    first = data["documents"][0]
    assert first["status"] == "indexed" and first["change"] == "new"
    assert first["warnings"][0] == {"stage": "extract", "code": "guessed",
                                    "message": "not UTF-8; decoded as windows-1252 (detected)"}
    assert data["warnings_by_code"] == {"dedup/not-grouped": 1, "extract/guessed": 2}
    again = load_report(tmp_path, report.run_id)
    assert again.documents[0].warnings == report.documents[0].warnings
    assert again.documents[0].change is Change.NEW and again.documents[0].status is Status.INDEXED


def test_a_report_written_before_warning_codes_still_loads():
    old = DocumentOutcome("a.txt", "a", "indexed", warnings=["extract: invalid UTF-8: 3 undecodable byte(s) replaced"])
    assert old.warnings == [Notice("extract", "note", "invalid UTF-8: 3 undecodable byte(s) replaced")]
    assert Document.from_dict({"source": "a", "source_path": "/a", "warnings": [
        {"stage": "dedup", "code": "not-grouped", "message": "m"}]}).warnings[0].key == "dedup/not-grouped"
