"""The fingerprint's cheaper steps give what the code before them gave (kept here as the reference):
unit hashes kept across texts (``_UnitHashes``) instead of a dict a text, the winnowing minima in O(n)
(``_window_minima``) instead of an argmin of every window, the MinHash signature as the shifted minimum of
in-place products. Band keys, passage keys, signatures and shingle sets are stored and compared across
runs: they must not move by a bit."""

from __future__ import annotations

import random
import re
import unicodedata
import zlib

import numpy as np
import pytest

from pipeline.stages import dedup
from pipeline.stages.dedup import GroupingInput, fingerprint, load_dedup_config
from tests.conftest import needs_shared_pages, shared_pages

CFG = load_dedup_config()


# ---------------------------------------------------------------- the code before (e7d60d7), for reference
def _units_before(text: str, language: str | None, cfg) -> tuple[list[str], int]:
    """The units as the code before the bytes reading took them (the reference the new code must equal)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if language in cfg.char_shingle_languages:
        return [ch for ch in text if ch.isalnum()], cfg.char_shingle
    return re.findall(r"\w+", text), cfg.word_shingle


def _unit_hashes_before(units: list[str]) -> dict[str, int]:
    distinct = set(units)
    try:
        return {u: zlib.crc32(u.encode()) for u in distinct}
    except UnicodeEncodeError:
        return {u: zlib.crc32(u.encode("utf-8", "surrogatepass")) for u in distinct}


def _sequence_before(text: str, language: str | None) -> np.ndarray:
    units, n = _units_before(text, language, CFG)
    if not units:
        return np.zeros(0, dtype=np.uint64)
    codes = np.fromiter(map(_unit_hashes_before(units).__getitem__, units), dtype=np.uint64, count=len(units))
    n = min(n, len(codes))
    width = len(codes) - n + 1
    h = np.zeros(width, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            h = (h ^ codes[k:k + width]) * dedup._MIX
    return (h ^ (h >> np.uint64(32))) & dedup._MASK32


def _passage_keys_before(sequence: np.ndarray) -> list[str]:
    if len(sequence) == 0:
        return []
    w = min(CFG.passage_window, len(sequence))
    windows = np.lib.stride_tricks.sliding_window_view(sequence, w)
    positions = np.unique(np.arange(len(windows)) + windows.argmin(axis=1))
    values, first = np.unique(sequence[positions], return_index=True)
    return [f"p{int(v):08x}" for v in values[np.argsort(first, kind="stable")][: CFG.max_passage_keys]]


def _signature_before(shingles: np.ndarray) -> np.ndarray:
    perms = dedup._permutations(CFG.num_perm)
    out = np.full(CFG.num_perm, 0xFFFFFFFF, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, len(shingles), dedup._CHUNK):
            block = shingles[start:start + dedup._CHUNK][None, :]
            hashed = (perms.a * block + perms.b) >> np.uint64(32)
            np.minimum(out, hashed.min(axis=1), out=out)
    return out.astype(np.uint32)


def _fingerprint_before(doc: GroupingInput) -> tuple:
    sequence = _sequence_before(doc.body, doc.language)
    shingles = np.unique(sequence)
    sig = _signature_before(shingles)
    keys = (dedup.band_keys(sig, CFG) + _passage_keys_before(sequence)) if len(shingles) >= CFG.min_shingles else []
    return keys, sig, shingles


def _same(doc: GroupingInput) -> None:
    keys, sig, shingles = _fingerprint_before(doc)
    got = fingerprint(doc, CFG)
    assert got.band_keys == keys
    assert got.signature.dtype == sig.dtype and np.array_equal(got.signature, sig)
    assert got.shingles.dtype == shingles.dtype and np.array_equal(got.shingles, shingles)


# ------------------------------------------------------------------------------------------- texts
WORDS = "the council said on monday that new rules for water supply would start next year".split()


def _texts() -> list[str]:
    rng = random.Random(7)
    texts = ["", "word", "two words", " ".join(WORDS[:5]), " ".join(WORDS[:6]), "ÉCOLE école Ｅｃｏｌｅ ﬁne",
             "a lone \ud800 surrogate among the words of the council said on monday that new rules",
             "日本語のテキストは単語の間に空白がありません。" * 5, "数字 123 と english mixed ٣٤ words " * 7,
             " ".join(["same"] * 200), " ".join(["a", "b"] * 300)]
    texts += [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 900))) for _ in range(40)]
    texts += [" ".join(rng.choice(WORDS[:3]) for _ in range(rng.randint(20, 400))) for _ in range(20)]  # ties
    return texts


@pytest.mark.parametrize("language", ["en", "ja", None])
def test_fingerprints_equal_the_code_before_on_synthetic_texts(language):
    for i, text in enumerate(_texts()):
        _same(GroupingInput(f"d{i}", text, language, None))


@needs_shared_pages
def test_fingerprints_equal_the_code_before_on_the_shared_pages():
    for name, html in shared_pages(step=3):
        text = re.sub(r"<[^>]+>", " ", html)
        _same(GroupingInput(name, text, "en", None))
        _same(GroupingInput(name, text[:3000], "zh", None))


def test_unit_hashes_kept_across_texts_equal_a_dict_a_text_and_empty_past_their_limit(monkeypatch):
    monkeypatch.setattr(dedup, "_UNIT_HASHES", 16)
    kept = dedup._UnitHashes()
    for text in _texts():
        units, _ = _units_before(text, "en", CFG)
        assert [kept[u] for u in units] == list(map(_unit_hashes_before(units).__getitem__, units))
        assert len(kept) <= 16


def test_window_minima_equal_the_argmin_of_every_window():
    rng = np.random.default_rng(3)
    for n in (1, 2, 5, 23, 24, 25, 47, 48, 49, 100, 1000):
        for w in (1, 2, 3, 24, n):
            if w > n:
                continue
            for alphabet in (2, 5, 1 << 32):  # many ties, some, few
                seq = rng.integers(0, alphabet, size=n, dtype=np.uint64)
                want = np.arange(n - w + 1) + np.lib.stride_tricks.sliding_window_view(seq, w).argmin(axis=1)
                assert np.array_equal(dedup._window_minima(seq, w), want)
    wide = np.array([1 << 40, 3, 1 << 33, 2], dtype=np.uint64)  # not 32-bit hashes: the argmin as before
    assert np.array_equal(dedup._window_minima(wide, 2), [1, 1, 3])


def test_signature_equals_the_code_before_for_any_size_and_kind():
    rng = np.random.default_rng(5)
    for n in (0, 1, 7, dedup._CHUNK - 1, dedup._CHUNK, dedup._CHUNK + 1, 3 * dedup._CHUNK + 17):
        shingles = np.unique(rng.integers(0, 1 << 32, size=n, dtype=np.uint64))
        assert np.array_equal(dedup.signature(shingles, CFG), _signature_before(shingles))
        small = shingles.astype(np.uint32)  # another dtype goes the old way
        assert np.array_equal(dedup.signature(small, CFG), _signature_before(small))


# ------------------------------------------------------------------ s22: words as bytes, the shared count
def test_word_bytes_equal_the_regex_words_encoded_on_every_code_point():
    from pipeline.stages.words import find_word_bytes

    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    for start in range(0, len(every), 4096):  # every code point, among spaces, words and each other
        chunk = every[start:start + 4096]
        for text in (chunk, " ".join(chunk), "ab" + " x".join(chunk)):
            assert find_word_bytes(text) == [w.encode() for w in re.findall(r"\w+", text)]
    text = "a lone \ud800 surrogate\udfffhere"
    assert find_word_bytes(text) == [w.encode() for w in re.findall(r"\w+", text)]


@pytest.mark.parametrize("language", ["en", "ja", None])
def test_sequences_equal_the_string_units_hashed_on_synthetic_texts(language):
    for text in _texts():
        assert np.array_equal(dedup.shingle_sequence(text, language, CFG), _sequence_before(text, language))


def test_word_hashes_kept_across_texts_equal_crc32_and_empty_past_their_limit(monkeypatch):
    monkeypatch.setattr(dedup, "_UNIT_HASHES", 16)
    kept = dedup._UnitHashes()
    for text in _texts():
        words = [w.encode("utf-8", "surrogatepass") for w in _units_before(text, "en", CFG)[0]]
        assert [kept[w] for w in words] == [zlib.crc32(w) for w in words]
        assert len(kept) <= 16


def test_shared_count_equals_intersect1d_for_sets_and_for_anything_else():
    rng = np.random.default_rng(11)
    for _ in range(400):
        n, m = int(rng.integers(0, 300)), int(rng.integers(0, 300))
        top = int(rng.choice([4, 50, 1 << 32]))
        a = np.unique(rng.integers(0, top, size=n, dtype=np.uint64))
        b = np.unique(rng.integers(0, top, size=m, dtype=np.uint64))
        want = int(np.intersect1d(a, b, assume_unique=True).size)
        assert dedup._shared(a, b) == want and dedup._shared(b, a) == want
        assert dedup._shared(a[::-1].copy(), b) == want  # not sorted: intersect1d itself
        assert dedup._shared(a.astype(np.uint32), b.astype(np.uint32)) == want
    edge = np.array([0, 2**32 - 1], dtype=np.uint64)
    assert dedup._shared(edge, np.array([2**32 - 1], dtype=np.uint64)) == 1
    assert dedup._shared(edge, np.array([5], dtype=np.uint64)) == 0
    assert dedup._shared(np.zeros(0, np.uint64), edge) == 0
    a, b = np.array([1, 1, 2], dtype=np.uint64), np.array([1, 2, 2, 3], dtype=np.uint64)  # not unique: as before
    assert dedup._shared(a, b) == int(np.intersect1d(a, b, assume_unique=True).size)


def test_unique_and_first_positions_equal_numpys():
    rng = np.random.default_rng(13)
    for n in (0, 1, 2, 3, 10, 100, 2000):
        for top in (1, 3, 50, 1 << 32):
            for dtype in (np.uint64, np.intp, np.uint32):
                a = rng.integers(0, top, size=n).astype(dtype)
                want = np.unique(a)
                got = dedup._unique(a)
                assert got.dtype == want.dtype and np.array_equal(got, want)
                values, first = np.unique(a, return_index=True)
                got_values, got_first = dedup._unique_first(a)
                assert got_values.dtype == values.dtype and np.array_equal(got_values, values)
                assert got_first.dtype == first.dtype and np.array_equal(got_first, first)
