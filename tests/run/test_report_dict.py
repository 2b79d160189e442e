"""A run report's dictionary (``report.json``, a batch task's outcomes) is ``dataclasses.asdict`` of it, built
without ``asdict``'s deep copy of every field."""

from __future__ import annotations

import json
from dataclasses import asdict

from pipeline.document import Change, Failure, Notice
from pipeline.run.report import BatchReport, DocumentOutcome, RunReport, Status


def _outcomes() -> list[DocumentOutcome]:
    return [
        DocumentOutcome("a.html", "id-a", Status.INDEXED, title="A title", language="zh", change=Change.NEW,
                        encoding="gb18030", encoding_source="declared",
                        warnings=[Notice("clean", "pruned-majority", "most of the page was pruned")]),
        DocumentOutcome("b.txt", "id-b", Status.FAILED, errors=[Failure("extract", "binary", "not text"),
                                                                 Failure("clean", "no-text", "no text content")],
                        change=Change.CHANGED),
        DocumentOutcome("c.txt", "id-c", Status.UNCHANGED),
        DocumentOutcome("d.txt", "id-d", "indexed", warnings=["decode: replaced 2 bytes"], change="reprocessed"),
    ]


def test_an_outcome_is_as_asdict_gives_it() -> None:
    for outcome in _outcomes():
        assert outcome.to_dict() == asdict(outcome)
        assert list(outcome.to_dict()) == list(asdict(outcome))  # same keys in the same order: the same file


def test_the_run_and_batch_reports_are_as_asdict_gives_them() -> None:
    report = RunReport(run_id="r1", source_dir="/src", alias="articles", index="articles-v1",
                       started_at="2026-12-06T10:00:00+00:00", finished_at="2026-12-06T10:00:05+00:00",
                       documents=_outcomes(), timings={"clean": 1.5}, counters={"dedup/copies": 2},
                       fingerprint="abc", source_name="src")
    expected = asdict(report)
    expected.update(counts=report.counts(), status=str(report.status), failures_by_code=report.failures_by_code(),
                    warnings_by_code=report.warnings_by_code())
    got = report.to_dict()
    assert got == expected
    assert json.dumps(got, indent=2, ensure_ascii=False) == json.dumps(expected, indent=2, ensure_ascii=False)
    got["timings"]["clean"] = 9.0  # a copy, as asdict's was
    assert report.timings == {"clean": 1.5}
    batch = BatchReport(_outcomes(), {"clean": 1.0}, {"clean/pages": 1})
    assert batch.to_dict() == {"documents": [asdict(d) for d in batch.documents], "timings": {"clean": 1.0},
                               "counters": {"clean/pages": 1}}


def test_a_report_is_found_by_the_run_id_the_airflow_ui_shows(tmp_path):
    from pipeline.run.context import safe_run_id
    from pipeline.run.report import load_report, write_report

    run_id = "manual__2026-12-08T01:00:00.123456+00:00"
    report = RunReport(run_id=run_id, source_dir="/in", alias="articles", index="articles-v1",
                       started_at="2026-12-08T01:00:00+00:00")
    write_report(report, tmp_path / safe_run_id(run_id))
    assert load_report(tmp_path, run_id).run_id == run_id  # as the UI shows it
    assert load_report(tmp_path, safe_run_id(run_id)).run_id == run_id  # as its folder is named
