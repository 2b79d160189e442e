"""pipeline/run/heap.py: after a run, the process's exit skips walking its heap: an exit handler
freezes the objects, registered once however often it is asked, and nothing is frozen before the exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CHILD = """
import atexit, gc
# registered first, so it runs after the module's handler (exit handlers run last-registered first)
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 50_000, flush=True))
from pipeline.run.heap import skip_final_collection
heap = [[i] for i in range(50_000)]
handlers = atexit._ncallbacks()
skip_final_collection(); skip_final_collection()
print("handlers added:", atexit._ncallbacks() - handlers, flush=True)
print("frozen before exit:", gc.get_freeze_count(), flush=True)
"""


def test_the_heap_is_frozen_at_exit_by_one_handler_and_not_before() -> None:
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["handlers added: 1", "frozen before exit: 0", "frozen at exit: True"]


def test_a_batch_task_freezes_the_heap_it_starts_with_and_collects_what_it_makes() -> None:
    child = """
import gc
from pipeline.run.heap import freeze_long_lived
before = [[i] for i in range(20_000)]
freeze_long_lived()
frozen = gc.get_freeze_count()
gc.disable()  # no automatic collection before the explicit one below
for i in range(1000):  # garbage in cycles made after the freeze is still collected
    a = []; a.append(a)
del a
print(frozen >= 20_000, gc.collect() >= 1000, gc.get_freeze_count() == frozen)
"""
    out = subprocess.run([sys.executable, "-c", child], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True", "True"]


def test_the_stage_workers_warm_up_freezes_its_heap_collects_later_garbage_and_less_often() -> None:
    child = """
import gc
from pipeline.run import isolated_child
tables = [[i] for i in range(20_000)]  # what a warm-up loads (models, tables): alive for the process's life
isolated_child._warm = lambda stages: None  # the loading itself is not what this test is about
print(gc.get_freeze_count() == 0, end=" ")
isolated_child.warm_up([])
frozen = gc.get_freeze_count()
gc.disable()
for i in range(1000):  # a document's cyclic garbage, after the warm-up
    a = []; a.append(a)
del a
print(frozen >= 20_000, gc.collect() >= 1000, gc.get_freeze_count() == frozen, gc.get_threshold()[0] == 2000)
"""
    out = subprocess.run([sys.executable, "-c", child], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True", "True", "True", "True"]
