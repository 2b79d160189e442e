"""How the batches of a run are shared out among the mapped batch tasks (``manifest.task_slices``)."""

from __future__ import annotations

import pytest

from pipeline.run.manifest import task_slices


@pytest.mark.parametrize(("batches", "per_task", "min_tasks", "sizes"), [
    (10, 5, 4, [3, 3, 2, 2]),  # 2,000 files of 200: the DAG run's concurrency (4 tasks) is kept
    (50, 5, 4, [5] * 10),  # 10,000 files: 10 tasks instead of 50
    (51, 5, 4, [5] * 7 + [4] * 4),  # never more than task_batches in a task
    (3, 5, 4, [1, 1, 1]),  # fewer batches than the concurrency: one each
    (1, 5, 4, [1]),
    (0, 5, 4, []),
    (7, 1, 4, [1] * 7),  # task_batches 1: one task per batch, as before
    (7, 0, 0, [1] * 7),  # nonsense settings still give every batch a task
])
def test_every_batch_goes_to_exactly_one_task_in_order(batches, per_task, min_tasks, sizes):
    numbers = list(range(100, 100 + batches))
    slices = task_slices(numbers, per_task, min_tasks)
    assert [len(s) for s in slices] == sizes
    assert [b for s in slices for b in s] == numbers  # consecutive, in order, none lost or repeated
    assert all(len(s) <= max(1, per_task) for s in slices)
