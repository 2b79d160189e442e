"""The Elasticsearch client from settings, and the retry policy every request shares.

Credentials come only from the ``ESConnection`` (environment or an Airflow connection).
Several node URLs may be given: the client spreads requests over them and retries a
failed node's requests on the others.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from elasticsearch import ConnectionError, ConnectionTimeout, Elasticsearch

from pipeline.config import ESConnection

log = logging.getLogger(__name__)
# One INFO line per HTTP request buries a task log's run report: requests are logged from WARNING up
# (failed attempts, retries) unless a caller asks for more (`python -m pipeline -v` sets INFO).
REQUEST_LOG = logging.getLogger("elastic_transport.transport")
if REQUEST_LOG.level == logging.NOTSET:
    REQUEST_LOG.setLevel(logging.WARNING)

# Client-level retry backoff (elastic_transport's equal-jitter backoff), seconds.
CLIENT_BACKOFF_BASE = 0.5
CLIENT_BACKOFF_CAP = 10.0


def client_hosts(conn: ESConnection) -> list[str]:
    """The node URLs of ``conn`` (``ES_URL`` split at commas, or the connection's extra ``hosts``)."""
    return list(conn.hosts)


def client_options(conn: ESConnection) -> dict[str, Any]:
    """Keyword arguments of ``Elasticsearch(...)`` for ``conn``: timeouts, retries, credentials."""
    kwargs: dict[str, Any] = {
        "request_timeout": conn.request_timeout,
        "retry_on_timeout": True,
        "max_retries": 3,
        # Every call (the run record, refreshes, mget, deletes) retries connection errors and
        # 429/502/503/504 with jittered backoff instead of three instant re-sends: a node that is
        # restarting or rejecting writes (full write queue) gets time to recover.
        "retry_backoff_base": CLIENT_BACKOFF_BASE,
        "retry_backoff_cap": CLIENT_BACKOFF_CAP,
    }
    if conn.api_key:
        kwargs["api_key"] = conn.api_key
    elif conn.username:
        kwargs["basic_auth"] = (conn.username, conn.password or "")
    if conn.ca_certs:
        kwargs["ca_certs"] = conn.ca_certs
    if not conn.verify_certs:
        kwargs["verify_certs"] = False
    if conn.sniff:
        # Discover the other HTTP nodes before the first request and after a node failure (not at
        # construction, which would raise while the cluster is briefly away); every node the
        # client learns of gets the same credentials and TLS settings.
        kwargs.update(sniff_before_requests=True, sniff_on_node_failure=True, min_delay_between_sniffing=10,
                      sniff_timeout=min(conn.request_timeout, 5.0))
    # A request that fails on one node (refused, reset, timed out) is retried on another at once
    # (the failed node is marked dead and re-tried after a backoff), so one node down costs no
    # batch: max_retries must cover the other nodes.
    kwargs["max_retries"] = max(kwargs["max_retries"], len(conn.hosts))
    return kwargs


def make_client(conn: ESConnection) -> Elasticsearch:
    """Client from settings; credentials come only from ``conn`` (env / Airflow connection)."""
    return Elasticsearch(client_hosts(conn), **client_options(conn))


class ClusterUnavailable(RuntimeError):
    """Elasticsearch did not accept a chunk within the retry budget: the task should fail
    (and Airflow retry it) rather than report documents as failed."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with "equal jitter": a random delay between half the cap and the cap, so
    clients spread out yet a restarting node always gets at least half the backoff."""

    attempts: int = 6
    initial: float = 1.0
    maximum: float = 30.0

    @classmethod
    def of(cls, run: Any) -> "RetryPolicy":
        """The budget in ``run`` (``RunSettings``: ``retry_*`` in config/pipeline.yaml)."""
        return cls(int(run.retry_attempts), float(run.retry_initial_seconds), float(run.retry_max_seconds))

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        cap = min(self.maximum, self.initial * (2 ** attempt))
        return (rng or random).uniform(cap / 2, cap)


def retrying(call: Any, what: str, *, retry: RetryPolicy, sleep: Any = time.sleep) -> Any:
    """``call()`` for an idempotent request, retried on transient errors with ``retry``'s
    backoff; ``ClusterUnavailable`` after the budget, any other error at once."""
    for attempt in range(retry.attempts):
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - classified just below
            if not is_transient(exc):
                raise
            if attempt == retry.attempts - 1:
                index = red_index(exc)
                raise ClusterUnavailable(explain_red(index, f"{what} failed {retry.attempts} times") if index is not None
                                         else f"{what} failed {retry.attempts} times: {exc}") from exc
            delay = retry.delay(attempt)
            log.warning("%s failed (%s); retry %d in %.1fs", what, type(exc).__name__, attempt + 1, delay)
            sleep(delay)
    raise AssertionError("unreachable")


# what Elasticsearch answers when no copy of a shard is started (the index is red)
_NO_COPY = ("no_shard_available_action_exception", "unavailable_shards_exception")
_INDEX_IN_REASON = re.compile(r"\[([^\[\]\s:]+)\]\[")  # "[get [etl-line-stats][id]: ...", "[etl-sources][0] primary ..."


def red_index(exc: BaseException) -> str | None:
    """The index an error says has no started copy (health red), ``""`` when it names none; ``None``
    for any other error."""
    body = getattr(exc, "body", None)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    causes = [error, *(c for c in error.get("root_cause") or [] if isinstance(c, dict)),
              *(f.get("reason") for f in error.get("failed_shards") or [] if isinstance(f, dict))]
    if not any(isinstance(c, dict) and c.get("type") in _NO_COPY for c in causes):
        return None
    for shard in error.get("failed_shards") or []:
        if isinstance(shard, dict) and shard.get("index"):
            return str(shard["index"])
    for cause in causes:
        found = _INDEX_IN_REASON.search(str(cause.get("reason") or "")) if isinstance(cause, dict) else None
        if found:
            return found.group(1)
    return ""


def explain_red(index: str, what: str) -> str:
    """What an operator reads when ``what`` failed on a red index."""
    name = f"index {index}" if index else "an index it needs"
    return (f"{what}: {name} has no started copy (health red: the node or nodes holding it are gone). "
            "Bring such a node back; if its data is lost, delete the index and run again "
            "(docs/operations.md, section 3)")


def first_red(es: Elasticsearch, indices: Iterable[str]) -> str | None:
    """Of ``indices``, the first whose health is red (asked after a request on them failed: a write
    to a red index times out with no word of why); ``None`` when none is, or the cluster can't say."""
    names = sorted(set(indices))
    if not names:
        return None
    try:
        health = es.options(max_retries=0, request_timeout=10).cluster.health(
            index=",".join(names), level="indices", timeout="1s")
        return next((name for name, entry in sorted(health.get("indices", {}).items())
                     if entry.get("status") == "red"), None)
    except Exception:  # noqa: BLE001 - a figure for the message only: the original failure is raised anyway
        return None


def is_transient(exc: Exception) -> bool:
    if isinstance(exc, (ConnectionError, ConnectionTimeout)):
        return True
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "meta", None), "status", None)
    return isinstance(status, int) and (status == 429 or status >= 500)
