"""Work inside C code is bounded: the per-document stages run in a worker process that is killed and
replaced when a stage overruns (pipeline/run/isolated.py). The hang test: a batch holding a page that
keeps libxml2 busy for minutes in one call (a tag with 100,000 attributes: quadratic in them) plus
normal documents; the bad one fails as clean/timeout within 2 x its limit, the others land."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.document import Document
from pipeline.run.batch import document_stages, new_document, run_steps
from pipeline.run.isolated import KILL_AFTER, Isolated, stage_worker
from pipeline.stages.base import Stage

LIMIT = 2.0


def stuck_page(attributes: int = 100_000) -> bytes:
    """A 1.3 MB page: libxml2 checks each attribute of a tag against all before it, in one C call
    (30,000 attributes: about a minute; benchmarks/c_bound.py)."""
    attrs = " ".join(f"a{i}='{i}'" for i in range(attributes))
    return f"<html><body><div {attrs}>x</div><p>The council met on Monday.</p></body></html>".encode()


def stopped_after(message: str) -> float:
    found = re.search(r"stopped after ([0-9.]+) s", message)
    assert found, message
    return float(found.group(1))


def test_a_page_stuck_in_libxml2_fails_as_timeout_and_the_next_documents_go_on(tmp_path):
    run = replace(load_settings().run, document_time_limit_seconds=LIMIT)
    build = partial(document_stages, run)
    step = Isolated(build(), build)
    (tmp_path / "a.txt").write_text("The city council approved the budget on Monday after a long debate.\n",
                                    encoding="utf-8")
    (tmp_path / "stuck.html").write_bytes(stuck_page())
    (tmp_path / "b.txt").write_text("Le conseil municipal a adopté le budget mardi après un long débat.\n",
                                    encoding="utf-8")
    worker = stage_worker()
    worker.wait_ready(build)  # warming up is nobody's document time
    first, killed = worker.pid, worker.killed
    docs = {d.source: d for d in run_steps([step], (new_document(tmp_path, "t", n)
                                                     for n in ("a.txt", "stuck.html", "b.txt")))}
    stuck = docs["stuck.html"]
    assert [e.key for e in stuck.errors] == ["clean/timeout"]
    assert LIMIT <= stopped_after(stuck.errors[0].message) <= 2 * LIMIT
    assert stuck.id  # enrich gave the failed document its id, in this process
    assert not docs["a.txt"].errors and not docs["b.txt"].errors and docs["b.txt"].language == "fr"
    assert worker.killed == killed + 1 and worker.pid != first  # replaced
    clean = next(p for p in step.parts if p.name == "clean")
    assert clean.counters["failed/timeout"] == 1 and clean.counters["documents"] == 3
    assert next(p for p in step.parts if p.name == "extract").counters["documents"] == 3


def test_a_worker_that_dies_fails_its_document_as_crashed(tmp_path):
    """A crash in C code kills the process (here a real SIGKILL from outside, mid-document)."""
    run = replace(load_settings().run, document_time_limit_seconds=30)
    build = partial(document_stages, run)
    step = Isolated(build(), build)
    (tmp_path / "stuck.html").write_bytes(stuck_page(60_000))
    (tmp_path / "after.txt").write_text("The city council approved the budget on Monday.\n", encoding="utf-8")
    worker = stage_worker()
    worker.wait_ready(build)
    victim = worker.pid
    assert victim is not None
    killer = threading.Timer(3.0, os.kill, (victim, signal.SIGKILL))
    killer.start()
    try:
        docs = {d.source: d for d in run_steps([step], (new_document(tmp_path, "t", n)
                                                         for n in ("stuck.html", "after.txt")))}
    finally:
        killer.cancel()
    assert [e.code for e in docs["stuck.html"].errors] == ["crashed"]
    assert "exit -9" in docs["stuck.html"].errors[0].message
    assert not docs["after.txt"].errors and worker.pid != victim


@pytest.mark.es
def test_hang_a_batch_with_a_page_stuck_in_c_code_lands_all_the_others(es_client, alias, source, tmp_path):
    """The hang test, through a real run into the real node."""
    from pipeline.run import run_ingest

    (source / "stuck.html").write_bytes(stuck_page())
    normal = sorted(p.name for p in source.iterdir() if p.name != "stuck.html")
    settings = load_settings().with_overrides(document_time_limit_seconds=LIMIT)
    started = time.monotonic()
    report = run_ingest(settings, es=es_client, source_dir=source, alias=alias, runs_dir=tmp_path / "runs")
    took = time.monotonic() - started
    by_source = {d.source: d for d in report.documents}
    assert [e.key for e in by_source["stuck.html"].errors] == ["clean/timeout"]
    assert stopped_after(by_source["stuck.html"].errors[0].message) <= 2 * LIMIT
    assert all(not by_source[n].errors for n in normal)
    assert (report.indexed, report.failed) == (len(normal), 1)
    assert report.counters["clean/failed/timeout"] == 1
    es_client.indices.refresh(index=alias)
    assert es_client.count(index=alias)["count"] == len(normal)
    # libxml2 alone takes many minutes on this page; the run is over in the time of the others + the kill
    assert took < 300, took
    assert KILL_AFTER * LIMIT <= 2 * LIMIT


def test_the_stage_worker_is_the_same_process_across_batches(tmp_path):
    run = load_settings().run
    build = partial(document_stages, run)
    worker = stage_worker()
    worker.wait_ready(build)
    pid = worker.pid
    (tmp_path / "a.txt").write_text("The city council approved the budget on Monday.\n", encoding="utf-8")
    for _ in range(2):  # a new batch: new stage objects, same warm process
        step = Isolated(build(), build)
        doc = next(run_steps([step], [new_document(tmp_path, "t", "a.txt")]))
        assert not doc.errors and doc.language == "en"
    assert worker.pid == pid
    assert Path(f"/proc/{pid}").exists()


def test_batches_running_at_once_in_one_process_each_get_a_worker_of_their_own(tmp_path):
    """Two threads of one process run batches at the same time (a run's concurrent batches): each takes
    its own warm worker, every document comes back as itself, and both workers stay for later batches."""
    build = partial(document_stages, load_settings().run)
    texts = {f"{side}{i}.txt": f"Report {side}{i}: the council of town {side}{i} approved its budget on Monday."
             for side in "ab" for i in range(6)}
    for name, text in texts.items():
        (tmp_path / name).write_text(text + "\n", encoding="utf-8")
    results: dict[str, list] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def batch(side: str) -> None:
        try:
            step = Isolated(build(), build)
            barrier.wait()
            results[side] = list(run_steps([step], (new_document(tmp_path, "t", n) for n in sorted(texts)
                                                    if n.startswith(side))))
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=batch, args=(side,)) for side in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for side in "ab":
        docs = results[side]
        assert [d.source for d in docs] == sorted(n for n in texts if n.startswith(side))
        for d in docs:
            assert not d.errors, d.errors
            assert f"Report {d.source[:-4]}:" in d.body  # its own text, not the other thread's
    first = stage_worker()
    assert first.pid is not None and Path(f"/proc/{first.pid}").exists()


def test_a_worker_killed_while_idle_is_replaced_without_failing_the_next_document(tmp_path):
    build = partial(document_stages, load_settings().run)
    worker = stage_worker()
    worker.wait_ready(build)
    victim, died = worker.pid, worker.died
    assert victim is not None
    os.kill(victim, signal.SIGKILL)
    time.sleep(0.2)  # the kernel has delivered it
    (tmp_path / "a.txt").write_text("The city council approved the budget on Monday.\n", encoding="utf-8")
    doc = next(run_steps([Isolated(build(), build)], [new_document(tmp_path, "t", "a.txt")]))
    assert not doc.errors and doc.language == "en"
    assert worker.died == died + 1 and worker.pid not in (None, victim)


class EscapesEveryHandler(BaseException):
    """Not an ``Exception``: passes the stage's own handler, as a late timer tick does."""


class RaisesPastItsHandler(Stage):
    name = "fragile"

    def process(self, doc: Document) -> Document:
        if doc.source == "bad.txt":
            raise EscapesEveryHandler("raised past the stage's handler")
        doc.body = f"body of {doc.source}"
        return doc


def fragile_stages() -> list[Stage]:
    return [RaisesPastItsHandler()]


def test_an_error_past_every_stage_handler_fails_only_its_document_and_the_worker_is_replaced(tmp_path):
    step = Isolated(fragile_stages(), fragile_stages)
    worker = stage_worker()
    docs = {d.source: d for d in run_steps([step], (Document(source=n, source_path=str(tmp_path / n))
                                                     for n in ("a.txt", "bad.txt", "b.txt")))}
    assert [e.key for e in docs["bad.txt"].errors] == ["fragile/unexpected"]
    assert "EscapesEveryHandler" in docs["bad.txt"].errors[0].message
    assert docs["a.txt"].body == "body of a.txt" and docs["b.txt"].body == "body of b.txt"
    assert step.parts[0].counters["failed/unexpected"] == 1
    assert worker.pid is not None
