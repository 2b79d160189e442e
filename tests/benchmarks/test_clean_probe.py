"""The independent cleaning probe (benchmarks/clean_probe.py, data in benchmarks/data/clean-probe): its two
halves, its scorer, and one floor on its development half (no article paragraph lost: the defect it found)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks import clean_probe as P

REPO = Path(__file__).resolve().parents[2]


def test_the_halves_are_fixed_disjoint_and_labelled():
    dev, measure = P.load_items("dev"), P.load_items("measure")
    assert (len(dev), len(measure)) == (27, 28)
    assert not {i["id"] for i in dev} & {i["id"] for i in measure}
    assert {i["split"] for i in dev} == {"dev"} and {i["split"] for i in measure} == {"measure"}
    assert len({i["lang"] for i in dev + measure}) == 14
    for item in dev + measure:
        kinds = {s["type"] for s in item["segments"]}
        assert "para" in kinds and kinds <= {"para", "title", *P.BOILER}, item["id"]


def test_a_paragraph_the_cleaner_drops_is_scored_lost():
    item = {"id": "t", "lang": "en", "format": "text", "title": None, "input": "x", "segments": [
        {"type": "para", "text": "A paragraph that is not in the body at all, about something else entirely."}]}
    _, scored, _ = P.score_item(item)
    assert [s["status"] for s in scored] == ["lost"]


def test_no_article_paragraph_is_lost_on_the_development_half():
    lost = [(item["id"], s["text"][:60]) for item in P.load_items("dev")
            for s in P.score_item(item)[1] if s["type"] == "para" and s["status"] != "ok"]
    assert lost == []


def test_the_script_prints_its_tables():
    out = subprocess.run([sys.executable, "benchmarks/clean_probe.py", "dev"], capture_output=True, text=True,
                         cwd=REPO, timeout=300, check=True).stdout
    assert "== split: dev  (27 items" in out and "-- per boilerplate type" in out
