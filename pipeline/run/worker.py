"""The Elasticsearch client of a worker process (``--workers N`` batches, the grouping worker).

Workers are spawned (no inherited sockets or locks) and build their own client from the
run's connection settings once, in the pool's initializer."""

from __future__ import annotations

import logging
from typing import Any

_CLIENT: Any = None


def init_worker(conn: Any) -> None:
    global _CLIENT
    from pipeline.elastic.client import make_client

    logging.getLogger("elastic_transport").setLevel(logging.ERROR)
    _CLIENT = make_client(conn)


def worker_client() -> Any:
    if _CLIENT is None:
        raise RuntimeError("no Elasticsearch client in this process: init_worker was not run")
    return _CLIENT
