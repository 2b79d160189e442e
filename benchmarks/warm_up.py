"""What the stage worker's warm-up costs before the first document, and what the first documents then cost.

    python benchmarks/warm_up.py [--corpus-dir DIR] [--docs N] [--rounds R] [--code-root ROOT ...]

Each measurement is a fresh process that starts a stage worker (``pipeline.run.isolated.StageWorker``, as a run's
first batch does), times it until it is ready (its process started, the stages imported and built, ``warm_up``
done: ``ready``), then sends it ``N`` documents of ``DIR`` (every file of a throughput corpus in turn, or the
warm-up's own page when no folder is given) and times them (``docs``: their sum, with what a document's language
builds on first use; ``first`` and ``later``: the first document and the median of the others). With several
``--code-root`` checkouts (e.g. this one and a pristine one of another commit), the checkouts take turns
round after round in the same conditions and each line ends with its ratio to the first root's medians;
each checkout then has a cache folder of its own (``NEWS_ETL_CACHE_DIR``, linked from the current one): the
gazetteer's cache is keyed by its module's source, and two checkouts sharing a folder would rebuild it in
turn (a second each time). One unmeasured round comes first. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def child(corpus: Path | None, docs: int) -> dict[str, float]:
    """One fresh stage worker: seconds until ready, then each document's seconds."""
    import tempfile
    from functools import partial

    from pipeline.config import load_settings
    from pipeline.document import Document
    from pipeline.run.batch import document_stages
    from pipeline.run.isolated import Isolated, StageWorker
    from pipeline.run.isolated_child import WARM_PAGE

    run = load_settings().run
    build = partial(document_stages, run)
    step = Isolated(build(), build)
    if corpus is not None:
        files = sorted(p for p in corpus.rglob("*") if p.is_file() and not p.name.startswith("."))
        every = max(1, len(files) // max(docs, 1))
        paths = [files[(i * every) % len(files)] for i in range(docs)]
    else:
        page = Path(tempfile.mkdtemp(prefix="warm-up-bench-")) / "page.html"
        page.write_text(WARM_PAGE, encoding="utf-8")
        paths = [page] * docs
    worker = StageWorker()
    started = time.perf_counter()
    worker.start(build)
    worker.wait_ready(build)
    ready = time.perf_counter() - started
    times = []
    try:
        for path in paths:
            t = time.perf_counter()
            worker.process(Document(source=path.name, source_path=str(path)), step)
            times.append(time.perf_counter() - t)
    finally:
        worker.stop()
    return {"ready": ready, "docs": sum(times), "first": times[0] if times else 0.0,
            "later": statistics.median(times[1:]) if len(times) > 1 else 0.0}


def own_cache(index: int) -> str:
    """A cache folder for the ``index``-th checkout, its files hard links (or copies) of the current folder's."""
    import shutil
    import tempfile

    from pipeline.stages.model_cache import cache_dir

    folder = Path(tempfile.gettempdir()) / f"news-etl-warm-up-bench-{os.getpid()}" / str(index)
    folder.mkdir(parents=True, exist_ok=True)
    current = cache_dir()
    for path in current.iterdir() if current is not None else ():
        if path.is_file() and not (folder / path.name).exists():
            try:
                os.link(path, folder / path.name)
            except OSError:
                shutil.copy2(path, folder / path.name)
    return str(folder)


def measure(root: Path, corpus: Path | None, docs: int, cache: str | None = None) -> dict[str, float]:
    env = dict(os.environ)
    if cache is not None:
        env["NEWS_ETL_CACHE_DIR"] = cache
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH")) if p)
    args = [sys.executable, str(Path(__file__).resolve()), "--child", "--docs", str(docs)]
    if corpus is not None:
        args += ["--corpus-dir", str(corpus)]
    out = subprocess.run(args, env=env, cwd=root, capture_output=True, text=True, timeout=900, check=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus-dir", type=Path)
    ap.add_argument("--docs", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--code-root", type=Path, action="append", help="a checkout to measure (default: this one)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.corpus_dir, args.docs)))
        return 0
    roots = [r.resolve() for r in args.code_root or [REPO]]
    caches = {r: own_cache(i) if len(roots) > 1 else None for i, r in enumerate(roots)}
    got: dict[Path, list[dict[str, float]]] = {r: [] for r in roots}
    for root in roots:
        measure(root, args.corpus_dir, 1, caches[root])  # builds what a checkout's cache lacks
    for _ in range(args.rounds):
        for root in roots:
            got[root].append(measure(root, args.corpus_dir, args.docs, caches[root]))
    keys = ("ready", "docs", "first", "later")
    base = {k: statistics.median(x[k] for x in got[roots[0]]) for k in keys}
    print(f"{args.rounds} rounds, {args.docs} documents each; seconds (median); ratio to {roots[0]}")
    for root in roots:
        med = {k: statistics.median(x[k] for x in got[root]) for k in keys}
        both = med["ready"] + med["docs"]
        ratio = " ".join(f"{k} {med[k] / base[k]:.3f}" if base[k] else f"{k} -" for k in keys)
        print(f"{root}: ready {med['ready']:.3f} docs {med['docs']:.3f} first {med['first']:.4f} "
              f"later {med['later']:.4f} ready+docs {both:.3f} | {ratio} ready+docs "
              f"{both / (base['ready'] + base['docs']):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
