"""Faults with real Elasticsearch nodes: a node killed in the middle of a load, a run killed
with SIGKILL, write rejections (429) from a node with a one-slot write queue.

Each case ends with the same consistency check of the index against the source folder:
every file is there exactly once, with the bytes the folder holds now (none lost, none
duplicated, none stale). The nodes are our own (``LocalNode`` on free ports, homes under
``tempfile.mkdtemp()``), so killing and restarting them never touches the developer's node.
The dead-letter for a mapping-breaking document is covered in ``test_indexing.py``.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

import pipeline.elastic.bulk
from devtools.es_local import LocalNode, free_port
from pipeline.config import ESConnection, load_settings
from pipeline.elastic.client import ClusterUnavailable, RetryPolicy, make_client
from pipeline.run import run_ingest
from pipeline.stages.enrich import document_id

pytestmark = [pytest.mark.es, pytest.mark.slow]  # nodes of its own, killed and restarted

REPO = Path(__file__).resolve().parents[2]
_SENTENCES = [s.strip() for p in sorted((REPO / "seeds").glob("*.txt"))
              for s in re.split(r"(?<=[.!?])\s+", p.read_text(encoding="utf-8")) if len(s.strip()) > 30]


def make_corpus(folder: Path, count: int, start: int = 0) -> list[Path]:
    """``count`` distinct English articles built from the seeds' sentences (deterministic)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + count):
        rng = random.Random(i)
        paragraphs = ["\n".join(rng.sample(_SENTENCES, 3)) for _ in range(rng.randint(3, 8))]
        path = folder / f"{i:05d}.txt"
        path.write_text(f"Dispatch {i}: {rng.choice(_SENTENCES)[:80]}\n\n" + "\n\n".join(paragraphs)
                        + f"\n\nReference number {i}.\n", encoding="utf-8")
        paths.append(path)
    return paths


def index_vs_folder(es, alias: str, folder: Path) -> dict[str, list[str]]:
    """What the index holds under ``alias`` compared with the files in ``folder``."""
    from elasticsearch import helpers

    root = folder.resolve()
    files = {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}
    es.indices.refresh(index=alias)
    hits = list(helpers.scan(es, index=alias, query={"query": {"match_all": {}}},
                             _source=["source_path", "file_sha256", "source_id", "source_relpath"], size=1000))
    per_path = Counter(h["_source"]["source_path"] for h in hits)
    return {
        "lost": sorted(set(files) - set(per_path)),
        "duplicated": sorted(p for p, n in per_path.items() if n > 1),
        "unexpected": sorted(set(per_path) - set(files)),
        "stale": sorted(h["_source"]["source_path"] for h in hits
                        if files.get(h["_source"]["source_path"], h["_source"]["file_sha256"])
                        != h["_source"]["file_sha256"]),
        "wrong_id": sorted(h["_source"]["source_path"] for h in hits
                           if h["_id"] != document_id(h["_source"]["source_id"], h["_source"]["source_relpath"])
                           or Path(h["_source"]["source_path"]) != root / h["_source"]["source_relpath"]),
    }


def assert_consistent(es, alias: str, folder: Path, expected: int) -> None:
    problems = index_vs_folder(es, alias, folder)
    assert problems == {"lost": [], "duplicated": [], "unexpected": [], "stale": [], "wrong_id": []}
    assert es.count(index=alias)["count"] == expected


def _start_node(extra: dict[str, str] | None = None) -> tuple[LocalNode, Path]:
    base = Path(tempfile.mkdtemp(prefix="news-etl-faults-"))
    base.chmod(0o755)  # reachable by the unprivileged `esnode` user when tests run as root
    node = LocalNode(home=base / "home", port=free_port(), extra_settings=extra or {})
    try:
        node.start(timeout=180)
    except BaseException:
        node.destroy()
        shutil.rmtree(base, ignore_errors=True)
        raise
    return node, base


@pytest.fixture(scope="module")
def node() -> Iterator[LocalNode]:
    """A node of our own, free to be killed and restarted."""
    node, base = _start_node()
    try:
        yield node
    finally:
        node.destroy()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def es(node: LocalNode):
    client = make_client(ESConnection(node.url))
    yield client
    client.close()


@pytest.fixture(scope="module")
def corpus() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="news-etl-corpus-"))
    make_corpus(base / "src", 240)
    yield base / "src"
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def runs(tmp_path) -> Path:
    return tmp_path / "runs"


def kill_node(node: LocalNode) -> None:
    """SIGKILL, like a crashed JVM or an OOM-killed container; waits until it is gone."""
    pid = int(node.pid_path.read_text().strip())
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while node.is_running() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not node.is_running()


class BulkSpy:
    """Wraps the real ``bulk_load`` (the pipeline imports it at call time) to inject a retry
    policy with short delays, record every ``LoadResult`` and fire a fault before call N."""

    def __init__(self, monkeypatch, retry: RetryPolicy, fault_on_call: int | None = None, fault=None) -> None:
        self.real = pipeline.elastic.bulk.bulk_load
        self.retry, self.fault_on_call, self.fault = retry, fault_on_call, fault
        self.calls = 0
        self.results: list[pipeline.elastic.bulk.LoadResult] = []
        monkeypatch.setattr(pipeline.elastic.bulk, "bulk_load", self)

    def __call__(self, es, index, docs, **kwargs):
        self.calls += 1
        if self.calls == self.fault_on_call:
            self.fault()
        result = self.real(es, index, docs, **{**kwargs, "retry": self.retry})
        self.results.append(result)
        return result

    @property
    def retries(self) -> int:
        return sum(r.retries for r in self.results)


def settings(**overrides):
    return load_settings().with_overrides(batch_size=100, **overrides)


# ---------------------------------------------------------------------------------------------
# Elasticsearch stopped in the middle of a load
# ---------------------------------------------------------------------------------------------


def test_node_killed_mid_load_comes_back_during_the_retries_and_the_run_succeeds(node, es, corpus, runs,
                                                                                 monkeypatch):
    restarted: list[float] = []

    def crash_then_restart() -> None:
        kill_node(node)  # this very bulk request meets a dead node

        def restart() -> None:
            time.sleep(1)
            started = time.monotonic()
            node.start(timeout=180)
            restarted.append(time.monotonic() - started)

        threading.Thread(target=restart, name="restart-es", daemon=True).start()

    # ~95-190 s of backoff in all (this loop is the only retry layer: the client and the helper do not
    # retry bulk requests): longer than a node restart takes on a loaded machine.
    spy = BulkSpy(monkeypatch, RetryPolicy(attempts=40, initial=0.5, maximum=5.0), fault_on_call=2,
                  fault=crash_then_restart)
    report = run_ingest(settings(), es=es, source_dir=corpus, alias="crash-mid-load", runs_dir=runs)

    assert restarted, "the node was not restarted"
    assert spy.calls >= 3 and spy.retries > 0  # the chunk that met the dead node was re-sent
    counts = report.counts()
    assert (counts["seen"], counts["indexed"], counts["failed"]) == (240, 240, 0)
    assert not (runs / report.run_id / "deadletter.jsonl").exists()
    assert_consistent(es, "crash-mid-load", corpus, 240)


def test_node_down_past_the_retry_budget_fails_clearly_and_a_rerun_completes(node, es, corpus, runs, monkeypatch):
    BulkSpy(monkeypatch, RetryPolicy(attempts=3, initial=0.05, maximum=0.1), fault_on_call=3,
            fault=lambda: node.stop())
    started = time.monotonic()
    with pytest.raises(ClusterUnavailable, match="bulk request failed 3 times"):
        run_ingest(settings(), es=es, source_dir=corpus, alias="down-past-budget", runs_dir=runs)
    assert time.monotonic() - started < 120  # fails, does not hang
    assert not list(runs.glob("*/report.json"))  # no report claiming documents failed or succeeded

    node.start(timeout=180)
    monkeypatch.undo()  # the re-run uses the pipeline's own retry policy
    report = run_ingest(settings(), es=es, source_dir=corpus, alias="down-past-budget", runs_dir=runs)
    counts = report.counts()
    # The two chunks loaded before the outage are recognised (not new); everything else is loaded now.
    # Their batch died before its near-duplicate grouping, so they are processed again to be grouped
    # (dedup/ungrouped) rather than skipped as unchanged.
    recognised = counts["unchanged"] + counts["reprocessed"]
    assert recognised >= 100 and counts["reprocessed"] == report.counters.get("dedup/ungrouped", 0)
    assert counts["indexed"] + counts["unchanged"] == 240 and counts["new"] == 240 - recognised
    assert counts["failed"] == 0
    assert_consistent(es, "down-past-budget", corpus, 240)


# ---------------------------------------------------------------------------------------------
# a run killed with SIGKILL, then re-run
# ---------------------------------------------------------------------------------------------


def _count(es, alias: str) -> int:
    try:
        es.indices.refresh(index=alias)
        return int(es.count(index=alias)["count"])
    except Exception:  # noqa: BLE001 - the alias does not exist yet
        return 0


def test_rerun_after_a_run_killed_with_sigkill_has_every_document_exactly_once(node, es, tmp_path):
    source = tmp_path / "src"
    make_corpus(source, 500, start=10_000)
    alias = "killed-run"
    env = {**os.environ, "ES_URL": node.url, "ETL_RUNS_DIR": str(tmp_path / "runs"), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", "--source", str(source), "--index-alias", alias],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        loaded = 0
        while proc.poll() is None and time.monotonic() < deadline:
            loaded = _count(es, alias)
            if loaded >= 50:
                break
            time.sleep(0.2)
        assert proc.poll() is None, f"the run ended before it could be killed:\n{proc.stdout.read().decode()[-2000:]}"
        os.killpg(proc.pid, signal.SIGKILL)  # the run and anything it spawned
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    partial = _count(es, alias)
    assert 50 <= partial < 500, partial
    assert not list((tmp_path / "runs").glob("*/report.json"))  # killed before it could report

    report = run_ingest(settings(), es=es, source_dir=source, alias=alias, runs_dir=tmp_path / "re-runs")
    counts = report.counts()
    assert counts["failed"] == 0 and counts["seen"] == 500
    # what the killed run loaded is recognised: unchanged, or processed again where its batch was
    # never grouped (dedup/ungrouped); nothing is loaded twice
    recognised = counts["unchanged"] + counts["reprocessed"]
    assert recognised >= partial and counts["reprocessed"] == report.counters.get("dedup/ungrouped", 0)
    assert counts["indexed"] + counts["unchanged"] == 500 and counts["new"] == 500 - recognised
    assert_consistent(es, alias, source, 500)


# ---------------------------------------------------------------------------------------------
# write rejections (429)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def busy_node() -> Iterator[LocalNode]:
    """One write thread and a one-slot write queue: a bulk request that touches eight
    shards puts eight shard requests on it at once, so most of them are rejected with 429."""
    node, base = _start_node({"thread_pool.write.size": "1", "thread_pool.write.queue_size": "1"})
    try:
        yield node
    finally:
        node.destroy()
        shutil.rmtree(base, ignore_errors=True)


def _write_rejections(es) -> int:
    rows = es.cat.thread_pool(thread_pool_patterns="write", h="rejected", format="json")
    return sum(int(r["rejected"]) for r in rows)


def test_write_rejections_are_retried_and_nothing_is_lost(busy_node, corpus, runs, monkeypatch):
    es = make_client(ESConnection(busy_node.url))
    rejected_before = _write_rejections(es)
    spy = BulkSpy(monkeypatch, RetryPolicy(attempts=12, initial=0.2, maximum=2.0))
    report = run_ingest(settings(number_of_shards=8), es=es, source_dir=corpus, alias="busy", runs_dir=runs)

    assert _write_rejections(es) > rejected_before  # Elasticsearch really said 429 ...
    # ... and every document still landed: streaming_bulk re-sent the rejected ones with backoff
    assert spy.calls >= 1 and not any(r.failures for r in spy.results)
    counts = report.counts()
    assert (counts["indexed"], counts["failed"]) == (240, 0)
    assert not (runs / report.run_id / "deadletter.jsonl").exists()  # 429 is never a dead-letter reason
    assert_consistent(es, "busy", corpus, 240)


def test_rejections_past_the_budget_fail_the_load_instead_of_dead_lettering(busy_node, corpus):
    from pipeline.document import Document
    from pipeline.elastic.indices import prepare_index
    from pipeline.stages.enrich import enrich

    es = make_client(ESConnection(busy_node.url))
    target = prepare_index(es, "busy-budget", shards=8, replicas=load_settings().number_of_replicas,
                           support=load_settings().support_indices)
    docs = [enrich(Document(source=f"n{i}.txt", source_path=f"/feed/n{i}.txt", title=f"Note {i}",
                            body=f"Short wire note number {i} about the markets.")) for i in range(200)]
    for _ in range(10):  # one attempt only: the first 429 exhausts the budget
        try:
            result = pipeline.elastic.bulk.bulk_load(es, target.index, docs, retry=RetryPolicy(attempts=1))
        except ClusterUnavailable as exc:
            assert "429" in str(exc) and "es_rejected_execution_exception" in str(exc)
            break
        assert result.failures == []
    else:
        pytest.fail("ten 8-shard bulk requests against a one-slot write queue were never rejected")
