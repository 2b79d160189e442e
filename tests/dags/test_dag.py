"""The DAGs: parse cleanly without touching the network, map the run's steps to tasks, and real
Airflow runs (``dag.test()``) give the same report as the CLI."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
SEEDS = REPO / "seeds"
TASKS = {"start", "plan", "process_batch", "finish", "release"}


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def fresh_dag(name: str):
    """Import a DAG file again: settings (ES_URL, ETL_*) are read at import."""
    for module in (name, "etl_common"):
        sys.modules.pop(module, None)
    sys.path.insert(0, str(DAGS))
    try:
        return getattr(importlib.import_module(name), name)()
    finally:
        sys.path.remove(str(DAGS))


@pytest.mark.airflow
def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {"ingest_articles", "reindex_articles"} <= set(dagbag.dag_ids)


@pytest.mark.airflow
def test_parsing_the_dags_opens_no_connection(airflow_db):
    """Airflow parses DAG files often and everywhere: parsing must not reach a network or read a
    connection (as Airflow tests its own example DAGs). Any socket connect or Connection lookup fails."""
    probe = """
import json, socket, sys
attempts = []
def refuse(*args, **kwargs):
    attempts.append(repr(args[1:] if len(args) > 1 else args))
    raise OSError("network access while parsing DAGs")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
from airflow.sdk import Connection
def no_connection(*args, **kwargs):
    attempts.append("Connection.get%r" % (args,))
    raise RuntimeError("connection lookup while parsing DAGs")
Connection.get = classmethod(no_connection)
from airflow.dag_processing.dagbag import DagBag
sys.path.insert(0, sys.argv[1])  # as Airflow does with its DAGs folder (shared helpers live there)
bag = DagBag(dag_folder=sys.argv[1])
print(json.dumps({"errors": {k: str(v)[-300:] for k, v in bag.import_errors.items()}, "dags": sorted(bag.dag_ids),
                  "attempts": attempts}))
"""
    env = {**os.environ, "ES_URL": "http://127.0.0.1:9"}
    result = subprocess.run([sys.executable, "-c", probe, str(DAGS)], capture_output=True, text=True, timeout=300,
                            env=env, cwd=REPO)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["errors"] == {} and {"ingest_articles", "reindex_articles"} <= set(out["dags"])
    assert out["attempts"] == []


@pytest.mark.airflow
def test_every_task_is_documented_and_bounded(dagbag):
    from pipeline.config import load_settings

    run = load_settings().run
    for dag_id in ("ingest_articles", "reindex_articles"):
        dag = dagbag.get_dag(dag_id)
        assert set(dag.task_ids) == TASKS and dag.doc_md
        for t in dag.tasks:
            assert t.doc_md, (dag_id, t.task_id)
            assert t.execution_timeout.total_seconds() == run.task_timeout_minutes * 60
        assert dag.get_task("process_batch").max_active_tis_per_dagrun == run.max_active_batches
        assert dag.get_task("process_batch").upstream_task_ids == {"start", "plan"}


@pytest.mark.airflow
def test_reindex_dag_is_manual_only(dagbag):
    dag = dagbag.get_dag("reindex_articles")
    assert dag.timetable.can_be_scheduled is False or dag.schedule is None
    assert set(dag.params.keys()) >= {"source_dir", "index_alias"}
    assert dag.get_task("start").retries == 0  # a retry would create yet another index


@pytest.mark.airflow
def test_ingest_dag_shape(dagbag):
    dag = dagbag.get_dag("ingest_articles")
    assert set(dag.params.keys()) >= {"source_dir", "index_alias", "full_refresh", "sync_deletes"}
    assert dag.catchup is False and dag.max_active_runs == 1
    for task in dag.tasks:
        assert task.retries >= 1 and task.retry_exponential_backoff


@pytest.mark.airflow
def test_schedule_and_pause_come_from_settings(airflow_db, monkeypatch):
    monkeypatch.setenv("ETL_SCHEDULE", "none")
    monkeypatch.setenv("ETL_PAUSED_ON_CREATION", "true")
    dag = fresh_dag("ingest_articles")
    assert dag.schedule is None and dag.is_paused_upon_creation is True
    monkeypatch.setenv("ETL_SCHEDULE", "*/15 * * * *")
    monkeypatch.setenv("ETL_PAUSED_ON_CREATION", "false")
    dag = fresh_dag("ingest_articles")
    assert dag.schedule == "*/15 * * * *" and dag.is_paused_upon_creation is False


def outcome_view(report) -> list[tuple]:
    """What must agree between two runs of the same input (ids, titles, languages, failure codes)."""
    return [(d.source, d.id, str(d.status), [e.key for e in d.errors], d.title, d.language, d.change)
            for d in report.documents]


def cli_and_dag_reports(source, es_url, alias_prefix, tmp_path, monkeypatch):
    """The same folder through ``pipeline run`` (a subprocess, as a user runs it) and through the ingest DAG
    (``dag.test()``): ``(dag run, DAG report, CLI report)``."""
    from pipeline.run import load_report

    env = {**os.environ, "ES_URL": es_url, "ETL_RUNS_DIR": str(tmp_path / "cli-runs")}
    cli = subprocess.run([sys.executable, "-m", "pipeline", "run", "--source", str(source), "--index-alias",
                          f"{alias_prefix}-cli"], capture_output=True, text=True, timeout=300, env=env, cwd=REPO)
    assert cli.returncode == 0, cli.stderr
    monkeypatch.setenv("ES_URL", es_url)
    monkeypatch.setenv("ETL_RUNS_DIR", str(tmp_path / "dag-runs"))
    monkeypatch.setenv("ETL_ALLOWED_SOURCE_ROOTS", str(tmp_path))
    run = fresh_dag("ingest_articles").test(run_conf={"source_dir": str(source), "index_alias": f"{alias_prefix}-dag"})
    return run, load_report(tmp_path / "dag-runs"), load_report(tmp_path / "cli-runs")


@pytest.mark.airflow
@pytest.mark.es
@pytest.mark.slow
def test_dag_run_gives_the_same_report_as_the_cli(airflow_db, es_client, es_url, index_prefix, tmp_path,
                                                  monkeypatch):
    from airflow.utils.state import DagRunState

    source = tmp_path / "src"
    shutil.copytree(SEEDS, source)
    (source / "empty.txt").write_bytes(b"")
    (source / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    run, from_dag, from_cli = cli_and_dag_reports(source, es_url, index_prefix, tmp_path, monkeypatch)
    assert run.state == DagRunState.SUCCESS

    alias = f"{index_prefix}-dag"
    es_client.indices.refresh(index=alias)
    assert es_client.count(index=alias)["count"] == 2
    assert from_dag.counts() == from_cli.counts()
    assert (from_dag.seen, from_dag.failed, from_dag.indexed) == (4, 2, 2)
    assert outcome_view(from_dag) == outcome_view(from_cli)
    assert from_dag.failures_by_code() == {"extract/binary": 1, "extract/empty": 1} == from_cli.failures_by_code()
    assert str(from_dag.status) == "partial" and from_dag.alias == alias


@pytest.mark.airflow
@pytest.mark.es
@pytest.mark.slow
def test_tasks_of_several_batches_give_the_same_report_as_the_cli(airflow_db, es_client, es_url, index_prefix,
                                                                  tmp_path, monkeypatch):
    """One file a batch: 6 batches go to 4 mapped tasks (2, 2, 1, 1 batches: ``run.task_batches`` 5, at least
    ``max_active_batches`` 4 tasks); every batch is reported once, as the CLI reports it, copies grouped alike."""
    from airflow.utils.state import DagRunState

    source = tmp_path / "src"
    shutil.copytree(SEEDS, source)
    for i, seed in enumerate(sorted(source.glob("*.txt"))):
        (source / f"copy-{i}.txt").write_bytes(seed.read_bytes())  # syndicated copies, in other batches
    (source / "empty.txt").write_bytes(b"")
    (source / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    monkeypatch.setenv("ETL_BATCH_SIZE", "1")  # before the CLI starts: its environment is this one
    run, from_dag, from_cli = cli_and_dag_reports(source, es_url, index_prefix, tmp_path, monkeypatch)
    assert run.state == DagRunState.SUCCESS
    assert len([t for t in run.get_task_instances() if t.task_id == "process_batch"]) == 4

    assert (from_dag.seen, from_dag.failed, from_dag.indexed) == (6, 2, 4)
    assert from_dag.counts() == from_cli.counts()
    assert outcome_view(from_dag) == outcome_view(from_cli)
    grouped = ("dedup/groups", "dedup/copies")
    assert [from_dag.counters.get(k) for k in grouped] == [from_cli.counters.get(k) for k in grouped] == [2, 4]


@pytest.mark.airflow
@pytest.mark.es
def test_manual_trigger_cannot_read_outside_allowed_roots(airflow_db, es_url, index_prefix, tmp_path, monkeypatch):
    from airflow.utils.state import DagRunState

    monkeypatch.setenv("ES_URL", es_url)
    monkeypatch.setenv("ETL_ALLOWED_SOURCE_ROOTS", str(tmp_path / "allowed"))
    run = fresh_dag("ingest_articles").test(run_conf={"source_dir": "/etc", "index_alias": f"{index_prefix}-evil"})
    assert run.state == DagRunState.FAILED
    ti = next(t for t in run.get_task_instances() if t.task_id == "start")
    assert ti.state == "failed" and ti.try_number == 1  # failed at once, no retries


@pytest.mark.airflow
@pytest.mark.es
def test_missing_folder_fails_at_once_and_is_recorded(airflow_db, es_client, es_url, index_prefix, tmp_path,
                                                      monkeypatch):
    from airflow.utils.state import DagRunState

    from pipeline.elastic.indices import RUNS_INDEX

    monkeypatch.setenv("ES_URL", es_url)
    monkeypatch.setenv("ETL_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("ETL_ALLOWED_SOURCE_ROOTS", str(tmp_path))
    run = fresh_dag("ingest_articles").test(run_conf={"source_dir": str(tmp_path / "not-there"),
                                                      "index_alias": f"{index_prefix}-missing"})
    assert run.state == DagRunState.FAILED
    ti = next(t for t in run.get_task_instances() if t.task_id == "start")
    assert ti.try_number == 1  # not retried: a missing folder does not come back by waiting
    es_client.indices.refresh(index=RUNS_INDEX)
    hits = es_client.search(index=RUNS_INDEX, query={"term": {"alias": f"{index_prefix}-missing"}})["hits"]["hits"]
    assert len(hits) == 1
    record = hits[0]["_source"]
    assert record["status"] == "failed" and "SourceMissing" in record["error"] and "not-there" in record["error"]


@pytest.mark.airflow
@pytest.mark.es
def test_unknown_encoding_fails_at_once_and_is_recorded(airflow_db, es_client, es_url, index_prefix, tmp_path,
                                                        monkeypatch):
    """A bad ``encoding`` param fails in ``start`` like a bad folder does: at once, with a failed run recorded
    (it failed before the run was started, and left no record)."""
    from airflow.utils.state import DagRunState

    from pipeline.elastic.indices import RUNS_INDEX

    monkeypatch.setenv("ES_URL", es_url)
    monkeypatch.setenv("ETL_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("ETL_ALLOWED_SOURCE_ROOTS", str(tmp_path))
    (tmp_path / "in").mkdir()
    run = fresh_dag("ingest_articles").test(run_conf={"source_dir": str(tmp_path / "in"), "encoding": "klingon-8",
                                                      "index_alias": f"{index_prefix}-badcharset"})
    assert run.state == DagRunState.FAILED
    ti = next(t for t in run.get_task_instances() if t.task_id == "start")
    assert ti.try_number == 1
    es_client.indices.refresh(index=RUNS_INDEX)
    query = {"term": {"alias": f"{index_prefix}-badcharset"}}
    hits = es_client.search(index=RUNS_INDEX, query=query)["hits"]["hits"]
    assert len(hits) == 1
    assert hits[0]["_source"]["status"] == "failed" and "klingon-8" in hits[0]["_source"]["error"]
