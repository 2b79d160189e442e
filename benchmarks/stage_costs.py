"""What each document costs in the pipeline's stages against the library baseline's calls, by format, in one process.

    python benchmarks/stage_costs.py --corpus-dir DIR [--every N] [--limit N]

``DIR`` is a throughput corpus (``benchmarks/corpus.py --out DIR --docs N``: ``html/``, ``html.gz/`` and ``txt/``
folders). For every ``N``-th file, document by document in one process (so the machine's load hits both
sides alike), it times with ``time.process_time``:

- **pipeline**: each per-document stage of a run (``pipeline.run.batch.document_stages``: extract, clean,
  language, enrich, places), as the stage worker runs them after its warm-up;
- **baseline**: what ``benchmarks/throughput.py``'s library baseline does with the same file: read, gunzip,
  UTF-8 decode, ``trafilatura.extract`` for HTML, ``langdetect.detect`` on the text.

Neither side loads into Elasticsearch, groups near-duplicates or pays a run's fixed costs, which is why its
ratios are higher than a whole run's (``benchmarks/throughput.py``). Prints ms per document for each stage and
each baseline call, by format, and the baseline / pipeline ratio by format and over the mix; what 2 x the
baseline would leave per document is the last line. Nothing is asserted; ``docs/performance.md`` reads it.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from pipeline.config import load_settings  # noqa: E402
from pipeline.run.batch import document_stages  # noqa: E402
from pipeline.run.isolated_child import warm_up  # noqa: E402


def corpus_files(root: Path, every: int, limit: int | None) -> list[Path]:
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    return files[::every][:limit]


def fmt(path: Path, root: Path) -> str:
    return path.relative_to(root).parts[0]


def baseline_call(path: Path, times: Counter[str]) -> None:
    """The library baseline's per-document work (``benchmarks/throughput.py``), timed by call."""
    import langdetect
    import trafilatura
    from langdetect.lang_detect_exception import LangDetectException

    t0 = time.process_time()
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    text = data.decode("utf-8", errors="replace")
    t1 = time.process_time()
    body = (trafilatura.extract(text) or "") if ".htm" in path.name else text
    t2 = time.process_time()
    try:
        langdetect.detect(body)
    except LangDetectException:
        pass
    t3 = time.process_time()
    times["read"] += t1 - t0
    times["trafilatura"] += t2 - t1
    times["langdetect"] += t3 - t2


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus-dir", type=Path, required=True, help="a corpus of benchmarks/corpus.py")
    ap.add_argument("--every", type=int, default=3, help="every N-th file (default 3)")
    ap.add_argument("--limit", type=int, default=None, help="at most this many files")
    args = ap.parse_args(argv)
    from langdetect import DetectorFactory

    DetectorFactory.seed = 0
    root = args.corpus_dir
    files = corpus_files(root, args.every, args.limit)
    if not files:
        print(f"no corpus files under {root}", file=sys.stderr)
        return 2
    stages = document_stages(load_settings().run, fingerprint="stage-costs", source_root=root)
    warm_up(stages)
    for path in files[:20]:  # both sides' first-use loads, untimed
        baseline_call(path, Counter())
    pipeline: dict[str, Counter[str]] = defaultdict(Counter)
    baseline: dict[str, Counter[str]] = defaultdict(Counter)
    count: Counter[str] = Counter()
    extract, rest = stages[0], stages[1:]
    for path in files:
        kind = fmt(path, root)
        count[kind] += 1
        t = time.process_time()
        doc = extract.read(path, None)  # type: ignore[attr-defined]
        pipeline[kind]["extract"] += time.process_time() - t
        for stage in rest:
            t = time.process_time()
            doc = stage(doc)
            pipeline[kind][stage.name] += time.process_time() - t
        baseline_call(path, baseline[kind])
    print(f"{len(files)} documents of {root} (every {args.every}), ms per document")
    total_p = total_b = 0.0
    for kind in sorted(count):
        n = count[kind]
        p, b = sum(pipeline[kind].values()), sum(baseline[kind].values())
        total_p, total_b = total_p + p, total_b + b
        stages_ms = " + ".join(f"{name} {v / n * 1000:.2f}" for name, v in pipeline[kind].items())
        calls_ms = " + ".join(f"{name} {v / n * 1000:.2f}" for name, v in baseline[kind].items())
        print(f"  {kind:8s} {n:5d} docs  pipeline {p / n * 1000:6.2f} ({stages_ms})")
        print(f"  {'':8s} {'':5s}       baseline {b / n * 1000:6.2f} ({calls_ms})  baseline / pipeline {b / p:.2f}")
    n = len(files)
    print(f"all: pipeline {total_p / n * 1000:.2f} ms, baseline {total_b / n * 1000:.2f} ms a document: "
          f"baseline / pipeline {total_b / total_p:.2f}")
    print(f"2 x the baseline's rate, on these stages alone, leaves {total_b / 2 / n * 1000:.2f} ms a document "
          f"({(total_p - total_b / 2) / n * 1000:.2f} ms less than now)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
