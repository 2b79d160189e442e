"""Shared test setup.

Airflow reads its configuration when first imported, so its environment is set here,
before any test module imports it: a git-ignored home under .local/ with SQLite.

Tiers (``make test-fast`` runs ``-m "not es and not airflow and not slow"``): a test that uses the
Elasticsearch fixtures is marked ``es`` and one that uses the Airflow DB ``airflow`` here, whatever its
decorators say; every test NOT marked ``es`` runs with ``ES_URL`` pointing at a port that refuses
connections, so a test that reaches Elasticsearch without the marker fails in every run, fast or full.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SHARED = REPO.parent / "shared"
SHARED_PAGES = SHARED / "benchmarks" / "article-extraction" / "html"
# a test on the shared pages skips where ../shared is missing, except in CI, where it fails
needs_shared_pages = pytest.mark.skipif(not SHARED_PAGES.is_dir() and not os.environ.get("CI"),
                                        reason="needs ../shared beside the repo")


def shared_pages(step: int = 1) -> list[tuple[str, str]]:
    """(file name, HTML) of every ``step``-th shared article page (there are at least 100)."""
    files = sorted(SHARED_PAGES.glob("*.html.gz"))
    assert len(files) >= 100
    return [(f.name, gzip.decompress(f.read_bytes()).decode("utf-8")) for f in files[::step]]

os.environ.setdefault("AIRFLOW_HOME", str(REPO / ".local" / "airflow-test"))
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"

# Airflow puts the DAGs folder on sys.path (shared DAG helpers live there); so do the tests.
sys.path.insert(0, str(REPO / "dags"))

pytest_plugins = ["tests.conftest_es", "pytester"]

# Fixtures that reach a real Elasticsearch / a real Airflow DB: using one puts a test in that tier.
ES_FIXTURES = frozenset({"es_url", "es_client", "index_prefix", "alias"})
AIRFLOW_FIXTURES = frozenset({"airflow_db"})


@pytest.hookimpl(tryfirst=True)  # before ``-m`` selects on the markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & ES_FIXTURES and not item.get_closest_marker("es"):
            item.add_marker(pytest.mark.es)
        if used & AIRFLOW_FIXTURES and not item.get_closest_marker("airflow"):
            item.add_marker(pytest.mark.airflow)


@pytest.fixture(scope="session")
def refused_url() -> Iterator[str]:
    """A loopback URL whose port is bound but never listens: every connection is refused at once,
    and no other process can take the port while the session runs."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


@pytest.fixture(autouse=True)
def _no_elasticsearch_outside_the_es_tier(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside the ``es`` tier Elasticsearch is unreachable (in this process and its children)."""
    if request.node.get_closest_marker("es") is None:
        monkeypatch.setenv("ES_URL", request.getfixturevalue("refused_url"))


@contextlib.contextmanager
def signal_handlers_kept(signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGINT)) -> Iterator[None]:
    """Put back the handlers of ``signals`` that the block replaced. Airflow's task runner, which
    ``dag.test()`` runs in this process, sets a SIGTERM handler that only calls the task's ``on_kill``
    and never restores it: without this, a test session that has run a DAG ignores SIGTERM."""
    saved = {sig: signal.getsignal(sig) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            if handler is not None and signal.getsignal(sig) is not handler:
                signal.signal(sig, handler)


@pytest.fixture(autouse=True)
def _signal_handlers_as_found() -> Iterator[None]:
    with signal_handlers_kept():
        yield


def without_dac_override(cmd: list[str]) -> list[str]:
    """``cmd`` run so that file permission bits bind, as they do for an unprivileged worker.

    Root reads a mode-000 file through CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH; CI runs as
    root, so an "unreadable file" test would otherwise never see a read fail. util-linux's
    ``setpriv`` drops both from the bounding set before exec: the child is still uid 0 (it
    reads root-owned files through their owner bits) but a file with mode 000 is unreadable.
    """
    if os.geteuid() != 0:
        return cmd
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to test unreadable files as root"
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--", *cmd]


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """A migrated Airflow metadata DB (SQLite) for real ``dag.test()`` runs."""
    home = Path(os.environ["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    airflow = Path(sys.executable).with_name("airflow")
    result = subprocess.run([str(airflow), "db", "migrate"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return home


@pytest.fixture
def seed_paths() -> list[Path]:
    paths = sorted(SEEDS.glob("*.txt"))
    assert len(paths) == 2
    return paths


@pytest.fixture
def alias(index_prefix) -> str:
    """A per-test articles alias (cleaned up with everything under ``index_prefix``)."""
    return f"{index_prefix}-articles"


@pytest.fixture
def source(tmp_path) -> Path:
    """A writable copy of the seeds folder."""
    folder = tmp_path / "src"
    shutil.copytree(SEEDS, folder)
    return folder
