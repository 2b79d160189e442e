"""The per-document stages in a warm worker process that is killed and replaced when it overruns.

The document time limit (``pipeline.stages.base.time_limit``) is a SIGALRM timer: it stops Python
code and the ``re`` engine, but a call inside a C extension only when it returns to the interpreter.
One tag with 100,000 attributes keeps libxml2 busy for minutes in one call (quadratic in them;
``benchmarks/c_bound.py``). So a batch runs its per-document stages (extract -> clean -> language ->
enrich -> geo) in a child process, as datatrove runs extraction in a process it can kill:

* the child is started once per process and warmed before it takes a document (rule packs of every
  language compiled, language profiles and charset tables loaded, trafilatura's justext stoplists
  built, a page in several scripts run through every stage), so no first-use loading counts against a
  document's limit; it is kept for every later batch of the process;
* the child runs the stages exactly as in process (each under its own SIGALRM limit), telling the
  parent which stage a document is in; a stage still running ``KILL_AFTER`` x its limit later is in
  uninterruptible code: the parent kills the child (SIGKILL), records ``<stage>/timeout`` for the
  document, runs the later stages that take failed documents (enrich gives them their id) and starts
  a new child (warmed while the batch goes on). A child that dies on its own (a crash in C code,
  the kernel's OOM killer) fails its document as ``<stage>/crashed`` the same way;
* after ``RECYCLE_AFTER`` documents a fresh child replaces it, between two documents;
* counters, timings and the clean stage's learned line statistics come back with each document and
  are added to the parent's stage objects, which the batch report and ``RecordLineStats`` read.

The pipe is ``multiprocessing.connection.Connection`` over two ``os.pipe`` descriptors of a
``subprocess.Popen`` child (``python -m pipeline.run.isolated``): it works from any process, also
a daemonic pool worker that multiprocessing would not let have children. The child dies with its
parent (``PR_SET_PDEATHSIG``), and it ignores SIGINT (the parent decides).
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pipeline.document import Document
from pipeline.stages.base import Stage, Step
from pipeline.stages.clean import Clean
from pipeline.stages.clean.repetition import SourceStats

RECYCLE_AFTER = 10_000  # documents a child takes before a fresh one replaces it (caches of every language and
# script grow slowly on hostile input: the fuzzing campaign saw +90 MiB over 10,000 files); a ~5 s warm-up each time
KILL_AFTER = 1.5  # a stage still running this many times its limit is stuck in C code: kill the child
START_TIMEOUT_SECONDS = 600.0  # loading and warming the models (seconds; minutes on an overloaded machine)
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_ENV_PREFIXES = ("ETL_", "PIPELINE_", "ES_")  # settings a child reads when it starts: a change restarts it

StageBuilder = Callable[[], list[Stage]]  # picklable: e.g. functools.partial(document_stages, run, ...)


class Isolated(Step):
    """The per-document ``stages`` of a batch, run in this process's stage worker (see the module doc).

    ``build`` makes the same stages in the child (a picklable callable: ``functools.partial`` of
    ``document_stages`` with this batch's arguments). ``parts`` are the parent's own stage objects:
    the report's counters and timings, and the learned statistics, are theirs."""

    name = "isolated"

    def __init__(self, stages: list[Stage], build: StageBuilder) -> None:
        super().__init__()
        self.parts = stages
        self.build = build

    def run(self, docs: Iterable[Document]) -> Iterator[Document]:
        worker = stage_worker()
        for doc in docs:
            if doc.unchanged:  # every stage passes an unchanged document on untouched
                yield doc
                continue
            yield worker.process(doc, self)


class StageWorker:
    """One child process running the stages; replaced when it is killed or dies."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.inbox: Connection | None = None  # child -> parent
        self.outbox: Connection | None = None  # parent -> child
        self.ready = False
        self.configured: StageBuilder | None = None
        self.env_key: tuple[tuple[str, str], ...] = ()
        self.started = 0  # children started (1 + the replacements)
        self.killed = 0  # children killed for an overrun
        self.died = 0  # children that died on their own
        self.recycled = 0  # children replaced after RECYCLE_AFTER documents
        self.documents = 0  # documents the current child has taken

    # ------------------------------------------------------------------ lifecycle
    def start(self, build: StageBuilder) -> None:
        """Start a child that builds its stages with ``build`` and warms them up (``wait_ready`` waits)."""
        child_read, parent_write = os.pipe()
        parent_read, child_write = os.pipe()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        self.env_key = _env_key()
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "pipeline.run.isolated", str(child_read),
                                          str(child_write)], pass_fds=(child_read, child_write), env=env,
                                         stdin=subprocess.DEVNULL, close_fds=True)
        finally:
            os.close(child_read)
            os.close(child_write)
        self.inbox = Connection(parent_read, writable=False)
        self.outbox = Connection(parent_write, readable=False)
        self.ready, self.documents = False, 0
        self.outbox.send(("configure", build))
        self.configured = build
        self.started += 1

    def wait_ready(self, build: StageBuilder) -> None:
        """Start a child if there is none (or the settings in the environment changed) and wait until it
        has warmed up."""
        if self.proc is None or _env_key() != self.env_key:
            self.stop()
            self.start(build)
        if self.ready:
            return
        assert self.inbox is not None
        if not self.inbox.poll(START_TIMEOUT_SECONDS):
            self.stop()
            raise RuntimeError(f"the stage worker did not start within {START_TIMEOUT_SECONDS:g} s")
        try:
            msg = self.inbox.recv()
        except (EOFError, OSError):
            code = self.proc.wait() if self.proc else None
            self.stop()
            raise RuntimeError(f"the stage worker died while starting (exit {code}); see its messages above") from None
        _raise_if_error(msg)
        self.ready = True

    def stop(self) -> None:
        """Kill the child (if any) and close the pipes."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
        for conn in (self.inbox, self.outbox):
            if conn is not None:
                conn.close()
        self.proc = self.inbox = self.outbox = None
        self.ready, self.configured = False, None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def rss_mib(self) -> float:
        """Resident memory of the current child (0 when there is none)."""
        return _rss_mib(self.pid) if self.pid else 0.0

    # ------------------------------------------------------------------ one document
    def process(self, doc: Document, step: Isolated) -> Document:
        self.wait_ready(step.build)
        assert self.inbox is not None and self.outbox is not None
        if self.configured is not step.build:
            self.outbox.send(("configure", step.build))
            self.configured = step.build
        self.outbox.send(("doc", doc))
        stage, started = 0, time.monotonic()
        while True:
            limit = step.parts[stage].time_limit_seconds if stage < len(step.parts) else None
            wait = None if not limit else started + KILL_AFTER * limit - time.monotonic()
            if wait is not None and wait <= 0:
                return self._lost(doc, step, stage, started, "timeout")
            try:
                if not self.inbox.poll(wait):
                    continue  # the deadline is checked again at the top
                msg = self.inbox.recv()
            except (EOFError, OSError):
                return self._lost(doc, step, stage, started, "crashed")
            if msg[0] == "did":  # stage i is done (its counters, time, learned statistics): the next begins
                _, i, counters, seconds, learned = msg
                part = step.parts[i]
                part.counters.update(counters)
                part.seconds += seconds
                if learned is not None and isinstance(part, Clean):
                    part.learned.merge(learned)
                stage, started = i + 1, time.monotonic()
                continue
            _raise_if_error(msg)
            done: Document = msg[1]  # ("done", document)
            self.documents += 1
            if self.documents >= RECYCLE_AFTER:
                self.stop()
                self.recycled += 1
                self.start(step.build)  # warms up while the caller carries on
            return done

    def _lost(self, doc: Document, step: Isolated, stage: int, started: float, code: str) -> Document:
        """The child overran (``timeout``: killed) or died (``crashed``) on ``doc`` in ``step.parts[stage]``."""
        elapsed = time.monotonic() - started
        exit_code = None
        if code == "crashed" and self.proc is not None:
            try:
                exit_code = self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.stop()
        part = step.parts[stage]
        if code == "timeout":
            self.killed += 1
            doc.fail(part.name, "timeout", f"{part.name} took too long: over the time limit of "
                     f"{part.time_limit_seconds:g} s (stuck in a call that cannot be interrupted: its worker "
                     f"process was stopped after {elapsed:.1f} s)")
        else:
            self.died += 1
            doc.fail(part.name, "crashed", f"{part.name}: the worker process died (exit {exit_code}) "
                     f"after {elapsed:.1f} s on this document")
        part.counters["documents"] += 1
        part.counters[f"failed/{code}"] += 1
        part.seconds += elapsed
        for later in step.parts[stage + 1:]:
            doc = later(doc)  # in this process: only a stage that takes failed documents does anything
        self.start(step.build)  # the replacement warms up while the caller carries on
        return doc


def _raise_if_error(msg: tuple[Any, ...]) -> None:
    if msg[0] == "error":
        raise msg[1]


def _env_key() -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(_ENV_PREFIXES)))


def _rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


_WORKER: StageWorker | None = None


def stage_worker() -> StageWorker:
    """This process's stage worker (started on first use, stopped when the process exits)."""
    global _WORKER
    if _WORKER is None:
        _WORKER = StageWorker()
        atexit.register(_WORKER.stop)
    return _WORKER


# ---------------------------------------------------------------------------------------- the child
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
    """Load everything the stages load on first use, outside any document's time limit.

    Without a limit: a cache whose building a timeout interrupts is built again by the next document
    (the places stage's gazetteer takes seconds on a busy machine: under a 3 s limit every document
    failed as places/timeout)."""
    limits = [stage.time_limit_seconds for stage in stages]
    for stage in stages:
        stage.time_limit_seconds = None
    try:
        _warm(stages)
    finally:
        for stage, limit in zip(stages, limits, strict=True):
            stage.time_limit_seconds = limit


def _languages() -> list[str]:
    """Every language the stages may meet: the rule packs' and the language detector's."""
    from pipeline.stages.clean import load_packs

    found = set(load_packs().available)
    try:
        import langdetect

        profiles = Path(langdetect.__file__).parent / "profiles"
        found |= {p.name.split("-")[0] for p in profiles.iterdir()}
    except (ImportError, OSError):
        pass
    return sorted(found)


def _warm(stages: list[Stage]) -> None:
    import tempfile

    from pipeline.stages.clean import load_packs
    from pipeline.stages.geo.dateline import date_words
    from pipeline.stages.geo.gazetteer import load_gazetteer
    from pipeline.stages.geo.mentions import matcher_for

    packs = load_packs()
    for pack in sorted(packs.available):
        packs.for_language(pack)
    try:
        from trafilatura.external import jt_stoplist_init

        jt_stoplist_init()  # trafilatura's justext fallback: the stoplists of every language (seconds)
    except ImportError:
        pass
    load_gazetteer()
    languages: list[str | None] = [*_languages(), None]
    for language in languages:  # the places stage's per-language name tables
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


def _child(read_fd: int, write_fd: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:  # die with the parent, even while stuck in C code
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    inbox, outbox = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
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
    while True:
        try:
            msg = inbox.recv()
        except (EOFError, OSError):
            return
        try:
            if msg[0] == "configure":
                stages = msg[1]()
                continue
            outbox.send(_run_document(stages, msg[1], outbox))
        except BaseException as exc:  # noqa: BLE001 - e.g. a broken rule file (PermanentError): the parent raises it
            try:
                outbox.send(("error", exc))
            except Exception:  # noqa: BLE001 - an exception that does not pickle
                outbox.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))


def _run_document(stages: list[Stage], doc: Document, outbox: Connection) -> tuple[Any, ...]:
    learner = next((s for s in stages if isinstance(s, Clean)), None)
    for stage in stages:
        stage.counters = Counter()
        stage.seconds = 0.0
    if learner is not None:
        learner.learned = SourceStats()
    for i, stage in enumerate(stages):
        doc = stage(doc)
        learned = learner.learned if learner is not None and stage is learner and learner.learned.documents else None
        outbox.send(("did", i, dict(stage.counters), stage.seconds, learned))
    doc.raw_text = ""  # never indexed, and the biggest thing a document holds: not sent back
    return ("done", doc)


if __name__ == "__main__":
    _child(int(sys.argv[1]), int(sys.argv[2]))
