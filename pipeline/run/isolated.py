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
* after ``RECYCLE_AFTER`` documents a fresh child replaces it, between two documents;
* counters, timings and the clean stage's learned line statistics come back with each document and
  are added to the parent's stage objects, which the batch report and ``RecordLineStats`` read.

A worker serves one batch at a time: threads of one process that run batches at once (a run's
concurrent batches in one process) each take a worker of their own from the process's pool and give it
back, warm, when their batch ends; a worker found dead before a document is sent to it (killed from
outside while idle) is replaced without failing that document.

The pipe is ``multiprocessing.connection.Connection`` over two ``os.pipe`` descriptors of a
``subprocess.Popen`` child (``python -m pipeline.run.isolated_child``, ``isolated_child.py``): it works from any process, also
a daemonic pool worker that multiprocessing would not let have children. The child dies with its
parent (``PR_SET_PDEATHSIG``), and it ignores SIGINT (the parent decides).
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pipeline.document import Document
from pipeline.errors import PermanentError
from pipeline.run.isolated_child import warm_up
from pipeline.stages.base import Stage, Step
from pipeline.stages.clean import Clean

__all__ = ["Isolated", "StageWorker", "prestart_stage_worker", "stage_worker", "warm_up"]

RECYCLE_AFTER = 10_000  # documents a child takes before a fresh one replaces it (caches of every language and
# script grow slowly on hostile input: the fuzzing campaign saw +90 MiB over 10,000 files); a ~5 s warm-up each time
KILL_AFTER = 1.5  # a stage still running this many times its limit is stuck in C code: kill the child
START_TIMEOUT_SECONDS = 600.0  # loading and warming the models (seconds; minutes on an overloaded machine)
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_ENV_PREFIXES = ("ETL_", "PIPELINE_", "ES_")  # settings a child reads when it starts: a change restarts it

StageBuilder = Callable[[], list[Stage]]  # picklable: e.g. functools.partial(document_stages, run, ...)


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
        try:
            for doc in docs:
                if doc.unchanged:  # every stage passes an unchanged document on untouched
                    yield doc
                    continue
                yield worker.process(doc, self)
        finally:
            _POOL.release(worker)


class StageWorker:
    """One child process running the stages; replaced when it is killed or dies."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.inbox: Connection | None = None  # child -> parent
        self.outbox: Connection | None = None  # parent -> child
        self.ready = False
        self.configured: StageBuilder | None = None
        self.env_key: tuple[tuple[str, str], ...] = ()
        self.env_seen: object = None  # the environment as it was when ``env_key`` was last found current
        self.started = 0  # children started (1 + the replacements)
        self.killed = 0  # children killed for an overrun
        self.died = 0  # children that died on their own
        self.recycled = 0  # children replaced after RECYCLE_AFTER documents
        self.documents = 0  # documents the current child has taken
        self.busy = False  # a document is in the child (a caller that gives up then leaves it half done)

    # ------------------------------------------------------------------ lifecycle
    def start(self, build: StageBuilder) -> None:
        """Start a child that builds its stages with ``build`` and warms them up (``wait_ready`` waits)."""
        child_read, parent_write = os.pipe()
        parent_read, child_write = os.pipe()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        self.env_seen = _env_copy()  # before the key: a change in between is seen by the next check
        self.env_key = _env_key()
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "pipeline.run.isolated_child", str(child_read),
                                          str(child_write)], pass_fds=(child_read, child_write), env=env,
                                         stdin=subprocess.DEVNULL, close_fds=True)
        finally:
            os.close(child_read)
            os.close(child_write)
        self.inbox = Connection(parent_read, writable=False)
        self.outbox = Connection(parent_write, readable=False)
        self.ready, self.documents = False, 0
        self.configured = build
        self.started += 1
        try:
            self.outbox.send(("configure", build))
        except OSError:
            pass  # it died at once: wait_ready reports how

    def wait_ready(self, build: StageBuilder) -> None:
        """Start a child if there is none (or the settings in the environment changed) and wait until it
        has warmed up."""
        if self.proc is None or self.env_changed():
            self.stop()
            self.start(build)
        if self.ready:
            return
        assert self.inbox is not None
        if not self.inbox.poll(START_TIMEOUT_SECONDS):
            self.stop()
            raise RuntimeError(f"the stage worker did not start within {START_TIMEOUT_SECONDS:g} s")
        try:
            msg = self.inbox.recv()
        except (EOFError, OSError):
            code = self.proc.wait() if self.proc else None
            self.stop()
            raise RuntimeError(f"the stage worker died while starting (exit {code}); see its messages above") from None
        _raise_if_error(msg)
        self.ready = True

    def env_changed(self) -> bool:
        """The settings in the environment are not those the child started with (``_env_key``). Asked
        before every document: an environment that is the same mapping as the last time the key was found
        current is not read again (``_env_key`` walks every variable: about 0.1 ms)."""
        live = _env_data()
        if live is not None and live == self.env_seen:
            return False
        seen = _env_copy()
        if _env_key() != self.env_key:
            return True
        self.env_seen = seen
        return False

    def stop(self) -> None:
        """Kill the child (if any) and close the pipes."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
        for conn in (self.inbox, self.outbox):
            if conn is not None:
                conn.close()
        self.proc = self.inbox = self.outbox = None
        self.ready, self.configured, self.busy = False, None, False

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def rss_mib(self) -> float:
        """Resident memory of the current child (0 when there is none)."""
        return _rss_mib(self.pid) if self.pid else 0.0

    # ------------------------------------------------------------------ one document
    def process(self, doc: Document, step: Isolated) -> Document:
        for attempt in (1, 2):
            if self.proc is not None and self.ready and self.proc.poll() is not None:
                self._replace_dead()  # died while idle (killed from outside): not this document's doing
            self.wait_ready(step.build)
            assert self.inbox is not None and self.outbox is not None
            try:
                if self.configured is not step.build:
                    self.outbox.send(("configure", step.build))
                    self.configured = step.build
                self.outbox.send(("doc", doc))
                break
            except OSError:  # the child was gone before it took the document
                if attempt == 2:
                    raise
                self._replace_dead()
        assert self.inbox is not None
        self.busy = True
        stage, started = 0, time.monotonic()
        paused: float | None = None  # since when the child builds a cache of its process (``untimed``)
        while True:
            limit = step.parts[stage].time_limit_seconds if stage < len(step.parts) else None
            if paused is not None:  # no part of the stage's time; bounded as a warm-up is
                wait: float | None = paused + START_TIMEOUT_SECONDS - time.monotonic()
            else:
                wait = None if not limit else started + KILL_AFTER * limit - time.monotonic()
            if wait is not None and wait <= 0:
                return self._lost(doc, step, stage, started, "timeout")
            try:
                if not self.inbox.poll(wait):
                    continue  # the deadline is checked again at the top
                msg = self.inbox.recv()
            except (EOFError, OSError):
                return self._lost(doc, step, stage, started, "crashed")
            if msg[0] == "untimed":  # the child builds a cache for the document (a language's rules), or is done
                if msg[1]:
                    paused = time.monotonic()
                elif paused is not None:
                    started += time.monotonic() - paused
                    paused = None
                continue
            if msg[0] == "did":  # stage i is done (its counters, time, learned statistics): the next begins
                _, i, counters, seconds, learned = msg
                part = step.parts[i]
                part.counters.update(counters)
                part.seconds += seconds
                if learned is not None and isinstance(part, Clean):
                    part.learned.merge(learned)
                stage, started = i + 1, time.monotonic()
                continue
            self.busy = False
            if msg[0] == "error" and not isinstance(msg[1], PermanentError):  # this document's, not the run's
                return self._lost(doc, step, min(stage, len(step.parts) - 1), started, "unexpected", msg[1])
            _raise_if_error(msg)
            done: Document = msg[1]  # ("done", document)
            self.documents += 1
            if self.documents >= RECYCLE_AFTER:
                self.stop()
                self.recycled += 1
                self.start(step.build)  # warms up while the caller carries on
            return done

    def _replace_dead(self) -> None:
        self.stop()
        self.died += 1

    def _lost(self, doc: Document, step: Isolated, stage: int, started: float, code: str,
              error: BaseException | None = None) -> Document:
        """The child overran (``timeout``: killed), died (``crashed``) or raised past every stage's own
        handler (``unexpected``: replaced, its state is unknown) on ``doc`` in ``step.parts[stage]``."""
        elapsed = time.monotonic() - started
        exit_code = None
        if code == "crashed" and self.proc is not None:
            try:
                exit_code = self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.stop()
        part = step.parts[stage]
        if code == "timeout":
            self.killed += 1
            doc.fail(part.name, "timeout", f"{part.name} took too long: over the time limit of "
                     f"{part.time_limit_seconds:g} s (stuck in a call that cannot be interrupted: its worker "
                     f"process was stopped after {elapsed:.1f} s)")
        elif code == "unexpected":
            doc.fail(part.name, "unexpected", f"{part.name}: unexpected {type(error).__name__} in the worker "
                     f"process: {error} (the worker was replaced)")
        else:
            self.died += 1
            doc.fail(part.name, "crashed", f"{part.name}: the worker process died (exit {exit_code}) "
                     f"after {elapsed:.1f} s on this document")
        part.counters["documents"] += 1
        part.counters[f"failed/{code}"] += 1
        part.seconds += elapsed
        for later in step.parts[stage + 1:]:
            doc = later(doc)  # in this process: only a stage that takes failed documents does anything
        self.start(step.build)  # the replacement warms up while the caller carries on
        return doc


def _raise_if_error(msg: tuple[Any, ...]) -> None:
    if msg[0] == "error":
        raise msg[1]


def _env_key() -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(_ENV_PREFIXES)))


def _env_data() -> dict[Any, Any] | None:
    """The mapping ``os.environ`` keeps the process's environment in (every change through ``os.environ``
    changes it), or None where it keeps it otherwise."""
    data = getattr(os.environ, "_data", None)
    return data if isinstance(data, dict) else None


def _env_copy() -> dict[Any, Any] | None:
    data = _env_data()
    return dict(data) if data is not None else None


def _rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


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
            worker.stop()
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
