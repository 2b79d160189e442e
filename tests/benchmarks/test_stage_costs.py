"""benchmarks/stage_costs.py on a small corpus of the layout benchmarks/corpus.py writes: every format timed on
both sides, the ratios printed."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

from pipeline.run.isolated_child import WARM_PAGE

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "seeds"


def test_stage_costs_times_each_format_on_both_sides(tmp_path: Path) -> None:
    page = WARM_PAGE.encode("utf-8")  # a small multilingual article page
    text = next(p for p in sorted(SEED.rglob("*.txt")))
    for folder in ("html", "html.gz", "txt"):
        (tmp_path / folder).mkdir()
    (tmp_path / "html" / "a.html").write_bytes(page)
    (tmp_path / "html.gz" / "b.html.gz").write_bytes(gzip.compress(page))
    (tmp_path / "txt" / "c.txt").write_bytes(text.read_bytes())
    out = subprocess.run([sys.executable, "benchmarks/stage_costs.py", "--corpus-dir", str(tmp_path), "--every", "1"],
                         capture_output=True, text=True, cwd=REPO, timeout=600)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("3 documents of ")
    for kind in ("html", "html.gz", "txt"):
        row = next(i for i, line in enumerate(lines) if line.split()[:2] == [kind, "1"])
        assert "clean" in lines[row] and "language" in lines[row] and "places" in lines[row]
        assert "langdetect" in lines[row + 1] and "baseline / pipeline" in lines[row + 1]
    assert any(line.startswith("all: pipeline ") for line in lines)


def test_stage_costs_says_when_the_folder_holds_no_corpus(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "benchmarks/stage_costs.py", "--corpus-dir", str(tmp_path)],
                         capture_output=True, text=True, cwd=REPO, timeout=600)
    assert out.returncode == 2 and "no corpus files" in out.stderr
