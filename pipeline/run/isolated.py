"""The per-document stages in a warm worker process that is killed and replaced when it overruns.

The document time limit (``pipeline.stages.base.time_limit``) is a SIGALRM timer: it stops Python
code and the ``re`` engine, but a call inside a C extension only when it returns to the interpreter.
One tag with 100,000 attributes keeps libxml2 busy for minutes in one call (quadratic in them;
``benchmarks/c_bound.py``). So a batch runs its per-document stages (extract -> clean -> language ->
enrich -> geo) in a child process, as datatrove runs extraction in a process it can kill:

* the child is started once per process and warmed before it takes a document (language profiles and
  charset tables loaded, trafilatura's justext stoplists built, the common and English rules compiled,
  a page in several scripts run through every stage); what one language needs (its rule pack, its place
  names) is built by the first document of that language with the document's timer stopped
  (``pipeline.stages.base.untimed``; the child tells the parent, whose deadline waits too), so no
  first-use loading counts against a document's limit; it is kept for every later batch of the process;
* the child runs the stages exactly as in process (each under its own SIGALRM limit), telling the
  parent which stage a document is in; a stage still running ``KILL_AFTER`` x its limit later is in
  uninterruptible code: the parent kills the child (SIGKILL), records ``<stage>/timeout`` for the
  document, runs the later stages that take failed documents (enrich gives them their id) and starts
  a new child (warmed while the batch goes on). A child that dies on its own (a crash in C code,
  the kernel's OOM killer) fails its document as ``<stage>/crashed`` the same way;
* the child is kept a few documents ahead (``stage_worker.SEND_AHEAD``): the next ones wait in its pipe
  while it runs one, so it starts the next as soon as it is done instead of waiting while this process
  hands the last one on (load, grouping, report) or is held up (a full load queue, the GIL); documents come back in order, and the ones sent ahead
  of a child that is killed or dies go to its replacement;
* after ``RECYCLE_AFTER`` documents the child is stopped and a fresh one replaces it when the next
  document (or the next batch's ``prestart_stage_worker``) comes, so the last document of a run leaves no
  warm-up behind;
* counters, timings and the clean stage's learned line statistics come back with each document and
  are added to the parent's stage objects, which the batch report and ``RecordLineStats`` read.

A worker serves one batch at a time: threads of one process that run batches at once (a run's
concurrent batches in one process) each take a worker of their own from the process's pool and give it
back, warm, when their batch ends; a worker found dead before a document is sent to it (killed from
outside while idle) is replaced without failing that document.

The parent's side of one worker is ``stage_worker.StageWorker``. The pipe is ``multiprocessing.connection.Connection`` over two ``os.pipe`` descriptors of a
``subprocess.Popen`` child (``python -m pipeline.run.isolated_child``, ``isolated_child.py``): it works from any process, also
a daemonic pool worker that multiprocessing would not let have children. The child dies with its
parent (``PR_SET_PDEATHSIG``), and it ignores SIGINT (the parent decides).
"""

from __future__ import annotations

import atexit
import threading
from collections import deque
from collections.abc import Iterable, Iterator

from pipeline.document import Document
from pipeline.run.isolated_child import warm_up
from pipeline.run.stage_worker import (
    KILL_AFTER,
    RECYCLE_AFTER,
    SEND_AHEAD,
    START_TIMEOUT_SECONDS,
    StageBuilder,
    StageWorker,
)
from pipeline.stages.base import Stage, Step

__all__ = ["KILL_AFTER", "RECYCLE_AFTER", "START_TIMEOUT_SECONDS", "Isolated", "StageWorker", "prestart_stage_worker",
           "stage_worker", "warm_up"]


class Isolated(Step):
    """The per-document ``stages`` of a batch, run in this process's stage worker (see the module doc).

    ``build`` makes the same stages in the child (a picklable callable: ``functools.partial`` of
    ``document_stages`` with this batch's arguments). ``parts`` are the parent's own stage objects:
    the report's counters and timings, and the learned statistics, are theirs."""

    name = "isolated"

    def __init__(self, stages: list[Stage], build: StageBuilder) -> None:
        super().__init__()
        self.parts = stages
        self.build = build

    def run(self, docs: Iterable[Document]) -> Iterator[Document]:
        worker = _POOL.acquire()
        taken: deque[Document] = deque()  # not handed on yet, in order; the changed ones are in the worker
        try:
            for doc in docs:
                if not doc.unchanged and not worker.send(doc, self):  # cannot wait in the pipe: hand on the rest first
                    while taken:
                        yield _next(worker, taken, self)
                    worker.send(doc, self)
                taken.append(doc)
                while taken and (taken[0].unchanged or len(worker.inflight) > SEND_AHEAD):
                    yield _next(worker, taken, self)
            while taken:
                yield _next(worker, taken, self)
        finally:
            _POOL.release(worker)


def _next(worker: StageWorker, taken: deque[Document], step: Isolated) -> Document:
    """The oldest document taken: an unchanged one as it is (every stage passes it on untouched), the others
    as the worker gives them back."""
    doc = taken.popleft()
    return doc if doc.unchanged else worker.collect(doc, step)


class WorkerPool:
    """This process's stage workers: one per batch running at once, kept warm between batches."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.idle: list[StageWorker] = []
        self.workers: list[StageWorker] = []

    def peek(self) -> StageWorker:
        """The worker the next ``acquire`` hands out (made now if none is idle)."""
        with self.lock:
            if not self.idle:
                self.idle.append(self._new())
            return self.idle[-1]

    def prestart(self, build: StageBuilder) -> StageWorker:
        """The worker the next ``acquire`` hands out, its child started now with ``build`` if it has none."""
        with self.lock:
            if not self.idle:
                self.idle.append(self._new())
            worker = self.idle[-1]
            if worker.proc is None:
                worker.start(build)
            return worker

    def acquire(self) -> StageWorker:
        with self.lock:
            return self.idle.pop() if self.idle else self._new()

    def release(self, worker: StageWorker) -> None:
        if worker.busy:  # its caller gave up in the middle of a document: the child's state is unknown
            worker.abandon()
        with self.lock:
            self.idle.append(worker)

    def stop(self) -> None:
        with self.lock:
            for worker in self.workers:
                worker.stop()

    def _new(self) -> StageWorker:
        worker = StageWorker()
        self.workers.append(worker)
        return worker


_POOL = WorkerPool()
atexit.register(_POOL.stop)


def stage_worker() -> StageWorker:
    """The stage worker this process's next batch will use (it is started on first use, stopped when
    the process exits); a batch running while another one does gets a worker of its own."""
    return _POOL.peek()


def prestart_stage_worker(build: StageBuilder) -> StageWorker:
    """Start the stage worker this process's next batch will use now, unless it is running: it warms up
    (about a second) while the caller gets the batch ready (its manifest, the line statistics, the
    unchanged check), instead of after. ``build`` is any of the run's stage builders: the batch's own
    reconfigures the warm child with its first document, as a later batch does."""
    return _POOL.prestart(build)
