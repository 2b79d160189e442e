"""Extract: every file becomes a Document, decoded correctly or with a clear error."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.run.single import read_document
from pipeline.stages.extract import decode_bytes, discover
from tests.conftest import REPO, without_dac_override

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
ELF = b"\x7fELF\x02\x01\x01" + bytes(200)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_utf8_text_is_read_as_text(tmp_path):
    doc = read_document(write(tmp_path / "a.txt", "Grüße aus Köln\n".encode()), source_root=tmp_path)
    assert (doc.errors, doc.content_type, doc.encoding) == ([], "text", "utf-8")
    assert doc.raw_text == "Grüße aus Köln\n"
    assert doc.source == "a.txt" and os.path.isabs(doc.source_path)
    assert len(doc.file_sha256) == 64


def test_html_by_name_and_by_sniffing(tmp_path):
    by_name = read_document(write(tmp_path / "p.htm", b"hello <b>world</b>"), source_root=tmp_path)
    sniffed = read_document(write(tmp_path / "page", b"<!DOCTYPE html><html><p>x</p></html>"), source_root=tmp_path)
    assert by_name.content_type == "html" and sniffed.content_type == "html"


def test_gzipped_html(tmp_path):
    html = "<html><body><p>Zürich news</p></body></html>".encode()
    doc = read_document(write(tmp_path / "p.html.gz", gzip.compress(html)), source_root=tmp_path)
    assert doc.errors == [] and doc.content_type == "html" and "Zürich" in doc.raw_text


def test_gzip_bomb_is_capped(tmp_path):
    bomb = gzip.compress(b"<p>" + b"a" * 5_000_000)
    doc = read_document(write(tmp_path / "bomb.html.gz", bomb), source_root=tmp_path, max_bytes=1_000_000)
    assert doc.errors and "expands past the limit" in str(doc.errors[0])


def test_corrupt_gzip(tmp_path):
    doc = read_document(write(tmp_path / "bad.html.gz", b"\x1f\x8b\x08\x00garbage"), source_root=tmp_path)
    assert doc.errors and "gzip" in str(doc.errors[0])


@pytest.mark.parametrize("data, expected", [
    (b"", "empty file"),
    (b"   \n\t  ", "empty file: only whitespace (7 bytes)"),
    (PNG, "binary content (PNG image)"),
    (ELF, "binary content (ELF executable)"),
    (b"abc\x00\x01\x02\x03" * 100, "binary content"),
])
def test_unreadable_content_gets_a_clear_error(tmp_path, data, expected):
    doc = read_document(write(tmp_path / "x.txt", data), source_root=tmp_path)
    assert len(doc.errors) == 1 and str(doc.errors[0]).startswith("extract: " + expected)


def test_latin1_is_decoded_with_a_warning(tmp_path):
    text = "Le café de la gare a été fermé à Noël. Über die Brücke gingen Fußgänger. " * 3
    doc = read_document(write(tmp_path / "l.txt", text.encode("latin-1")), source_root=tmp_path)
    assert doc.errors == []
    assert "café" in doc.raw_text and "Brücke" in doc.raw_text
    assert doc.warnings and "not UTF-8" in doc.warnings[0].message


def test_utf16_with_bom(tmp_path):
    doc = read_document(write(tmp_path / "u.txt", "Привет, мир".encode("utf-16")), source_root=tmp_path)
    assert doc.errors == [] and doc.raw_text == "Привет, мир" and doc.encoding == "utf-16"


def test_a_few_broken_bytes_in_utf8_are_replaced_not_misdecoded(tmp_path):
    data = ("Ein ganz normaler Text über Köln. " * 50).encode() + b"\xff\xfe\xfa" + " Ende.".encode()
    doc = read_document(write(tmp_path / "b.txt", data), source_root=tmp_path)
    assert doc.errors == [] and "über Köln" in doc.raw_text
    assert any("invalid UTF-8" in w.message for w in doc.warnings)


def test_html_declared_charset(tmp_path):
    html = '<html><head><meta charset="windows-1251"></head><body><p>Новости дня</p></body></html>'
    doc = read_document(write(tmp_path / "r.html", html.encode("cp1251")), source_root=tmp_path)
    assert doc.errors == [] and "Новости дня" in doc.raw_text and doc.encoding == "windows-1251"


def test_too_large_file_is_not_read(tmp_path):
    doc = read_document(write(tmp_path / "big.txt", b"a" * 2000), source_root=tmp_path, max_bytes=1000)
    assert [str(e) for e in doc.errors] == ["extract: file too large: 2000 bytes > limit 1000"]


def test_symlink_outside_source_folder_is_not_followed(tmp_path):
    outside = write(tmp_path / "secret.txt", b"top secret")
    root = tmp_path / "src"
    root.mkdir()
    (root / "link.txt").symlink_to(outside)
    (root / "inner.txt").write_text("fine")
    (root / "ok-link.txt").symlink_to(root / "inner.txt")
    bad = read_document(root / "link.txt", source_root=root)
    good = read_document(root / "ok-link.txt", source_root=root)
    assert bad.errors and "outside the source folder" in str(bad.errors[0]) and bad.raw_text == ""
    assert good.errors == [] and good.raw_text == "fine"


def test_unreadable_file(tmp_path):
    """A file the worker may not read: one clear error, no crash (permission bits enforced
    for real, also as root: see ``without_dac_override``)."""
    path = write(tmp_path / "locked.txt", b"text")
    path.chmod(0)
    probe = ("import json, sys; from pathlib import Path; from pipeline.run.single import read_document; "
             "doc = read_document(Path(sys.argv[1]), source_root=Path(sys.argv[2])); "
             "print(json.dumps({'errors': [str(e) for e in doc.errors], 'raw_text': doc.raw_text}))")
    try:
        result = subprocess.run(without_dac_override([sys.executable, "-c", probe, str(path), str(tmp_path)]),
                                capture_output=True, text=True, timeout=120, cwd=REPO)
    finally:
        path.chmod(0o644)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["raw_text"] == ""
    assert len(doc["errors"]) == 1 and doc["errors"][0].startswith("extract: cannot read file"), doc["errors"]


def test_discover_is_sorted_recursive_and_skips_hidden(tmp_path):
    for name in ["b.txt", "a.html", "sub/c.txt", ".hidden.txt", ".git/config"]:
        write(tmp_path / name, b"x")
    found = [str(p.relative_to(tmp_path)) for p in discover(tmp_path)]
    assert found == ["a.html", "b.txt", "sub/c.txt"]


def test_decode_bytes_prefers_utf8():
    assert decode_bytes("naïve".encode()) == ("naïve", "utf-8", None)
