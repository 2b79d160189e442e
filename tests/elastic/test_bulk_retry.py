"""The one retry layer of bulk requests (``pipeline.elastic.bulk.send_bulk``) against a stand-in
client: item rejections (429) and dropped connections in a chosen order, which a real node does
not produce on demand. The same paths against a real node: tests/e2e/test_faults.py (a killed node,
a one-slot write queue) and tests/run/test_indexing.py (an unreachable cluster)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import Elasticsearch

from pipeline.config import load_settings
from pipeline.document import Document
from pipeline.elastic.bulk import bulk_load, delete_documents
from pipeline.elastic.client import ClusterUnavailable, RetryPolicy

FAST = RetryPolicy(attempts=4, initial=0.01, maximum=0.02)


class FakeCluster(Elasticsearch):
    """An ``Elasticsearch`` whose ``bulk`` answers from a script instead of a node (nothing listens
    on its URL). ``script``: one entry per bulk call: a set of ids to reject with 429 (the rest
    succeed), an id -> (status, error type) map, or an exception to raise. Class attributes, because
    the helpers copy the client with ``options()``."""

    script: ClassVar[list[Any]] = []
    calls: ClassVar[list[list[str]]] = []
    client_retries: ClassVar[list[int]] = []

    def bulk(self, *, operations: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        lines = [json.loads(line) for line in operations]
        heads = [line for line in lines if set(line) & {"index", "delete", "update", "create"}]
        ids = [next(iter(h.values()))["_id"] for h in heads]
        ops = [next(iter(h)) for h in heads]
        type(self).calls.append(ids)
        type(self).client_retries.append(self._max_retries)
        step = type(self).script.pop(0) if type(self).script else set()
        if isinstance(step, Exception):
            raise step
        answers = step if isinstance(step, dict) else {i: (429, "es_rejected_execution_exception") for i in step}
        items = []
        for op, doc_id in zip(ops, ids):
            status, kind = answers.get(doc_id, (201 if op == "index" else 200, None))
            item: dict[str, Any] = {"_id": doc_id, "status": status}
            if kind:
                item["error"] = {"type": kind, "reason": f"scripted {kind}"}
            items.append({op: item})
        return SimpleNamespace(body={"errors": any(i[next(iter(i))].get("error") for i in items), "items": items})


@pytest.fixture
def cluster() -> type[FakeCluster]:
    FakeCluster.script, FakeCluster.calls, FakeCluster.client_retries = [], [], []
    return FakeCluster


def docs(n: int) -> list[Document]:
    return [Document(source=f"n{i}.txt", source_path=f"/feed/n{i}.txt", id=f"id{i}", title=f"Note {i}",
                     body=f"Short note {i}.") for i in range(n)]


def test_rejected_items_are_re_sent_alone_with_backoff_until_they_land(cluster):
    cluster.script = [{"id1", "id3"}, {"id3"}]  # 429 for two items, then for one, then all succeed
    slept: list[float] = []
    result = bulk_load(cluster("http://127.0.0.1:9"), "articles", docs(5), retry=FAST, sleep=slept.append)
    assert (result.indexed, result.failures, result.retries) == (5, [], 2)
    assert cluster.calls == [["id0", "id1", "id2", "id3", "id4"], ["id1", "id3"], ["id3"]]
    assert len(slept) == 2 and all(0 < s <= 0.02 for s in slept)


def test_one_retry_layer_only(cluster):
    """The helper does not re-send on its own and the client does not retry a bulk request: each
    rejection costs exactly one of the pipeline's attempts, so the budget is what settings say."""
    cluster.script = [{"id0"}] * 10
    with pytest.raises(ClusterUnavailable, match=r"after 4 attempts \(status 429: es_rejected_execution_exception"):
        bulk_load(cluster("http://127.0.0.1:9", max_retries=5), "articles", docs(2), retry=FAST,
                  sleep=lambda s: None)
    assert cluster.calls == [["id0", "id1"], ["id0"], ["id0"], ["id0"]]  # 4 attempts, 4 requests
    assert set(cluster.client_retries) == {0}  # the client's own retries are off for bulk requests


def test_a_dropped_connection_re_sends_what_was_not_acknowledged(cluster):
    cluster.script = [set(), ESConnectionError("connection reset"), set()]
    slept: list[float] = []
    result = bulk_load(cluster("http://127.0.0.1:9"), "articles", docs(5), chunk_size=2, retry=FAST,
                       sleep=slept.append)
    assert (result.indexed, result.failures, result.retries) == (5, [], 1)
    # chunk 1 landed; chunk 2 met the reset and went again with the rest, nothing twice after an ack
    assert cluster.calls[0] == ["id0", "id1"] and cluster.calls[1] == ["id2", "id3"]
    assert sorted(i for call in cluster.calls[2:] for i in call) == ["id2", "id3", "id4"]
    assert len(slept) == 1


def test_a_bad_document_is_a_failure_and_is_not_retried(cluster):
    cluster.script = [{"id1": (400, "document_parsing_exception")}]
    result = bulk_load(cluster("http://127.0.0.1:9"), "articles", docs(3), retry=FAST, sleep=lambda s: None)
    assert result.indexed == 2 and result.retries == 0 and len(cluster.calls) == 1
    assert [(f.id, f.code, f.status) for f in result.failures] == [("id1", "mapping", 400)]


def test_deletes_share_the_retry_layer(cluster):
    cluster.script = [{"a": (429, "es_rejected_execution_exception"), "b": (404, None)}]
    assert delete_documents(cluster("http://127.0.0.1:9"), "articles", ["a", "b", "c"], retry=FAST,
                            sleep=lambda s: None) == 2
    assert cluster.calls == [["a", "b", "c"], ["a"]]


def test_the_budget_comes_from_the_settings():
    run = load_settings().run
    policy = RetryPolicy.of(run)
    assert (policy.attempts, policy.initial, policy.maximum) == (run.retry_attempts, run.retry_initial_seconds,
                                                                 run.retry_max_seconds)
    assert RetryPolicy() == policy  # the defaults of callers without a run say the same
