"""The child side of the stage worker (``pipeline/run/isolated.py``): warm up, then run documents.

Its messages carry ``time.monotonic()`` (the system-wide clock) of when they were sent: the parent's kill
deadline for the next stage counts from there, even when the parent reads them late.

Started as ``python -m pipeline.run.isolated_child READ_FD WRITE_FD STATUS_FD`` by ``StageWorker.start``.

Two pipes back: ``WRITE_FD`` carries what the parent waits for (ready, each finished document, errors,
the ``untimed`` notices, and a stage's end when it carries learned line statistics); ``STATUS_FD`` carries
the other stages' ends (counters, seconds), which the parent reads when it needs them (at a document's
end, at a deadline) instead of being woken for each: five wake-ups a document became one."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pipeline.document import Document
from pipeline.run.heap import fewer_young_collections, freeze_long_lived
from pipeline.run.worker import STAGE_WORKER, name_process
from pipeline.stages.base import DocumentTimeout, Stage, listen_untimed, set_signal_handler
from pipeline.stages.clean import Clean
from pipeline.stages.clean.repetition import SourceStats

WARM_PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Le conseil adopte le budget</title>
<meta property="og:site_name" content="Exemple"><meta name="author" content="Marie Dupont">
<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-03-05T10:00:00Z"}</script>
</head><body><nav><a href="/">Accueil</a></nav><article><h1>Le conseil adopte le budget</h1>
<p>PARIS, 5 mars (AFP) - Le conseil municipal a adopté mardi le budget de la ville après un long débat sur les
écoles, les transports et le logement social, a annoncé la mairie dans un communiqué.</p>
<p>Москва. Правительство сообщило во вторник, что бюджет города будет принят после долгого обсуждения.</p>
<p>東京都は火曜日、来年度の予算案を発表した。学校と交通への支出が増える見通しだ。</p>
<p>أعلنت الحكومة يوم الثلاثاء أن ميزانية المدينة ستُعتمد بعد نقاش طويل حول المدارس.</p>
<p>Der Stadtrat hat am Dienstag den Haushalt beschlossen, nach einer langen Debatte über Schulen.</p>
</article><footer>Partager sur Facebook</footer></body></html>"""


def warm_up(stages: list[Stage]) -> None:
    """Load what every document needs, outside any document's time limit: the models, the gazetteer,
    the common and English rules and place names, a few pages through every stage.

    Without a limit: a cache whose building a timeout interrupts is built again by the next document
    (the places stage's gazetteer takes seconds on a busy machine: under a 3 s limit every document
    failed as places/timeout). What one language needs (its rule pack, its place names: 20 packs and 55
    languages took 1.1 s here) is built by the first document of that language, outside that document's
    time limit too (``pipeline.stages.base.untimed``).

    Then the heap it leaves is frozen (``pipeline.run.heap.freeze_long_lived``): the models' and tables'
    objects live as long as the process, and every full collection walked them again (about 80 ms each,
    a few hundred documents apart: 0.55 against 0.27 ms of collections a document, docs/performance.md);
    and the youngest generation is collected less often (``fewer_young_collections``: 0.18 ms a document)."""
    limits = [stage.time_limit_seconds for stage in stages]
    for stage in stages:
        stage.time_limit_seconds = None
    try:
        _warm(stages)
    finally:
        for stage, limit in zip(stages, limits, strict=True):
            stage.time_limit_seconds = limit
    freeze_long_lived()
    fewer_young_collections()


def _warm(stages: list[Stage]) -> None:
    import tempfile

    from pipeline.stages.clean import load_packs
    from pipeline.stages.geo.dateline import date_words
    from pipeline.stages.geo.gazetteer import load_gazetteer
    from pipeline.stages.geo.mentions import matcher_for

    load_packs().for_language("en")  # the common rules and English (most documents)
    try:
        from trafilatura.external import jt_stoplist_init

        jt_stoplist_init()  # trafilatura's justext fallback: the stoplists of every language (seconds)
    except ImportError:
        pass
    load_gazetteer()
    for language in ("en", None):  # the places stage's name tables (every language's include English's)
        matcher_for(language)
        date_words(language)
    with tempfile.TemporaryDirectory(prefix="stage-warm-") as tmp:
        for name, data in (("warm.html", WARM_PAGE.encode("utf-8")),
                           ("warm.txt", _plain(WARM_PAGE).encode("utf-8")),
                           ("warm-legacy.txt", _plain(WARM_PAGE).encode("cp1252", "replace")),
                           ("warm-bare.html", b"<html><body><div>Le conseil.</div></body></html>")):
            path = Path(tmp) / name
            path.write_bytes(data)
            doc = Document(source=name, source_path=str(path))
            for stage in stages:
                doc = stage(doc)
            for stage in stages:  # the warm-up is nobody's work
                stage.counters.clear()
                stage.seconds = 0.0


def _plain(html: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "\n", html)


def _child(read_fd: int, write_fd: int, status_fd: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    name_process(STAGE_WORKER)
    try:  # die with the parent, even while stuck in C code
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    inbox, outbox = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    status = Connection(status_fd, readable=False)
    if os.getppid() == 1:
        return  # the parent is already gone
    try:
        msg = inbox.recv()  # ("configure", build): the first batch's stages
        stages: list[Stage] = msg[1]()
        warm_up(stages)
    except BaseException as exc:  # noqa: BLE001 - the parent reports it
        outbox.send(("error", RuntimeError(f"the stage worker could not warm up: {type(exc).__name__}: {exc}")))
        return
    outbox.send(("ready", os.getpid()))
    listen_untimed(lambda on: _tell_untimed(outbox, on))
    while True:
        try:
            msg = inbox.recv()
        except DocumentTimeout:  # a timer that outlived its document fired while idle
            settle_alarm()
            continue
        except (EOFError, OSError):
            return
        try:
            if msg[0] == "configure":
                stages = msg[1]()
                continue
            outbox.send(_run_document(stages, msg[1], status, outbox))
        except BaseException as exc:  # noqa: BLE001 - e.g. a broken rule file (PermanentError): the parent raises it
            try:
                outbox.send(("error", exc))
            except Exception:  # noqa: BLE001 - an exception that does not pickle
                outbox.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))


def _tell_untimed(outbox: Connection, on: bool) -> None:
    """A cache of the process is being built for the document (``untimed``), or is built: the parent's
    deadline for the stage waits meanwhile (``StageWorker.process``)."""
    try:
        outbox.send(("untimed", on, time.monotonic()))
    except (OSError, ValueError):
        pass  # the parent is gone: the next send says so


_SIGALRM = int(signal.SIGALRM)


def _ignore_alarm(signum: int, frame: object) -> None:
    """A late tick of a document's timer, after its block: nothing to interrupt any more."""


def settle_alarm() -> None:
    """No timer outlives a stage. ``time_limit``'s timer repeats until its block's cleanup stops it,
    and that cleanup can itself be cut short: a tick that lands as the block exits (in the context
    manager's ``__exit__``, or in a generator closed during garbage collection, where Python drops the
    exception) leaves the timer armed and its handler raising. Seen in the fuzz campaign (seed 4,
    chunk #10,000, under load): the next stages of the document failed as timeouts, then the tick hit
    the worker's idle loop and the parent stopped the whole run. The child has no outer timer, so
    after every stage it disarms the timer and leaves a handler that ignores a tick already on its way."""
    for _ in range(3):
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
            set_signal_handler(_SIGALRM, _ignore_alarm)
            return
        except DocumentTimeout:
            continue


def _run_document(stages: list[Stage], doc: Document, status: Connection, outbox: Connection) -> tuple[Any, ...]:
    """``doc`` through ``stages``; each stage's end on ``status`` (on ``outbox`` when it carries learned line
    statistics, which the parent must not wait to read); the ``done`` message to send."""
    learner = next((s for s in stages if isinstance(s, Clean)), None)
    for stage in stages:
        stage.counters = Counter()
        stage.seconds = 0.0
    if learner is not None:
        learner.learned = SourceStats()
    for i, stage in enumerate(stages):
        try:
            doc = stage(doc)
        except DocumentTimeout as exc:  # raised where the stage's own handler could not catch it (below)
            doc.fail(stage.name, "timeout", f"{stage.name} took too long: {exc}")
            stage.counters["documents"] += 1
            stage.counters["failed/timeout"] += 1
        settle_alarm()
        learned = learner.learned if learner is not None and stage is learner and learner.learned.documents else None
        (status if learned is None else outbox).send(("did", i, dict(stage.counters), stage.seconds, learned,
                                                     time.monotonic()))
    doc.raw_text = ""  # never indexed, and the biggest thing a document holds: not sent back
    return ("done", doc, time.monotonic())


if __name__ == "__main__":
    _child(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
