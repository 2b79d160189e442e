"""A gzip file may hold several members one after the other (RFC 1952); the fuzzing campaign
(benchmarks/fuzz.py) found a bomb behind a small first member indexed from that member alone."""

from __future__ import annotations

import gzip

from pipeline.stages.extract import Extract, ExtractConfig


def read_document(path, max_bytes: int = 20_000_000):
    return Extract(ExtractConfig(max_bytes, 30.0)).read(path)

ARTICLE = "The city council approved the new budget on Tuesday after a long debate about schools. " * 5


def test_every_gzip_member_is_read(tmp_path):
    path = tmp_path / "two.txt.gz"
    path.write_bytes(gzip.compress(ARTICLE.encode()) + gzip.compress(b"Second member, same article."))
    doc = read_document(path)
    assert not doc.errors
    assert doc.raw_text == ARTICLE + "Second member, same article."


def test_a_bomb_behind_a_small_member_fails_as_too_large(tmp_path):
    path = tmp_path / "bomb.html.gz"
    path.write_bytes(gzip.compress(b"<p>small</p>") + gzip.compress(b"<p>aaaa</p>" * 200_000))
    doc = read_document(path, max_bytes=1_000_000)
    assert [e.key for e in doc.errors] == ["extract/too-large"]


def test_garbage_after_a_member_is_a_corrupt_file_not_ignored(tmp_path):
    path = tmp_path / "tail.txt.gz"
    path.write_bytes(gzip.compress(ARTICLE.encode()) + b"not gzip at all")
    doc = read_document(path)
    assert [e.key for e in doc.errors] == ["extract/corrupt-gzip"]
