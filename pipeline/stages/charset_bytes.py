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


def bomless_utf16(data: bytes) -> tuple[str, str, str] | None:
    """``(codec, text, evidence)`` when ``data`` is UTF-16 without a byte-order mark, else ``None``.

    The NUL bytes point to the byte order: ASCII (letters, spaces, line breaks) in UTF-16 has a NUL high
    byte, so the NULs fall on one parity. Evidence enough: ``looks_utf16`` (ASCII-heavy text), or, for text
    mostly in another script (Chinese, Russian: only its spaces, digits and line breaks are ASCII), a NUL
    per 100 code units, 8 times as many on the high byte as on the low one (a sentence of Chinese and its line
    break: 1 against 0), and bytes that without their NULs do not read as 8-bit text (valid UTF-8 with few
    control bytes: such a file holds stray NULs).
    Then the whole file must decode strictly, and read as text (``_reads_as_text``)."""
    head = data[:65536]
    if len(data) < 4 or len(data) % 2 or b"\x00" not in head:
        return None
    evens, odds = head[0::2].count(0), head[1::2].count(0)
    high, low = max(evens, odds), min(evens, odds)
    codec = "utf-16-be" if evens > odds else "utf-16-le"
    ascii_heavy = high != low and looks_utf16(head)
    if not ascii_heavy and not (high * 100 >= len(head) // 2 and low * 8 <= high
                                and not _reads_as_8bit_text(data)):
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    if not _reads_as_text(text[:32768]):
        return None
    name = codec.replace("-", "").upper().replace("UTF16", "UTF-16")
    return codec, text, (f"no byte-order mark: its NUL bytes fall on the high byte of the code units ({high} "
                         f"against {low} in {'the first ' if len(data) > len(head) else ''}{len(head)} bytes) and it decodes strictly as {name}")


def _reads_as_8bit_text(data: bytes) -> bool:
    rest = data.replace(b"\x00", b"")
    try:
        rest.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return (len(rest) - len(rest.translate(None, CONTROL_BYTES))) * 10 <= len(rest)


# The control bytes counted as not text (below tab, and 14-31), deleted in C to count them.
CONTROL_BYTES = bytes(b for b in range(256) if b < 9 or 13 < b < 32)
_NOT_TEXT = frozenset(("Cc", "Cn", "Co", "Cs"))  # control, unassigned, private use, lone surrogate


def _reads_as_text(sample: str) -> bool:
    """Text, not a binary read as UTF-16: at most one character in 100 is a control character (but tab,
    line breaks, form feed), unassigned or private use."""
    bad = sum(1 for ch in sample if unicodedata.category(ch) in _NOT_TEXT and ch not in "\t\n\r\x0b\x0c")
    return bad * 100 <= len(sample)


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
