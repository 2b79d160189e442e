"""Batches one after another in this process, each batch's near-duplicate step in a worker
process while the next batch is transformed.

Grouping a batch (``grouping.GroupCopies``: fingerprints, candidate searches, the pair
checks, store writes) is CPU work in numpy and Python plus waits on Elasticsearch. In the
process that cleans the next batch it would share one interpreter lock with the cleaning,
and so add to the run almost all of its time. Here one spawned process does it for every
batch of the run, in batch order, while this one goes on.

The order of work in the store does not change: one worker, so batch ``n + 1`` is grouped
after batch ``n`` is written, as in a sequential run, and their store windows do not overlap
(nothing extra to reconcile at the end). A report comes out only once its grouping is done
(its counters added, or its error raised): at most one batch late, and the last one before
the caller goes on to deletes and the end-of-run reconcile. A run of one batch has nothing to
overlap and groups it in place. ``--workers N`` and Airflow's mapped tasks group each batch
in the process that loaded it, before they return.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from pipeline.run.report import BatchReport
from pipeline.run.worker import init_worker


def overlapped(process: Callable[[int, Executor | None], BatchReport], batches: Sequence[int],
               es_connection: Any) -> Generator[BatchReport, None, None]:
    """``process(batch, worker)`` for each batch, reports settled and in batch order.

    Closing the generator early (the caller failed) waits for the grouping in flight, so no
    write to the store outlives the run's lease."""
    if len(batches) < 2:
        for batch in batches:
            yield process(batch, None)
        return
    worker = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=init_worker, initargs=(es_connection,))
    with worker:
        waiting: BatchReport | None = None
        for batch in batches:
            report = process(batch, worker)
            if waiting is not None:
                yield waiting.settled()
            waiting = report
        if waiting is not None:
            yield waiting.settled()
