"""The stage contract itself (``pipeline/stages/base.py`` ``Stage.__call__``), on small stages built
here: what every real stage inherits (skip, time limit, failures under its name, counters),
checked once without any rule pack or data."""

from __future__ import annotations

import pytest

from pipeline.document import Change, Document
from pipeline.stages.base import DocumentTimeout, Stage


def doc(body: str = "text") -> Document:
    return Document(source="a.txt", source_path="/in/a.txt", body=body)


class Upper(Stage):
    name = "upper"

    def __init__(self, **kwargs: float) -> None:
        super().__init__(**kwargs)
        self.seen: list[str] = []

    def process(self, doc: Document) -> Document:
        self.seen.append(doc.source)
        doc.body = doc.body.upper()
        return doc


class Rejects(Stage):
    name = "rejects"

    def process(self, doc: Document) -> Document:
        doc.fail(self.name, "too-short", "body under the minimum")
        return doc


class Raises(Stage):
    name = "raises"

    def __init__(self, exc: BaseException) -> None:
        super().__init__()
        self.exc = exc

    def process(self, doc: Document) -> Document:
        doc.body = "half done"
        raise self.exc


class Deep(Stage):
    name = "deep"

    def process(self, doc: Document) -> Document:
        def down(n: int) -> int:
            return down(n + 1) + 1

        down(0)
        return doc


class OnFailed(Upper):
    name = "on-failed"
    runs_on_failed = True


def test_a_stage_does_its_work_and_counts_the_document():
    stage = Upper()
    out = stage(doc("abc"))
    assert out.body == "ABC" and not out.failed
    assert stage.counters["documents"] == 1
    assert stage.seconds >= 0
    assert not [k for k in stage.counters if k.startswith("failed/")]


def test_a_failed_document_is_passed_through_untouched_and_uncounted():
    stage = Upper()
    failed = doc("abc")
    failed.fail("extract", "binary", "not text")
    out = stage(failed)
    assert out is failed and out.body == "abc" and stage.seen == []
    assert stage.counters["documents"] == 0
    assert [e.key for e in out.errors] == ["extract/binary"]


def test_a_stage_that_runs_on_failed_documents_sees_them_and_does_not_count_the_earlier_failure():
    stage = OnFailed()
    failed = doc("abc")
    failed.fail("extract", "binary", "not text")
    out = stage(failed)
    assert stage.seen == ["a.txt"] and out.body == "ABC"
    assert stage.counters["documents"] == 1
    assert "failed/binary" not in stage.counters  # the failure belongs to extract, not to this stage


def test_a_failure_the_stage_records_is_counted_under_its_code():
    stage = Rejects()
    out = stage(doc())
    assert [e.key for e in out.errors] == ["rejects/too-short"]
    assert stage.counters == {"documents": 1, "failed/too-short": 1}


@pytest.mark.parametrize("exc", [ValueError("bad value"), KeyError("k"), UnicodeDecodeError("utf-8", b"\xff", 0, 1, "x")])
def test_an_exception_becomes_an_unexpected_failure_under_the_stage_name(exc):
    stage = Raises(exc)
    out = stage(doc())
    assert len(out.errors) == 1
    failure = out.errors[0]
    assert (failure.stage, failure.code) == ("raises", "unexpected")
    assert failure.message.startswith(f"unexpected {type(exc).__name__}:")
    assert stage.counters["failed/unexpected"] == 1 and stage.counters["documents"] == 1


def test_nesting_too_deep_is_a_too_deep_failure_not_a_crash():
    stage = Deep()
    out = stage(doc())
    assert [(e.stage, e.code) for e in out.errors] == [("deep", "too-deep")]
    assert stage.counters["failed/too-deep"] == 1


def test_a_timeout_inside_the_work_is_a_timeout_failure_under_the_stage_name():
    stage = Raises(DocumentTimeout("over the time limit of 1 s"))
    out = stage(doc())
    assert [(e.stage, e.code) for e in out.errors] == [("raises", "timeout")]
    assert stage.counters["failed/timeout"] == 1 and stage.counters["documents"] == 1


class Spins(Stage):
    name = "spins"

    def process(self, doc: Document) -> Document:
        while True:
            pass


def test_the_stage_time_limit_interrupts_runaway_work_and_the_next_document_is_served():
    stage = Spins(time_limit_seconds=0.2)
    out = stage(doc())
    assert [(e.stage, e.code) for e in out.errors] == [("spins", "timeout")]
    assert stage.seconds < 30  # interrupted, not finished
    fine = Upper(time_limit_seconds=5)
    assert fine(doc("ok")).body == "OK"


def test_an_unchanged_document_is_passed_on_untouched():
    stage = Upper()
    d = doc("abc")
    d.change = Change.UNCHANGED
    assert stage(d).body == "abc" and stage.seen == [] and stage.counters["documents"] == 0


def test_run_yields_every_document_in_order_failed_ones_included():
    stage = Rejects()
    docs = [doc(str(i)) for i in range(3)]
    out = list(stage.run(iter(docs)))
    assert out == docs and all(d.errors[-1].key == "rejects/too-short" for d in out)
    assert stage.counters["documents"] == 3


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), SystemExit(3)])
def test_interrupts_are_never_turned_into_document_failures(exc):
    with pytest.raises(type(exc)):
        Raises(exc)(doc())


def test_counters_add_up_over_a_batch_and_stay_per_instance():
    stage, other = Rejects(), Rejects()
    for _ in range(3):
        stage(doc())
    assert stage.counters["documents"] == 3 and stage.counters["failed/too-short"] == 3
    assert other.counters["documents"] == 0


def test_a_stage_must_implement_process():
    class Nothing(Stage):
        name = "nothing"

    with pytest.raises(TypeError):
        Nothing()  # type: ignore[abstract]
