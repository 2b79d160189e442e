"""A hostile source folder, generated here, through the real pipeline into the real local
Elasticsearch: every file is accounted for, each bad one with a clear reason, nothing
hostile reaches the index as markup."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.run import RunReport, load_report, run_ingest
from tests.conftest import without_dac_override

pytestmark = pytest.mark.es

REPO = Path(__file__).resolve().parents[2]
ARTICLE = ("The city council approved the new budget on Tuesday after a long debate about schools, "
           "roads and the future of the public library. ") * 8

HOSTILE_HTML = f"""<!DOCTYPE html><html><head><title>Council <script>alert('t')</script>budget</title>
<script>document.write('<p>INJECTED SCRIPT TEXT</p>')</script>
<style>p {{ color: red }} .x::after {{ content: 'STYLE TEXT' }}</style></head>
<body onload="alert('body')">
<iframe src="https://evil.example/frame">IFRAME FALLBACK TEXT</iframe>
<article><h1 onclick="alert('h1')">Council passes budget</h1>
<p onmouseover="alert('p')">{ARTICLE}</p>
<p>Read the <a href="javascript:alert('link')">full statement</a> on the council website today.</p>
<figure><img src="x.png" onerror="alert('img')" alt="Council chamber"><figcaption>The council chamber
<script>alert('caption')</script> on Tuesday.</figcaption></figure>
<p>{ARTICLE}</p></article></body></html>"""


def build_corpus(root: Path, outside: Path, max_bytes: int) -> dict[str, str]:
    """Write the hostile files; returns {source name: expected outcome ("indexed" or error text)}."""
    root.mkdir()
    expected: dict[str, str] = {}

    def put(name: str, data: bytes, outcome: str) -> None:
        (root / name).write_bytes(data)
        expected[name] = outcome

    put("empty.txt", b"", "extract: empty file")
    put("image.png", b"\x89PNG\r\n\x1a\n" + os.urandom(2048), "extract: binary content (PNG image)")
    put("program", b"\x7fELF\x02\x01\x01\x00" + os.urandom(4096), "extract: binary content (ELF executable)")
    with open(root / "huge.txt", "wb") as fh:  # 50 MB: past the cap, never read whole
        fh.truncate(50 * 1024 * 1024)
    expected["huge.txt"] = "extract: file too large"
    put("invalid-utf8.txt", ARTICLE.encode() + b"\xff\xfe\xfd" + ARTICLE.encode(), "indexed")
    put("latin1.txt", ("Le conseil municipal a adopté le budget mardi après un long débat sur les écoles. " * 6)
        .encode("latin-1"), "indexed")
    put("utf16.txt", ("Der Stadtrat hat am Dienstag den Haushalt nach langer Debatte über Schulen beschlossen. " * 6)
        .encode("utf-16"), "indexed")
    put("hostile.html", HOSTILE_HTML.encode(), "indexed")
    put("deep.html", ("<div>" * 10_000 + "<p>" + ARTICLE + "</p>" + "</div>" * 10_000).encode(), "indexed-or-error")
    put("bomb.html.gz", gzip.compress(b"<html><body>" + b"<p>aaaa</p>" * (max_bytes // 8)), "extract: gzip expands")
    put("name with spaces 'quotes' \"double\" and ünïcödé.txt", ARTICLE.encode(), "indexed")
    put("new\nline.txt", ARTICLE.encode(), "indexed")
    # a Latin-1 file name: its bytes are no UTF-8, so no index field or report can carry it as it is
    (root / os.fsdecode(b"caf\xe9.txt")).write_bytes(ARTICLE.encode())
    expected["caf\\xe9.txt"] = "extract: the file name is not valid UTF-8 (caf\\xe9.txt"
    (outside / "secret.txt").write_text("TOP SECRET OUTSIDE CONTENT " * 20)
    (root / "escape.txt").symlink_to(outside / "secret.txt")
    expected["escape.txt"] = "extract: symlink points outside the source folder"
    (root / "dangling.txt").symlink_to(root / "does-not-exist.txt")
    expected["dangling.txt"] = "extract: cannot read file"
    put("locked.txt", ARTICLE.encode(), "extract: cannot read file")
    (root / "locked.txt").chmod(0)
    shutil.copy(REPO / "seeds" / "000_258accba25f326a9.txt", root / "seed.txt")
    expected["seed.txt"] = "indexed"
    return expected


def run_cli(source: Path, alias: str, runs: Path, es_url: str) -> RunReport:
    """``python -m pipeline run`` as an operator would start it, with file permissions binding
    (see ``without_dac_override``); the report it wrote."""
    env = {**os.environ, "ES_URL": es_url}
    cmd = [sys.executable, "-m", "pipeline", "run", "--source", str(source), "--index-alias", alias,
           "--runs-dir", str(runs)]
    result = subprocess.run(without_dac_override(cmd), capture_output=True, text=True, env=env, cwd=REPO,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return load_report(runs)


def test_hostile_folder(es_client, es_url, index_prefix, tmp_path, monkeypatch):
    monkeypatch.setenv("ETL_MAX_FAILURE_RATIO", "1.0")
    settings = load_settings()
    max_bytes = settings.run.max_file_bytes  # the CLI run uses the configured cap
    outside = tmp_path / "outside"
    outside.mkdir()
    expected = build_corpus(tmp_path / "src", outside, max_bytes)
    alias = f"{index_prefix}-hostile"
    report = run_cli(tmp_path / "src", alias, tmp_path / "runs", es_url)

    outcomes = {d.source: d for d in report.documents}
    assert set(outcomes) == set(expected), "every file is accounted for"
    c = report.counts()
    assert c["seen"] == c["indexed"] + c["unchanged"] + c["failed"] == len(expected)
    for name, want in expected.items():
        got = outcomes[name]
        if want == "indexed":
            assert got.status == "indexed", (name, got.errors)
        elif want == "indexed-or-error":
            assert got.status == "indexed" or (got.errors and str(got.errors[0]).startswith("clean: ")), got
        else:
            assert got.status == "failed" and str(got.errors[0]).startswith(want), (name, got.errors)
    # three stray bytes and no valid UTF-8 sequence: a strict single-byte decode keeps them (issue 26:
    # never replaced while one exists), and the warning says the file is not UTF-8
    assert any("not UTF-8; decoded as" in w.message for w in outcomes["invalid-utf8.txt"].warnings)

    es_client.indices.refresh(index=alias)
    docs = [h["_source"] for h in es_client.search(index=alias, size=100, query={"match_all": {}})["hits"]["hits"]]
    assert len(docs) == report.indexed
    for doc in docs:
        for text in (doc.get("body", ""), doc.get("title") or "", *doc.get("captions", [])):
            for needle in ("<script", "alert(", "javascript:", "onerror", "onclick", "<iframe", "INJECTED SCRIPT",
                           "STYLE TEXT", "TOP SECRET", "<"):
                assert needle not in text, (doc["source"], needle, text[:200])
    hostile = next(d for d in docs if d["source"] == "hostile.html")
    assert "council approved the new budget" in hostile["body"]
    assert hostile["title"] and "Council" in hostile["title"]
    utf16 = next(d for d in docs if d["source"] == "utf16.txt")
    assert "Stadtrat" in utf16["body"] and utf16["language"] == "de"

    (tmp_path / "src" / "locked.txt").chmod(0o600)  # readable again (and root would read it anyway)
    rerun = run_ingest(settings, es=es_client, source_dir=tmp_path / "src", alias=alias, runs_dir=tmp_path / "runs")
    rc = rerun.counts()
    assert rc["seen"] == rc["indexed"] + rc["unchanged"] + rc["failed"] == len(expected)
    # the file that was unreadable is now processed; everything indexed before is unchanged
    assert rc["unchanged"] == report.indexed and rc["indexed"] == 1
    assert {d.source for d in rerun.documents if d.status == "indexed"} == {"locked.txt"}
    # the files that failed are the same files: they fail again with their reasons, not read again, and no new
    # failure counts against max_failure_ratio -- but a file made readable, or a dangling link, is tried again
    again = {d.source for d in rerun.documents if d.status == "failed" and d.change == "unchanged"}
    assert again == {d.source for d in report.documents if d.status == "failed"} - {"locked.txt", "dangling.txt"}
    assert rerun.failed_before == len(again)
    assert rerun.failure_ratio == 0.5  # of the two files processed, locked.txt is indexed, dangling.txt fails again
    for d in rerun.documents:
        if d.source in again:
            assert "not tried again" in d.errors[0].message, d
