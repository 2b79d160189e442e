"""benchmarks/corpus.py and benchmarks/throughput.py work (tiny corpus; no timed assertions:
performance is checked by running the benchmark itself)."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "benchmarks" / "article-extraction"

# skipped on a machine without ../shared; in CI (CI set) the data must be there, so a missing folder fails
needs_data = pytest.mark.skipif(not (DATA / "html").is_dir() and not os.environ.get("CI"),
                                reason=f"shared benchmark data not at {DATA}")


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_corpus_is_left_as_it_was_when_the_data_folder_is_missing(tmp_path):
    sys.path.insert(0, str(REPO / "benchmarks"))
    import corpus

    out = tmp_path / "docs-3"
    (out / "html").mkdir(parents=True)
    (out / "html" / "0.html").write_text("<p>kept</p>")
    (out / corpus.MANIFEST).write_text('{"corpus_version": 1, "docs": 3, "seed": 0, "data": "/elsewhere"}')
    with pytest.raises(FileNotFoundError):
        corpus.build(out, 3, data=tmp_path / "missing", log=lambda *_: None)
    assert (out / "html" / "0.html").read_text() == "<p>kept</p>"


@needs_data
@pytest.mark.slow  # builds three corpora from the benchmark pages (~100 s)
def test_corpus_is_deterministic_varied_and_unique(tmp_path):
    sys.path.insert(0, str(REPO / "benchmarks"))
    import corpus

    from pipeline.run.single import read_document, transform
    from pipeline.stages.extract import discover

    a = corpus.build(tmp_path / "a", 24, log=lambda *_: None)
    b = corpus.build(tmp_path / "b", 24, log=lambda *_: None)
    assert _digests(a) == _digests(b)  # same arguments, same bytes
    files = list(discover(a))  # the manifest is hidden: not a document
    assert len(files) == 24
    assert {p.suffix for p in files} == {".html", ".gz", ".txt"}
    docs = [transform(read_document(p, source_root=a)) for p in files]
    assert not [d.errors for d in docs if d.failed]
    assert len({d.content_sha256 for d in docs}) == 24  # unique content: nothing dedupes away
    words = sorted(d.word_count for d in docs)
    assert words[-1] > 2 * words[0]  # varied length
    prefix = corpus.build(tmp_path / "c", 12, log=lambda *_: None)  # a smaller corpus is a prefix
    small = {k: v for k, v in _digests(prefix).items() if k != ".manifest.json"}
    assert small.items() <= _digests(a).items()


@needs_data
@pytest.mark.es
@pytest.mark.airflow
@pytest.mark.slow  # the benchmark end to end, Airflow included
def test_throughput_benchmark_runs_to_the_end(es_url, tmp_path):
    env = {**os.environ, "ES_URL": es_url}
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "throughput.py"), "--docs", "8", "--scale-docs", "16",
         "--corpus-dir", str(tmp_path / "corpus"), "--airflow-home", str(tmp_path / "airflow")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    targets = out.split("targets:\n", 1)[1].strip().splitlines()
    assert len(targets) == 8  # rate, 2 workers (grouping on and off), grouping at 1 and 2 workers, airflow, RSS, re-run
    assert all(line.endswith((": met", ": NOT MET")) for line in targets)
    for path in ("baseline", "pipeline-1", "pipeline-2", "airflow", "incremental"):
        assert f"  {path} " in out
    assert "unchanged=8" in out  # the incremental re-run skipped every file
    assert "clean=" in out and "language=" in out and "load=" in out  # per-stage docs/s
    split = out.split("CPU seconds by process", 1)[1]
    line = next(x for x in split.splitlines() if x.startswith("  pipeline-1 "))
    roles = dict(part.rsplit(" ", 1) for part in line.removeprefix("  pipeline-1").strip().split(", "))
    assert {"stage worker", "command", "elasticsearch"} <= set(roles)  # the stage worker is named
    assert float(roles["stage worker"]) > 0
    # when the stage workers' work ended and how long they waited for a core, read from /proc
    workers = out.split("the stage workers (", 1)[1]
    line = next(x for x in workers.splitlines() if x.startswith("  pipeline-1 "))
    numbers = [float(x) for x in re.findall(r"(\d+\.\d) s", line)]
    began, on_cpu, waited, ended, tail = numbers
    assert on_cpu > 0 and waited >= 0 and 0 < began < ended and tail >= 0


def test_rounds_alternate_and_keep_the_re_run_after_its_run():
    sys.path.insert(0, str(REPO / "benchmarks"))
    import throughput

    plan = ["baseline", "pipeline-1-nogroup", "pipeline-1", "incremental", "pipeline-2", "scale-2"]
    assert throughput.round_order(plan, 0) == plan
    assert throughput.round_order(plan, 1) == ["pipeline-2", "pipeline-1", "incremental", "pipeline-1-nogroup",
                                               "baseline"]  # backwards, the memory check once
    assert throughput.round_order(plan, 2) == plan[:-1]
    assert throughput.round_order(["incremental", "pipeline-1"], 1) == ["pipeline-1", "incremental"]
    # the re-processing too, after the no-change re-run, both on the 1-worker run's alias
    plan = ["pipeline-1-nogroup", "pipeline-1", "incremental", "reprocess", "pipeline-2"]
    assert throughput.round_order(plan, 1) == ["pipeline-2", "pipeline-1", "incremental", "reprocess", "pipeline-1-nogroup"]
    assert throughput.round_order(["reprocess", "pipeline-1"], 0) == ["pipeline-1", "reprocess"]


def test_a_target_is_the_median_of_per_round_ratios():
    sys.path.insert(0, str(REPO / "benchmarks"))
    from measured import Measured
    from throughput_report import median_round, paired, summary

    def run(name: str, seconds: float) -> Measured:
        return Measured(name, seconds, 0, 0)

    rounds = [{"pipeline-1": run("pipeline-1", 10.0), "pipeline-1-nogroup": run("pipeline-1-nogroup", 8.0)},
              {"pipeline-1": run("pipeline-1", 30.0), "pipeline-1-nogroup": run("pipeline-1-nogroup", 25.0)},
              {"pipeline-1": run("pipeline-1", 11.0)}]  # its pair failed: the round has no ratio
    ratios = paired(rounds, lambda r: r["pipeline-1"].seconds / r["pipeline-1-nogroup"].seconds,
                    "pipeline-1", "pipeline-1-nogroup")
    assert ratios == [1.25, 1.2]  # within each round, never across rounds (30 / 8 is not a ratio here)
    assert summary(ratios) == (1.225, "median 1.23 (rounds 1.25, 1.20)")
    assert summary([1.25]) == (1.25, "1.25")
    assert median_round(rounds, "pipeline-1").seconds == 11.0


def test_the_cores_limits_are_the_cpu_seconds_spread_over_every_core(capsys, monkeypatch):
    sys.path.insert(0, str(REPO / "benchmarks"))
    import throughput_report
    from measured import Measured

    monkeypatch.setattr(throughput_report.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)

    def run(name: str, seconds: float, cpu: float) -> Measured:
        return Measured(name, seconds, 0, 0, cpu=cpu)

    rounds = [{"pipeline-1": run("pipeline-1", 100.0, 110.0), "pipeline-2": run("pipeline-2", 60.0, 125.0),
               "pipeline-1-nogroup": run("pipeline-1-nogroup", 90.0, 95.0)}]
    throughput_report.targets(rounds, 1000, scale_docs=0, skip_airflow=False)
    out = capsys.readouterr().out
    speedup = next(line for line in out.splitlines() if "2 workers throughput / 1 worker =" in line)
    # 2 workers: 125 CPU s on 2 cores take at least 62.5 s, so at most 100 / 62.5 = 1.60 of 1 worker's rate
    assert "= 1.67; its CPU seconds on 2 cores allow at most 1.60 (>= 1.8): NOT MET" in speedup
    grouping = next(line for line in out.splitlines() if "grouping on / off time at 1 worker" in line)
    # grouping on: 110 CPU s on 2 cores take at least 55 s, 0.61 of the 90 s run without it
    assert "= 1.11, CPU seconds incl. Elasticsearch 1.16; its CPU seconds on 2 cores allow no less than 0.61" in grouping


@needs_data
@pytest.mark.es
def test_rounds_run_every_path_each_round_and_leave_nothing_behind(es_url, es_client, tmp_path):
    env = {**os.environ, "ES_URL": es_url}
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "throughput.py"), "--docs", "4", "--scale-docs", "0",
         "--warm-up-docs", "0", "--rounds", "2", "--paths", "pipeline-1-nogroup,pipeline-1,incremental,reprocess",
         "--corpus-dir", str(tmp_path / "corpus")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "round 1 of 2: pipeline-1-nogroup, pipeline-1, incremental, reprocess" in out
    assert "round 2 of 2: pipeline-1, incremental, reprocess, pipeline-1-nogroup" in out
    assert out.count("running pipeline-1 ...") == 2 and out.count("running incremental ...") == 2
    assert out.count("running reprocess ...") == 2
    # every document processed again; the corpus's four documents keep their group entries (nothing changed)
    assert re.search(r"re-processing every document \(--full-refresh, as after a rule change\) time / full run = "
                     r"median \d+\.\d\d \(rounds [\d.]+, [\d.]+\) \(4 re-processed, \d kept their group entries; no target\)",
                     out)
    targets = out.split("targets:\n", 1)[1]
    grouping = next(line for line in targets.splitlines() if "grouping on / off time at 1 worker" in line)
    assert "= median " in grouping and "(rounds " in grouping
    # the least grouping can cost here: the run's CPU seconds spread over every core, never above the ratio itself
    ratio = float(re.search(r"= median (\d+\.\d\d)", grouping).group(1))
    floor = float(re.search(r"allow no less than (\d+\.\d\d)", grouping).group(1))
    assert 0 < floor <= ratio + 0.01
    assert "unchanged=4" in out
    prefix = out.split("names: ", 1)[1].split("*", 1)[0]
    assert prefix.startswith("bench-")
    es_client.indices.refresh(index="etl-*", ignore_unavailable=True)
    assert not es_client.indices.get(index=f"{prefix}*", expand_wildcards="all").body
    for shared in ("etl-runs", "etl-line-stats", "etl-sources", "etl-leases"):
        left = es_client.count(index=shared, query={"prefix": {"alias": prefix}}, ignore_unavailable=True)["count"]
        assert left == 0, shared


def test_schedstat_reads_this_process():
    sys.path.insert(0, str(REPO / "benchmarks"))
    from measured import _schedstat

    read = _schedstat(os.getpid())
    if read is None:
        pytest.skip("no /proc/<pid>/task/*/schedstat here")
    on_cpu, waited = read
    started = time.process_time()
    while time.process_time() - started < 0.05:
        pass
    assert on_cpu > 0 and waited >= 0
    assert _schedstat(os.getpid())[0] >= on_cpu + 0.04  # the busy loop counted
