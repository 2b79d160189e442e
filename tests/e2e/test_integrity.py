"""Index integrity against the real Elasticsearch (and real Airflow where Airflow is claimed):
rule changes re-clean, ids survive moves, runs never race, the reindex never drops data."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from pipeline.config import CONFIG_DIR, load_settings
from pipeline.stages.enrich import document_id

pytestmark = pytest.mark.es

REPO = Path(__file__).resolve().parents[2]
SUPPORT = load_settings().support_indices  # shards/replicas of the support indices (etl-leases here)
SEEDS = REPO / "seeds"


def make_source(folder: Path, count: int, tag: str) -> Path:
    """``count`` distinct articles made from the seeds (each gets its own closing paragraph)."""
    folder.mkdir(parents=True)
    seeds = sorted(SEEDS.glob("*.txt"))
    for i in range(count):
        text = seeds[i % len(seeds)].read_text(encoding="utf-8")
        (folder / f"{tag}-{i:03d}.txt").write_text(f"{text}\n\nClosing note {tag} {i} for the archive.\n",
                                                   encoding="utf-8")
    return folder


def cli(*args: str, env: dict[str, str] | None = None, wait: bool = True):
    cmd = [sys.executable, "-m", "pipeline", *args]
    full_env = {**os.environ, **(env or {})}
    if not wait:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full_env,
                                cwd=REPO)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=full_env, cwd=REPO)


def indexed(es, alias: str) -> list[dict]:
    from elasticsearch import helpers

    es.indices.refresh(index=alias)
    return [{"_id": h["_id"], **h["_source"]} for h in helpers.scan(
        es, index=alias, query={"query": {"match_all": {}}},
        _source=["source_id", "source_relpath", "source_path", "file_sha256", "processing_fingerprint",
                 "content_sha256", "captions"])]


def check_index(es, alias: str, sources: dict[str, Path]) -> dict[str, list]:
    """The alias against the folders: every file exactly once, with its id, nothing else."""
    files = {(name, str(p.relative_to(root))): hashlib.sha256(p.read_bytes()).hexdigest()
             for name, root in sources.items() for p in root.rglob("*") if p.is_file()}
    docs = indexed(es, alias)
    per_file = Counter((d.get("source_id"), d.get("source_relpath")) for d in docs)
    return {
        "lost": sorted(set(files) - set(per_file)),
        "duplicated": sorted(k for k, n in per_file.items() if n > 1),
        "unexpected": sorted(set(per_file) - set(files)),
        "stale": sorted(k for d in docs if files.get(k := (d.get("source_id"), d.get("source_relpath")))
                        not in (None, d["file_sha256"])),
        "wrong_id": sorted(d["_id"] for d in docs if d["_id"] != document_id(d["source_id"], d["source_relpath"])),
    }


CLEAN = {"lost": [], "duplicated": [], "unexpected": [], "stale": [], "wrong_id": []}


def report_of(result) -> dict:
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


# --- 1. processing fingerprint --------------------------------------------------------------------------


def test_fingerprint_covers_every_rule_file_the_settings_and_the_libraries(tmp_path):
    from pipeline.config import STAGE_CONFIG_FILES
    from pipeline.fingerprint import fingerprint_components, processing_fingerprint

    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    run = load_settings().run
    before = processing_fingerprint(run, config)
    parts = fingerprint_components(run, config)
    assert set(parts["config"]) == set(STAGE_CONFIG_FILES) and parts["config"]["cleaning"] != "absent"
    assert {"trafilatura", "langdetect", "py3langid", "lxml", "beautifulsoup4"} <= set(parts["libraries"])
    assert all(v != "absent" for k, v in parts["libraries"].items() if k in {"langdetect", "lxml"})
    assert processing_fingerprint(run, config) == before  # stable
    (config / "cleaning" / "en.yaml").write_text((config / "cleaning" / "en.yaml").read_text() + "\n# an edit\n")
    edited = tmp_path / "edited"
    shutil.copytree(config, edited)
    assert processing_fingerprint(run, edited) != before
    packs = tmp_path / "packs"
    shutil.copytree(CONFIG_DIR, packs)
    (packs / "cleaning" / "xx.yaml").write_text("pack: 1\n")  # a new rule pack in the folder counts too
    assert processing_fingerprint(run, packs) != processing_fingerprint(run, CONFIG_DIR)
    from dataclasses import replace

    assert processing_fingerprint(replace(run, max_decoded_chars=run.max_decoded_chars + 1), config) != before
    grouping = tmp_path / "grouping"  # a near-duplicate threshold shapes duplicate_* fields: it counts too
    shutil.copytree(CONFIG_DIR, grouping)
    text = (grouping / "dedup.yaml").read_text()
    (grouping / "dedup.yaml").write_text(text.replace("min_containment: 0.5", "min_containment: 0.6"))
    assert "min_containment: 0.6" in (grouping / "dedup.yaml").read_text()
    assert processing_fingerprint(run, grouping) != processing_fingerprint(run, CONFIG_DIR)


def test_every_config_file_the_stages_read_is_in_the_fingerprint(tmp_path):
    """A fresh interpreter builds the stages and cleans the seeds plus an HTML page while an audit
    hook records every file opened under config/: each must be covered by STAGE_CONFIG_FILES."""
    legacy = tmp_path / "legacy.txt"  # not UTF-8: the decoder's rules come into play
    legacy.write_bytes(("Le président a déclaré: « Nous continuerons à négocier », a-t-il ajouté à Paris. " * 5)
                       .encode("cp1252"))
    page = tmp_path / "page.html"
    # no author in the head: the byline rules (config/metadata.yaml) find it in the body
    page.write_text("<html><head><title>T</title>"
                    "<meta property='article:published_time' content='2026-01-02T03:04:05Z'></head><body>"
                    "<article><p>By A. Writer</p><p>" + "Words of a story. " * 40 + "</p></article></body></html>")
    probe = f"""
import json, sys
opened = set()
def hook(event, args):
    if event == "open" and isinstance(args[0], str):
        opened.add(args[0])
sys.addaudithook(hook)
from pipeline.config import CONFIG_DIR, load_settings
from pipeline.run.batch import document_stages, run_steps
stages = document_stages(load_settings().run)
for name in {[str(p) for p in sorted(SEEDS.glob("*.txt"))] + [str(page), str(legacy)]!r}:
    list(run_steps(stages, [stages[0].new_document(name, source=name)]))
root = str(CONFIG_DIR.resolve()) + "/"
print(json.dumps(sorted(p[len(root):] for p in opened if p.startswith(root))))
"""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stderr[-3000:]
    read = json.loads(result.stdout.strip().splitlines()[-1])
    from pipeline.config import STAGE_CONFIG_FILES

    assert {"cleaning/common.yaml", "cleaning/en.yaml", "language_detection.yaml", "encodings.yaml",
            "metadata.yaml"} <= set(read)
    uncovered = [p for p in read if p != "pipeline.yaml"
                 and not any(p == e or p.startswith(e + "/") for e in STAGE_CONFIG_FILES)]
    assert uncovered == [], f"add to pipeline.config.STAGE_CONFIG_FILES: {uncovered}"


@pytest.mark.slow
def test_editing_one_caption_rule_recleans_every_document_and_keeps_every_id(es_client, es_url, alias, tmp_path,
                                                                          source):
    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    env = {"ES_URL": es_url, "ETL_RUNS_DIR": str(tmp_path / "runs"), "PIPELINE_CONFIG_DIR": str(config)}
    args = ("run", "--source", str(source), "--index-alias", alias, "--format", "json")
    first = report_of(cli(*args, env=env))
    assert first["counts"]["new"] == 2
    before = {d["source_relpath"]: d for d in indexed(es_client, alias)}
    assert any("Data map: Russian President Putin." in d["captions"] for d in before.values())

    again = report_of(cli(*args, env=env))  # nothing changed: nothing re-processed
    assert (again["counts"]["unchanged"], again["counts"]["reprocessed"]) == (2, 0)

    rules = (config / "cleaning" / "en.yaml").read_text(encoding="utf-8")
    assert "'^(data map|data photo|" in rules
    (config / "cleaning" / "en.yaml").write_text(rules.replace("'^(data map|data photo|", "'^(data photo|", 1),
                                          encoding="utf-8")
    edited = report_of(cli(*args, env=env))
    assert edited["counts"]["reprocessed"] == 2 and edited["counts"]["new"] == 0
    assert edited["counts"]["unchanged"] == 0 and edited["counts"]["indexed"] == 2
    after = {d["source_relpath"]: d for d in indexed(es_client, alias)}
    assert {k: d["_id"] for k, d in after.items()} == {k: d["_id"] for k, d in before.items()}
    assert len({d["processing_fingerprint"] for d in after.values()}) == 1
    assert {d["processing_fingerprint"] for d in after.values()} != {d["processing_fingerprint"]
                                                                     for d in before.values()}
    changed = {k for k in after if after[k]["content_sha256"] != before[k]["content_sha256"]
               or after[k]["captions"] != before[k]["captions"]}
    assert changed == {"000_258accba25f326a9.txt"}  # the one document with a "Data map:" caption
    assert "Data map: Russian President Putin." not in after["000_258accba25f326a9.txt"]["captions"]

    status = cli("status", "--index-alias", alias, "--format", "json", env={"ES_URL": es_url})
    assert json.loads(status.stdout)["behind"] == 2  # the default config: every document is behind it


# --- 2. stable identity ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_remounting_or_moving_the_source_indexes_nothing_new(es_client, es_url, alias, tmp_path):
    feed = make_source(tmp_path / "mnt-a" / "feed", 6, "f")
    env = {"ES_URL": es_url, "ETL_RUNS_DIR": str(tmp_path / "runs")}
    first = report_of(cli("run", "--source", str(feed), "--index-alias", alias, "--format", "json", env=env))
    assert first["counts"]["new"] == 6
    ids = sorted(d["_id"] for d in indexed(es_client, alias))

    copy = tmp_path / "mnt-b" / "feed"  # the same folder seen at another mount point
    shutil.copytree(feed, copy)
    link = tmp_path / "mnt-c"
    link.mkdir()
    (link / "feed").symlink_to(feed, target_is_directory=True)
    renamed = tmp_path / "mnt-d" / "incoming"  # moved and renamed: named explicitly
    shutil.copytree(feed, renamed)
    for folder, extra in ((copy, ()), (link / "feed", ()), (renamed, ("--source-id", "feed"))):
        again = report_of(cli("run", "--source", str(folder), "--index-alias", alias, "--sync-deletes",
                              "--format", "json", *extra, env=env))
        assert again["counts"]["new"] == 0 and again["counts"]["unchanged"] == 6 and again["counts"]["deleted"] == 0
        assert sorted(d["_id"] for d in indexed(es_client, alias)) == ids
    assert check_index(es_client, alias, {"feed": renamed}) == CLEAN


@pytest.mark.slow
def test_delete_sync_removes_only_gone_files_of_that_source(es_client, es_url, alias, tmp_path):
    a = make_source(tmp_path / "a" / "wire", 5, "w")
    b = make_source(tmp_path / "b" / "blogs", 4, "b")
    env = {"ES_URL": es_url, "ETL_RUNS_DIR": str(tmp_path / "runs")}
    for folder in (a, b):
        report_of(cli("run", "--source", str(folder), "--index-alias", alias, "--format", "json", env=env))
    (a / "w-001.txt").unlink()
    (a / "w-003.txt").rename(a / ".w-003.txt")  # hidden now: the run no longer reads it
    moved = tmp_path / "elsewhere" / "wire"
    shutil.copytree(a, moved)  # the sync from another mount point sees the same files
    report = report_of(cli("run", "--source", str(moved), "--index-alias", alias, "--sync-deletes",
                           "--format", "json", env=env))
    assert report["counts"]["deleted"] == 2
    assert sorted(d["source"] for d in report["documents"] if d["status"] == "deleted") == ["w-001.txt", "w-003.txt"]
    (moved / ".w-003.txt").unlink()
    assert check_index(es_client, alias, {"wire": moved, "blogs": b}) == CLEAN


# --- 3. one writer at a time ----------------------------------------------------------------------------


def test_a_second_run_fails_with_a_message_naming_the_holder(es_client, es_url, alias, tmp_path, source):
    from pipeline.elastic import lease

    lease.acquire(es_client, alias, "ingest-somebody-else", ttl=60, wait=0, support=SUPPORT)
    try:
        result = cli("run", "--source", str(source), "--index-alias", alias,
                     env={"ES_URL": es_url, "ETL_RUNS_DIR": str(tmp_path / "runs"), "ETL_LEASE_WAIT": "0"})
        assert result.returncode == 1
        assert "is being written by run ingest-somebody-else" in result.stderr and "Traceback" not in result.stderr
        assert f"pid {os.getpid()}" in result.stderr  # the holder's host and pid are named
        assert not es_client.indices.exists_alias(name=alias)  # nothing was prepared, nothing written
    finally:
        assert lease.release(es_client, alias, "ingest-somebody-else")


def test_an_expired_lease_is_taken_over_and_its_old_holder_stops(es_client, alias):
    from pipeline.elastic import lease

    lease.acquire(es_client, alias, "run-a", ttl=2, wait=0, support=SUPPORT)
    with pytest.raises(lease.LeaseHeld, match="run run-a"):
        lease.acquire(es_client, alias, "run-b", ttl=30, wait=0, support=SUPPORT)
    time.sleep(2.2)
    taken = lease.acquire(es_client, alias, "run-b", ttl=30, wait=0, support=SUPPORT)
    assert taken.run_id == "run-b"
    with pytest.raises(lease.LeaseLost, match="run-b"):
        lease.renew(es_client, alias, "run-a", ttl=30)
    assert not lease.release(es_client, alias, "run-a")  # somebody else's lease is left alone
    assert lease.release(es_client, alias, "run-b")


def test_a_lease_left_by_a_dead_cli_process_is_free_at_once(es_client, es_url, alias):
    """A killed ``pipeline run`` cannot release; its lease is process-bound, so the next run does not
    wait for the TTL (an Airflow run's lease spans task processes and only expires)."""
    from dataclasses import replace

    from pipeline.elastic import lease
    from pipeline.elastic.client import make_client

    code = (f"from pipeline.elastic import lease; from pipeline.elastic.client import make_client; "
            f"from pipeline.config import load_settings; from dataclasses import replace; "
            f"es = make_client(replace(load_settings().es, url={es_url!r}, hosts=())); "
            f"lease.acquire(es, {alias!r}, 'ingest-killed', ttl=300, wait=0, process_bound=True, "
            "support=load_settings().support_indices); "
            f"import os; os._exit(9)")
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, timeout=120).returncode == 9
    held = lease.current_lease(es_client, alias)
    assert held.run_id == "ingest-killed" and held.process_bound and held.orphaned
    taken = lease.acquire(es_client, alias, "ingest-next", ttl=300, wait=0, support=SUPPORT, process_bound=True)
    assert taken.run_id == "ingest-next"

    # This process's own run whose release failed (the cluster was unreachable) is orphaned too.
    dead = make_client(replace(load_settings().es, url="http://127.0.0.1:9", hosts=(), request_timeout=2))
    from elasticsearch import ConnectionError as ClusterConnectionError

    with pytest.raises(ClusterConnectionError):
        lease.release(dead, alias, "ingest-next")
    assert lease.current_lease(es_client, alias).orphaned
    assert lease.acquire(es_client, alias, "ingest-third", ttl=300, wait=0, support=SUPPORT).run_id == "ingest-third"
    assert not lease.current_lease(es_client, alias).orphaned  # not process-bound: only expiry frees it
    assert lease.release(es_client, alias, "ingest-third")


@pytest.mark.slow
def test_two_concurrent_runs_lose_and_duplicate_nothing(es_client, es_url, alias, tmp_path):
    a = make_source(tmp_path / "one" / "alpha", 30, "a")
    b = make_source(tmp_path / "two" / "beta", 30, "b")
    env = {"ES_URL": es_url, "ETL_LEASE_WAIT": "300"}
    procs = [cli("run", "--source", str(folder), "--index-alias", alias, "--runs-dir", str(tmp_path / name),
                 "--format", "json", env=env, wait=False) for name, folder in (("runs-a", a), ("runs-b", b))]
    results = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in results]
    reports = sorted((json.loads(out) for out, _ in results), key=lambda r: r["started_at"])
    assert reports[1]["started_at"] >= reports[0]["finished_at"]  # one after the other, never interleaved
    assert sum("is being written by run ingest-" in err for _, err in results) == 1  # the other one waited
    assert [r["counts"]["new"] for r in reports] == [30, 30]
    assert check_index(es_client, alias, {"alpha": a, "beta": b}) == CLEAN
    assert es_client.count(index=alias)["count"] == 60


def wait_for_lease(es, alias: str, prefix: str, proc, timeout: float = 120) -> None:
    from pipeline.elastic.lease import current_lease

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        held = current_lease(es, alias)
        if held is not None and held.run_id.startswith(prefix):
            return
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        time.sleep(0.05)
    raise AssertionError(f"no {prefix} lease on {alias}")


@pytest.mark.airflow
@pytest.mark.slow
def test_an_airflow_run_during_a_reindex_waits_and_loses_nothing(airflow_db, es_client, es_url, alias, tmp_path,
                                                                 monkeypatch):
    from airflow.utils.state import DagRunState

    from pipeline.run import load_report
    from tests.dags.test_dag import fresh_dag

    a = make_source(tmp_path / "a" / "alpha", 40, "a")
    b = make_source(tmp_path / "b" / "beta", 10, "b")
    c = make_source(tmp_path / "c" / "gamma", 10, "c")  # first ingested while the reindex runs
    env = {"ES_URL": es_url, "ETL_RUNS_DIR": str(tmp_path / "cli-runs")}
    for folder in (a, b):
        report_of(cli("run", "--source", str(folder), "--index-alias", alias, "--format", "json", env=env))
    old_index = es_client.indices.get_alias(name=alias).body.popitem()[0]

    reindex = cli("reindex", "--source", str(a), "--index-alias", alias, env=env, wait=False)
    wait_for_lease(es_client, alias, "reindex-", reindex)
    monkeypatch.setenv("ES_URL", es_url)
    monkeypatch.setenv("ETL_RUNS_DIR", str(tmp_path / "dag-runs"))
    monkeypatch.setenv("ETL_ALLOWED_SOURCE_ROOTS", str(tmp_path))
    monkeypatch.setenv("ETL_LEASE_WAIT", "300")
    run = fresh_dag("ingest_articles").test(run_conf={"source_dir": str(c), "index_alias": alias})
    out, err = reindex.communicate(timeout=600)
    assert reindex.returncode == 0, err[-3000:]
    assert run.state == DagRunState.SUCCESS

    rebuilt = load_report(tmp_path / "cli-runs")
    assert rebuilt.run_id.startswith("reindex-") and rebuilt.indexed == 50  # both sources, not only --source
    dag_report = load_report(tmp_path / "dag-runs")
    assert dag_report.started_at >= rebuilt.finished_at  # the DAG's start waited for the reindex's lease
    assert dag_report.index != old_index and dag_report.index == rebuilt.index  # wrote into the new index
    assert dag_report.counts()["new"] == 10
    assert check_index(es_client, alias, {"alpha": a, "beta": b, "gamma": c}) == CLEAN
    assert es_client.count(index=alias)["count"] == 60
    from pipeline.elastic.lease import current_lease

    assert current_lease(es_client, alias) is None  # the teardown gave it back


@pytest.mark.airflow
def test_an_airflow_run_that_cannot_get_the_lease_fails_at_once_naming_the_holder(airflow_db, es_client, es_url,
                                                                                  alias, tmp_path, monkeypatch,
                                                                                  source):
    from airflow.utils.state import DagRunState

    from pipeline.elastic import lease
    from pipeline.elastic.indices import RUNS_INDEX
    from tests.dags.test_dag import fresh_dag

    lease.acquire(es_client, alias, "reindex-still-running", ttl=120, wait=0, support=SUPPORT)
    try:
        monkeypatch.setenv("ES_URL", es_url)
        monkeypatch.setenv("ETL_RUNS_DIR", str(tmp_path / "runs"))
        monkeypatch.setenv("ETL_ALLOWED_SOURCE_ROOTS", str(tmp_path))
        monkeypatch.setenv("ETL_LEASE_WAIT", "1")
        run = fresh_dag("ingest_articles").test(run_conf={"source_dir": str(source), "index_alias": alias})
        assert run.state == DagRunState.FAILED
        ti = next(t for t in run.get_task_instances() if t.task_id == "start")
        assert ti.state == "failed" and ti.try_number == 1
        es_client.indices.refresh(index=RUNS_INDEX)
        hits = es_client.search(index=RUNS_INDEX, query={"term": {"alias": alias}})["hits"]["hits"]
        assert len(hits) == 1 and "LeaseHeld" in hits[0]["_source"]["error"]
        assert "reindex-still-running" in hits[0]["_source"]["error"]
        assert lease.current_lease(es_client, alias).run_id == "reindex-still-running"  # not released by others
    finally:
        lease.release(es_client, alias, "reindex-still-running")


# --- 4. the reindex never drops data --------------------------------------------------------------------


@pytest.mark.slow
def test_reindex_refuses_to_shrink_and_migrates_old_ids_when_allowed(es_client, es_url, alias, tmp_path):
    a = make_source(tmp_path / "a" / "alpha", 4, "a")
    env = {"ES_URL": es_url, "ETL_RUNS_DIR": str(tmp_path / "runs")}
    report_of(cli("run", "--source", str(a), "--index-alias", alias, "--format", "json", env=env))
    live = es_client.indices.get_alias(name=alias).body.popitem()[0]
    # A document as an older release indexed it: _id = hash of the absolute path, no source fields
    # (the same file, so after the migration it must be there once, not twice).
    legacy = es_client.get(index=alias, id=document_id("alpha", "a-000.txt"))["_source"]
    for key in ("source_id", "source_relpath", "processing_fingerprint"):
        legacy.pop(key)
    old_id = hashlib.sha256(str(a / "a-000.txt").encode()).hexdigest()
    es_client.index(index=live, id=old_id, document=legacy, refresh=True)
    assert es_client.count(index=alias)["count"] == 5

    refused = cli("reindex", "--source", str(a), "--index-alias", alias, env=env)
    assert refused.returncode == 1 and "Pass --allow-shrink" in refused.stderr, refused.stderr[-2000:]
    assert "4 documents, the live index" in refused.stderr and "--allow-shrink" in refused.stderr
    assert "no source name" in refused.stderr  # it says which documents would go
    assert es_client.indices.get_alias(name=alias).body.popitem()[0] == live  # alias unchanged
    assert es_client.count(index=alias)["count"] == 5

    allowed = cli("reindex", "--source", str(a), "--index-alias", alias, "--allow-shrink", env=env)
    assert allowed.returncode == 0, allowed.stderr[-2000:]
    assert es_client.indices.get_alias(name=alias).body.popitem()[0] != live
    assert check_index(es_client, alias, {"alpha": a}) == CLEAN  # old id gone, one document per file


@pytest.mark.slow
def test_reindex_refuses_when_a_recorded_source_is_not_reachable(es_client, es_url, alias, tmp_path):
    a = make_source(tmp_path / "a" / "alpha", 2, "a")
    b = make_source(tmp_path / "b" / "beta", 2, "b")
    env = {"ES_URL": es_url, "ETL_RUNS_DIR": str(tmp_path / "runs")}
    for folder in (a, b):
        report_of(cli("run", "--source", str(folder), "--index-alias", alias, "--format", "json", env=env))
    shutil.rmtree(b)
    result = cli("reindex", "--source", str(a), "--index-alias", alias, env=env)
    assert result.returncode == 1 and "not reachable here: beta" in result.stderr
    assert es_client.count(index=alias)["count"] == 4
    from pipeline.elastic.lease import current_lease

    assert current_lease(es_client, alias) is None  # a failed start gives the lease back


def test_plan_and_batch_xcom_values_are_small_references(es_client, alias, tmp_path):
    """What the DAG tasks return (XCom) for a 2,000-file source: batch numbers and small summaries."""
    from pipeline.run.flow import Ingest, RunRequest
    from pipeline.run.manifest import load_outcomes, read_manifest, save_outcomes

    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(2000):
        (folder / f"{i:05d}.txt").write_bytes(b"")
    settings = load_settings().with_overrides(runs_dir=tmp_path / "runs", batch_size=200)
    flow = Ingest(settings)
    ctx = flow.start(es_client, RunRequest(source_dir=str(folder), index_alias=alias))
    try:
        batches = flow.plan(ctx)
        assert batches == list(range(10)) and len(json.dumps(batches)) < 64 * 1024
        assert read_manifest(ctx, 3) == ("many", [f"{i:05d}.txt" for i in range(600, 800)])
        summary = save_outcomes(ctx, 3, flow.process(3, ctx, es_client))
        assert len(json.dumps(summary)) < 300 and summary["failed"] == 200  # empty files fail, reported
        assert len(load_outcomes(ctx, summary).documents) == 200
    finally:
        flow.release(ctx, es_client)
