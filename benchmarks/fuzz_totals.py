"""Totals of a fuzzing campaign run in chunks: the output of several ``benchmarks/fuzz.py`` runs.

    python benchmarks/fuzz.py --skip-clean --seed 5 --start K --run-sample 5000 --limit 3 > chunk-K.log
    python benchmarks/fuzz_totals.py chunk-*.log

A ``pipeline run`` campaign of 100,000 files is twenty chunks of 5,000 (one alias each, so one chunk
that stops loses only itself). This reads each chunk's own lines (``pipeline run: N files in S s into
ALIAS: indexed I, failed F, in the index X``, its failure codes and its ``check:`` lines) and prints
the sums: files, indexed, failed by code, the seconds, which files (``#start`` to ``#end``) were
covered, and every check with how many chunks met it. A chunk whose run did not finish, or a range
covered twice or not at all, is reported; the exit status is 1 unless every chunk met every check
and the ranges join without a gap.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

HEADER = re.compile(r"^fuzz: (\d+) files of seed (\d+) \(#(\d+) to #(\d+)\)")
RUN = re.compile(r"^pipeline run: (\d+) files in (\d+) s into (\S+): indexed (\d+), failed (\d+), in the index (\d+)")
CODES = re.compile(r"^\s+failure codes: (.*)$")
CHECK = re.compile(r"^check: (.*?)(?: \(.*\))?: (met|NOT MET)$")


def read_chunk(path: Path) -> dict:
    chunk: dict = {"path": path.name, "codes": Counter(), "checks": {}}
    for line in path.read_text(errors="replace").splitlines():
        if m := HEADER.match(line):
            chunk["seed"], chunk["first"], chunk["last"] = int(m[2]), int(m[3]), int(m[4])
        elif m := RUN.match(line):
            chunk.update(files=int(m[1]), seconds=int(m[2]), alias=m[3], indexed=int(m[4]), failed=int(m[5]),
                         in_index=int(m[6]))
        elif m := CODES.match(line):
            for part in m[1].split(", "):
                code, _, count = part.rpartition(" ")
                chunk["codes"][code] += int(count)
        elif m := CHECK.match(line):
            chunk["checks"][m[1]] = m[2] == "met"
    return chunk


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logs", nargs="+", type=Path)
    args = parser.parse_args()
    chunks = sorted((read_chunk(p) for p in args.logs), key=lambda c: (c.get("first", -1), c["path"]))
    problems = [f"{c['path']}: the run did not finish (no 'pipeline run:' line)" for c in chunks if "files" not in c]
    done = [c for c in chunks if "files" in c]
    seeds = {c.get("seed") for c in done}
    if len(seeds) > 1:
        problems.append(f"chunks of several seeds: {sorted(map(str, seeds))}")
    covered = sorted((c["first"], c["last"]) for c in done if "first" in c)
    for (a_first, a_last), (b_first, _b_last) in zip(covered, covered[1:], strict=False):
        if b_first != a_last + 1:
            problems.append(f"files #{a_last + 1} to #{b_first - 1} not covered" if b_first > a_last + 1
                            else f"files from #{b_first} covered twice")
    total = Counter()
    codes: Counter = Counter()
    checks: dict[str, list[bool]] = {}
    for c in done:
        for key in ("files", "indexed", "failed", "in_index", "seconds"):
            total[key] += c[key]
        codes.update(c["codes"])
        for text, met in c["checks"].items():
            checks.setdefault(text, []).append(met)
    print(f"fuzz campaign: {len(done)} chunks of seed {', '.join(map(str, sorted(s for s in seeds if s is not None)))}, "
          f"files #{covered[0][0] if covered else '-'} to #{covered[-1][1] if covered else '-'}")
    print(f"pipeline run: {total['files']} files in {total['seconds']} s: indexed {total['indexed']}, "
          f"failed with a code {total['failed']}, in the index {total['in_index']}; "
          f"unaccounted {total['files'] - total['indexed'] - total['failed']}")
    print("  failure codes: " + ", ".join(f"{k} {v}" for k, v in codes.most_common()))
    for text, results in checks.items():
        print(f"check: {text}: met in {sum(results)} of {len(done)} chunks: {'met' if all(results) and len(results) == len(done) else 'NOT MET'}")
    for problem in problems:
        print("problem:", problem)
    every = bool(done) and not problems and all(all(r) and len(r) == len(done) for r in checks.values())
    every = every and total["files"] == total["indexed"] + total["failed"] and total["indexed"] == total["in_index"]
    print(f"check: every file of every chunk accounted for and every check met: {'met' if every else 'NOT MET'}")
    return 0 if every else 1


if __name__ == "__main__":
    sys.exit(main())
