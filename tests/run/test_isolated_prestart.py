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
