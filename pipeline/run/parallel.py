"""Batches over a pool of worker processes (``pipeline run --workers N``)."""

from __future__ import annotations

from collections.abc import Generator, Iterable
from typing import Any

from pipeline.run.batch import process_batch
from pipeline.run.context import RunContext
from pipeline.run.overlap import Call, HandBack, handed_back
from pipeline.run.report import BatchReport
from pipeline.run.worker import init_batch_worker, worker_client


def _process_in_worker(batch: int, ctx: RunContext) -> tuple[BatchReport, Call | None]:
    """The batch transformed and loaded; its grouping handed back (``pipeline.run.overlap``)."""
    keeper = HandBack()
    report = process_batch(batch, ctx, worker_client(), defer=keeper)
    report.pending = None  # never resolved here: the run's grouping process makes the call
    return report, (keeper.calls[0] if keeper.calls else None)


def process_batches_parallel(batches: Iterable[int], ctx: RunContext, es_connection: Any,
                             workers: int) -> Generator[BatchReport, None, None]:
    """``process_batch`` over ``batches`` in a pool of ``workers`` processes, reports in batch order,
    each batch's grouping done in one grouping process, in batch order, while the workers go on
    (``pipeline.run.overlap.handed_back``)."""
    return handed_back(_transformed(batches, ctx, es_connection, workers), es_connection)


def _transformed(batches: Iterable[int], ctx: RunContext, es_connection: Any,
                 workers: int) -> Generator[tuple[BatchReport, Call | None], None, None]:
    """Processes, not threads: cleaning and language detection are CPU-bound Python. Workers
    are spawned (no inherited sockets or locks) and build their own client from
    ``es_connection``. At most ``2 * workers`` batches are queued, so nothing grows with the
    corpus but the (small) per-document outcomes."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    pending: deque[Any] = deque()
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=init_batch_worker, initargs=(es_connection,)) as pool:
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
