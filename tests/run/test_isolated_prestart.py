"""A batch starts its stage worker before it reads its manifest (``prestart_stage_worker``): the child
warms up while the batch gets ready, and the batch's own stages reach it with its first document."""

from __future__ import annotations

from functools import partial

from pipeline.config import load_settings
from pipeline.run.batch import document_stages, new_document, run_steps
from pipeline.run.isolated import Isolated, prestart_stage_worker, stage_worker


def test_a_prestarted_worker_is_the_one_the_batch_uses_and_runs_the_batch_stages(tmp_path):
    run = load_settings().run
    worker = prestart_stage_worker(partial(document_stages, run))
    assert worker.proc is not None and worker is stage_worker()
    pid, started = worker.pid, worker.started
    assert prestart_stage_worker(partial(document_stages, run)) is worker  # running: not started again
    assert worker.pid == pid and worker.started == started

    (tmp_path / "a.txt").write_text("The city council approved the budget on Monday after a long debate.\n",
                                    encoding="utf-8")
    build = partial(document_stages, run, fingerprint="batch", source_root=tmp_path)  # the batch's own
    step = Isolated(build(), build)
    [doc] = list(run_steps([step], [new_document(tmp_path, "t", "a.txt")]))
    assert worker.pid == pid and worker.started == started and worker.configured is build
    assert not doc.errors and doc.language == "en"

    expected = new_document(tmp_path, "t", "a.txt")
    for stage in build():
        expected = stage(expected)
    got, want = doc.to_dict(), expected.to_dict()
    got.pop("ingested_at")
    want.pop("ingested_at")
    assert got == want


def test_a_worn_child_is_replaced_when_the_next_document_comes_not_after_the_last(tmp_path, monkeypatch):
    """After ``RECYCLE_AFTER`` documents the child is stopped; its replacement starts with the next document
    (or a batch's prestart), so a run whose last document that was starts no child at its end."""
    from pipeline.run import stage_worker as sw

    run = load_settings().run
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text(f"The council of {name} approved the budget on Monday after a long "
                                              "debate.\n", encoding="utf-8")
    build = partial(document_stages, run, source_root=tmp_path)
    worker = prestart_stage_worker(build)
    worker.wait_ready(build)
    monkeypatch.setattr(sw, "RECYCLE_AFTER", worker.documents + 2)
    started, recycled = worker.started, worker.recycled
    step = Isolated(build(), build)
    docs = list(run_steps([step], [new_document(tmp_path, "t", f"{n}.txt") for n in ("a", "b")]))
    assert all(not d.errors for d in docs)
    assert worker.recycled == recycled + 1 and worker.proc is None  # stopped, nothing started at the end
    assert worker.started == started
    [doc] = list(run_steps([step], [new_document(tmp_path, "t", "c.txt")]))  # the next document starts one
    assert not doc.errors and doc.language == "en"
    assert worker.started == started + 1 and worker.proc is not None and worker.documents == 1
    monkeypatch.setattr(sw, "RECYCLE_AFTER", 1)
    list(run_steps([step], [new_document(tmp_path, "t", "a.txt")]))
    assert worker.proc is None
    assert prestart_stage_worker(build) is worker and worker.proc is not None  # a batch's prestart starts it
