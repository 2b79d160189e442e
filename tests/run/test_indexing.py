"""Production indexing against the real local Elasticsearch: incremental runs, deletes,
zero-downtime reindex + rollback, dead-letter, run records, retries."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.document import Document
from pipeline.elastic.bulk import bulk_load
from pipeline.elastic.client import ClusterUnavailable, RetryPolicy
from pipeline.elastic.indices import RUNS_INDEX, alias_targets, deadletter_index, physical_indices, rollback
from pipeline.elastic.search import search
from pipeline.elastic.status import collect_status
from pipeline.run import RunFailed, enforce_failure_ratio, run_ingest
from pipeline.run.flow import run_reindex as reindex
from pipeline.stages.enrich import enrich

pytestmark = pytest.mark.es

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"


def ingest(es, alias, source, tmp_path, **kwargs):
    return run_ingest(load_settings(), es=es, source_dir=source, alias=alias, runs_dir=tmp_path / "runs", **kwargs)


def test_sync_deletes_removes_documents_of_vanished_files(es_client, alias, source, tmp_path):
    ingest(es_client, alias, source, tmp_path)
    (source / "002_d215e7a18fdb7f06.txt").unlink()
    kept = ingest(es_client, alias, source, tmp_path)  # default: deletes are not synced
    assert kept.deleted == 0 and es_client.count(index=alias)["count"] == 2
    synced = ingest(es_client, alias, source, tmp_path, delete_missing=True)
    assert synced.counts()["deleted"] == 1 and synced.counts()["unchanged"] == 1
    assert [d.source for d in synced.documents if d.status == "deleted"] == ["002_d215e7a18fdb7f06.txt"]
    es_client.indices.refresh(index=alias)
    remaining = es_client.search(index=alias, query={"match_all": {}})["hits"]["hits"]
    assert [Path(h["_source"]["source_path"]).name for h in remaining] == ["000_258accba25f326a9.txt"]


def test_sync_deletes_leaves_other_source_folders_alone(es_client, alias, tmp_path):
    a, b = tmp_path / "feed", tmp_path / "feed2"  # "feed" is a string prefix of "feed2"
    shutil.copytree(REPO / "seeds", a)
    b.mkdir()
    shutil.copy(REPO / "seeds" / "000_258accba25f326a9.txt", b / "x.txt")
    ingest(es_client, alias, a, tmp_path)
    ingest(es_client, alias, b, tmp_path)
    (b / "x.txt").unlink()
    (b / "y.txt").write_text("A short note about the weather in the mountains this week.")
    report = ingest(es_client, alias, b, tmp_path, delete_missing=True)
    assert report.deleted == 1
    es_client.indices.refresh(index=alias)
    assert es_client.count(index=alias)["count"] == 3  # both files of feed/ + y.txt


def test_run_is_recorded_in_etl_runs_and_status(es_client, alias, source, tmp_path):
    (source / "empty.txt").write_bytes(b"")
    report = ingest(es_client, alias, source, tmp_path)
    record = es_client.get(index=RUNS_INDEX, id=report.run_id)["_source"]
    assert (record["seen"], record["new"], record["failed"], record["indexed"]) == (3, 2, 1, 2)
    assert record["failures"] == [{"source": "empty.txt", "stage": "extract", "code": "extract/empty",
                                   "reason": "extract: empty file"}]
    # one failure under max_failure_ratio: the run is "partial", and the record counts failures by code
    assert record["status"] == "partial" and record["failure_counts"] == [{"code": "extract/empty", "count": 1}]
    assert set(record["timings"]) >= {"extract", "clean", "language", "enrich", "load"}
    saved = json.loads((tmp_path / "runs" / report.run_id / "report.json").read_text())
    assert saved["counts"]["failed"] == 1
    status = collect_status(es_client, alias)
    assert status.live_index == alias_targets(es_client, alias)[0] and status.documents == 2
    assert status.last_runs[0]["run_id"] == report.run_id
    assert "last runs:" in status.render_text()


def test_failure_ratio_fails_loudly(es_client, alias, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"")
    (folder / "b.txt").write_text("A perfectly fine short article about local elections and turnout.")
    report = ingest(es_client, alias, folder, tmp_path)
    enforce_failure_ratio(report, 0.5)  # 1 of 2 failed: at the limit, not past it
    with pytest.raises(RunFailed, match="1 of 2 processed documents failed"):
        enforce_failure_ratio(report, 0.25)


def test_document_breaking_the_mapping_goes_to_the_dead_letter(es_client, alias, source, tmp_path):
    """Mapping drift: the live index maps `author` as a number. Documents with an author are
    rejected with the reason; a document without one lands."""
    from pipeline.elastic.indices import desired_layout

    settings = load_settings()
    layout = desired_layout(es_client, settings.number_of_shards, settings.number_of_replicas)
    mappings = json.loads(json.dumps(layout.mappings))
    mappings["properties"]["author"] = {"type": "long"}
    broken = f"{alias}-v0000000000-00000000000000000"
    es_client.indices.create(index=broken, mappings=mappings, aliases={alias: {"is_write_index": True}})
    (source / "note.txt").write_text("Short wire note without any byline: markets were calm on Monday.")
    report = ingest(es_client, alias, source, tmp_path)
    assert report.indexed == 1 and report.failed == 2
    failed = {d.source: d for d in report.documents if d.status == "failed"}
    assert set(failed) == {"000_258accba25f326a9.txt", "002_d215e7a18fdb7f06.txt"}
    for outcome in failed.values():
        assert str(outcome.errors[0]).startswith("load: document_parsing_exception")
        assert "author" in str(outcome.errors[0])
    lines = (tmp_path / "runs" / report.run_id / "deadletter.jsonl").read_text().splitlines()
    dead = [json.loads(line) for line in lines]
    assert sorted(d["source"] for d in dead) == sorted(failed)
    assert all(d["document"]["body"] and "author" in d["reason"] for d in dead)
    es_client.indices.refresh(index=deadletter_index(alias))
    assert es_client.count(index=deadletter_index(alias), query={"term": {"run_id": report.run_id}})["count"] == 2


def test_unreachable_cluster_is_retried_then_raised():
    from elasticsearch import Elasticsearch

    doc = enrich(Document(source="a.txt", source_path="/x/a.txt", title="A", body="text"))
    slept: list[float] = []
    dead = Elasticsearch("http://127.0.0.1:9", max_retries=0, request_timeout=2)
    with pytest.raises(ClusterUnavailable, match="failed 3 times"):
        bulk_load(dead, "whatever", [doc], retry=RetryPolicy(attempts=3, initial=0.01, maximum=0.05),
                  sleep=slept.append)
    assert len(slept) == 2 and all(0.0 < s <= 0.05 for s in slept)


def test_retry_policy_backs_off_exponentially_with_jitter():
    import random

    policy = RetryPolicy(attempts=6, initial=1.0, maximum=30.0)
    rng = random.Random(7)
    delays = [policy.delay(n, rng) for n in range(6)]
    for n, delay in enumerate(delays):
        cap = min(30.0, 2 ** n)
        assert cap / 2 <= delay <= cap
    assert len(set(delays)) == 6


def _search_loop(es, alias: str, stop: threading.Event, results: list, errors: list) -> None:
    while not stop.is_set():
        try:
            hits = search(es, "Russia", alias=alias, size=5)
            results.append(len(hits))
        except Exception as exc:  # noqa: BLE001 - the test asserts there are none
            errors.append(repr(exc))
        time.sleep(0.01)


def test_reindex_swaps_without_downtime_and_rolls_back(es_client, alias, source, tmp_path):
    ingest(es_client, alias, source, tmp_path)
    before = alias_targets(es_client, alias)
    stop, results, errors = threading.Event(), [], []
    loop = threading.Thread(target=_search_loop, args=(es_client, alias, stop, results, errors))
    loop.start()
    try:
        result = reindex(es_client, load_settings(), source_dir=source, alias=alias, runs_dir=tmp_path / "runs")
        time.sleep(0.3)
    finally:
        stop.set()
        loop.join()
    assert errors == [] and results and min(results) == 2, (errors[:3], results[:10])
    assert result.previous_index == before[0] and result.new_index != before[0]
    assert alias_targets(es_client, alias) == [result.new_index]
    assert result.expected == result.actual == 2
    assert set(physical_indices(es_client, alias)) == {before[0], result.new_index}
    settings = es_client.indices.get_settings(index=result.new_index)[result.new_index]["settings"]["index"]
    assert settings.get("refresh_interval") is None  # bulk-time refresh=-1 was reset

    old, new = rollback(es_client, alias)
    assert (old, new) == (result.new_index, before[0])
    assert alias_targets(es_client, alias) == [before[0]]
    assert len(search(es_client, "Russia", alias=alias)) == 2


def test_reindex_prunes_all_but_the_previous_index(es_client, alias, source, tmp_path):
    ingest(es_client, alias, source, tmp_path)
    first = alias_targets(es_client, alias)[0]
    one = reindex(es_client, load_settings(), source_dir=source, alias=alias, runs_dir=tmp_path / "runs")
    two = reindex(es_client, load_settings(), source_dir=source, alias=alias, runs_dir=tmp_path / "runs")
    assert two.pruned == [first]
    assert physical_indices(es_client, alias) == [one.new_index, two.new_index]


def test_reindex_without_a_folder_rebuilds_the_recorded_sources_only(es_client, alias, tmp_path):
    """A reindex given no folder (the trigger form's empty field) rebuilds the alias from the sources recorded
    for it: it used to add the configured folder (``seeds/``) to any alias, and record it there for good."""
    from pipeline.elastic.sources import recorded_sources

    own = tmp_path / "own"
    own.mkdir()
    (own / "story.txt").write_text("The harbour authority opened the new container terminal on Monday. " * 8)
    ingest(es_client, alias, own, tmp_path)
    result = reindex(es_client, load_settings(), alias=alias, runs_dir=tmp_path / "runs")
    assert result.expected == result.actual == 1
    assert [s.name for s in recorded_sources(es_client, alias)] == ["own"]
    es_client.indices.refresh(index=alias)
    assert es_client.count(index=alias)["count"] == 1


@pytest.mark.airflow
def test_reindex_dag_swaps_alias_under_a_search_loop(airflow_db, es_client, es_url, alias, source, tmp_path,
                                                    monkeypatch):
    import importlib
    import sys

    from airflow.utils.state import DagRunState

    ingest(es_client, alias, source, tmp_path)
    before = alias_targets(es_client, alias)
    monkeypatch.setenv("ES_URL", es_url)
    monkeypatch.setenv("ETL_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("ETL_ALLOWED_SOURCE_ROOTS", str(tmp_path))
    for name in ("reindex_articles", "etl_common"):
        sys.modules.pop(name, None)
    monkeypatch.syspath_prepend(str(DAGS))
    dag = importlib.import_module("reindex_articles").reindex_articles()

    stop, results, errors = threading.Event(), [], []
    loop = threading.Thread(target=_search_loop, args=(es_client, alias, stop, results, errors))
    loop.start()
    try:
        run = dag.test(run_conf={"source_dir": str(source), "index_alias": alias})
        time.sleep(0.3)
    finally:
        stop.set()
        loop.join()
    assert run.state == DagRunState.SUCCESS
    assert errors == [] and results and min(results) == 2, (errors[:3], results[:10])
    after = alias_targets(es_client, alias)
    assert after != before and len(after) == 1
    assert set(physical_indices(es_client, alias)) == {before[0], after[0]}
