"""The Elasticsearch client of a worker process (``--workers N`` batches, the grouping worker).

Workers are spawned (no inherited sockets or locks) and build their own client from the
run's connection settings once, in the pool's initializer."""

from __future__ import annotations

import logging
from typing import Any

_CLIENT: Any = None

# the names ``ps``/``top`` (and ``benchmarks/throughput.py``'s CPU split) show for a run's processes
BATCH_WORKER, GROUPING, STAGE_WORKER = "etl-batch", "etl-grouping", "etl-stages"


def name_process(name: str) -> None:
    """Give this process ``name`` (Linux keeps 15 bytes of it) where ``ps`` and ``top`` show it;
    elsewhere, or when not allowed, the name stays the interpreter's."""
    try:
        with open("/proc/self/comm", "w", encoding="ascii") as comm:
            comm.write(name[:15])
    except OSError:
        pass


def init_batch_worker(conn: Any) -> None:
    """A ``--workers N`` pool process: named, with its client."""
    name_process(BATCH_WORKER)
    init_worker(conn)


def init_worker(conn: Any) -> None:
    global _CLIENT
    from pipeline.elastic.client import make_client

    logging.getLogger("elastic_transport").setLevel(logging.ERROR)
    _CLIENT = make_client(conn)


def worker_client() -> Any:
    if _CLIENT is None:
        raise RuntimeError("no Elasticsearch client in this process: init_worker was not run")
    return _CLIENT
