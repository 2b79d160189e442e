"""The stage worker is kept documents ahead (pipeline/run/stage_worker.py): while this process hands a
finished document on, the next ones are already in the child; documents come back in the order taken, and
one sent ahead of a child that dies is run by the replacement."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.document import Change, Document
from pipeline.run.batch import run_steps
from pipeline.run.isolated import Isolated, stage_worker
from pipeline.run.stage_worker import SEND_AHEAD, SEND_AHEAD_MAX_BYTES
from pipeline.stages.base import Stage


class Stamps(Stage):
    """Writes which child process ran the document; ``die.txt`` kills that child (a crash in C code)."""

    name = "stamp"

    def process(self, doc: Document) -> Document:
        if doc.source == "die.txt":
            os._exit(7)
        doc.body = f"{doc.source} by {os.getpid()}"
        return doc


def stamping_stages() -> list[Stage]:
    return [Stamps()]


def documents(tmp_path: Path, names: list[str]) -> list[Document]:
    return [Document(source=n, source_path=str(tmp_path / n)) for n in names]


def test_the_next_document_is_in_the_worker_while_this_process_hands_one_on(tmp_path):
    step = Isolated(stamping_stages(), stamping_stages)
    names = [f"{i}.txt" for i in range(6)]
    worker = stage_worker()
    out = []
    for doc in run_steps([step], documents(tmp_path, names)):
        held = [sent.doc.source for sent in worker.inflight]
        out.append((doc.source, held))
        assert doc.body == f"{doc.source} by {worker.pid}"
    # every document but the last was handed on with the next one already sent to the child
    assert out == [(n, names[i + 1:i + 1 + SEND_AHEAD]) for i, n in enumerate(names)]
    assert not worker.busy


def test_unchanged_documents_keep_their_place_and_never_reach_the_worker(tmp_path):
    step = Isolated(stamping_stages(), stamping_stages)
    docs = documents(tmp_path, ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"])
    for doc in docs[1::2]:
        doc.change = Change.UNCHANGED
    out = list(run_steps([step], docs))
    assert [d.source for d in out] == ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]
    assert [bool(d.body) for d in out] == [True, False, True, False, True]
    assert step.parts[0].counters["documents"] == 3


def test_a_document_too_big_to_wait_in_the_pipe_goes_when_the_child_is_done(tmp_path):
    step = Isolated(stamping_stages(), stamping_stages)
    docs = documents(tmp_path, ["a.txt", "big.txt", "c.txt"])
    docs[1].title = "x" * (SEND_AHEAD_MAX_BYTES + 1)  # its message would not fit beside the child's replies
    worker = stage_worker()
    held = {doc.source: [s.doc.source for s in worker.inflight] for doc in run_steps([step], docs)}
    assert held == {"a.txt": [], "big.txt": ["c.txt"], "c.txt": []}


def test_documents_sent_ahead_of_a_child_that_dies_are_run_by_the_replacement(tmp_path):
    assert SEND_AHEAD >= 2
    step = Isolated(stamping_stages(), stamping_stages)
    worker = stage_worker()
    out = {}
    for doc in run_steps([step], documents(tmp_path, ["a.txt", "die.txt", "b.txt", "c.txt"])):
        out[doc.source] = doc
        if doc.source == "die.txt":
            assert [s.doc.source for s in worker.inflight] == ["b.txt", "c.txt"]  # sent ahead to the child that died
    first = out["a.txt"].body.rsplit(" ", 1)[1]
    assert [e.key for e in out["die.txt"].errors] == ["stamp/crashed"]
    assert "exit 7" in out["die.txt"].errors[0].message
    replacement = out["b.txt"].body.rsplit(" ", 1)[1]
    assert replacement != first and out["c.txt"].body == f"c.txt by {replacement}"
    assert step.parts[0].counters["failed/crashed"] == 1


class CountingPipe:
    """The worker's main pipe from the child, counting what the parent is woken for."""

    def __init__(self, conn):
        self.conn, self.kinds = conn, []

    def poll(self, timeout=None):
        return self.conn.poll(timeout)

    def recv(self):
        msg = self.conn.recv()
        self.kinds.append(msg[0])
        return msg

    def close(self):
        self.conn.close()


def stamping_stages_3() -> list[Stage]:
    return [Stamps(), Stamps(), Stamps()]


def test_stage_ends_wait_on_the_status_pipe_and_are_all_counted(tmp_path):
    """One message a document wakes the parent (its end); the stages' ends are read from the status pipe
    when the document comes back, every counter and second of them."""
    step = Isolated(stamping_stages_3(), stamping_stages_3)
    worker = stage_worker()
    first = documents(tmp_path, ["warm.txt"])  # starts and configures the worker for these stages
    list(run_steps([step], first))
    counting = CountingPipe(worker.inbox)
    worker.inbox = counting
    try:
        out = list(run_steps([step], documents(tmp_path, ["a.txt", "b.txt", "c.txt", "d.txt"])))
    finally:
        worker.inbox = counting.conn
    assert [d.source for d in out] == ["a.txt", "b.txt", "c.txt", "d.txt"]
    assert counting.kinds == ["done"] * 4
    assert [part.counters["documents"] for part in step.parts] == [5, 5, 5]
    assert not worker.backlog
