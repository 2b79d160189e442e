"""Extract's shortcuts (issue 27) answer exactly as the code they replace: control bytes counted by deleting
them, ``isspace`` instead of ``strip`` for the empty checks, NUL looked for in the bytes of a strict UTF-8
decode, one stat for the file's kind, a read sized by the file."""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import pytest

from pipeline.document import Document
from pipeline.stages import extract
from pipeline.stages.decode import decode


def _old_control(head: bytes) -> int:
    return sum(1 for b in head if b < 9 or 13 < b < 32)


def test_control_bytes_counted_by_deleting_them_equal_the_loop() -> None:
    assert len(extract._CONTROL_BYTES) == 9 + 18
    rnd = random.Random(7)
    heads = [bytes(range(256)), b"", bytes(4096)]
    heads += [bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 600))) for _ in range(2000)]
    heads += [bytes(rnd.choice(b"\x00\x07\x08\t\n\r\x0e\x1f a\x80") for _ in range(300)) for _ in range(500)]
    for head in heads:
        assert len(head) - len(head.translate(None, extract._CONTROL_BYTES)) == _old_control(head)


def test_isspace_equals_strip_on_every_code_point_and_byte() -> None:
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        assert (not ch.strip()) == (not ch or ch.isspace()), hex(cp)
        pair = f"{ch} {ch}"
        assert (not pair.strip()) == (not pair or pair.isspace()), hex(cp)
    for b in range(256):
        one = bytes([b])
        assert (not one.strip()) == (not one or one.isspace()), b
        pair = one + b" \t" + one
        assert (not pair.strip()) == (not pair or pair.isspace()), b
    for empty in ("", b""):
        assert not empty.strip() and not empty


def test_a_strict_utf8_decode_holds_nul_where_its_bytes_do() -> None:
    rnd = random.Random(3)
    alphabet = ["\x00", "a", " ", "é", "中", "\U0001f600", "\u0100", "\n"]
    for _ in range(3000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30)))
        data = text.encode("utf-8")
        result = decode(data)
        if result.source == "utf-8" and result.encoding == "utf-8":
            assert ("\x00" in result.text) == (b"\x00" in data)


@pytest.mark.parametrize("body", [b"<p>a\x00b</p>" + b"x" * 5000, "caf\u00e9\x00".encode() + b" text" * 900])
def test_nul_after_the_head_is_removed_and_counted_as_before(tmp_path: Path, body: bytes) -> None:
    data = b"x" * 5000 + body  # past the 4,096 bytes the binary check reads
    doc = Document(source="a.txt", source_path=str(tmp_path / "a.txt"))
    extract.decode_into(doc, data, "a.txt", 10**7)
    assert "\x00" not in doc.raw_text
    assert [w.code for w in doc.warnings] == ["nul-removed"]


def test_the_empty_and_no_text_checks_fail_as_before(tmp_path: Path) -> None:
    for data, code in ((b" \t\r\n\x0b\x0c", "empty"), (b"\xef\xbb\xbf  ", "no-text"),
                       ("\u3000\u2028 ".encode(), "no-text")):
        doc = Document(source="a.txt", source_path=str(tmp_path / "a.txt"))
        with pytest.raises(extract.ExtractError) as err:
            extract.decode_into(doc, data, "a.txt", 10**7)
        assert err.value.code == code


def _old_read(path: Path, max_bytes: int) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(max_bytes + 1)


@pytest.mark.parametrize("size", [0, 1, 99, 100, 101, 5000])
def test_a_read_sized_by_the_file_reads_what_the_limited_read_did(tmp_path: Path, size: int) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(bytes(random.Random(size).randrange(256) for _ in range(size)))
    for limit in (100, 5000, 10**6):
        doc = Document(source="f.txt", source_path=str(path))
        try:
            got = extract._read_bytes(path, tmp_path, limit, doc)
        except extract.ExtractError as exc:
            assert exc.code == "too-large" and size > limit
            continue
        assert got == _old_read(path, limit)


@pytest.mark.parametrize(("grown", "limit"), [(50, 10**6), (50, 120), (50, 101), (50, 100), (0, 100)])
def test_a_file_that_grows_after_its_stat_reads_on_up_to_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      grown: int, limit: int) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"a" * 100)
    real = os.stat(path)
    path.write_bytes(b"a" * (100 + grown))  # the stat below says 100 bytes: the file grew in between

    class Stat:
        st_size, st_mtime, st_mode = 100, real.st_mtime, real.st_mode

    monkeypatch.setattr(Path, "stat", lambda self, **kw: Stat())
    doc = Document(source="f.txt", source_path=str(path))
    assert extract._read_bytes(path, None, limit, doc) == _old_read(path, limit)


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    doc = extract.Extract(extract.ExtractConfig(10**6, 5.0, tmp_path)).read(tmp_path / "d")
    assert [e.key for e in doc.errors] == ["extract/not-a-file"]
