"""One writer at a time per alias: a lease document in Elasticsearch.

The lease is the document ``etl-leases/<alias>``. A run takes it with ``op_type=create`` (so of
two runs exactly one succeeds), keeps it alive with heartbeats from a background thread while
it works, and deletes it when it ends. A lease whose holder stopped heartbeating (a killed
process, a lost worker) expires after ``ttl`` seconds and may be taken over, with
``if_seq_no``/``if_primary_term`` so two runs racing for an expired lease cannot both win.

The holder is the *run* (its run id), not a process: under Airflow the start task takes it, the
batch tasks renew it from other processes or hosts, and the teardown releases it. Every renewal
checks the holder, so a run whose lease was taken over stops with ``LeaseLost`` instead of
writing next to the new holder.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from elasticsearch import ConflictError, NotFoundError

from pipeline.config import IndexSizes
from pipeline.elastic.indices import LEASES_INDEX, LEASES_TEMPLATE, ensure_index, support_settings
from pipeline.errors import PermanentError

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
_ACTIVE: set[tuple[str, str]] = set()  # (alias, run id) of the process-bound leases this process holds


class LeaseHeld(PermanentError):
    """Another run holds the alias's lease (and kept it past our wait)."""


class LeaseLost(PermanentError):
    """Our lease expired and another run took it: stop writing."""


@dataclass(frozen=True)
class Lease:
    alias: str
    run_id: str
    host: str
    pid: int
    acquired_at: str
    heartbeat_at: str
    expires_at_ms: int
    process_bound: bool = False  # the whole run lives in the holder's process (the CLI), not in tasks

    @property
    def orphaned(self) -> bool:
        """A process-bound lease whose run is over although it has not expired: its process is gone
        (same host), or it is this process and the run is no longer active here (its release failed,
        e.g. because the cluster was down). Under Airflow the run spans processes, so only expiry counts."""
        if not self.process_bound or self.host != socket.gethostname():
            return False
        if self.pid == os.getpid():
            return (self.alias, self.run_id) not in _ACTIVE
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def describe(self) -> str:
        left = (self.expires_at_ms - _now_ms()) / 1000
        return (f"run {self.run_id} (host {self.host}, pid {self.pid}) since {self.acquired_at}, last heartbeat "
                f"{self.heartbeat_at}, expires in {left:.0f}s")


def _now_ms() -> int:
    return int(time.time() * 1000)


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="seconds")


def _record(alias: str, run_id: str, ttl: float, acquired_at: str | None = None,
            process_bound: bool = False) -> dict[str, Any]:
    now = _now_ms()
    return {"alias": alias, "run_id": run_id, "host": socket.gethostname(), "pid": os.getpid(),
            "acquired_at": acquired_at or _iso(now), "heartbeat_at": _iso(now), "expires_at_ms": now + int(ttl * 1000),
            "process_bound": process_bound}


def _get(es: Any, alias: str) -> tuple[Lease, int, int] | None:
    try:
        doc = es.get(index=LEASES_INDEX, id=alias)
    except NotFoundError:
        return None
    return Lease(**doc["_source"]), doc["_seq_no"], doc["_primary_term"]


def current_lease(es: Any, alias: str) -> Lease | None:
    """The lease on ``alias`` (None: free, or no run ever took one: a read creates nothing)."""
    found = _get(es, alias)
    return found[0] if found else None


def acquire(es: Any, alias: str, run_id: str, *, ttl: float, wait: float, support: IndexSizes,
            process_bound: bool = False, sleep: Callable[[float], None] = time.sleep) -> Lease:
    """Take the alias's lease for ``run_id``, waiting up to ``wait`` seconds for another holder;
    ``LeaseHeld`` names the holder when the wait runs out. Taking a lease we already hold renews it.
    ``process_bound``: the run lives in this process only (the CLI), so once this process is gone the
    lease is free at once instead of after ``ttl``."""
    ensure_index(es, LEASES_INDEX, LEASES_TEMPLATE, settings=support_settings(support))
    deadline = time.monotonic() + wait
    announced = False
    while True:
        try:
            record = _record(alias, run_id, ttl, process_bound=process_bound)
            es.index(index=LEASES_INDEX, id=alias, document=record, op_type="create")
            return _held(Lease(**record))
        except ConflictError:
            pass
        found = _get(es, alias)
        if found is not None:
            lease, seq_no, term = found
            if lease.run_id == run_id or lease.expires_at_ms <= _now_ms() or lease.orphaned:
                if lease.run_id != run_id:
                    log.warning("taking over the %s lease on %s from %s", "expired" if lease.expires_at_ms
                                <= _now_ms() else "orphaned", alias, lease.describe())
                record = _record(alias, run_id, ttl, lease.acquired_at if lease.run_id == run_id else None,
                                 process_bound=process_bound)
                try:
                    es.index(index=LEASES_INDEX, id=alias, document=record, if_seq_no=seq_no,
                             if_primary_term=term)
                    return _held(Lease(**record))
                except ConflictError:
                    pass  # someone else renewed or took it first: look again
            elif time.monotonic() >= deadline:
                raise LeaseHeld(f"alias {alias} is being written by {lease.describe()}; waited {wait:.0f}s "
                                f"(run.lease_wait_seconds). Try again when that run has finished")
            elif not announced:
                log.warning("alias %s is being written by %s: waiting up to %.0fs", alias, lease.describe(), wait)
                announced = True
        sleep(POLL_SECONDS)


def _held(lease: Lease) -> Lease:
    if lease.process_bound:
        _ACTIVE.add((lease.alias, lease.run_id))
    return lease


def renew(es: Any, alias: str, run_id: str, *, ttl: float, attempts: int = 8) -> Lease:
    """Push our lease's expiry ``ttl`` seconds ahead; ``LeaseLost`` when it is not ours any more.

    Several tasks of one run (mapped batches on several workers) renew the same lease at once: a
    conflicting write is looked at again, and only a different holder means the lease is lost."""
    for _ in range(attempts):
        found = _get(es, alias)
        if found is None or found[0].run_id != run_id:
            holder = found[0].describe() if found else "nobody (it was released or expired and removed)"
            raise LeaseLost(f"run {run_id} lost its lease on alias {alias}; now held by {holder}")
        lease, seq_no, term = found
        record = _record(alias, run_id, ttl, lease.acquired_at, process_bound=lease.process_bound)
        try:
            es.index(index=LEASES_INDEX, id=alias, document=record, if_seq_no=seq_no, if_primary_term=term)
            return Lease(**record)
        except ConflictError:
            time.sleep(random.uniform(0.01, 0.1))  # another task of ours renewed first: look again
    raise LeaseLost(f"run {run_id}: the lease on alias {alias} kept changing while renewing it "
                    f"({attempts} conflicting writes)")


def release(es: Any, alias: str, run_id: str) -> bool:
    """Delete our lease (idempotent; somebody else's lease is left alone). True when one was released.
    Once called, a process-bound lease counts as orphaned here even if the delete fails."""
    _ACTIVE.discard((alias, run_id))
    try:
        found = _get(es, alias)
    except NotFoundError:
        return False
    if found is None or found[0].run_id != run_id:
        return False
    try:
        es.delete(index=LEASES_INDEX, id=alias, if_seq_no=found[1], if_primary_term=found[2])
    except (ConflictError, NotFoundError):
        return False
    return True


class Heartbeat:
    """Renews a lease every ``ttl / 3`` seconds from a daemon thread while a step works."""

    def __init__(self, es: Any, alias: str, run_id: str, ttl: float) -> None:
        self.es, self.alias, self.run_id, self.ttl = es, alias, run_id, ttl
        self.lost: LeaseLost | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{alias}", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(max(0.2, self.ttl / 3)):
            try:
                renew(self.es, self.alias, self.run_id, ttl=self.ttl)
            except LeaseLost as exc:
                self.lost = exc
                log.error("%s", exc)
                return
            except Exception as exc:  # noqa: BLE001 - a missed beat is fine; the next one retries
                log.warning("lease heartbeat for %s failed: %s", self.alias, exc)

    def start(self) -> "Heartbeat":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


@contextmanager
def holding(es: Any, alias: str, run_id: str, ttl: float) -> Iterator[Heartbeat]:
    """Check that ``run_id`` still holds the lease (renewing it), keep it alive while the block runs,
    and raise ``LeaseLost`` afterwards if it was taken over meanwhile."""
    renew(es, alias, run_id, ttl=ttl)
    beat = Heartbeat(es, alias, run_id, ttl).start()
    try:
        yield beat
    finally:
        beat.stop()
    if beat.lost is not None:
        raise beat.lost
