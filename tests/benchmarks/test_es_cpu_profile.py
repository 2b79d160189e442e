"""benchmarks/es_cpu_profile.py: the node's JFR samples sorted by pool and kind (a real recording of the
local node; nothing timed is asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "benchmarks" / "article-extraction"
sys.path.insert(0, str(REPO / "benchmarks"))


def test_samples_are_sorted_by_pool_and_kind():
    from es_cpu_profile import kind_of, pool_of

    assert pool_of("elasticsearch[local-1][write][T#2]") == "write"
    assert pool_of("elasticsearch[local-1][search][T#1]") == "search"
    assert pool_of("Lucene Merge Thread #3") == "merge"
    assert kind_of(["LowerCaseFilter.incrementToken", "IndexingChain$PerField.invertTokenStream"]) == "text analysis"
    assert kind_of(["LZ4.decompress", "Lucene90CompressingStoredFieldsReader.document"]) == \
        "stored fields read (_source, get)"
    assert kind_of(["Thread.run"]) == "other"


@pytest.mark.skipif(not (DATA / "html").is_dir() and not os.environ.get("CI"),  # in CI the data must be there
                    reason=f"shared benchmark data not at {DATA}")
@pytest.mark.es
def test_it_records_the_node_with_grouping_off_and_on(es_url, tmp_path):
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "es_cpu_profile.py"), "--docs", "8",
                             "--corpus-dir", str(tmp_path / "corpus")],
                            cwd=REPO, env={**os.environ, "ES_URL": es_url}, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    total = next(line for line in result.stdout.splitlines() if line.strip().startswith("all "))
    off, on = (int(x) for x in total.split()[1:3])
    assert on > 0 and off > 0  # the node was sampled in both runs
    assert "by pool, off -> on: " in result.stdout  # (8 documents: too few samples for rows by kind)
