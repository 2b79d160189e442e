"""One stage worker, the parent's side: a child process running the per-document stages, kept a few
documents ahead, killed and replaced when it overruns (``isolated.py`` says why; ``isolated_child.py`` is
the child).

The parent sends a document and, while the child runs it, sends the next ones (up to ``SEND_AHEAD``): the
child starts the next as soon as it is done, while the parent hands the finished document on (the load,
the grouping, the report) or is held up, instead of leaving the child idle meanwhile. Documents come
back in the order they were sent. A document sent ahead is not lost when the child before it is killed, dies or is
recycled: the replacement gets it again. Each stage's kill deadline counts from when the child began it
(the child stamps its messages with ``time.monotonic()``, the system-wide clock the parent reads), not
from when the parent got round to reading the message."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any, Protocol

from pipeline.document import Document
from pipeline.errors import PermanentError
from pipeline.run.os_helpers import rss_mib, widen_pipe
from pipeline.stages.base import Stage
from pipeline.stages.clean import Clean

RECYCLE_AFTER = 10_000  # documents a child takes before a fresh one replaces it (caches of every language and
# script grow slowly on hostile input: the fuzzing campaign saw +90 MiB over 10,000 files); a ~1 s warm-up each time
KILL_AFTER = 1.5  # a stage still running this many times its limit is stuck in C code: kill the child
START_TIMEOUT_SECONDS = 600.0  # loading and warming the models (seconds; minutes on an overloaded machine)
SEND_AHEAD = 3  # documents sent to the child beyond the one it is running (0: one at a time)
SEND_AHEAD_MAX_BYTES = 16_384  # a document sent ahead waits in the pipe (64 KiB on Linux: SEND_AHEAD of them fit)
# while the child works; a bigger message waits until the child has nothing left, so this process never blocks
# writing to a child that is itself blocked writing to it
REPLY_PIPE_BYTES = 1 << 20  # the child's replies: room for several finished documents while this process is busy
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_ENV_PREFIXES = ("ETL_", "PIPELINE_", "ES_")  # settings a child reads when it starts: a change restarts it

StageBuilder = Callable[[], list[Stage]]  # picklable: e.g. functools.partial(document_stages, run, ...)


class StageSteps(Protocol):
    """What a worker runs (``isolated.Isolated``): the parent's stage objects, and how the child builds its own."""

    parts: list[Stage]
    build: StageBuilder


@dataclass
class Sent:
    """A document in the child's hands (running or waiting in the pipe) and when it was sent."""

    doc: Document
    at: float


@dataclass
class Progress:
    """Where the oldest document in flight is: the stage the child runs, since when (the child's clock), and
    since when the child builds a cache of its process for it (``untimed``: no part of the stage's time)."""

    stage: int
    started: float
    paused: float | None = None

    def wait(self, step: StageSteps) -> float | None:
        """Seconds until the kill deadline of the stage (None: no limit)."""
        if self.paused is not None:  # bounded as a warm-up is
            return self.paused + START_TIMEOUT_SECONDS - time.monotonic()
        limit = step.parts[self.stage].time_limit_seconds if self.stage < len(step.parts) else None
        return None if not limit else self.started + KILL_AFTER * limit - time.monotonic()

    def untimed(self, on: bool, at: float) -> None:
        if on:
            self.paused = at
        elif self.paused is not None:
            self.started += at - self.paused
            self.paused = None

    def did(self, msg: tuple[Any, ...], step: StageSteps) -> None:
        """Stage ``i`` ended (its counters, seconds, learned statistics, when): the next one begins."""
        _, i, counters, seconds, learned, at = msg
        part = step.parts[i]
        part.counters.update(counters)
        part.seconds += seconds
        if learned is not None and isinstance(part, Clean):
            part.learned.merge(learned)
        self.stage, self.started = i + 1, at


class StageWorker:
    """One child process running the stages; replaced when it is killed or dies."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.inbox: Connection | None = None  # child -> parent: what the parent waits for
        self.status: Connection | None = None  # child -> parent: stages' ends, read when needed (isolated_child)
        self.outbox: Connection | None = None  # parent -> child
        self.backlog: deque[tuple[Any, ...]] = deque()  # status messages read, not applied yet (a later document's)
        self.ready = False
        self.ready_at = 0.0  # when the child said it was ready, or finished its last document (its clock)
        self.configured: StageBuilder | None = None
        self.env_key: tuple[tuple[str, str], ...] = ()
        self.env_seen: object = None  # the environment as it was when ``env_key`` was last found current
        self.inflight: deque[Sent] = deque()  # sent and not collected yet, oldest first
        self.started = 0  # children started (1 + the replacements)
        self.killed = 0  # children killed for an overrun
        self.died = 0  # children that died on their own
        self.recycled = 0  # children replaced after RECYCLE_AFTER documents
        self.documents = 0  # documents the current child has finished

    @property
    def busy(self) -> bool:
        """Documents are in the child (a caller that gives up then leaves them half done)."""
        return bool(self.inflight)

    # ------------------------------------------------------------------ lifecycle
    def start(self, build: StageBuilder) -> None:
        """Start a child that builds its stages with ``build`` and warms them up (``wait_ready`` waits);
        the documents in flight (a replaced child's) are sent to it again."""
        child_read, parent_write = os.pipe()
        parent_read, child_write = os.pipe()
        status_read, status_write = os.pipe()
        widen_pipe(child_write, REPLY_PIPE_BYTES)
        widen_pipe(status_write, REPLY_PIPE_BYTES)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        self.env_seen = _env_copy()  # before the key: a change in between is seen by the next check
        self.env_key = _env_key()
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "pipeline.run.isolated_child", str(child_read),
                                          str(child_write), str(status_write)],
                                         pass_fds=(child_read, child_write, status_write), env=env,
                                         stdin=subprocess.DEVNULL, close_fds=True)
        finally:
            os.close(child_read)
            os.close(child_write)
            os.close(status_write)
        self.inbox = Connection(parent_read, writable=False)
        self.status = Connection(status_read, writable=False)
        self.backlog.clear()
        self.outbox = Connection(parent_write, readable=False)
        self.ready, self.documents = False, 0
        self.configured = build
        self.started += 1
        try:
            self.outbox.send(("configure", build))
            now = time.monotonic()
            for sent in self.inflight:
                self.outbox.send(("doc", sent.doc))
                sent.at = now
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
        self.ready, self.ready_at = True, time.monotonic()

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
        """Kill the child (if any) and close the pipes (the documents in flight stay: see ``start``)."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
        for conn in (self.inbox, self.status, self.outbox):
            if conn is not None:
                conn.close()
        self.proc = self.inbox = self.status = self.outbox = None
        self.backlog.clear()
        self.ready, self.configured = False, None

    def abandon(self) -> None:
        """Kill the child and forget the documents in flight (their caller gave up on them)."""
        self.stop()
        self.inflight.clear()

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def rss_mib(self) -> float:
        """Resident memory of the current child (0 when there is none)."""
        return rss_mib(self.pid) if self.pid else 0.0

    # ------------------------------------------------------------------ documents
    def process(self, doc: Document, step: StageSteps) -> Document:
        """``doc`` through ``step``'s stages, nothing else in flight."""
        self.send(doc, step)
        return self.collect(doc, step)

    def send(self, doc: Document, step: StageSteps) -> bool:
        """Give ``doc`` to the child. With documents in flight it goes only when it can wait in the pipe
        (the same stages, the child alive and current, a small message): False when it cannot, and the
        caller collects what is in flight first."""
        if self.inflight:
            data = self._ahead(doc, step)
            if data is None:
                return False
            try:
                assert self.outbox is not None
                self.outbox.send_bytes(data)
            except OSError:
                pass  # the child is gone: collecting the one before finds out, and the replacement gets this one
            self.inflight.append(Sent(doc, time.monotonic()))
            return True
        for attempt in (1, 2):
            if self.proc is not None and self.ready and self.proc.poll() is not None:
                self._replace_dead()  # died while idle (killed from outside): not this document's doing
            self.wait_ready(step.build)
            assert self.outbox is not None
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
        self.inflight.append(Sent(doc, time.monotonic()))
        return True

    def _ahead(self, doc: Document, step: StageSteps) -> bytes | None:
        """The message for ``doc`` if it can go while the child works, else None."""
        if (not self.ready or self.proc is None or self.proc.poll() is not None or self.configured is not step.build
                or self.documents + len(self.inflight) >= RECYCLE_AFTER or self.env_changed()):
            return None
        data = bytes(ForkingPickler.dumps(("doc", doc)))
        return data if len(data) <= SEND_AHEAD_MAX_BYTES else None

    def collect(self, doc: Document, step: StageSteps) -> Document:
        """The oldest document in flight, ``doc``, as the child gives it back (or failed here when the child
        overran, died or raised past every stage's handler)."""
        assert self.inflight and self.inflight[0].doc is doc, "documents are collected in the order sent"
        if not self.ready:  # a replacement child: its warm-up is no document's time
            self.wait_ready(step.build)
        assert self.inbox is not None
        # the child takes it when done with the last one
        at = Progress(stage=0, started=max(self.inflight[0].at, self.ready_at))
        while True:
            wait = at.wait(step)
            if wait is not None and wait <= 0 and self._absorb(at, step):
                continue  # stages ended that the status pipe had not told yet: a new deadline
            if wait is not None and wait <= 0:
                return self._lost(step, at, "timeout")
            try:
                if not self.inbox.poll(wait):
                    continue  # the deadline is checked again at the top
                msg = self.inbox.recv()
            except (EOFError, OSError):
                self._absorb(at, step)  # what it finished before it died is counted
                return self._lost(step, at, "crashed")
            self._absorb(at, step)  # the stage ends it wrote before this message
            if msg[0] == "untimed":  # the child builds a cache for the document (a language's rules), or is done
                at.untimed(msg[1], msg[2])
                continue
            if msg[0] == "did":  # a stage's end with learned statistics: on this pipe so they are never late
                at.did(msg, step)
                continue
            if msg[0] == "error" and not isinstance(msg[1], PermanentError):  # this document's, not the run's
                at.stage = min(at.stage, len(step.parts) - 1)
                return self._lost(step, at, "unexpected", msg[1])
            _raise_if_error(msg)
            _, done, finished = msg  # ("done", document, when)
            assert isinstance(done, Document)
            self.inflight.popleft()
            self.documents += 1
            self.ready_at = finished
            if self.documents >= RECYCLE_AFTER:
                self.stop()
                self.recycled += 1
                if self.inflight:  # none in practice (nothing is sent ahead past the limit): they go to it now
                    self.start(step.build)
                # else the replacement starts with the next document (``wait_ready``) or the next batch's
                # ``prestart``: a run whose last document this was pays no warm-up at its end
            return done

    def _absorb(self, at: Progress, step: StageSteps) -> bool:
        """Apply the status pipe's stage ends that belong to ``at``'s document, in order (the next
        document's wait in ``backlog``); True when any was."""
        status = self.status
        try:
            while status is not None and status.poll(0):
                self.backlog.append(status.recv())
        except (EOFError, OSError):
            pass  # the child is gone: what it wrote is read
        applied = False
        while self.backlog and self.backlog[0][1] == at.stage:
            at.did(self.backlog.popleft(), step)
            applied = True
        return applied

    def _replace_dead(self) -> None:
        self.stop()
        self.died += 1

    def _lost(self, step: StageSteps, at: Progress, code: str, error: BaseException | None = None) -> Document:
        """The child overran (``timeout``: killed), died (``crashed``) or raised past every stage's own
        handler (``unexpected``: replaced, its state is unknown) on the oldest document in flight, in
        ``step.parts[at.stage]``."""
        doc = self.inflight.popleft().doc
        stage = at.stage
        elapsed = time.monotonic() - at.started
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
        self.start(step.build)  # the replacement warms up while the caller carries on; gets the ones sent after
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

