"""Batches over a pool of worker processes (``pipeline run --workers N``)."""

from __future__ import annotations

from collections.abc import Generator, Iterable
from typing import Any

from pipeline.run.batch import process_batch
from pipeline.run.context import RunContext
from pipeline.run.report import BatchReport
from pipeline.run.worker import init_worker, worker_client


def _process_in_worker(batch: int, ctx: RunContext) -> BatchReport:
    return process_batch(batch, ctx, worker_client())


def process_batches_parallel(batches: Iterable[int], ctx: RunContext, es_connection: Any,
                             workers: int) -> Generator[BatchReport, None, None]:
    """``process_batch`` over ``batches`` in a pool of ``workers`` processes, reports in batch order.

    Processes, not threads: cleaning and language detection are CPU-bound Python. Workers
    are spawned (no inherited sockets or locks) and build their own client from
    ``es_connection``. At most ``2 * workers`` batches are queued, so nothing grows with the
    corpus but the (small) per-document outcomes.
    """
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    pending: deque[Any] = deque()
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=init_worker, initargs=(es_connection,)) as pool:
        try:
            for batch in batches:
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
                pending.append(pool.submit(_process_in_worker, batch, ctx))
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
