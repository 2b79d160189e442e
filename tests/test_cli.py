"""The CLI contract: `python -m pipeline clean | detect-language | search` output shapes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
CLEAN_CONTRACT = {"source", "title", "body", "captions", "author", "source_name", "dateline", "published_at",
                  "language", "errors"}


def cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "pipeline", *args], input=stdin, capture_output=True, text=True,
                          cwd=REPO, timeout=300, env={**os.environ, **(env or {})})


def test_clean_prints_one_json_object_per_file(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    args = [str(p.relative_to(REPO)) for p in SEEDS] + [str(empty)]
    result = cli("clean", "--format", "jsonl", *args)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["source"] for r in records] == args
    for record in records:
        assert CLEAN_CONTRACT <= set(record)
    seed0, seed2, bad = records
    assert seed0["author"] == "Wang Xiujun" and seed0["source_name"] == "China News Agency"
    assert seed0["dateline"] == "Moscow, March 21" and seed0["language"] == "en"
    assert seed2["author"] == "Dong Trieu" and seed2["errors"] == []
    assert bad["errors"] == ["extract: empty file"] and bad["body"] == ""


def test_detect_language_reads_lines_from_stdin():
    result = cli("detect-language", stdin="This is a plain English sentence about the weather.\n"
                                          "Das ist ein ganz normaler deutscher Satz über das Wetter.\n\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["language"] for r in rows] == ["en", "de", "und"]
    assert all(0.0 <= r["confidence"] <= 1.0 for r in rows)


@pytest.mark.es
def test_run_and_search_from_the_cli(es_url, index_prefix, tmp_path):
    source = tmp_path / "src"
    shutil.copytree(REPO / "seeds", source)
    alias = f"{index_prefix}-cli"
    env = {"ES_URL": es_url, "ETL_RUNS_DIR": str(tmp_path / "runs")}
    run = cli("run", "--source", str(source), "--index-alias", alias, "--format", "json", env=env)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["counts"]["indexed"] == 2
    found = cli("search", "New START treaty extension", "--index-alias", alias, "--format", "jsonl", env=env)
    assert found.returncode == 0, found.stderr
    hits = [json.loads(line) for line in found.stdout.splitlines()]
    assert Path(hits[0]["source_path"]).name == "002_d215e7a18fdb7f06.txt"
    assert {"id", "score", "title", "source_path", "language", "highlight"} <= set(hits[0])
    report = cli("report", "--last", env=env)
    assert report.returncode == 0 and "indexed=2" in report.stdout


@pytest.mark.es
def test_a_red_index_is_named_with_what_to_do(es_url, es_client, index_prefix, tmp_path):
    """The alias points at an index with no started copy (made where it may live on no node): a run
    and a search say which index and what to do, not a bare 503."""
    source = tmp_path / "src"
    shutil.copytree(REPO / "seeds", source)
    alias, index = f"{index_prefix}-red", f"{index_prefix}-red-v1"
    es_client.indices.create(index=index, aliases={alias: {"is_write_index": True}}, wait_for_active_shards="0",
                             settings={"number_of_shards": 1, "number_of_replicas": 0,
                                       "index.routing.allocation.require._name": "no-such-node"})
    assert es_client.cluster.health(index=index)["status"] == "red"
    # one attempt: a bulk into a red index waits out the client's timeout (30 s) before it fails
    env = {"ES_URL": es_url, "ETL_RUNS_DIR": str(tmp_path / "runs"), "ETL_RETRY_ATTEMPTS": "1"}
    for args in (["run", "--source", str(source), "--index-alias", alias], ["search", "treaty", "--index-alias", alias]):
        result = cli(*args, env=env)
        assert result.returncode == 1, result.stdout
        last = result.stderr.strip().splitlines()[-1]  # after the run's own warnings, one error line
        assert last.startswith("error: ") and "Traceback" not in result.stderr
        assert f"index {index} has no started copy (health red" in last, result.stderr
        assert "docs/operations.md" in last


def test_cli_errors_are_one_clear_line():
    result = cli("search", "anything", env={"ES_URL": "http://127.0.0.1:9"})
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert "cannot reach Elasticsearch at http://127.0.0.1:9" in result.stderr
    assert "ConnectionError" not in result.stderr and "Exception" not in result.stderr


@pytest.mark.parametrize("command", [["setup"], ["reindex"], ["rollback"], ["run"]])
def test_every_writing_command_needs_es_url_or_local_es(command):
    env = {k: v for k, v in os.environ.items() if k != "ES_URL"}
    result = subprocess.run([sys.executable, "-m", "pipeline", *command], capture_output=True, text=True, cwd=REPO,
                            timeout=120, env=env)
    assert result.returncode == 1
    assert f"no Elasticsearch configured for `{command[0]}`" in result.stderr and "--local-es" in result.stderr


@pytest.mark.es
@pytest.mark.slow
def test_status_and_rollback_agree_and_rollback_rolls_forward(es_url, index_prefix, tmp_path):
    source = tmp_path / "src"
    shutil.copytree(REPO / "seeds", source)
    alias = f"{index_prefix}-rb"
    env = {"ES_URL": es_url, "ETL_RUNS_DIR": str(tmp_path / "runs")}
    assert cli("run", "--source", str(source), "--index-alias", alias, env=env).returncode == 0
    first = json.loads(cli("status", "--index-alias", alias, "--format", "json", env=env).stdout)["live_index"]
    refused = cli("rollback", "--index-alias", alias, env=env)
    assert refused.returncode == 2 and "no previous index to roll back to" in refused.stderr
    rebuilt = cli("reindex", "--source", str(source), "--index-alias", alias, env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    second = json.loads(cli("status", "--index-alias", alias, "--format", "json", env=env).stdout)["live_index"]
    assert second != first
    # status names exactly where rollback goes, and rollback goes there
    status = cli("status", "--index-alias", alias, env=env).stdout
    assert f"rollback: previous {first} (pipeline rollback)" in status
    back = cli("rollback", "--index-alias", alias, env=env)
    assert back.returncode == 0 and back.stdout.strip() == f"alias {alias}: {second} -> {first}"
    status = cli("status", "--index-alias", alias, env=env).stdout
    assert f"rollback: newer {second} (pipeline rollback --forward)" in status and "previous" not in status
    again = cli("rollback", "--index-alias", alias, env=env)
    assert again.returncode == 2 and f"roll forward to {second} with --forward" in again.stderr
    assert "Error" not in again.stderr
    forward = cli("rollback", "--index-alias", alias, "--forward", env=env)
    assert forward.returncode == 0 and forward.stdout.strip() == f"alias {alias}: {first} -> {second}"
    bad = cli("rollback", "--index-alias", alias, "--to", "not-an-index", env=env)
    assert bad.returncode == 2 and f"not a physical index of alias {alias}" in bad.stderr
    # text search output: one line per highlight fragment, whatever line breaks the body has
    found = cli("search", "treaty", "--index-alias", alias, env=env)
    assert found.returncode == 0, found.stderr
    lines = found.stdout.splitlines()
    assert any(line.startswith("     … ") for line in lines)
    for line in lines:
        assert re.match(r"^( +\d+\. \[| {5}/| {5}… .* …$)", line), line


@pytest.mark.parametrize("command", [["clean", "seeds/000_258accba25f326a9.txt"], ["report", "--help"],
                                     ["search", "--help"], ["kibana", "import", "--help"]])
def test_commands_import_elasticsearch_and_airflow_only_where_used(command):
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "pipeline", *command], capture_output=True,
                            text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in result.stderr.splitlines()
                if line.startswith("import time:")}
    assert not imported & {"elasticsearch", "elastic_transport", "airflow"}, sorted(imported)[:50]
