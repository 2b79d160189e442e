"""benchmarks/candidate_questions.py on a small real store: both ways asked, the bands' answers counted and the
candidate groups compared (nothing timed is asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.elastic import dedup_store as store
from tests.run.test_group_candidates import _bands, _entry, _passages

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.es
def test_it_replays_both_ways_and_compares_the_answers(es_client, es_url, alias):
    store.ensure_store(es_client, alias, load_settings().support_indices)
    story = _bands("aa")
    store.write_entries(es_client, alias, [_entry(f"copy-{c:02d}", story + _passages(0, 30)) for c in range(25)]
                        + [_entry("alone", _bands("bb") + _passages(500, 30))])
    store.refresh(es_client, alias)
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "candidate_questions.py"), "--alias", alias,
                             "--sample", "26", "--rounds", "1"],
                            cwd=REPO, env={**os.environ, "ES_URL": es_url}, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    # each copy finds 24 others sharing every band: the bands fill its 20 places; "alone" finds none
    assert "answered by their bands: 25 of 26;" in result.stdout
    assert "candidate groups worth a check differ for 0 of 26 documents" in result.stdout
    assert "median node query" in result.stdout
