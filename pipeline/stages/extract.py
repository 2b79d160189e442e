"""Extract: find source files and turn each into a decoded ``Document``.

Every file under the source folder is accounted for: files we cannot read become
documents with an ``extract`` error instead of disappearing. Decoding never guesses
silently: a non-UTF-8 file that we decode anyway carries a warning saying how.
"""

from __future__ import annotations

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
from pipeline.stages.decode import decode, looks_utf16

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
# The control bytes ``_binary_kind`` counts (below tab, and 14-31): deleted in C to count them.
_CONTROL_BYTES = bytes(b for b in range(256) if b < 9 or 13 < b < 32)


def discover(source_dir: Path) -> Iterator[Path]:
    """Yield every regular file and symlink below ``source_dir`` in a stable order.

    Hidden files and folders (``.name``) are skipped: they are editor/VCS droppings, not
    articles. Symlinks are yielded (not followed here) so ``read_document`` can report
    the ones that point outside the source folder.
    """
    root = Path(source_dir)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


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


def _read_bytes(path: Path, source_root: Path | None, max_bytes: int, doc: Document) -> bytes:
    if path.is_symlink() and source_root is not None:
        target = path.resolve()
        root = Path(source_root).resolve()
        if not target.is_relative_to(root):
            raise ExtractError("symlink-outside", "symlink points outside the source folder; not followed")
    stat = path.stat()
    if not stat_mode.S_ISREG(stat.st_mode):  # what ``path.is_file()`` answers, without a second stat
        raise ExtractError("not-a-file", "not a regular file")
    doc.file_size = stat.st_size
    doc.file_mtime = datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc).isoformat()
    if stat.st_size > max_bytes:
        raise ExtractError("too-large", f"file too large: {stat.st_size} bytes > limit {max_bytes}")
    with open(path, "rb") as fh:
        return read_at_most(fh, stat.st_size, max_bytes)


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
    if not data or data.isspace():  # ``not data.strip()``, without the copy
        raise ExtractError("empty", "empty file")
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
    if nul:  # never indexed (Elasticsearch and most readers choke on it): removed and counted
        doc.warn("extract", "nul-removed", f"{text.count(chr(0))} NUL character(s) removed")
        text = text.replace("\x00", "")
    if not text or text.isspace():  # ``not text.strip()``, without the copy
        raise ExtractError("no-text", "no text after decoding")
    doc.raw_text = text
    doc.encoding = result.encoding
    doc.encoding_source = result.source
    doc.content_type = "html" if is_html else "text"


def _binary_kind(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 BOM: text, despite the NULs
        return None
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    head = data[:4096]
    if b"\x00" in head and not looks_utf16(head):
        return "NUL bytes"
    control = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if control > len(head) * 0.1:
        return "mostly control bytes"
    return None


def decode_bytes(data: bytes, *, html: bool = False, hint: str | None = None) -> tuple[str, str, str | None]:
    """Return ``(text, encoding, warning)``; see ``pipeline.stages.decode`` for the order of evidence."""
    result = decode(data, html=html, hint=hint)
    return result.text, result.encoding, result.warning
