"""The run's processes carry names ``ps``/``top`` show (pipeline/run/worker.py), which
``benchmarks/throughput.py`` splits its CPU seconds by."""

from __future__ import annotations

import subprocess
import sys
from functools import partial
from pathlib import Path

import psutil
import pytest

from pipeline.config import load_settings
from pipeline.run.batch import document_stages
from pipeline.run.isolated import stage_worker
from pipeline.run.worker import GROUPING, STAGE_WORKER

linux = pytest.mark.skipif(not Path("/proc/self/comm").exists(), reason="process names are Linux's /proc/self/comm")


@linux
def test_name_process_sets_the_name_ps_shows():
    code = ("from pipeline.run.worker import name_process; name_process(%r); "
            "print(open('/proc/self/comm').read().strip())" % (GROUPING + "-and-more-than-15"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout.strip()
    assert out == (GROUPING + "-and-more-than-15")[:15]


@linux
def test_the_stage_worker_is_named():
    build = partial(document_stages, load_settings().run)
    worker = stage_worker()
    worker.wait_ready(build)
    assert worker.pid is not None
    assert psutil.Process(worker.pid).name() == STAGE_WORKER
