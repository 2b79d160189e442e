"""benchmarks/group_recall.py on a small real run: its groups against the pair rule checked on every pair."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _recall(es_url: str, *args: str) -> str:
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "group_recall.py"), *args],
                            cwd=REPO, env={**os.environ, "ES_URL": es_url}, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


@pytest.mark.es
def test_a_run_that_found_every_copy_scores_one_and_a_broken_group_shows(es_client, es_url, grouped_alias):
    alias = grouped_alias
    out = _recall(es_url, "--alias", alias, "--all-pairs", "--compare", alias)
    assert f"{alias}: 5 articles; reference from 10 pairs (every pair)" in out
    assert re.search(r"reference groups of 2 or more +1 +documents alone +1", out)
    assert re.search(r"run +groups of 2 or more +1 +documents alone +1", out)
    assert "pair precision 1.0000  pair recall 1.0000" in out
    assert "documents alone in the run that the reference groups: 0" in out
    assert f"against {alias}: 0 of 5 documents in another group" in out

    # one copy taken out of its group in the index (as a run whose candidates missed it would leave it)
    es_client.indices.refresh(index=alias)
    hits = es_client.search(index=alias, query={"term": {"is_canonical": False}}, size=1)["hits"]["hits"]
    es_client.update(index=hits[0]["_index"], id=hits[0]["_id"], refresh=True,
                     doc={"duplicate_group": hits[0]["_id"], "is_canonical": True, "duplicate_count": 1})
    out = _recall(es_url, "--alias", alias)
    assert re.search(r"run +groups of 2 or more +1 +documents alone +2", out)
    assert "pair recall 0.5000" in out  # 3 of the 6 same-group pairs of 4 copies are left
    assert "documents alone in the run that the reference groups: 1" in out
    assert re.search(r"1 +a copy worth checking among the candidates now", out)
