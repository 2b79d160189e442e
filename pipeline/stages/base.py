"""The one interface every stage shares, and the time limit around a document's work.

Modelled on datatrove's ``PipelineStep``: a ``Step`` has a ``name``, gets its typed
configuration when it is built (never from a global lookup), keeps ``counters`` that the run
report adds up and turns a batch's documents into documents (``run``). A ``Stage`` is the
per-document form: it says whether it runs on a document that already failed, bounds its work
on one document in time, and never raises for a bad document: a problem becomes a ``Failure``
(stage, code, message) on the document, so one bad page never stops a batch.
``pipeline.run.batch`` holds the one list of steps from file to index and the one loop.
"""

from __future__ import annotations

import ctypes
import importlib
import signal
import threading
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from pipeline.document import Document
from pipeline.errors import PermanentError

# After the first expiry the timer fires again this often until the exception lands in the work.
RETRY_TICK_SECONDS = 0.05
# ``signal.signal`` / ``signal.getsignal`` without their enum conversions (the C functions they wrap): with
# a function as a handler the conversions raise and catch a TypeError or a ValueError, about 60 of a
# time limit's 90 us in the stage worker (whose outer handler is a function); ints and functions alike
_signal = importlib.import_module("_signal")
set_signal_handler: Callable[[int, Any], Any] = getattr(_signal, "signal", signal.signal)
get_signal_handler: Callable[[int], Any] = getattr(_signal, "getsignal", signal.getsignal)


class DocumentTimeout(BaseException):
    """Raised inside a document's work when its time limit is over.

    A ``BaseException`` (like ``KeyboardInterrupt``): library code that catches ``Exception``
    to carry on must not swallow it."""


class Step(ABC):
    """One step from file to index: a ``name``, typed configuration given when it is built,
    ``counters`` the run report adds up (as ``<name>/<counter>``), failures recorded under its
    own name.

    ``run`` takes the batch's documents and yields them on, as datatrove's
    ``PipelineStep.run(data)`` does: a per-document step (``Stage``) handles each as it comes,
    a batch step (the unchanged check, the bulk load, near-duplicate grouping) may hold some
    back until it has seen enough of the batch. A step yields every document it was given:
    one that failed carries its ``Failure`` and the later steps pass it on untouched.
    """

    name: ClassVar[str]

    def __init__(self) -> None:
        self.counters: Counter[str] = Counter()
        self.seconds = 0.0  # time spent in this step (the report's timings)

    @abstractmethod
    def run(self, docs: Iterable[Document]) -> Iterator[Document]:
        """Yield every document of ``docs``, after this step's work on it."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class Stage(Step):
    """A per-document step ``Document -> Document``: subclasses set ``name`` and implement ``process``.

    ``__call__`` is the contract every stage keeps: a document that failed earlier (unless
    ``runs_on_failed``) or that is unchanged since it was indexed is passed on untouched; the work
    on one document is bounded by ``time_limit_seconds`` (``<name>/timeout``); an exception is a
    ``Failure`` under the stage's own name (``unexpected``; ``too-deep`` for runaway nesting),
    never an exception out of the batch."""

    runs_on_failed: ClassVar[bool] = False  # enrich gives failed documents their id, so it does

    def __init__(self, *, time_limit_seconds: float | None = None) -> None:
        super().__init__()
        self.time_limit_seconds = time_limit_seconds

    @abstractmethod
    def process(self, doc: Document) -> Document:
        """Do the work; record problems with ``doc.fail(self.name, code, message)``."""

    def __call__(self, doc: Document) -> Document:
        if doc.unchanged or (doc.failed and not self.runs_on_failed):
            return doc
        started = time.perf_counter()
        try:
            with time_limit(self.time_limit_seconds):
                doc = self.process(doc)
        except DocumentTimeout as exc:
            doc.fail(self.name, "timeout", f"{self.name} took too long: {exc}")
        except PermanentError:
            raise  # a broken rule file or install: no document can pass, the run stops (no retry)
        except RecursionError:
            doc.fail(self.name, "too-deep", "malformed input: nesting too deep")
        except Exception as exc:  # noqa: BLE001 - one bad document must never stop a batch
            doc.fail(self.name, "unexpected", f"unexpected {type(exc).__name__}: {exc}")
        self.counters["documents"] += 1
        self.seconds += time.perf_counter() - started
        if doc.failed and doc.errors[-1].stage == self.name:
            self.counters[f"failed/{doc.errors[-1].code}"] += 1
        return doc

    def run(self, docs: Iterable[Document]) -> Iterator[Document]:
        for doc in docs:
            yield self(doc)


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ``DocumentTimeout`` in the block once ``seconds`` have passed.

    In the main thread (the CLI, its worker processes, an Airflow task) this is a
    ``SIGALRM`` timer: it interrupts Python code and the regular-expression engine alike.
    An outer timer (Airflow's ``execution_timeout`` uses one) is kept: when it is due
    sooner, it alone applies, and afterwards it is re-armed with the time it has left.
    Elsewhere (a thread) the exception is delivered asynchronously between bytecodes.
    """
    if not seconds or seconds <= 0:
        yield
        return
    if threading.current_thread() is not threading.main_thread():
        with _thread_time_limit(seconds):
            yield
        return
    outer_handler = get_signal_handler(signal.SIGALRM)
    outer_left, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    if outer_left and outer_left <= seconds:
        yield  # the outer deadline comes first and stays in charge
        return

    active = True
    started = time.monotonic()
    give_up_at = started + 2 * seconds + 1.0

    def stand_down() -> None:
        """Disarm this timer and hand SIGALRM back to the outer handler and its time left."""
        nonlocal active
        active = False
        if get_signal_handler(signal.SIGALRM) is not expire:
            return  # a cleanup run late (at garbage collection): a newer time_limit owns the timer now
        signal.setitimer(signal.ITIMER_REAL, 0)
        for _ in range(3):
            pass  # a signal Python has already received runs the (now inert) handler here, not the outer one
        set_signal_handler(signal.SIGALRM, outer_handler)
        if outer_left:
            left = outer_left - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), outer_interval)

    def expire(signum: int, frame: object) -> None:
        if not active:
            return
        if time.monotonic() >= give_up_at:
            # Past twice the limit the block has either ended with its cleanup cut short (a tick that
            # lands as the block exits aborts the ``finally`` below and leaves the timer repeating
            # into whatever runs next) or is stuck in C code no exception reaches: either way more
            # ticks only fail innocent work. Raise once more and stand down.
            stand_down()
        raise DocumentTimeout(f"over the time limit of {seconds:g} s")

    set_signal_handler(signal.SIGALRM, expire)
    # Repeating: a signal that lands while Python runs a gc or weakref callback raises there, and
    # that exception is dropped ("Exception ignored in ..."); the next tick raises again.
    signal.setitimer(signal.ITIMER_REAL, seconds, RETRY_TICK_SECONDS)
    try:
        yield
    finally:
        for _ in range(5):  # a tick landing before ``active`` is cleared raises here: clear it again
            try:
                active = False
                break
            except DocumentTimeout:
                continue
        stand_down()


@contextmanager
def _thread_time_limit(seconds: float) -> Iterator[None]:
    target = threading.get_ident()
    done = threading.Event()
    fired = threading.Event()  # set before the watchdog schedules its first exception

    def watchdog() -> None:
        if done.wait(seconds):
            return
        fired.set()
        while True:  # again every tick until the block has ended (see above)
            _set_async_exc(target, DocumentTimeout)
            if done.wait(RETRY_TICK_SECONDS):
                return

    guard = threading.Thread(target=watchdog, name="document-time-limit", daemon=True)
    guard.start()
    try:
        yield
    finally:
        # Once the watchdog has fired, one exception may still be scheduled and not yet landed. It
        # must land here, where it is caught: dropping it with PyThreadState_SetAsyncExc(id, NULL)
        # leaves CPython's interpreter-wide "async exception pending" flag set for good (3.11: only a
        # delivery clears it), so every later check of the eval breaker finds work to do, and once a
        # profiler or tracer is on (cProfile, coverage, a debugger) the next function entry spins
        # forever on that check. So one is scheduled on purpose (replacing any left) and delivered.
        stopped = False
        for _ in range(5):  # a tick landing in this cleanup is caught here; the loop then resumes it
            try:
                if not stopped:
                    done.set()
                    guard.join()
                    stopped = True
                if fired.is_set():
                    _set_async_exc(target, DocumentTimeout)
                    for _ in range(1_000_000):  # it lands at the first backward jump
                        pass
                    _set_async_exc(target, None)  # not delivered (no CPython does this): never leave it armed
                break
            except DocumentTimeout:
                if stopped:
                    break  # delivered (the watchdog has ended): nothing is scheduled any more


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> None:
    """Schedule ``exc`` to be raised in thread ``thread_id`` (``None``: drop one scheduled)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None if exc is None else ctypes.py_object(exc))
