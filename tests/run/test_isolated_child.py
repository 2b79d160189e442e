"""The stage worker's child side (pipeline/run/isolated_child.py): no timer outlives a stage.

``time_limit``'s timer repeats until its block's cleanup stops it, and a tick that lands as the block
exits can cut that cleanup short. The fuzz campaign met it under load (seed 4): the timer kept firing
after its document, reached the worker's idle loop, and the parent stopped the whole run. A timer
left armed with a raising handler cannot be caused on purpose by timing, so a stage here leaves one
behind the way the cut-short cleanup does."""

from __future__ import annotations

import signal
import time
from multiprocessing import Pipe

from pipeline.document import Document
from pipeline.run.isolated_child import _run_document
from pipeline.stages.base import DocumentTimeout, Stage


class LeavesItsTimerArmed(Stage):
    """Its work is done, but a timer with a raising handler is still armed behind it."""

    name = "leaky"

    def process(self, doc: Document) -> Document:
        def expire(signum: int, frame: object) -> None:
            raise DocumentTimeout("over the time limit of 1 s")

        signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, 0.2, 0.05)
        doc.title = "done"
        return doc


class TakesAWhile(Stage):
    name = "slow"

    def process(self, doc: Document) -> Document:
        time.sleep(0.4)  # several ticks of a leftover timer
        doc.body = "still here"
        return doc


def test_no_timer_outlives_a_stage_and_the_next_stages_and_documents_run_clean():
    before = signal.getsignal(signal.SIGALRM)
    read, write = Pipe(duplex=False)
    try:
        kind, doc, _ = _run_document([LeavesItsTimerArmed(), TakesAWhile()], Document(source="a.txt", source_path="a.txt"), write, write)
        assert kind == "done"
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # disarmed after the stage
        assert not doc.errors and (doc.title, doc.body) == ("done", "still here")
        time.sleep(0.3)  # a tick already on its way is ignored, not raised here
        kind, doc, _ = _run_document([TakesAWhile()], Document(source="b.txt", source_path="b.txt"), write, write)
        assert not doc.errors and doc.body == "still here"
        messages = []
        while read.poll():
            messages.append(read.recv())
        assert [m[:2] for m in messages] == [("did", 0), ("did", 1), ("did", 0)]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)


def test_a_timeout_raised_past_a_stage_fails_that_stage_and_the_document_comes_back():
    """The tick lands after the stage's own handler (here: at once, in its exit path)."""

    class RaisesOnTheWayOut(Stage):
        name = "late"

        def process(self, doc: Document) -> Document:
            return doc

        def __call__(self, doc: Document) -> Document:
            super().__call__(doc)
            raise DocumentTimeout("over the time limit of 3 s")

    before = signal.getsignal(signal.SIGALRM)
    read, write = Pipe(duplex=False)
    try:
        stage = RaisesOnTheWayOut()
        kind, doc, _ = _run_document([stage, TakesAWhile()], Document(source="c.txt", source_path="c.txt"), write, write)
        assert kind == "done"
        assert [e.key for e in doc.errors] == ["late/timeout"]
        assert doc.body == ""  # a failed document skips the later stages, as in process
        assert stage.counters["failed/timeout"] == 1
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)
