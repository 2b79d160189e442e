"""A run's store candidates answered in the grouping process, while every entry of the store is its own.

``group_candidates.store_candidates`` asks the store two questions a batch (the band keys, then the passage
fingerprints). In a run's grouping process, or an Airflow task's grouping thread, the store's document entries
are often exactly the ones that process wrote in this run: the first ingest of a source into an alias, a
backfill. Then the answers are known without asking: ``RunKeys`` keeps the keys of the entries the process
wrote in this run (``add``, after each ``write_entries``) and, once the batch's ``visible_checkpoint`` has
refreshed the store, ``answering`` counts the store's searchable document entries. Every entry it wrote is
among them (written before the refresh), so when they are as many, they are the same: no other entry is
there for the node to find, and ``candidates`` answers the batch as ``dedup_store.candidates`` would:

* ``bands_only``: the entries sharing at least ``min(least, keys)`` band keys, most shared first;
* ``passages_only``: the same of the passage fingerprints, ranked by shared / the smaller passage count;
* ties in the order the entries were written (the node's: its one shard numbers documents as they come).

The first time the counts differ (another source's entries, a previous run's, a document kept unchanged,
another task of the run grouping at once) the run's keys are dropped and the store is asked for the rest of
the run, as it always was; so are they past ``max_pairs`` (key, entry) pairs (12 bytes each,
``RUN_KEYS_PAIRS``): memory stays bounded whatever the corpus. An entry another process writes after the
refresh is missed as the node's answer would miss it; the batch windows of the end-of-run reconcile (``seen_seq``,
unchanged) catch it as before.

A band key is kept as its 64-bit digest with the band's number folded into the top bits: two different keys
meet with the digest's own chance (2**-64 a pair); a passage fingerprint is its 32-bit value, exactly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from pipeline.stages.dedup import Fingerprint

_FOLD = 59  # a band's number (< 32) goes to the digest's top 5 bits
RUN_KEYS_PAIRS = 3_000_000  # (key, entry) pairs a process keeps for one run: 36 MB, ~31,000 entries of 96 keys


def band_codes(keys: Sequence[str]) -> np.ndarray:
    """Band keys (``dedup.band_keys``: 2 hex digits of band number, 16 of digest) as uint64s."""
    digests = np.frombuffer(bytes.fromhex("".join(k[2:] for k in keys)), dtype=">u8").astype(np.uint64)
    bands = np.frombuffer(bytes.fromhex("".join(k[:2] for k in keys)), dtype=np.uint8).astype(np.uint64)
    return digests ^ (bands << np.uint64(_FOLD))


def passage_codes(keys: Sequence[str]) -> np.ndarray:
    """Passage fingerprints (``p`` and 8 hex digits) as their values."""
    return np.frombuffer(bytes.fromhex("".join(k[1:] for k in keys)), dtype=">u4").astype(np.uint64)


class _Postings:
    """key -> positions of the entries holding it: sorted runs (keys, positions), the newest last; a run
    is merged into the one before it once that one is at most twice its size, so each pair is re-sorted
    O(log n) times in all."""

    def __init__(self) -> None:
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, keys: np.ndarray, positions: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        self.runs.append((keys[order], positions[order]))
        while len(self.runs) > 1 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            (k1, p1), (k2, p2) = self.runs.pop(-2), self.runs.pop()
            keys, positions = np.concatenate([k1, k2]), np.concatenate([p1, p2])
            order = np.argsort(keys, kind="stable")
            self.runs.append((keys[order], positions[order]))

    def shared(self, keys: np.ndarray, rows: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For asking keys (each with the row of the document asking), the (row, position, keys shared) of
        every entry sharing at least one: one sort of the matches, whatever the number of runs."""
        codes = []
        for run_keys, run_positions in self.runs:
            lo = np.searchsorted(run_keys, keys, side="left")
            lengths = np.searchsorted(run_keys, keys, side="right") - lo
            total = int(lengths.sum())
            if not total:
                continue
            starts = np.repeat(lo - (np.cumsum(lengths) - lengths), lengths)
            found = run_positions[starts + np.arange(total)]
            codes.append(np.repeat(rows, lengths).astype(np.int64) * n + found)
        if not codes:
            empty = np.zeros(0, np.int64)
            return empty, empty, empty
        pairs, counts = np.unique(np.concatenate(codes), return_counts=True)
        return pairs // n, pairs % n, counts


class RunKeys:
    """The keys, labels and passage counts of the entries this process wrote in one run (module docstring)."""

    def __init__(self, max_pairs: int) -> None:
        self.max_pairs = max_pairs
        self.owner: tuple[str, str] | None = None
        self._lock = threading.Lock()  # one grouping thread a process in a run; tests race two
        self._reset()

    def _reset(self, on: bool = True) -> None:
        self.on, self.pairs = on, 0
        self.ids: list[str] = []
        self.groups: list[str] = []
        self.passage_counts: list[int] = []
        self.position: dict[str, int] = {}
        self.bands, self.passages = _Postings(), _Postings()

    def _own(self, alias: str, run_id: str) -> None:
        if self.owner != (alias, run_id):
            self.owner = (alias, run_id)
            self._reset()

    def answering(self, alias: str, run_id: str, stored: Callable[[], int]) -> RunKeys | None:
        """Itself when the store's document entries (``stored()``, counted after a refresh) are the ones it
        holds; else None, and the run's keys are dropped (the store is asked from now on)."""
        with self._lock:
            self._own(alias, run_id)
            if self.on and stored() == len(self.ids):
                return self
            self._reset(on=False)
            return None

    def add(self, alias: str, run_id: str, fps: Sequence[Fingerprint], groups: dict[str, str]) -> None:
        """Entries just written (``groups``: their labels as written)."""
        with self._lock:
            self._add(alias, run_id, fps, groups)

    def _add(self, alias: str, run_id: str, fps: Sequence[Fingerprint], groups: dict[str, str]) -> None:
        self._own(alias, run_id)
        if not self.on:
            return
        new = [fp for fp in fps if fp.doc_id not in self.position]
        self.pairs += sum(len(fp.band_keys) for fp in new)
        if len(new) < len(fps) or self.pairs > self.max_pairs:  # rewritten in one run, or too many to keep
            self._reset(on=False)
            return
        band_rows, passage_rows = [], []
        for fp in new:
            at = self.position[fp.doc_id] = len(self.ids)
            self.ids.append(fp.doc_id)
            self.groups.append(groups.get(fp.doc_id, fp.doc_id))
            self.passage_counts.append(fp.passage_count)
            band_rows += [at] * len(fp.lsh_keys)
            passage_rows += [at] * len(fp.passage_keys)
        self.bands.add(band_codes([k for fp in new for k in fp.lsh_keys]), np.array(band_rows, np.int32))
        self.passages.add(passage_codes([k for fp in new for k in fp.passage_keys]), np.array(passage_rows, np.int32))

    def candidates(self, fps: Sequence[Fingerprint], size: int, least: int, *, bands_only: bool = False,
                   passages_only: bool = False) -> dict[str, list[dict[str, Any]]]:
        """``dedup_store.candidates(..., bands_only=...)`` or ``(..., passages_only=...)``, answered here."""
        if bands_only == passages_only:
            raise ValueError("one kind of key at a time")
        with self._lock:
            return self._candidates(fps, size, least, bands_only)

    def _candidates(self, fps: Sequence[Fingerprint], size: int, least: int,
                    bands_only: bool) -> dict[str, list[dict[str, Any]]]:
        passages_only = not bands_only
        asked = [(fp, fp.lsh_keys if bands_only else fp.passage_keys) for fp in fps]
        asked = [(fp, keys) for fp, keys in asked if keys]
        keys = (band_codes if bands_only else passage_codes)([k for _, ks in asked for k in ks])
        rows = np.repeat(np.arange(len(asked)), [len(ks) for _, ks in asked])
        postings = self.bands if bands_only else self.passages
        n = max(1, len(self.ids))
        row_of, position, shared = postings.shared(keys, rows, n)
        out: dict[str, list[dict[str, Any]]] = {fp.doc_id: [] for fp, _ in asked}
        theirs = np.array(self.passage_counts, np.int64)[position] if len(position) else np.zeros(0, np.int64)
        own = np.array([len(ks) for _, ks in asked], np.int64)[row_of] if len(row_of) else np.zeros(0, np.int64)
        need = np.minimum(least, own)
        # ES's score: shared bands; shared fingerprints x max(1 / own, 1 / theirs), i.e. / the smaller count
        score = shared / np.maximum(1, np.minimum(own, theirs)) if passages_only else shared.astype(np.float64)
        itself = np.array([self.position.get(fp.doc_id, -1) for fp, _ in asked], np.int64)
        keep = (shared >= need) & (position != itself[row_of])
        row_of, position, shared, score = row_of[keep], position[keep], shared[keep], score[keep]
        order = np.lexsort((position, -score, row_of))
        row_of, position, shared = row_of[order], position[order], shared[order]
        rank = np.arange(len(row_of)) - np.searchsorted(row_of, row_of, side="left")
        for r, p, s in zip(*(a[rank < size].tolist() for a in (row_of, position, shared))):
            out[asked[r][0].doc_id].append({
                "doc_id": self.ids[p], "group": self.groups[p], "passage_count": self.passage_counts[p],
                "_bands": s if bands_only else 0, "_passages": 0 if bands_only else s})
        return out


# set in the processes that group (``keep_run_keys``), as ``group_links``' written shingle sets are
_KEYS: RunKeys | None = None


def keep_run_keys(max_pairs: int) -> None:
    """From now on this process keeps the keys of the entries it writes (``RunKeys``); a process that
    already does keeps what it has (``airflow dags test`` runs every task in one process)."""
    global _KEYS
    if _KEYS is None or _KEYS.max_pairs != max_pairs:
        _KEYS = RunKeys(max_pairs)


def run_keys() -> RunKeys | None:
    return _KEYS
