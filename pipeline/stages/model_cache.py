"""Files derived once from a package's model or data files and kept, so a process loads them fast.

``cached_file(name, sources, build)`` returns ``<cache>/<name>-<hash of the sources' bytes>.<suffix>``
(each source's hash is remembered under its path, size and modification time: see ``_digest``),
calling ``build(path)`` to make it when it is missing (written to a temporary name, then renamed: a
concurrent reader sees no file or the whole file). A new package version or a changed source file
gives a new name; stale files of the same ``name`` are deleted. The cache folder is
``$NEWS_ETL_CACHE_DIR``, else ``<venv>/var/cache/news-etl`` (``make install`` fills it), else
``~/.cache/news-etl``, the first one writable; with none writable the file is built in a fresh
temporary folder each process (as slow as no cache, never wrong).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

CACHE_ENV = "NEWS_ETL_CACHE_DIR"
CACHE_FORMAT = "1"  # bump when what a cache file holds changes
_lock = threading.RLock()


def cache_dir() -> Path | None:
    """The first writable cache folder (created if need be), or None."""
    env = os.environ.get(CACHE_ENV)
    candidates = [Path(env)] if env else []
    candidates += [Path(sys.prefix) / "var" / "cache" / "news-etl", Path.home() / ".cache" / "news-etl"]
    for folder in candidates:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK | os.X_OK):
            return folder
    return None


def _digest(sources: Iterable[Path], folder: Path | None) -> str:
    """A hash of the sources' bytes. Hashing a large file costs more than loading the cache, so each
    file's hash is remembered in ``<folder>/digests.json`` under its path, size and modification time,
    and read from there while those are unchanged."""
    known: dict[str, str] = {}
    index = folder / "digests.json" if folder is not None else None
    if index is not None and index.is_file():
        try:
            known = json.loads(index.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
    h = hashlib.blake2b(CACHE_FORMAT.encode(), digest_size=10)
    added = False
    for path in sources:
        st = path.stat()
        ident = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
        if ident not in known:
            known[ident] = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
            added = True
        h.update(path.name.encode() + b"\0" + known[ident].encode())
    if added and index is not None:
        try:
            fd, tmp = tempfile.mkstemp(prefix=".digests-", dir=index.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(known, fh)
            os.chmod(tmp, 0o644)
            os.replace(tmp, index)  # a lost concurrent update only means hashing that file again
        except OSError:
            pass
    return h.hexdigest()


def cached_file(name: str, sources: list[Path], build: Callable[[Path], None], suffix: str = ".npz") -> Path:
    """A file derived from ``sources`` by ``build(path)``: built once into the cache folder under a name
    holding the sources' hash, reused while they are unchanged. With no writable cache folder it is
    built into a temporary folder (deleted at exit by the OS's temp cleaning, never reused)."""
    folder = cache_dir()
    target_dir = folder if folder is not None else Path(tempfile.mkdtemp(prefix="news-etl-"))
    target = target_dir / f"{name}-{_digest(sources, folder)}{suffix}"
    if target.is_file():
        return target
    with _lock:
        if target.is_file():
            return target
        fd, tmp_name = tempfile.mkstemp(prefix=f".{name}-", suffix=suffix, dir=target_dir)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            build(tmp)
            tmp.chmod(0o644)  # readable by every user of the environment
            os.replace(tmp, target)  # atomic: a concurrent reader sees the old name missing or the whole file
        finally:
            tmp.unlink(missing_ok=True)
        for stale in target_dir.glob(f"{name}-*{suffix}"):
            if stale != target:
                stale.unlink(missing_ok=True)
    return target


# --- arrays, memory-mapped ----------------------------------------------------------------------
_MAGIC = b"NEWSETL-ARRAYS-1\n"
_ALIGN = 64


def write_arrays(path: Path, arrays: dict[str, Any]) -> None:
    """numpy arrays (no object dtype) into one file: a magic line, a JSON header (name -> dtype, shape,
    offset) and each array's bytes, 64-byte aligned. :func:`read_arrays` maps it without parsing."""
    import numpy as np

    header: dict[str, Any] = {}
    offset = 0
    blobs = []
    for name, value in arrays.items():
        arr = np.ascontiguousarray(value)
        if arr.dtype.hasobject:
            raise TypeError(f"{name}: object arrays cannot be cached")
        offset = -(-offset // _ALIGN) * _ALIGN
        header[name] = [arr.dtype.str, list(arr.shape), offset]
        blobs.append((offset, arr))
        offset += arr.nbytes
    head = json.dumps(header).encode()
    start = -(-(len(_MAGIC) + 8 + len(head)) // _ALIGN) * _ALIGN
    with open(path, "wb") as fh:
        fh.write(_MAGIC + len(head).to_bytes(8, "little") + head)
        for off, arr in blobs:
            fh.seek(start + off)
            fh.write(arr.tobytes())


def read_arrays(path: Path) -> dict[str, Any]:
    """The arrays of :func:`write_arrays`, read-only views of the memory-mapped file (pages are read when
    touched and shared between processes through the page cache)."""
    import mmap

    import numpy as np

    with open(path, "rb") as fh:
        mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    if mm[: len(_MAGIC)] != _MAGIC:
        raise ValueError(f"{path}: not an array cache file")
    size = int.from_bytes(mm[len(_MAGIC): len(_MAGIC) + 8], "little")
    header = json.loads(mm[len(_MAGIC) + 8: len(_MAGIC) + 8 + size])
    start = -(-(len(_MAGIC) + 8 + size) // _ALIGN) * _ALIGN
    out = {}
    for name, (dtype, shape, offset) in header.items():
        dt = np.dtype(dtype)
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if count == 0:  # nothing was written for it: the file may end before its offset
            out[name] = np.empty(shape, dtype=dt)
            continue
        out[name] = np.frombuffer(mm, dtype=dt, count=count, offset=start + offset).reshape(shape)
    return out
