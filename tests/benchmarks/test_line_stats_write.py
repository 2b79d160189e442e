"""benchmarks/line_stats_write.py on a small folder of text dumps: both ways of adding a batch's counts write the
same document (the script checks it and fails otherwise), the figures are printed, and nothing is left in
``etl-line-stats`` (nothing timed is asserted)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.es
def test_both_sides_write_the_same_document_and_clean_up(es_client, es_url, tmp_path):
    folder = tmp_path / "txt" / "000"
    folder.mkdir(parents=True)
    for i in range(200):
        (folder / f"{i:04d}.txt").write_text(
            f"Harbour news {i}\n\nThe council met on plan {i} and spoke of the river, the budget and the bridge.\n\n"
            f"Subscribe · Advert\n\nRelated: story {i % 7}\n", encoding="utf-8")
    prefix = {"prefix": {"alias": "bench-linestats-"}}
    es_client.indices.refresh(index="etl-line-stats", ignore_unavailable=True)
    before = es_client.count(index="etl-line-stats", query=prefix, ignore_unavailable=True)["count"]
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "line_stats_write.py"), "--corpus-dir",
                             str(tmp_path), "--batches", "2", "--rounds", "2"],
                            cwd=REPO, env={**os.environ, "ES_URL": es_url}, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "200 text dumps" in result.stdout and "in 2 batches" in result.stdout
    rounds = re.findall(r"round \d: an add \d+\.\d ms from the kept snapshot, \d+\.\d ms reading the document "
                        r"\(read / snapshot \d+\.\d\d\); the document \d+ KB after 200 dumps", result.stdout)
    assert len(rounds) == 2
    es_client.indices.refresh(index="etl-line-stats")
    assert es_client.count(index="etl-line-stats", query=prefix)["count"] == before
