"""The writer lease under concurrent renewals by one run's own tasks (mapped batches on several
workers renew at once): a conflicting write is ours, not a lost lease. Real Elasticsearch."""

from __future__ import annotations

import threading

import pytest

from pipeline.config import load_settings
from pipeline.elastic.lease import LeaseLost, acquire, release, renew


@pytest.mark.es
def test_many_tasks_of_one_run_renew_at_once_without_losing_the_lease(es_client, index_prefix):
    alias = f"{index_prefix}-lease"
    acquire(es_client, alias, "run-a", ttl=60, wait=0, support=load_settings().support_indices)
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def task() -> None:
        start.wait()
        try:
            for _ in range(5):
                renew(es_client, alias, "run-a", ttl=60)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=task) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        assert errors == []
        with pytest.raises(LeaseLost, match="now held by"):
            renew(es_client, alias, "run-b", ttl=60)  # another run is still refused
    finally:
        assert release(es_client, alias, "run-a")
