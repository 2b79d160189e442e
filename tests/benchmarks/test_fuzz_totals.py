"""The totals of a fuzzing campaign run in chunks (benchmarks/fuzz_totals.py), over the real output of
two small chunks of ``benchmarks/fuzz.py`` through ``pipeline run`` into the real node."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchmarks.fuzz_totals import read_chunk
from tests.conftest_es import delete_prefixed

REPO = Path(__file__).resolve().parents[2]


def totals(*logs: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "benchmarks/fuzz_totals.py", *map(str, logs)], capture_output=True,
                          text=True, cwd=REPO)


def test_two_chunks_add_up_and_a_gap_or_an_unfinished_chunk_is_reported(es_url, es_client, tmp_path):
    logs = []
    for start in (0, 12):
        run = subprocess.run([sys.executable, "benchmarks/fuzz.py", "--skip-clean", "--seed", "9", "--start", str(start),
                              "--run-sample", "12", "--limit", "10"], capture_output=True, text=True, cwd=REPO,
                             env={**os.environ, "ES_URL": es_url}, timeout=900)
        logs.append(tmp_path / f"chunk-{start}.log")
        logs[-1].write_text(run.stdout)
    chunks = [read_chunk(p) for p in logs]
    try:
        assert all(c["files"] == 12 and c["indexed"] + c["failed"] == 12 for c in chunks), [run.stdout, run.stderr]
        out = totals(*logs)
        assert out.returncode == 0, out.stdout
        indexed = sum(c["indexed"] for c in chunks)
        assert "files #0 to #23" in out.stdout
        assert f"pipeline run: 24 files in {sum(c['seconds'] for c in chunks)} s: indexed {indexed}, " in out.stdout
        assert "check: pipeline run: no markup or canary in the index: met in 2 of 2 chunks: met" in out.stdout

        shifted = tmp_path / "chunk-14.log"  # the second chunk as if it had started two files later
        shifted.write_text(logs[1].read_text().replace("(#12 to #23)", "(#14 to #25)"))
        unfinished = tmp_path / "chunk-26.log"  # a chunk stopped before its run printed anything
        unfinished.write_text(logs[1].read_text().splitlines()[0].replace("(#12 to #23)", "(#26 to #37)") + "\n")
        out = totals(logs[0], shifted, unfinished)
        assert out.returncode == 1
        assert "problem: files #12 to #13 not covered" in out.stdout
        assert "problem: chunk-26.log: the run did not finish" in out.stdout
        assert out.stdout.rstrip().endswith("every check met: NOT MET")
    finally:
        for c in chunks:
            if "alias" in c:
                delete_prefixed(es_client, c["alias"])
