"""Byte-level helpers of the decoder (``pipeline.stages.decode``): a sample of a big file for the charset
detectors, BOM-less UTF-16 spotted, a decode that counts the bytes it replaces, the non-ASCII bytes a text
takes in a charset (windows-1258 spelt as that charset spells tones)."""

from __future__ import annotations

import codecs
import re
import threading
import unicodedata

_SURROGATES = re.compile("[\udc80-\udcff]+")
_SAMPLE_WHOLE = 256 * 1024  # detectors see files up to this size whole, bigger ones in spread chunks
_CHUNKS, _CHUNK = 32, 8 * 1024


_CP1258_TONES = "\u0300\u0301\u0303\u0309\u0323"  # the combining tone marks windows-1258 has


def encode_cp1258_text(text: str) -> bytes:
    """``text`` in windows-1258, which spells tones as a base letter (with its other marks:
    ``ê``, ``ơ``, ``ă``) plus a combining tone mark: ``ệ`` -> ``ê`` + U+0323. ``?`` for what it lacks."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _CP1258_TONES))
        tones = "".join(c for c in parts if c in _CP1258_TONES)
        try:
            out += base.encode("cp1258") + tones.encode("cp1258")
        except UnicodeEncodeError:
            out += b"?"
    return bytes(out)


def looks_utf16(head: bytes) -> bool:
    """BOM-less UTF-16 of mostly ASCII text: every other byte is NUL."""
    if len(head) < 4:
        return False
    evens, odds = head[0::2], head[1::2]
    return evens.count(0) > 0.4 * len(evens) or odds.count(0) > 0.4 * len(odds)


_REPLACED = threading.local()  # bytes the "news-etl-count" error handler replaced in this thread's decode


def _count_replaced(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    _REPLACED.count = getattr(_REPLACED, "count", 0) + max(exc.end - exc.start, 1)
    return "\ufffd", exc.end


codecs.register_error("news-etl-count", _count_replaced)


def detector_sample(data: bytes) -> bytes:
    """The whole file when small, else evenly spaced chunks of it starting at line breaks (so a
    multibyte character is not cut), so a legacy part deep in a big file is still seen."""
    if len(data) <= _SAMPLE_WHOLE:
        return data
    parts = []
    stride = len(data) // _CHUNKS
    for i in range(_CHUNKS):
        start = i * stride
        if start:
            nl = data.find(b"\n", start, start + _CHUNK)
            start = nl + 1 if nl >= 0 else start
        parts.append(data[start:start + _CHUNK])
    return b"\n".join(parts)


def repair(data: bytes, codec: str) -> tuple[str, int]:
    """Decode with one U+FFFD per run of undecodable bytes; returns (text, bytes replaced)."""
    if codec.startswith(("utf-16", "utf-32")):  # code units, not bytes: surrogateescape cannot stand for them
        _REPLACED.count = 0
        text = data.decode(codec, errors="news-etl-count")
        return text, _REPLACED.count
    escaped = data.decode(codec, errors="surrogateescape")
    replaced = sum(len(m.group()) for m in _SURROGATES.finditer(escaped))
    return _SURROGATES.sub("\ufffd", escaped), replaced


def nonascii_bytes(sample: str, codec: str) -> int:
    """Non-ASCII bytes ``sample`` takes in ``codec`` (what a candidate's score is divided by)."""
    # (the fallback counts characters of the text itself: on cp1258's bytes ord() would fail)
    raw = encode_cp1258_text(sample) if codec == "cp1258" else sample.encode(codec, errors="replace")
    return sum(1 for b in raw if b > 0x7f) or sum(1 for ch in sample if ord(ch) > 0x7f)
