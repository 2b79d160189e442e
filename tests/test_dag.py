"""The ingest_articles DAG: parses cleanly, and a real Airflow run loads the seeds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parent.parent / "dags"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


@pytest.mark.airflow
def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {"ingest_articles", "reindex_articles"} <= set(dagbag.dag_ids)


@pytest.mark.airflow
def test_reindex_dag_is_manual_only(dagbag):
    dag = dagbag.get_dag("reindex_articles")
    assert dag.timetable.can_be_scheduled is False or dag.schedule is None
    assert set(dag.params.keys()) >= {"source_dir", "index_alias"}
    assert dag.get_task("begin").retries == 0


@pytest.mark.airflow
def test_ingest_dag_shape(dagbag):
    dag = dagbag.get_dag("ingest_articles")
    assert set(dag.params.keys()) >= {"source_dir", "index_alias", "full_refresh", "sync_deletes"}
    assert dag.catchup is False and dag.max_active_runs == 1
    assert set(dag.task_ids) == {"start_run", "plan_batches", "process_batch", "finish_run"}
    for task in dag.tasks:
        assert task.retries >= 1 and task.retry_exponential_backoff
    assert dag.get_task("process_batch").upstream_task_ids == {"start_run", "plan_batches"}


@pytest.mark.airflow
@pytest.mark.es
def test_dag_run_loads_the_seeds(airflow_db, es_client, es_url, index_prefix, tmp_path, monkeypatch):
    from airflow.utils.state import DagRunState

    from pipeline.run import load_report

    monkeypatch.setenv("ES_URL", es_url)
    monkeypatch.setenv("ETL_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("ETL_ALLOWED_SOURCE_ROOTS", str(tmp_path))
    source = tmp_path / "src"
    shutil.copytree(SEEDS, source)
    (source / "empty.txt").write_bytes(b"")
    alias = f"{index_prefix}-dag"

    import importlib
    import sys

    for name in ("ingest_articles", "etl_common"):  # settings are read at import: re-import
        sys.modules.pop(name, None)
    monkeypatch.syspath_prepend(str(DAGS))
    dag = importlib.import_module("ingest_articles").ingest_articles()
    run = dag.test(run_conf={"source_dir": str(source), "index_alias": alias, "full_refresh": False})
    assert run.state == DagRunState.SUCCESS

    es_client.indices.refresh(index=alias)
    assert es_client.count(index=alias)["count"] == 2
    report = load_report(tmp_path / "runs")
    counts = report.counts()
    assert (counts["seen"], counts["new"], counts["failed"], counts["indexed"]) == (3, 2, 1, 2)
    assert report.documents[-1].source == "empty.txt" and [str(e) for e in report.documents[-1].errors] == ["extract: empty file"]
    assert report.alias == alias


@pytest.mark.airflow
@pytest.mark.es
def test_manual_trigger_cannot_read_outside_allowed_roots(airflow_db, es_url, index_prefix, tmp_path, monkeypatch):
    import importlib
    import sys

    from airflow.utils.state import DagRunState

    monkeypatch.setenv("ES_URL", es_url)
    monkeypatch.setenv("ETL_ALLOWED_SOURCE_ROOTS", str(tmp_path / "allowed"))
    for name in ("ingest_articles", "etl_common"):
        sys.modules.pop(name, None)
    monkeypatch.syspath_prepend(str(DAGS))
    dag = importlib.import_module("ingest_articles").ingest_articles()
    run = dag.test(run_conf={"source_dir": "/etc", "index_alias": f"{index_prefix}-evil", "full_refresh": False})
    assert run.state == DagRunState.FAILED
    ti = next(t for t in run.get_task_instances() if t.task_id == "start_run")
    assert ti.state == "failed" and ti.try_number == 1  # failed at once, no retries
