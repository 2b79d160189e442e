"""A file that failed is remembered with its identity (``pipeline.elastic.failed_files``): the next run of its
folder reports it failed again with its reasons without reading it, and does not count it against
``max_failure_ratio`` -- an hourly run is not red forever because of one bad file. Changed, it is tried again;
``--full-refresh`` tries everything again. Real Elasticsearch, the real pipeline run, the default ratio."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.elastic.failed_files import last_failures
from pipeline.elastic.indices import deadletter_index
from pipeline.run import load_report, run_ingest

pytestmark = pytest.mark.es

REPO = Path(__file__).resolve().parents[2]
ARTICLE = ("The harbour authority said on Monday that the new container terminal will open next spring, "
           "after two years of work and a long dispute over the cost of dredging the channel. ") * 6


def test_a_failed_file_is_not_read_again_until_it_changes(es_client, es_url, index_prefix, tmp_path, monkeypatch):
    monkeypatch.delenv("ETL_MAX_FAILURE_RATIO", raising=False)
    settings = load_settings()
    assert settings.run.max_failure_ratio == 0.5
    src = tmp_path / "src"
    src.mkdir()
    (src / "good-1.txt").write_text(ARTICLE)
    (src / "good-2.txt").write_text(ARTICLE.replace("harbour", "airport"))
    (src / "empty.txt").write_bytes(b"")
    (src / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    alias, runs = f"{index_prefix}-failedfiles", tmp_path / "runs"

    first = run_ingest(settings, es=es_client, source_dir=src, alias=alias, runs_dir=runs)
    assert (first.indexed, first.failed, first.failed_before, str(first.status)) == (2, 2, 0, "partial")
    assert first.counters["extract/documents"] == 4
    es_client.indices.refresh(index=deadletter_index(alias))
    ids = {d.source: d.id for d in first.documents}
    kept = last_failures(es_client, deadletter_index(alias), [ids["empty.txt"], ids["image.png"], ids["good-1.txt"]])
    assert set(kept) == {ids["empty.txt"], ids["image.png"]}
    assert [e.code for e in kept[ids["image.png"]].errors] == ["binary"]

    # the CLI, as the scheduled run starts it: exit 0, the two failures reported again, nothing read again
    result = subprocess.run([sys.executable, "-m", "pipeline", "run", "--source", str(src), "--index-alias", alias,
                             "--runs-dir", str(runs)], capture_output=True, text=True, cwd=REPO, timeout=600,
                            env={**os.environ, "ES_URL": es_url})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    second = load_report(runs)
    assert (second.unchanged, second.failed, second.failed_before, second.failure_ratio) == (2, 2, 2, 0.0)
    assert str(second.status) == "partial"
    assert second.counters.get("extract/documents", 0) == 0  # not one file read
    assert second.counters["unchanged/failed-before"] == 2
    again = {d.source: d for d in second.documents if d.status == "failed"}
    assert again["image.png"].failure_code == "extract/binary"
    assert f"unchanged since run {first.run_id}" in again["image.png"].errors[0].message
    assert "2 of them failed unchanged before" in second.render_text()

    (src / "empty.txt").write_text(ARTICLE.replace("harbour", "railway"))  # fixed at the source
    third = run_ingest(settings, es=es_client, source_dir=src, alias=alias, runs_dir=runs)
    assert (third.indexed, third.unchanged, third.failed, third.failed_before) == (1, 2, 1, 1)
    assert {d.source for d in third.documents if d.status == "indexed"} == {"empty.txt"}

    refreshed = run_ingest(settings, es=es_client, source_dir=src, alias=alias, runs_dir=runs, full_refresh=True)
    png = next(d for d in refreshed.documents if d.source == "image.png")
    assert png.status == "failed" and png.change is None and "not tried again" not in png.errors[0].message
    assert refreshed.failed_before == 0 and refreshed.failed == 1
