"""benchmarks/store_writes.py on a small real run's store: both mappings written, the source store left as it
was (nothing timed is asserted)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.es
def test_it_writes_the_entries_under_both_mappings_and_cleans_up(es_client, es_url, grouped_alias):
    alias = grouped_alias
    store = f"{alias}-dedup"
    before = es_client.count(index=store)["count"]
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "store_writes.py"), "--alias", alias,
                             "--rounds", "2", "--chunk", "2"],
                            cwd=REPO, env={**os.environ, "ES_URL": es_url}, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert f"{store}: 5 document entries, written in chunks of 2" in result.stdout
    for name in ("as shipped", "band keys with doc values"):
        assert len(re.findall(rf"round \d {name} +\d+\.\d s wall  node CPU +\d+\.\d\d s", result.stdout)) == 2
        assert re.search(rf"median {name} +node CPU", result.stdout)
    assert re.search(r"as shipped / with doc values: node CPU \d\.\d\d, size \d\.\d\d", result.stdout)
    assert not es_client.indices.get(index=f"{alias}-store-writes-*", allow_no_indices=True)  # its indices deleted
    assert es_client.count(index=store)["count"] == before
