"""Batches' near-duplicate step in one grouping process, in batch order, while the next batches
are transformed: with one worker (``overlapped``) and with ``--workers N`` (``handed_back``).

Grouping a batch (``grouping.GroupCopies``: fingerprints, candidate searches, the pair
checks, store writes) is CPU work in numpy and Python plus waits on Elasticsearch. In the
process that cleans the next batch it would share one interpreter lock with the cleaning,
and so add to the run almost all of its time. Here one spawned process does it for every
batch of the run, in batch order, while the batch processes go on.

The order of work in the store does not change: one grouping process, so batch ``n + 1`` is
grouped after batch ``n`` is written, as in a sequential run, and their store windows do not
overlap (nothing extra to reconcile at the end, at any worker count). A report comes out only
once its grouping is done (its counters added, or its error raised): at most one batch late,
and the last one before the caller goes on to deletes and the end-of-run reconcile. A run of
one batch has nothing to overlap and groups it in place.

A batch grouped where it is loaded (an Airflow mapped task, a run of one batch) groups its chunks in
a thread while the next chunk is transformed (``pipeline.run.batch.in_chunks``).

With ``--workers N`` a worker process transforms and loads its batch and hands the grouping
work back (``HandBack``: the call ``GroupCopies`` would have made, with the fingerprinting
inputs it kept), so it goes on to its next batch instead of waiting on the store.

The grouping process's priority is ``GROUPING_NICE`` (0: a lower one was measured both faster and
slower, depending on the machine's other load). It keeps the shingle sets of the entries it writes (``group_links.WrittenShingles``), so a later
batch's pair checks do not fetch them back from the store.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import closing, contextmanager
from typing import Any

from pipeline.run.report import BatchReport
from pipeline.run.worker import GROUPING, init_worker, name_process

# a grouping call handed back by a worker process: ``(function, args)``, run by the grouping process
Call = tuple[Callable[..., Any], tuple[Any, ...]]

# The grouping process's niceness. A positive value yields the cores to the batch processes (its work is at
# most one batch late); measured at +5 on 2 shared cores (branch i27-group2): faster at load 4-5, slower in 4
# of 4 pairs at load 6-11, where other work starves it and the run waits on it. Left at 0 until a quiet
# measurement says otherwise.
GROUPING_NICE = 0
WRITTEN_SHINGLES_BYTES = 32 * 2**20  # the shingle sets of the run's entries it keeps (group_links.WrittenShingles)


class HandBack(Executor):
    """An executor that runs nothing: the call submitted to it is kept (``calls``) for the run's
    grouping process. Its future is never resolved here: the report leaves without it."""

    def __init__(self) -> None:
        self.calls: list[Call] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if kwargs:
            raise TypeError("HandBack keeps positional calls only")
        self.calls.append((fn, args))
        return Future()


@contextmanager
def _grouper(es_connection: Any) -> Iterator[Executor]:
    """The run's grouping process. Leaving waits for the grouping in flight, so no write to the
    store outlives the run's lease."""
    worker = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_init_grouper, initargs=(es_connection,))
    with worker:
        yield worker


def _init_grouper(es_connection: Any) -> None:
    from pipeline.run.group_links import keep_written_shingles

    name_process(GROUPING)
    if GROUPING_NICE and hasattr(os, "nice"):
        try:
            os.nice(GROUPING_NICE)
        except OSError:  # not allowed here: the grouping runs at the batches' priority
            pass
    keep_written_shingles(WRITTEN_SHINGLES_BYTES)
    init_worker(es_connection)


def in_order(reports: Iterable[BatchReport]) -> Generator[BatchReport, None, None]:
    """Each report once its grouping is done, one batch late (the next one's work is under way)."""
    waiting: BatchReport | None = None
    for report in reports:
        if waiting is not None:
            yield waiting.settled()
        waiting = report
    if waiting is not None:
        yield waiting.settled()


def overlapped(process: Callable[[int, Executor | None, bool], BatchReport], batches: Sequence[int],
               es_connection: Any) -> Generator[BatchReport, None, None]:
    """``process(batch, worker, last)`` for each batch, reports settled and in batch order (``last``: the
    run's last batch, whose grouping has no next batch to overlap with: it may group its chunks in
    ``worker`` as they are loaded, ``pipeline.run.batch.in_chunks``).

    Closing the generator early (the caller failed) waits for the grouping in flight."""
    if len(batches) < 2:
        for batch in batches:
            yield process(batch, None, True)
        return
    with _grouper(es_connection) as worker:
        yield from in_order(process(batch, worker, n == len(batches) - 1) for n, batch in enumerate(batches))


def handed_back(results: Generator[tuple[BatchReport, Call | None], None, None],
                es_connection: Any) -> Generator[BatchReport, None, None]:
    """Reports of batches transformed and loaded elsewhere (``results``, in batch order, each with
    the grouping call its worker handed back), grouped here in the grouping process in batch
    order; reports settled and in batch order. Closing it closes ``results`` too."""
    with closing(results), _grouper(es_connection) as worker:
        def submitted() -> Iterator[BatchReport]:
            for report, call in results:
                if call is not None:
                    fn, args = call
                    report.pending = worker.submit(fn, *args)
                yield report

        yield from in_order(submitted())

