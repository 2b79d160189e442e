"""CLI latency: wall time of whole ``python -m pipeline`` processes, as a person at a terminal waits.

    python benchmarks/cli_latency.py [--repeats N] [--query TEXT]

Runs, interleaved round by round in this one process (so machine load hits all alike):
- the baseline: ``python -c pass`` (interpreter start-up, same venv, same environment);
- ``python -m pipeline search QUERY --size 3`` against the configured cluster (ES_URL, else the local
  development node: `make es-start`; the query should have hits: `make demo` or `make run` first);
- ``python -m pipeline clean FILE`` of one seed file (no Elasticsearch involved).
Prints the median wall time of each, its ratio to the baseline and the targets of issue 23
(search <= 1.0 s, one-file clean <= 1.5 s); exits 1 when a target is not met. No Elasticsearch
client is imported by this script itself.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGETS = {"search": 1.0, "clean (1 file)": 1.5}


def wall(argv: list[str]) -> float:
    t = time.perf_counter()
    proc = subprocess.run(argv, cwd=REPO, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--query", default="New START treaty extension")
    parser.add_argument("--no-search", action="store_true", help="leave out the search command (no cluster needed)")
    args = parser.parse_args(argv)
    seed = sorted((REPO / "seeds").glob("*.txt"))[0]
    py = sys.executable
    commands = {
        "baseline: python -c pass": [py, "-c", "pass"],
        "search": [py, "-m", "pipeline", "search", args.query, "--size", "3"],
        "clean (1 file)": [py, "-m", "pipeline", "clean", str(seed.relative_to(REPO))],
    }
    if args.no_search:
        del commands["search"]
    for argv_ in commands.values():  # warm the page cache and check each command works
        wall(argv_)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.repeats):
        for name, argv_ in commands.items():
            times[name].append(wall(argv_))
    base = statistics.median(times["baseline: python -c pass"])
    print(f"python {sys.version.split()[0]}  PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')}"
          f"  repeats={args.repeats}  load average {os.getloadavg()[0]:.2f}")
    print(f"{'command':<28} {'median s':>9} {'min s':>7} {'x baseline':>11}  target")
    failed = False
    for name, values in times.items():
        median = statistics.median(values)
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            met = median <= target
            failed |= not met
            verdict = f"<= {target:.1f} s {'met' if met else 'NOT MET'}"
        print(f"{name:<28} {median:>9.3f} {min(values):>7.3f} {median / base:>10.1f}x  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
