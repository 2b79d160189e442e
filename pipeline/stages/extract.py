"""Extract: find source files and turn each into a decoded ``Document``.

Every file under the source folder is accounted for: files we cannot read become
documents with an ``extract`` error instead of disappearing. Decoding never guesses
silently: a non-UTF-8 file that we decode anyway carries a warning saying how.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat as stat_mode
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from pipeline.document import Document, shown_path
from pipeline.stages.base import Stage
from pipeline.stages.charset_bytes import CONTROL_BYTES as _CONTROL_BYTES
from pipeline.stages.charset_bytes import bomless_utf16
from pipeline.stages.decode import decode

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz", ".xhtml.gz")
_HTML_SNIFF = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<meta|<title|<article|<div|<p[\s>])", re.I)
# Magic numbers of common binary formats, so the error says what the file is.
_MAGIC = {
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"%PDF": "PDF document",
    b"\x7fELF": "ELF executable",
    b"PK\x03\x04": "ZIP archive",
    b"\x1f\x8b": "gzip data",
}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def discover(source_dir: Path) -> Iterator[Path]:
    """Yield every entry below ``source_dir`` that is not a folder we descend into, in a stable order
    (a folder's entries by name, its subfolders' after them, depth first).

    Hidden files and folders (``.name``) are skipped: they are editor/VCS droppings, not
    articles. Everything else is yielded for ``Extract`` to read or to fail with its code:
    symlinks (never followed here: ``symlink-outside``, ``symlink-dir``, ``symlink-loop``), FIFOs,
    sockets and devices (``not-a-file``) and subfolders that cannot be listed (``unreadable-dir``,
    yielded in place of their files). Symlinks to folders are not followed, so no loop can hang the
    walk and no file is read twice under two names. ``source_dir`` itself that cannot be listed raises
    ``OSError``: that is no document's failure but the run's.
    """
    root = Path(source_dir)
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = _listing(folder)
        except OSError:
            if folder == root:
                raise
            yield folder  # a document: ``Extract`` fails it as unreadable-dir, with the OS error
            continue
        subfolders = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:  # cannot tell: read as a file, whose error then says what is wrong
                is_dir = False
            if is_dir:
                subfolders.append(Path(entry.path))
            else:
                yield Path(entry.path)
        stack.extend(reversed(subfolders))


def _listing(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as it:
        return sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)


def is_html_name(name: str) -> bool:
    return name.lower().endswith(HTML_SUFFIXES)


def relative_source(path: Path, source_root: Path | None) -> str:
    if source_root is not None:
        try:
            return str(path.relative_to(source_root))
        except ValueError:
            pass
    return str(path)


@dataclass(frozen=True)
class ExtractConfig:
    max_file_bytes: int  # bigger files fail as extract/too-large (gzip output counts too)
    time_limit_seconds: float  # reading and decoding one file; over it: extract/timeout
    source_root: Path | None = None  # symlinks may not leave it; sources are named relative to it
    encoding: str | None = None  # charset hint for legacy files (CLI --encoding, DAG param encoding);
    #                              a BOM, valid UTF-8, a fitting declaration or better-reading text overrule it


class Extract(Stage):
    """Read ``doc.source_path`` and decode it into ``raw_text``; a bad file fails with its code."""

    name = "extract"

    def __init__(self, config: ExtractConfig) -> None:
        super().__init__(time_limit_seconds=config.time_limit_seconds)
        self.config = config

    def new_document(self, path: Path | str, source: str | None = None) -> Document:
        path = Path(path)
        return Document(source=source if source is not None else relative_source(path, self.config.source_root),
                        source_path=os.path.abspath(path))

    def read(self, path: Path | str, source: str | None = None) -> Document:
        return self(self.new_document(path, source))

    def process(self, doc: Document) -> Document:
        path, limit = Path(doc.source_path), self.config.max_file_bytes
        if shown_path(doc.source_path) != doc.source_path:
            return _bad_name(doc, self.name)
        try:
            data = _read_bytes(path, self.config.source_root, limit, doc)
        except ExtractError as exc:
            doc.fail(self.name, exc.code, str(exc))
            return doc
        except OSError as exc:
            doc.fail(self.name, "unreadable", f"cannot read file: {exc.strerror or exc}")
            return doc
        doc.file_sha256 = hashlib.sha256(data).hexdigest()
        try:
            decode_into(doc, data, path.name, limit, encoding=self.config.encoding)
        except ExtractError as exc:
            doc.fail(self.name, exc.code, str(exc))
        self.counters[f"content_type/{doc.content_type}"] += 1
        return doc


def _bad_name(doc: Document, stage: str) -> Document:
    """A file whose name is not UTF-8 fails (no index field, report or log line can carry the name as it is):
    its document names it with the bytes shown as ``\\xNN``; its id stays the one of its real name, and
    ``source_path`` the real path (the dead-letter record shows it, ``pipeline.elastic.failed_files``)."""
    doc.source, doc.source_relpath = shown_path(doc.source), shown_path(doc.source_relpath)
    doc.fail(stage, "bad-name", f"the file name is not valid UTF-8 ({doc.source}: undecodable bytes shown as \\xNN); "
                                "rename the file to index it")
    return doc


class ExtractError(ValueError):
    """A file that cannot become text; ``code`` is the failure code, the message is shown as is."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


_LOOP = "symlink loop (following the link leads back to it, never to a file); not followed"


def _read_bytes(path: Path, source_root: Path | None, max_bytes: int, doc: Document) -> bytes:
    link = path.is_symlink()
    outside: bool | None = None  # unknown without a source folder
    if link and source_root is not None:
        try:
            target = path.resolve()
        except RuntimeError:  # Python < 3.13 on a loop (3.13 resolves what it can; the stat then fails)
            raise ExtractError("symlink-loop", _LOOP) from None
        outside = not target.is_relative_to(Path(source_root).resolve())
        if outside and not target.is_dir():
            raise ExtractError("symlink-outside", "symlink points outside the source folder; not followed")
    try:
        stat = path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ExtractError("symlink-loop", _LOOP) from None
        raise
    if stat_mode.S_ISDIR(stat.st_mode):
        _check_folder(path, link, outside)
    if not stat_mode.S_ISREG(stat.st_mode):  # what ``path.is_file()`` answers, without a second stat
        raise ExtractError("not-a-file", "not a regular file")
    doc.file_size = stat.st_size
    doc.file_mtime = datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc).isoformat()
    if stat.st_size > max_bytes:
        raise ExtractError("too-large", f"file too large: {stat.st_size} bytes > limit {max_bytes}")
    with open(path, "rb") as fh:
        return read_at_most(fh, stat.st_size, max_bytes)


def _check_folder(path: Path, link: bool, outside: bool | None) -> None:
    """A folder among the documents: a symlink to one (never followed: its files, if it is inside the source
    folder, are read at their own paths) or a subfolder ``discover`` could not list."""
    if link:
        where = "" if outside is None else " outside" if outside else " inside"
        raise ExtractError("symlink-dir", f"symlink to a directory{where}{' the source folder' * bool(where)}; "
                                          "not followed")
    try:
        with os.scandir(path):
            pass
    except OSError as exc:
        raise ExtractError("unreadable-dir", f"cannot list directory: {exc.strerror or exc}; its files are not read")
    raise ExtractError("not-a-file", "not a regular file (a directory)")


def read_at_most(fh: BinaryIO, size: int, max_bytes: int) -> bytes:
    """What ``fh.read(max_bytes + 1)`` gives, for a file whose stat said ``size`` bytes: asking for the size
    the file has spares a buffer of the limit's size (20 MB) per file (3 x the time of a plain read here). A
    file that grew since the stat reads on."""
    data = fh.read(size + 1)
    if len(data) == size + 1 and len(data) <= max_bytes:
        data += fh.read(max_bytes + 1 - len(data))
    return data


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    """Decompress every gzip member (the format allows several, one after the other) with a hard
    output cap over all of them, so a gzip bomb costs at most ``max_bytes`` and no member is skipped."""
    out = b""
    while True:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(data, max_bytes + 1 - len(out))
        except zlib.error as exc:
            raise ExtractError("corrupt-gzip", f"corrupt gzip data: {exc}") from None
        if len(out) > max_bytes or inflater.unconsumed_tail:
            raise ExtractError("too-large", f"gzip expands past the limit of {max_bytes} bytes")
        if not inflater.eof:
            raise ExtractError("corrupt-gzip", "corrupt gzip data: truncated stream")
        data = inflater.unused_data
        if not data.strip(b"\x00"):  # trailing NUL padding (tape archives) is no member
            return out


def decode_into(doc: Document, data: bytes, name: str, max_bytes: int, *, encoding: str | None = None) -> None:
    """Fill ``raw_text``, ``encoding``, ``encoding_source`` and ``content_type`` from raw bytes
    (``pipeline.stages.decode``: BOM, UTF-8, declared charset, hint, detection, repair)."""
    lower = name.lower()
    if lower.endswith(".gz"):
        data = _gunzip(data, max_bytes)
        lower = lower[:-3]
    if not data:
        raise ExtractError("empty", "empty file")
    if data.isspace():  # ``not data.strip()``, without the copy
        raise ExtractError("empty", f"empty file: only whitespace ({len(data)} bytes)")
    kind = _binary_kind(data)
    if kind:
        raise ExtractError("binary", f"binary content ({kind}), not text or HTML")
    is_html = lower.endswith(HTML_SUFFIXES) or bool(_HTML_SNIFF.match(data[:2048].lstrip(b"\xef\xbb\xbf")))
    result = decode(data, html=is_html, hint=encoding)
    if result.warning:
        doc.warn("extract", result.warning_code, result.warning)
    text = result.text
    # a strict UTF-8 decode holds U+0000 exactly where the bytes hold 0x00 (no other sequence has one)
    nul = b"\x00" in data if result.source == "utf-8" and result.encoding == "utf-8" else "\x00" in text
    if nul:  # never indexed (Elasticsearch and most readers choke on it): removed and counted, wherever they are
        doc.warn("extract", "nul-removed", f"{text.count(chr(0))} NUL character(s) removed from the text "
                                           f"(the first at character {text.index(chr(0))})")
        text = text.replace("\x00", "")
    if not text or text.isspace():  # ``not text.strip()``, without the copy
        raise ExtractError("no-text", "no text after decoding")
    doc.raw_text = text
    doc.encoding = result.encoding
    doc.encoding_source = result.source
    doc.content_type = "html" if is_html else "text"


def _binary_kind(data: bytes) -> str | None:
    """What makes ``data`` binary, or ``None`` for text. One rule for NUL bytes, wherever they are in the file:
    NULs in otherwise clean text (up to 1 byte in 10) are removed and counted (``decode_into``); a file with
    more than 1 byte in 10 NUL or control (below tab, 14-31), or with NULs among other control bytes (more
    than 1 in 100, ESC aside: ISO-2022 has it), is binary: random, compressed or executable data has both.
    UTF-16, with or without a byte-order mark, is text."""
    if data.startswith(_UTF16_BOMS):  # UTF-16 BOM: text, despite the NULs
        return None
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    if bomless_utf16(data) is not None:  # (``None`` at once without a NUL in the first 64 KB)
        return None
    control = len(data) - len(data.translate(None, _CONTROL_BYTES))
    nul = data.count(0) if control else 0
    other = control - nul - data.count(0x1b) if nul else 0
    if control * 10 > len(data) or other * 100 > len(data):
        return (f"{control * 100 // len(data)}% NUL or control bytes: {nul} NUL and {control - nul} other "
                f"in {len(data)} bytes")
    return None


def decode_bytes(data: bytes, *, html: bool = False, hint: str | None = None) -> tuple[str, str, str | None]:
    """Return ``(text, encoding, warning)``; see ``pipeline.stages.decode`` for the order of evidence."""
    result = decode(data, html=html, hint=hint)
    return result.text, result.encoding, result.warning
