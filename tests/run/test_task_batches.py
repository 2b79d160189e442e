"""An Airflow mapped task's consecutive batches (``Flow.process_task``, what the DAG's ``process_batch``
task calls): each batch grouped in a thread of the task's process while the next one is transformed,
only the last one chunk by chunk; the groups are those of the same files in one batch."""

from __future__ import annotations

from contextlib import closing

import pytest

from pipeline.config import load_settings
from pipeline.run import run_ingest
from pipeline.run.flow import Ingest, RunRequest
from tests.run.test_dedup import BACKGROUND, fields, page, partition, story, syndicate, write


@pytest.mark.es
def test_a_tasks_batches_are_grouped_in_a_thread_and_give_the_groups_of_one_batch(es_client, alias, tmp_path):
    src = tmp_path / "src"
    for seed in (31, 32, 33):
        syndicate(src, seed, f"story{seed}")
    write(src, "other/negative.html", page("Farmers protest prices", story(34)[:3] + [BACKGROUND],
                                           "2025-03-01T08:00:00Z", "Wire"))
    one = run_ingest(load_settings().with_overrides(runs_dir=tmp_path / "one", batch_size=100), es=es_client,
                     source_dir=src, alias=f"{alias}-one")
    single = fields(es_client, f"{alias}-one")

    flow = Ingest(load_settings().with_overrides(runs_dir=tmp_path / "task", batch_size=5, group_chunk_docs=2))
    ctx = flow.start(es_client, RunRequest(source_dir=str(src), index_alias=f"{alias}-task"), in_process=True)
    try:
        with flow.holding(ctx, es_client):
            batches = flow.plan(ctx)
            assert len(batches) == 3  # 13 files: 5, 5, 3
            with closing(flow.process_task(batches, ctx, es_client)) as reports:
                done = [report for _, report in zip(batches, reports)]
            assert all(r.pending is None or r.pending.done() for r in done)  # nothing left running
            report = flow.finish(ctx, iter(done), es_client)
    finally:
        flow.release(ctx, es_client, best_effort=True)

    assert report.indexed == 13 and report.failed == 0
    assert report.counters["dedup/fingerprinted"] == 13
    # the first two batches grouped whole (in the thread, while the next was transformed), the last in
    # chunks of 2 as it was loaded (2 + 1); each batch in chunks would have made 3 + 3 + 2
    assert report.counters["dedup/grouped-chunks"] == 2
    assert report.counters.get("dedup/overlapping-batches", 0) == 0  # grouped in order, one thread
    task = fields(es_client, f"{alias}-task")
    assert partition(task) == partition(single) and len(partition(task)) == 4
    for source, d in task.items():
        assert (d["is_canonical"], d["duplicate_count"]) == (single[source]["is_canonical"],
                                                             single[source]["duplicate_count"]), source
    for key in ("dedup/copies", "dedup/groups", "dedup/new_groups"):
        assert report.counters[key] == one.counters[key], key
