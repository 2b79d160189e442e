"""Near-duplicate matching: shingles, MinHash signatures, LSH band keys and the pair check.

Pure computation (no Elasticsearch): ``pipeline.elastic.dedup_store`` keeps the band keys and
groups, ``pipeline.run.grouping`` wires both into a run. Why each piece:

- Shingles follow the script: word n-grams where words are spaced, character n-grams for
  languages written without spaces (Chinese, Japanese, Thai...), where a "word" would be a
  whole sentence.
- Candidates only are proposed by keys: MinHash + LSH bands (numpy, vectorised; 2 rows per
  band reach down to a Jaccard of ~0.2) for copies of similar length, and winnowing
  fingerprints of passages for an excerpt or a truncation, which shares only a small part of
  the longer copy's shingles (a Jaccard of 0.05 is common) and which no Jaccard band finds.
- The decision is the check on the cleaned bodies: the share of the *shorter* text's shingles
  found in the longer (containment). An excerpt or truncation scores ~1; two different stories
  that reuse one background or boilerplate paragraph score that paragraph's share, well below
  ``min_containment``.
"""

from __future__ import annotations

import hashlib
import unicodedata
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from typing import ClassVar

import numpy as np

from pipeline.config import DedupSettings, load_dedup_config  # noqa: F401 (load_dedup_config: see below)
from pipeline.document import Document, Notice
from pipeline.stages.base import Stage
from pipeline.stages.memo import TextMemo
from pipeline.stages.words import find_word_bytes

_MASK32 = np.uint64(0xFFFFFFFF)
_MIX = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime: mixes the unit hashes of a shingle
_PERM_SEED = 20261201  # fixed forever: signatures in the store must stay comparable across runs
_CHUNK = 4096  # shingles per block when computing a signature (bounds the temporary matrix)


# The settings are part of ``Settings`` (``Settings.dedup``, from config/dedup.yaml): stages get them
# as an argument. ``DedupConfig`` is their old name here; ``load_dedup_config`` stays importable
# from here for pipeline/run until it takes ``settings.dedup`` (it reads no file per call).
DedupConfig = DedupSettings


class _UnitHashes(dict[str | bytes, int]):
    """crc32 of the units seen, kept across texts (a text repeats most of its words, and a language's
    texts one vocabulary): a unit is hashed once, on its first lookup; emptied past ``_UNIT_HASHES``.
    A word given as its UTF-8 bytes (``find_word_bytes``) hashes as the string it encodes."""

    def __missing__(self, unit: str | bytes) -> int:
        if isinstance(unit, bytes):
            code = zlib.crc32(unit)
        else:
            try:
                code = zlib.crc32(unit.encode())
            except UnicodeEncodeError:  # a lone surrogate: hashed as its bytes (the same bytes for any other unit)
                code = zlib.crc32(unit.encode("utf-8", "surrogatepass"))
        if len(self) >= _UNIT_HASHES:
            self.clear()
        self[unit] = code
        return code


_UNIT_HASHES = 1 << 17  # units kept (~10 MB)
_HASHES = _UnitHashes()


def _unit_codes(text: str, language: str | None, cfg: DedupConfig) -> tuple[np.ndarray, int]:
    """The crc32 of each unit, in text order, and n: words (spaced scripts) or letters (unspaced ones), case-
    and width-folded. A line's codes are its own (a line break is no unit, joins no unit with another, and no
    normalisation or case fold reaches across it), so they are read line by line, from ``_LINE_CODES`` for
    a line seen before: wire copies of a story repeat most of its paragraphs word for word."""
    chars = language in cfg.char_shingle_languages
    lines = text.split("\n")
    if len(lines) == 1:
        return _line_codes(text, chars), cfg.char_shingle if chars else cfg.word_shingle
    memo = _LINE_CODES[chars]
    parts = []
    for line in lines:
        codes = memo.get(line)
        if codes is None:
            codes = _line_codes(line, chars)
            memo.put(line, codes)
        parts.append(codes)
    return np.concatenate(parts), cfg.char_shingle if chars else cfg.word_shingle


def _line_codes(text: str, chars: bool) -> np.ndarray:
    """``_unit_codes`` of a text (words taken as UTF-8 bytes, ``find_word_bytes``: the words of
    ``re.findall(r"\w+")``, whose crc32 is that of the encoded string)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    units: list[str] | list[bytes] = [ch for ch in text if ch.isalnum()] if chars else find_word_bytes(text)
    return np.fromiter(map(_HASHES.__getitem__, units), dtype=np.uint64, count=len(units))


def _line_weight(line: str, codes: np.ndarray) -> int:
    return codes.nbytes + 4 * len(line)  # its codes and its text (4 bytes a character at most)


_LINE_CODES_BYTES = 16 << 20  # the kept lines' codes and text, per kind of unit
_LINE_CODES_MAX_CHARS = 2000  # a longer line is read afresh, never kept
_LINE_CODES = {chars: TextMemo(_LINE_CODES_BYTES, _LINE_CODES_MAX_CHARS, _line_weight) for chars in (False, True)}


def shingle_sequence(text: str, language: str | None, cfg: DedupConfig) -> np.ndarray:
    """32-bit hashes of the text's shingles in text order (stable across processes: crc32)."""
    codes, n = _unit_codes(text, language, cfg)
    if not len(codes):
        return np.zeros(0, dtype=np.uint64)
    n = min(n, len(codes))
    width = len(codes) - n + 1
    h = np.zeros(width, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            h = (h ^ codes[k:k + width]) * _MIX
    return (h ^ (h >> np.uint64(32))) & _MASK32


def shingle_set(text: str, language: str | None, cfg: DedupConfig) -> np.ndarray:
    """Sorted unique shingle hashes: what the pair check compares."""
    return _unique(shingle_sequence(text, language, cfg))


def _unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` of a 1-d array: sorted, then the first of each run of equal values. numpy 2's
    ``np.unique`` takes about five times as long on a text's ~1,400 shingle hashes (it hashes first)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def _unique_first(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_index=True)`` of a 1-d array: a stable argsort, as numpy's own, so each
    distinct value comes with the position of its first occurrence."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first], order[first]


def passage_keys(sequence: np.ndarray, cfg: DedupConfig) -> list[str]:
    """Winnowing fingerprints (Schleimer et al., SIGMOD 2003): the smallest hash of every window
    of ``passage_window`` shingles. Two texts sharing a passage of at least a window share its
    fingerprints, however short the passage is next to the rest: this proposes the excerpts and
    truncations whose Jaccard is too low for the LSH bands. The first ``max_passage_keys`` are kept
    (excerpts and truncations are leads)."""
    if len(sequence) == 0:
        return []
    w = min(cfg.passage_window, len(sequence))
    positions = _unique(_window_minima(sequence, w))
    values, first = _unique_first(sequence[positions])  # distinct, in text order below
    return [f"p{int(v):08x}" for v in values[np.argsort(first, kind="stable")][: cfg.max_passage_keys]]


def _window_minima(sequence: np.ndarray, w: int) -> np.ndarray:
    """For each window of ``w`` consecutive values, the position of its smallest (the first of equal
    ones): ``arange + sliding_window_view(sequence, w).argmin(axis=1)`` in O(n) instead of O(n·w).
    Each value is joined with its position into one uint64 (value above, position below: the smaller
    key is the smaller value, then the earlier position), and a window's minimum is that of the
    suffix of its first block of ``w`` and the prefix of the next (van Herk / Gil-Werman)."""
    n = len(sequence)
    if sequence.dtype != np.uint64 or n >= 1 << 32 or int(sequence.max()) >= 1 << 32:  # not 32-bit hashes
        first: np.ndarray = np.arange(n - w + 1) + np.lib.stride_tricks.sliding_window_view(sequence, w).argmin(axis=1)
        return first
    padded = np.full(-(-n // w) * w, np.iinfo(np.uint64).max, dtype=np.uint64)
    np.bitwise_or(sequence << np.uint64(32), np.arange(n, dtype=np.uint64), out=padded[:n])
    blocks = padded.reshape(-1, w)
    prefix = np.minimum.accumulate(blocks, axis=1).ravel()
    suffix = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    windows = n - w + 1
    return (np.minimum(suffix[:windows], prefix[w - 1:w - 1 + windows]) & _MASK32).astype(np.intp)


@dataclass(frozen=True)
class _Permutations:
    a: np.ndarray
    b: np.ndarray


_PERMS: dict[int, _Permutations] = {}


def _permutations(num_perm: int) -> _Permutations:
    if num_perm not in _PERMS:
        rng = np.random.default_rng(_PERM_SEED)
        a = rng.integers(0, np.iinfo(np.uint64).max, size=num_perm, dtype=np.uint64, endpoint=True) | np.uint64(1)
        b = rng.integers(0, np.iinfo(np.uint64).max, size=num_perm, dtype=np.uint64, endpoint=True)
        _PERMS[num_perm] = _Permutations(a[:, None], b[:, None])
    return _PERMS[num_perm]


def signature(shingles: np.ndarray, cfg: DedupConfig) -> np.ndarray:
    """MinHash signature (``num_perm`` uint32) of a shingle set: per permutation the minimum of a
    multiply-shift hash ``(a*x + b) mod 2**64 >> 32`` (Dietzfelbinger et al.; ``a`` odd): one
    multiply and one add per shingle and permutation, no modulo, vectorised block by block."""
    perms = _permutations(cfg.num_perm)
    if shingles.dtype != np.uint64:  # as numpy promotes other kinds
        out = np.full(cfg.num_perm, 0xFFFFFFFF, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for start in range(0, len(shingles), _CHUNK):
                block = shingles[start:start + _CHUNK][None, :]
                hashed = (perms.a * block + perms.b) >> np.uint64(32)
                np.minimum(out, hashed.min(axis=1), out=out)
        return out.astype(np.uint32)
    # ``>> 32`` keeps the order: the minimum of the shifted hashes is the shifted minimum (and the
    # start, 0xFFFFFFFF before, is the shifted start); products and sums in one buffer, in place
    low = np.full(cfg.num_perm, np.iinfo(np.uint64).max, dtype=np.uint64)
    buffer = np.empty((cfg.num_perm, min(len(shingles), _CHUNK)), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, len(shingles), _CHUNK):
            block = shingles[start:start + _CHUNK]
            hashed = buffer[:, :len(block)]
            np.multiply(perms.a, block[None, :], out=hashed)
            hashed += perms.b
            np.minimum(low, hashed.min(axis=1), out=low)
    return (low >> np.uint64(32)).astype(np.uint32)


def band_keys(sig: np.ndarray, cfg: DedupConfig) -> list[str]:
    """One key per LSH band: documents sharing any key are candidates."""
    rows = sig.reshape(cfg.bands, cfg.rows)
    return [f"{i:02x}{hashlib.blake2b(row.tobytes(), digest_size=8).hexdigest()}" for i, row in enumerate(rows)]


def is_passage_key(key: str) -> bool:
    return key.startswith("p")


def worth_checking(bands: int, passages: int, own_passages: int, their_passages: int, cfg: DedupConfig) -> bool:
    """Whether a candidate's shared keys justify fetching and comparing its body: several shared
    bands (similar as a whole), or shared fingerprints covering ``min_key_containment`` of the
    shorter text's fingerprints (a sample of its containment). Two stories that reuse one
    sentence or paragraph share a couple of fingerprints out of many, and are not checked."""
    if bands + passages < cfg.min_shared_keys:
        return False
    if bands >= cfg.min_shared_keys:
        return True
    smaller = max(1, min(own_passages, their_passages))
    return passages / smaller >= cfg.min_key_containment


def _shared(a: np.ndarray, b: np.ndarray) -> int:
    """``np.intersect1d(a, b, assume_unique=True).size``. Shingle sets are sorted and unique (``np.unique``, or
    as stored): then each value of the smaller is looked up in the larger by binary search, with no sort of
    both; anything else goes to ``intersect1d``."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    if (small.dtype != np.uint64 or large.dtype != np.uint64 or not len(small)
            or not (small[1:] > small[:-1]).all() or not (large[1:] > large[:-1]).all()):
        return int(np.intersect1d(a, b, assume_unique=True).size)
    at = np.searchsorted(large, small)
    at[at == len(large)] = 0  # past the end: compared with the first, which is smaller, so no match
    return int(np.count_nonzero(large[at] == small))


@dataclass(frozen=True)
class PairCheck:
    containment: float  # shared shingles / shingles of the shorter text
    jaccard: float
    duplicate: bool


def compare(a: np.ndarray, b: np.ndarray, cfg: DedupConfig) -> PairCheck:
    """The decision on two shingle sets (see the module docstring)."""
    smaller = min(len(a), len(b))
    if smaller == 0:
        return PairCheck(0.0, 0.0, False)
    shared = _shared(a, b)
    containment = shared / smaller
    jaccard = shared / (len(a) + len(b) - shared)
    return PairCheck(containment, jaccard, smaller >= cfg.min_shingles and containment >= cfg.min_containment)


def published_ms(value: str | None) -> int | None:
    """``published_at`` as epoch milliseconds (UTC when no offset); None when absent or unparsable."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def canonical_key(published: int | None, body_length: int, doc_id: str) -> tuple[int, int, int, str]:
    """Sort key of the canonical rule: earliest published (undated last), then longest body, then id."""
    return (0 if published is not None else 1, published or 0, -body_length, doc_id)


@dataclass
class Fingerprint:
    """What a document contributes to grouping; ``shingles`` stays in memory, never stored."""

    doc_id: str
    band_keys: list[str]  # LSH bands and passage fingerprints: sharing min_shared_keys proposes a pair
    signature: np.ndarray
    shingles: np.ndarray = field(repr=False)
    body_length: int = 0
    published: int | None = None
    language: str | None = None

    @cached_property
    def passage_count(self) -> int:
        return len(self.passage_keys)

    @cached_property
    def passage_keys(self) -> list[str]:
        """The winnowing fingerprints among ``band_keys`` (the rest are LSH bands)."""
        return [k for k in self.band_keys if is_passage_key(k)]

    @cached_property
    def lsh_keys(self) -> list[str]:
        return [k for k in self.band_keys if not is_passage_key(k)]


@dataclass(frozen=True)
class GroupingInput:
    """What fingerprinting reads of a document: small enough to hand to another process."""

    doc_id: str
    body: str
    language: str | None
    published_at: str | None

    @classmethod
    def of(cls, doc: Document) -> "GroupingInput":
        return cls(doc.id, doc.body, doc.language, doc.published_at)


def fingerprint(doc: GroupingInput, cfg: DedupConfig) -> Fingerprint:
    sequence = shingle_sequence(doc.body, doc.language, cfg)
    shingles = _unique(sequence)
    sig = signature(shingles, cfg)
    keys = band_keys(sig, cfg) + passage_keys(sequence, cfg) if len(shingles) >= cfg.min_shingles else []
    return Fingerprint(doc.doc_id, keys, sig, shingles, len(doc.body), published_ms(doc.published_at), doc.language)


class FingerprintStage(Stage):
    """Gives a document the "seen once" group until the run's dedup step finds its copies, and
    computes its fingerprint: at once, or (``later``) in ``fingerprint_waiting``, wherever the
    step runs (``pipeline.run.overlap`` runs it in another process). Fingerprints wait in
    ``pending`` for that step."""

    name: ClassVar[str] = "dedup"

    def __init__(self, cfg: DedupConfig, *, later: bool = False, time_limit_seconds: float | None = None) -> None:
        super().__init__(time_limit_seconds=time_limit_seconds)
        self.cfg = cfg
        self.later = later
        self.pending: list[Fingerprint] = []
        self.waiting: list[GroupingInput] = []

    def process(self, doc: Document) -> Document:
        doc.duplicate_group, doc.is_canonical, doc.duplicate_count = doc.id, True, 1
        if self.later:
            self.waiting.append(GroupingInput.of(doc))
            return doc
        problem = self._fingerprint(GroupingInput.of(doc))
        if problem:
            doc.warnings.append(problem)
        return doc

    def fingerprint_waiting(self) -> dict[str, Notice]:
        """Fingerprint what ``later`` kept; ``{id: warning}`` for those that could not be (they
        stay alone, counted as ``not-grouped``)."""
        waiting, self.waiting = self.waiting, []
        problems = {item.doc_id: self._fingerprint(item) for item in waiting}
        return {doc_id: problem for doc_id, problem in problems.items() if problem}

    def _fingerprint(self, item: GroupingInput) -> Notice | None:
        try:
            fp = fingerprint(item, self.cfg)
        except Exception as exc:  # noqa: BLE001 - grouping is extra: the document is still indexed, alone
            self.counters["not-grouped"] += 1
            return Notice(self.name, "not-grouped", f"not grouped ({type(exc).__name__}: {exc})")
        self.pending.append(fp)
        if not fp.band_keys:
            self.counters["too-short"] += 1
        return None
