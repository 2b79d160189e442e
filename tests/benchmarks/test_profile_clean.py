"""benchmarks/profile_clean.py: the per-step table and the profile grouping (a smoke run on 3 pages)."""

from __future__ import annotations

import os

import pytest

from benchmarks import profile_clean
from benchmarks.extraction import DEFAULT_DATA


def test_areas_group_by_library_and_project_module():
    site = "/x/.venv/lib/python3.11/site-packages"
    assert profile_clean.area_of(f"{site}/trafilatura/core.py") == "trafilatura"
    assert profile_clean.area_of(f"{site}/lxml/html/__init__.py") == "lxml"
    assert profile_clean.area_of("/repo/pipeline/stages/clean/html.py") == "pipeline/stages/clean/html.py"
    assert profile_clean.area_of("~") == "builtins (re, str, C calls)"


def test_a_small_run_prints_every_step_against_the_floor(capsys):
    if not DEFAULT_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI has ../shared beside the clone; missing {DEFAULT_DATA}")
        pytest.skip("../shared/benchmarks not beside this checkout")
    assert profile_clean.main(["--pages", "3", "--rounds", "1", "--top", "5"]) == 0
    out = capsys.readouterr().out
    assert "shared pages: 3 pages x 1 rounds" in out
    for step in ("floor: lxml parse", "trafilatura.extract (defaults)", "clean_html (ours)", "language stage (ours)"):
        line = next(line for line in out.splitlines() if step in line)
        assert " ms " in line and " x " in line
    assert "  1.0 x" in next(line for line in out.splitlines() if "floor: lxml parse" in line)
    assert "cProfile of clean_html over 3 pages" in out
