"""benchmarks/settle_replay.py on a small real run: the settle's reads and writes replayed, and the settled
values back at the end (nothing timed is asserted)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.run.test_dedup import fields

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.es
def test_it_replays_every_way_and_leaves_the_groups_as_settled(es_client, es_url, grouped_alias):
    alias = grouped_alias
    before = fields(es_client, alias)
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "settle_replay.py"), "--alias", alias,
                             "--rounds", "2"],
                            cwd=REPO, env={**os.environ, "ES_URL": es_url}, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert ": 5 settled entries, 4 of them in groups of two or more" in result.stdout
    for read in ("group_sizes", "components", "article_fields"):
        assert re.search(rf"read {read} +\d+\.\d\d s wall", result.stdout)
    # 2 rounds of 4 ways, the last one the settle writing the settled values back: "both" and that one write the
    # 5 articles and the 5 entries, the other ways one kind
    assert len(re.findall(r" 10 updates  wall", result.stdout)) == 3
    assert len(re.findall(r" 5 updates  wall", result.stdout)) == 5
    assert "round 2 the settle, settled values back" in result.stdout
    assert re.search(r"articles, 1 stream +median node CPU \d+\.\d\d ms an update", result.stdout)
    assert fields(es_client, alias) == before  # the articles hold their settled values again
    es_client.indices.refresh(index=f"{alias}-dedup")
    entries = es_client.search(index=f"{alias}-dedup", size=20, query={"term": {"kind": "document"}},
                               source_includes=["duplicate_count"])["hits"]["hits"]
    assert sorted(h["_source"]["duplicate_count"] for h in entries) == [1, 4, 4, 4, 4]
