"""Extract's input audit: BOM-less UTF-16 decoded exactly, one rule for NUL bytes, every folder entry that is
not read (symlinked or unlistable folders, loops, FIFOs) a document with its own code, whitespace-only files
said to be so. Every case is a real file in ``tmp_path``."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.document import Document
from pipeline.run.lifecycle import list_source
from pipeline.run.load import outcome_of
from pipeline.run.report import Status
from pipeline.run.single import read_document
from pipeline.run.unchanged import file_sha256
from pipeline.stages import extract
from pipeline.stages.charset_bytes import bomless_utf16
from pipeline.stages.decode import decode
from tests.conftest import REPO, without_dac_override

ENGLISH = "The quick brown fox jumps over the lazy dog.\nThe council met on Tuesday to discuss the budget.\n" * 4
CHINESE = "北京今天天气很好，市民纷纷外出游玩。\n新闻报道说，明天将有小雨，气温下降5度。\n" * 4
RUSSIAN = "Вчера в Москве прошло заседание городской думы.\nДепутаты обсудили бюджет на 2025 год.\n" * 4
SHORT_CHINESE = "今天北京的天气很好，市民纷纷外出。\n"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _codes(doc: Document) -> list[str]:
    return [e.key for e in doc.errors]


# 1. UTF-16 without a byte-order mark

@pytest.mark.parametrize("text", [ENGLISH, CHINESE, RUSSIAN, SHORT_CHINESE], ids=["en", "zh", "ru", "zh-short"])
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_decoded_exactly_with_a_warning(tmp_path: Path, text: str, codec: str) -> None:
    data = text.encode(codec)
    doc = read_document(_write(tmp_path / "u.txt", data), source_root=tmp_path)
    assert doc.errors == [] and doc.raw_text == data.decode(codec)
    assert doc.encoding == codec.replace("-le", "le").replace("-be", "be") and doc.encoding_source == "detected"
    assert [w.code for w in doc.warnings] == ["guessed"]
    assert "no byte-order mark" in doc.warnings[0].message and "NUL bytes fall on the high byte" in \
        doc.warnings[0].message


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_html_without_bom(tmp_path: Path, codec: str) -> None:
    html = "<html><body><p>Новости дня: 北京</p></body></html>\n"
    doc = read_document(_write(tmp_path / "p.html", html.encode(codec)), source_root=tmp_path)
    assert doc.errors == [] and doc.raw_text == html and doc.content_type == "html"


def test_decode_of_bomless_utf16_is_pythons_own() -> None:
    rnd = random.Random(5)
    alphabet = list("abc xyz\n.,0") + list("éüßДжя中文北京。，") + ["\U0001f600"]
    for _ in range(300):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(20, 200)))
        for codec in ("utf-16-le", "utf-16-be"):
            data = text.encode(codec)
            found = bomless_utf16(data)
            if found is not None:
                assert found[0] == codec and found[1] == data.decode(codec)
                assert decode(data).text == data.decode(codec)


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    b"\x7fELF\x02\x01\x01" + bytes(200),
    *(random.Random(seed).randbytes(4096) for seed in range(5)),
    bytes(8192),  # all NUL
    b"\x00\x00\x00\x01" * 500,  # 16-bit integers: NUL on one parity, not text
])
def test_binaries_still_fail_as_binary(tmp_path: Path, data: bytes) -> None:
    doc = read_document(_write(tmp_path / "b.txt", data), source_root=tmp_path)
    assert _codes(doc) == ["extract/binary"] and str(doc.errors[0]).startswith("extract: binary content (")
    assert bomless_utf16(data) is None


def test_ascii_with_stray_nuls_on_one_parity_is_not_utf16(tmp_path: Path) -> None:
    data = bytearray(ENGLISH.encode())
    for i in range(0, len(data), 40):  # every NUL on an even offset, one byte in 40
        data[i] = 0
    doc = read_document(_write(tmp_path / "a.txt", bytes(data)), source_root=tmp_path)
    assert doc.errors == [] and doc.encoding == "utf-8" and [w.code for w in doc.warnings] == ["nul-removed"]


# 2. NUL bytes: one rule, wherever they are

@pytest.mark.parametrize("at", [0, 10, 4095, 4096, 5000, 9999])
def test_a_few_nuls_are_removed_and_counted_wherever_they_are(tmp_path: Path, at: int) -> None:
    data = bytearray(b"news text. " * 910)[:10000]
    data[at] = 0
    doc = read_document(_write(tmp_path / "n.txt", bytes(data)), source_root=tmp_path)
    assert doc.errors == [] and doc.raw_text == bytes(data).replace(b"\x00", b"").decode()
    assert [str(w) for w in doc.warnings] == [
        f"extract: 1 NUL character(s) removed from the text (the first at character {at})"]


@pytest.mark.parametrize("data", [
    b"text " * 100 + bytes(200),  # NUL padding beyond 1 byte in 10: mostly not text
    b"text " * 2000 + b"\x00\x01\x02\x03" * 100,  # NULs among other control bytes, after the first 4 KB
])
def test_nul_heavy_data_is_binary_wherever_the_nuls_are(tmp_path: Path, data: bytes) -> None:
    doc = read_document(_write(tmp_path / "n.txt", data), source_root=tmp_path)
    assert _codes(doc) == ["extract/binary"]
    nul = data.count(0)
    assert f"{nul} NUL and" in str(doc.errors[0]) and f"in {len(data)} bytes" in str(doc.errors[0])


# 3, 4. Folder entries that are not read: each a document with its code

def test_every_entry_is_a_document_with_a_code(tmp_path: Path) -> None:
    root = tmp_path / "src"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.txt").write_text("inside")
    (root / "z.txt").write_text("plain")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (root / "link-in").symlink_to(root / "sub")
    (root / "link-out").symlink_to(outside)
    (root / "sub" / "up").symlink_to(root)  # a loop through a folder: not followed, the walk ends
    (root / "self").symlink_to("self")
    (root / "ping").symlink_to("pong")
    (root / "pong").symlink_to("ping")
    (root / "dangling").symlink_to("nowhere")
    os.mkfifo(root / "fifo")
    listed = list(list_source(root))
    assert listed == ["dangling", "fifo", "link-in", "link-out", "ping", "pong", "self", "z.txt", "sub/a.txt",
                      "sub/up"]
    stage = extract.Extract(extract.ExtractConfig(10**6, 5.0, root))
    outcomes = {rel: outcome_of(stage(stage.new_document(root / rel, rel))) for rel in listed}
    codes = {rel: [f"{e.stage}/{e.code}" for e in o.errors] for rel, o in outcomes.items()}
    assert codes == {
        "dangling": ["extract/unreadable"], "fifo": ["extract/not-a-file"], "link-in": ["extract/symlink-dir"],
        "link-out": ["extract/symlink-dir"], "ping": ["extract/symlink-loop"], "pong": ["extract/symlink-loop"],
        "self": ["extract/symlink-loop"], "z.txt": [], "sub/a.txt": [], "sub/up": ["extract/symlink-dir"]}
    messages = {rel: o.errors[0].message for rel, o in outcomes.items() if o.errors}
    assert messages["link-in"] == "symlink to a directory inside the source folder; not followed"
    assert messages["link-out"] == "symlink to a directory outside the source folder; not followed"
    assert messages["self"] == "symlink loop (following the link leads back to it, never to a file); not followed"
    statuses = [o.status for o in outcomes.values()]
    assert statuses.count(Status.INDEXED) == 2 and statuses.count(Status.FAILED) == len(listed) - 2  # seen adds up


def test_a_symlink_loop_without_a_source_root(tmp_path: Path) -> None:
    (tmp_path / "self").symlink_to("self")
    doc = read_document(tmp_path / "self")
    assert _codes(doc) == ["extract/symlink-loop"]
    assert file_sha256(tmp_path / "self", tmp_path, 10**6) is None  # the unchanged check does not crash on it


def test_a_symlink_to_a_folder_without_a_source_root(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "l").symlink_to(tmp_path / "d")
    assert [str(e) for e in read_document(tmp_path / "l").errors] == [
        "extract: symlink to a directory; not followed"]


def test_a_file_symlink_outside_keeps_its_code(tmp_path: Path) -> None:
    (tmp_path / "out.txt").write_text("secret")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "l.txt").symlink_to(tmp_path / "out.txt")
    assert _codes(read_document(tmp_path / "src" / "l.txt", source_root=tmp_path / "src")) == [
        "extract/symlink-outside"]


def test_an_unreadable_subfolder_is_a_document_with_the_os_error(tmp_path: Path) -> None:
    """Listed and read in a child without CAP_DAC_OVERRIDE, so the mode binds even as root."""
    root = tmp_path / "src"
    (root / "locked").mkdir(parents=True)
    (root / "locked" / "hidden-from-us.txt").write_text("x")
    (root / "open").mkdir()
    (root / "open" / "b.txt").write_text("readable")
    (root / "a.txt").write_text("readable")
    probe = ("import json, sys; from pathlib import Path; from pipeline.run.lifecycle import list_source; "
             "from pipeline.stages.extract import Extract, ExtractConfig; root = Path(sys.argv[1]); "
             "stage = Extract(ExtractConfig(10**6, 5.0, root)); out = {}\n"
             "for rel in list_source(root):\n"
             "    doc = stage(stage.new_document(root / rel, rel)); out[rel] = [[e.code, e.message] for e in doc.errors]\n"
             "print(json.dumps(out))")
    (root / "locked").chmod(0)
    try:
        result = subprocess.run(without_dac_override([sys.executable, "-c", probe, str(root)]),
                                capture_output=True, text=True, timeout=120, cwd=REPO)
    finally:
        (root / "locked").chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "a.txt": [], "locked": [["unreadable-dir", "cannot list directory: Permission denied; its files are not read"]],
        "open/b.txt": []}


def test_an_unlistable_source_folder_fails_the_run_not_silently(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    probe = ("import sys; from pathlib import Path; from pipeline.run.lifecycle import list_source\n"
             "try:\n    print(list(list_source(Path(sys.argv[1]))))\n"
             "except PermissionError as exc:\n    print('raised', exc.strerror)")
    tmp_path.chmod(0)
    try:
        result = subprocess.run(without_dac_override([sys.executable, "-c", probe, str(tmp_path)]),
                                capture_output=True, text=True, timeout=120, cwd=REPO)
    finally:
        tmp_path.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "raised Permission denied"


def test_a_readable_folder_read_as_a_document_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    doc = extract.Extract(extract.ExtractConfig(10**6, 5.0, tmp_path)).read(tmp_path / "d")
    assert [str(e) for e in doc.errors] == ["extract: not a regular file (a directory)"]


# 5. whitespace only

@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty file"),
    (b"  \n\t \r\n", "empty file: only whitespace (7 bytes)"),
])
def test_a_whitespace_only_file_says_so(tmp_path: Path, data: bytes, message: str) -> None:
    doc = read_document(_write(tmp_path / "w.txt", data), source_root=tmp_path)
    assert [(e.key, e.message) for e in doc.errors] == [("extract/empty", message)]
