"""The unchanged check's file hash reads a file the way the extract step does (sized by its stat, at most
the limit + 1 bytes), and gives what hashing ``fh.read(max_bytes + 1)`` gave."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from pipeline.run.unchanged import file_sha256


def _old_hash(path: Path, root: Path, max_bytes: int) -> str | None:
    """The hash as it was computed before: a read of the limit's size."""
    if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
        return None
    if not path.is_file() or path.stat().st_size > max_bytes:
        return None
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read(max_bytes + 1)).hexdigest()


@pytest.mark.parametrize("size", [0, 1, 99, 100, 101, 5000])
def test_the_hash_is_the_one_a_read_of_the_limit_gave(tmp_path: Path, size: int) -> None:
    path = tmp_path / "f.html"
    data = bytes(random.Random(size).randrange(256) for _ in range(size))
    path.write_bytes(data)
    for limit in (100, 5000, 10**6):
        got = file_sha256(path, tmp_path, limit)
        assert got == _old_hash(path, tmp_path, limit)
        assert got == (hashlib.sha256(data).hexdigest() if size <= limit else None)


def test_what_extract_would_refuse_has_no_hash(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_bytes(b"elsewhere")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link.txt").symlink_to(outside)
    (root / "inside.txt").write_bytes(b"here")
    (root / "link-in.txt").symlink_to(root / "inside.txt")
    assert file_sha256(tmp_path / "folder", tmp_path, 10**6) is None
    assert file_sha256(tmp_path / "missing.txt", tmp_path, 10**6) is None
    assert file_sha256(root / "link.txt", root, 10**6) is None  # a symlink out of the source folder
    assert file_sha256(root / "link-in.txt", root, 10**6) == hashlib.sha256(b"here").hexdigest()


def test_a_file_that_grew_after_its_stat_hashes_what_a_limited_read_gave(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"a" * 100)
    real = path.stat()
    path.write_bytes(b"a" * 150)  # the stat below says 100 bytes: the file grew in between

    class Stat:
        st_size, st_mtime, st_mode = 100, real.st_mtime, real.st_mode

    monkeypatch.setattr(Path, "stat", lambda self, **kw: Stat())
    for limit in (10**6, 120, 101, 100):
        with open(path, "rb") as fh:
            expected = hashlib.sha256(fh.read(limit + 1)).hexdigest()
        assert file_sha256(path, tmp_path, limit) == expected
