"""benchmarks/stage_ab.py on a small corpus: two checkouts take turns on every document, each format is timed on
both sides, and a checkout whose output differs is caught."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import sys
from pathlib import Path

from pipeline.run.isolated_child import WARM_PAGE

REPO = Path(__file__).resolve().parents[2]


def corpus(root: Path) -> Path:
    page = WARM_PAGE.encode("utf-8")  # a small multilingual article page
    text = next(p for p in sorted((REPO / "seeds").rglob("*.txt")))
    for folder in ("html", "html.gz", "txt"):
        (root / folder).mkdir(parents=True)
    (root / "html" / "a.html").write_bytes(page)
    (root / "html.gz" / "b.html.gz").write_bytes(gzip.compress(page))
    (root / "txt" / "c.txt").write_bytes(text.read_bytes())
    return root


def ab(tmp_path: Path, other: Path) -> str:
    out = subprocess.run([sys.executable, "benchmarks/stage_ab.py", "--b", str(other), "--corpus-dir",
                          str(corpus(tmp_path / "corpus")), "--every", "1", "--rounds", "2"],
                         capture_output=True, text=True, cwd=REPO, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_the_same_checkout_on_both_sides_gives_the_same_documents(tmp_path: Path) -> None:
    out = ab(tmp_path, REPO)
    assert "3 documents of " in out and "2 rounds" in out
    for kind in ("html", "html.gz", "txt", "all"):
        assert re.search(rf"^  {re.escape(kind)} +\d+ docs   a +\d+\.\d\d   b +\d+\.\d\d   b / a \d\.\d{{3}}$", out,
                         re.MULTILINE), out
    assert "documents whose output differs: 0 of 3" in out


def test_a_checkout_whose_output_differs_is_named(tmp_path: Path) -> None:
    other = tmp_path / "other"
    for folder in ("pipeline", "config"):
        shutil.copytree(REPO / folder, other / folder, ignore=shutil.ignore_patterns("__pycache__"))
    init = other / "pipeline" / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8") + '\nPIPELINE_VERSION = __version__ = "ab-test"\n',
                    encoding="utf-8")
    out = ab(tmp_path, other)
    assert f"b: {other}" in out
    assert "documents whose output differs: 3 of 3" in out and '"txt/c.txt"' in out
