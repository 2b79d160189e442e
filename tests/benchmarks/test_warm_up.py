"""benchmarks/warm_up.py: a fresh stage worker timed until ready and over its first documents, one line
per checkout with its ratio to the first one's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_warm_up_times_a_fresh_worker_and_its_first_documents() -> None:
    out = subprocess.run([sys.executable, "benchmarks/warm_up.py", "--rounds", "1", "--docs", "2"],
                         capture_output=True, text=True, cwd=REPO, timeout=600)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("1 rounds, 2 documents each")
    assert lines[1].startswith(f"{REPO}: ready ") and "ready+docs 1.000" in lines[1]
