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
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, Generic, TypeVar

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
    clock = _pause_clock()
    paused_before = clock.total

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
        if time.monotonic() - (clock.total - paused_before) >= give_up_at:  # the time untimed() took is not counted
            # Past twice the limit the block has either ended with its cleanup cut short (a tick that
            # lands as the block exits aborts the ``finally`` below and leaves the timer repeating
            # into whatever runs next) or is stuck in C code no exception reaches: either way more
            # ticks only fail innocent work. Raise once more and stand down.
            stand_down()
        raise DocumentTimeout(f"over the time limit of {seconds:g} s")

    expire.document_limit = True  # type: ignore[attr-defined]  # untimed() pauses only a document's timer
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
    clock = _pause_clock()  # the block's thread's: the time it spends untimed() is not counted
    started = time.monotonic()
    paused_before = clock.total

    def watchdog() -> None:
        while True:
            now = time.monotonic()
            left = started + seconds + clock.paused(now) - paused_before - now
            if left <= 0 and clock.since is None:
                break
            if done.wait(max(left, RETRY_TICK_SECONDS) if clock.since is not None else left):
                return
        fired.set()
        while True:  # again every tick until the block has ended (see above)
            if clock.since is None:  # not into a build that untimed() runs
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


class _PauseClock:
    """The time one thread has spent in ``untimed`` blocks (``since``: the start of the current one)."""

    __slots__ = ("since", "total")

    def __init__(self) -> None:
        self.total = 0.0
        self.since: float | None = None

    def paused(self, now: float) -> float:
        since = self.since
        return self.total + (now - since if since is not None else 0.0)


_clocks = threading.local()


def _pause_clock() -> _PauseClock:
    clock: _PauseClock | None = getattr(_clocks, "clock", None)
    if clock is None:
        clock = _clocks.clock = _PauseClock()
    return clock


_untimed_listener: Callable[[bool], None] | None = None


def listen_untimed(listener: Callable[[bool], None] | None) -> None:
    """Call ``listener(True)`` when an ``untimed`` block starts, ``listener(False)`` when it ends (the stage
    worker tells its parent, whose own deadline for a stage, the backstop for C code, waits as well)."""
    global _untimed_listener
    _untimed_listener = listener


def _ignore_tick(signum: int, frame: object) -> None:
    """A tick of a document's timer already on its way when ``untimed`` stopped the timer."""


@contextmanager
def untimed() -> Iterator[None]:
    """Work that is no document's, done while a document waits for it: a cache of the process built on
    first use (a language's rule pack, its place names). A document's time limit (``time_limit``, in this
    thread) does not run meanwhile and goes on afterwards with the time it had left, so a build is never
    cut short by a timeout (it would be repeated by the next document, and on a busy machine a build
    slower than the limit would fail every document) and never charged to the document. An outer timer
    (not a document's) is left running. Nested blocks count once."""
    clock = _pause_clock()
    if clock.since is not None:
        yield
        return
    handler: Any = None
    left = interval = 0.0
    if threading.current_thread() is threading.main_thread():
        handler = get_signal_handler(signal.SIGALRM)
        if getattr(handler, "document_limit", False):
            left, interval = signal.setitimer(signal.ITIMER_REAL, 0)
            set_signal_handler(signal.SIGALRM, _ignore_tick)
        else:
            handler = None
    listener = _untimed_listener
    clock.since = time.monotonic()
    try:
        if listener is not None:
            listener(True)
        yield
    finally:
        clock.total += time.monotonic() - clock.since
        clock.since = None
        if handler is not None:
            set_signal_handler(signal.SIGALRM, handler)
            if left:
                signal.setitimer(signal.ITIMER_REAL, left, interval)
        if listener is not None:
            listener(False)


_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


class untimed_cache(Generic[_K, _V]):  # noqa: N801 - used as a decorator, like functools.cache
    """``functools.cache`` for a one-argument build whose misses run ``untimed``: a cache of the process
    filled on first use by whichever document needs it first, outside that document's time limit."""

    def __init__(self, build: Callable[[_K], _V]) -> None:
        self.build = build
        self.cache: dict[_K, _V] = {}
        self.__doc__ = build.__doc__
        self.__wrapped__ = build

    def __call__(self, key: _K) -> _V:
        try:
            return self.cache[key]
        except KeyError:
            pass
        with untimed():
            value = self.build(key)
        return self.cache.setdefault(key, value)

    def cache_clear(self) -> None:
        self.cache.clear()
