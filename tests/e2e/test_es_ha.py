"""Elasticsearch high availability against a real 3-node cluster (``devtools.es_cluster``):
the client gets every node from ``ES_URL``, replicas expand with the cluster, and a load keeps
going when the FIRST node in ``ES_URL`` is killed (SIGKILL) before or during the run, with every
document landing exactly once and the run record saying so.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.es_cluster import LocalCluster
from devtools.es_local import port_is_free
from pipeline.config import ESConnection, load_settings
from pipeline.elastic.client import make_client
from pipeline.run import run_ingest
from tests.e2e.test_faults import index_vs_folder, make_corpus

pytestmark = [pytest.mark.es, pytest.mark.slow]  # a 3-node cluster of its own

CLEAN = {"lost": [], "duplicated": [], "unexpected": [], "stale": [], "wrong_id": []}


def free_port_block(width: int = 3) -> int:
    """A base port with ``width`` free HTTP ports and ``width`` free transport ports (+100)."""
    for _ in range(200):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            base = sock.getsockname()[1]
        if base + 100 + width < 65535 and all(port_is_free(base + i) and port_is_free(base + 100 + i)
                                              for i in range(width)):
            return base
    raise RuntimeError("no free port block")


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    base = Path(tempfile.mkdtemp(prefix="news-etl-cluster-"))
    base.chmod(0o755)  # the unprivileged node user must reach it when tests run as root
    cluster = LocalCluster(base, nodes=3, port=free_port_block(), heap="256m")
    try:
        cluster.start(timeout=240)
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def corpus() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="news-etl-ha-corpus-"))
    make_corpus(base / "src", 200)
    yield base / "src"
    shutil.rmtree(base, ignore_errors=True)


def test_client_knows_every_node(cluster: LocalCluster) -> None:
    conn = ESConnection(cluster.es_url + ",")  # a trailing comma is harmless
    assert conn.hosts == tuple(cluster.urls) and conn.url == cluster.urls[0]
    es = make_client(conn)
    assert es.cluster.health()["number_of_nodes"] == 3
    assert len(es.transport.node_pool.all()) == 3


def test_replicas_expand_with_the_cluster(cluster: LocalCluster, corpus: Path, tmp_path: Path) -> None:
    """Defaults from config/pipeline.yaml: articles 0-2, support indices 0-1 -> on 3 nodes the
    articles index has 2 replicas, etl-runs and the dead-letter 1, and everything is green."""
    settings = load_settings()
    es = make_client(ESConnection(cluster.es_url))
    report = run_ingest(settings.with_overrides(batch_size=50), es=es, source_dir=corpus, alias="ha-replicas",
                          runs_dir=tmp_path / "runs")
    assert report.indexed == 200
    health = es.cluster.health(index="ha-replicas,etl-runs,ha-replicas-deadletter", wait_for_status="green",
                               timeout="60s")
    assert health["status"] == "green"
    live = next(iter(es.indices.get_alias(name="ha-replicas")))
    flat = {name: s["settings"] for name, s in es.indices.get_settings(
        index=f"{live},etl-runs,ha-replicas-deadletter", flat_settings=True).items()}
    assert flat[live]["index.auto_expand_replicas"] == settings.number_of_replicas == "0-2"
    assert flat[live]["index.number_of_replicas"] == "2"
    for support in ("etl-runs", "ha-replicas-deadletter"):
        assert flat[support]["index.auto_expand_replicas"] == "0-1"
        assert flat[support]["index.number_of_replicas"] == "1"
    assert index_vs_folder(es, "ha-replicas", corpus) == CLEAN


def test_first_node_killed_mid_run_loses_nothing(cluster: LocalCluster, corpus: Path, tmp_path: Path) -> None:
    """The first node in ES_URL dies (SIGKILL) while batches are loading: the client fails over
    to the other two and the run completes with every document exactly once, without the
    pipeline's own backoff ever giving up (no ClusterUnavailable)."""
    settings = load_settings().with_overrides(batch_size=10)
    es = make_client(ESConnection(cluster.es_url))
    result: dict[str, object] = {}
    done = threading.Event()

    def run() -> None:
        try:
            result["report"] = run_ingest(settings, es=es, source_dir=corpus, alias="ha-kill",
                                            runs_dir=tmp_path / "runs", full_refresh=True)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            result["error"] = exc
        finally:
            done.set()

    thread = threading.Thread(target=run)
    thread.start()
    # kill once the first batches are in (the index exists and holds documents)
    deadline = time.monotonic() + 120
    while not done.is_set() and time.monotonic() < deadline:
        try:
            if es.count(index="ha-kill")["count"] >= 20:
                break
        except Exception:  # noqa: BLE001 - the index does not exist yet
            pass
        time.sleep(0.05)
    assert not done.is_set(), "the run finished before the node could be killed: use a bigger corpus"
    cluster.kill(0)
    # generous: on a loaded 2-core machine the two survivors first wait out the dead node's
    # fault detection, then re-replicate; the run must finish, however slowly
    thread.join(600)
    assert done.is_set(), "the run was still going 600 s after the node was killed"
    assert "error" not in result, result.get("error")
    report = result["report"]
    assert report.indexed == 200 and report.failed == 0
    survivor = make_client(ESConnection(",".join(cluster.urls[1:])))
    assert index_vs_folder(survivor, "ha-kill", corpus) == CLEAN
    assert survivor.count(index="ha-kill")["count"] == 200
    record = survivor.get(index="etl-runs", id=report.run_id)["_source"]
    assert record["status"] == "succeeded" and record["indexed"] == 200 and record["failed"] == 0
