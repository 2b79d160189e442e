"""A red index (no started copy of a shard) is named in the error an operator reads, with what to do:
a real red index on the local node (its only copy may live on a node that does not exist)."""

from __future__ import annotations

import logging

import pytest
from elasticsearch import ApiError, Elasticsearch

from pipeline.elastic.bulk import send_bulk
from pipeline.elastic.client import ClusterUnavailable, RetryPolicy, explain_red, red_index, retrying

pytestmark = pytest.mark.es


def make_red(es: Elasticsearch, index: str) -> None:
    """``index`` whose only shard copy may be allocated to no node: red from its creation."""
    es.indices.create(index=index, settings={"number_of_shards": 1, "number_of_replicas": 0,
                                             "index.routing.allocation.require._name": "no-such-node"},
                      wait_for_active_shards="0")
    assert es.cluster.health(index=index)["status"] == "red"


def failure(call) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call()
    assert caught.value.meta.status == 503
    return caught.value


def test_every_kind_of_request_on_a_red_index_names_it(es_client: Elasticsearch, index_prefix: str) -> None:
    index = f"{index_prefix}-line-stats"
    make_red(es_client, index)
    es = es_client.options(max_retries=0)
    assert red_index(failure(lambda: es.get(index=index, id="a"))) == index  # no_shard_available_action
    assert red_index(failure(lambda: es.search(index=index, query={"match_all": {}}))) == index  # all shards failed
    assert red_index(failure(lambda: es.index(index=index, id="a", document={"x": 1}, timeout="200ms"))) == index


def test_other_errors_are_not_taken_for_a_red_index(es_client: Elasticsearch, index_prefix: str) -> None:
    with pytest.raises(ApiError) as missing:
        es_client.get(index=f"{index_prefix}-absent", id="a")
    assert red_index(missing.value) is None
    assert red_index(ValueError("503")) is None


def test_the_retry_budget_ends_in_what_to_do(es_client: Elasticsearch, index_prefix: str) -> None:
    index = f"{index_prefix}-sources"
    make_red(es_client, index)
    es = es_client.options(max_retries=0)
    with pytest.raises(ClusterUnavailable) as caught:
        retrying(lambda: es.get(index=index, id="a"), "reading the source registry",
                 retry=RetryPolicy(attempts=2, initial=0.01, maximum=0.01))
    message = str(caught.value)
    assert message == explain_red(index, "reading the source registry failed 2 times")
    assert f"index {index} has no started copy" in message and "docs/operations.md" in message


def test_a_bulk_into_a_red_index_says_why_at_its_first_retry(es_client: Elasticsearch, index_prefix: str,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    """A write to a red index only times out; the retry's warning names the index and what to do at
    once, not only after the last attempt (minutes later with the run's budget)."""
    index = f"{index_prefix}-articles-red"
    make_red(es_client, index)
    es = es_client.options(request_timeout=1)
    actions = [{"_op_type": "index", "_index": index, "_id": "a", "_source": {"x": 1}}]
    with caplog.at_level(logging.WARNING, logger="pipeline.elastic.bulk"), pytest.raises(ClusterUnavailable) as caught:
        list(send_bulk(es, actions, retry=RetryPolicy(attempts=2, initial=0.01, maximum=0.01), what="bulk load"))
    retries = [r.getMessage() for r in caplog.records if "re-sent" in r.getMessage()]
    assert len(retries) == 1
    assert retries[0].startswith(f"bulk load: timed out: index {index} has no started copy")
    assert "docs/operations.md" in retries[0] and "(retry 1)" in retries[0]
    assert f"index {index} has no started copy" in str(caught.value)
