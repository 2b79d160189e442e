"""A cache the stage worker builds for a document (``pipeline.stages.base.untimed``: a language's rule pack,
its place names) is no part of the document's time in the parent either: the parent's own deadline for a
stage (``KILL_AFTER`` x its limit, the backstop for C code) waits while the child builds, so a slow build
is neither killed nor charged, and a stage that overruns after it still is."""

from __future__ import annotations

import time

from pipeline.document import Document
from pipeline.run.batch import run_steps
from pipeline.run.isolated import KILL_AFTER, Isolated, stage_worker
from pipeline.stages.base import Stage, untimed

LIMIT = 0.4


class BuildsACacheSlowly(Stage):
    """A first use that builds for longer than the parent would wait for a stage (KILL_AFTER x LIMIT)."""

    name = "builds"

    def process(self, doc: Document) -> Document:
        with untimed():
            time.sleep(KILL_AFTER * LIMIT + 0.5)
        doc.body = f"built for {doc.source}"
        return doc


def slow_builder_stages() -> list[Stage]:
    return [BuildsACacheSlowly(time_limit_seconds=LIMIT)]


def test_a_build_longer_than_the_parent_would_wait_is_neither_killed_nor_charged(tmp_path):
    step = Isolated(slow_builder_stages(), slow_builder_stages)
    worker = stage_worker()
    docs = list(run_steps([step], (Document(source=n, source_path=str(tmp_path / n)) for n in ("a.txt", "b.txt"))))
    assert [d.errors for d in docs] == [[], []]
    assert [d.body for d in docs] == ["built for a.txt", "built for b.txt"]
    assert worker.killed == 0 and step.parts[0].counters["documents"] == 2
