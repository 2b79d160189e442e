"""The garbage collector and a process that hosts Airflow: its periodic collections and its exit.

**Exit.** A process that has finished a run need not garbage-collect its whole heap on the way out.

``airflow dags test`` (and ``make run``, which calls it) runs every task in the command's own process, beside
Airflow's in-process execution API: about 690,000 objects at the end, which the interpreter's final
collections walk for 2-2.5 s after the DAG run has finished (measured: docs/performance.md). Freezing the
heap at exit (``gc.freeze``: the objects move to the permanent generation, which the final collections
skip) ends such a process in about 0.1 s. A deployment's task processes are not affected: Airflow's task
runner leaves them with ``os._exit``, before exit handlers run.

What is given up: finalizers of objects that only a reference cycle keeps alive at exit do not run. The
pipeline closes its files and clients with context managers before a task returns, and the handlers
registered before this one (logging's flush among them) still run after it.

**During a task.** The same ~700,000 objects are walked by every full (generation 2) collection while
the batches run: 10 of them took 1.95 s of a 2,000-document ``airflow dags test`` (2.44 s of collections
in all). A batch task freezes the heap it starts with (Airflow's and the pipeline's modules, the API
objects), so later collections walk only what the batches allocate. Cyclic garbage that exists at that
moment is kept for the process's life: a few objects a task, where the process ends with its task.

**The stage worker** (``pipeline.run.isolated_child.warm_up``) freezes the heap its warm-up leaves (the
models, the gazetteer, the rule packs: a full collection walked them in about 80 ms) and collects its
youngest generation every ``YOUNG_THRESHOLD`` allocations instead of 700: most of a document's objects
(element proxies, tuples) die before a collection sees them, so fewer collections examine fewer objects.
"""

from __future__ import annotations

import atexit
import gc

__all__ = ["YOUNG_THRESHOLD", "fewer_young_collections", "freeze_long_lived", "skip_final_collection"]

YOUNG_THRESHOLD = 2000  # the stage worker's: gc 0.36-0.40 -> 0.18 ms a document (docs/performance.md)

_registered = False


def skip_final_collection() -> None:
    """From now on, this process ends without walking its heap (idempotent)."""
    global _registered
    if not _registered:
        atexit.register(gc.freeze)
        _registered = True


def freeze_long_lived() -> None:
    """The objects alive now live as long as the process: later collections skip them."""
    gc.freeze()


def fewer_young_collections() -> None:
    """The youngest generation collected every ``YOUNG_THRESHOLD`` allocations at least (the older ones as set)."""
    young, older, oldest = gc.get_threshold()
    gc.set_threshold(max(young, YOUNG_THRESHOLD), older, oldest)
