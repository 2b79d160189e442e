"""The test tiers keep their promise: the fast tier (``make test-fast``) never needs Elasticsearch or
Airflow. Using an Elasticsearch or Airflow fixture puts a test in its tier whatever its decorators
say, and a test outside the ``es`` tier cannot reach any Elasticsearch (tests/conftest.py). And the
suite stays stoppable: a signal handler a test leaves behind (Airflow's task runner sets one for
SIGTERM in ``dag.test()``) is put back after the test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from elasticsearch import ConnectionError as ESConnectionError

from tests.conftest import REPO, signal_handlers_kept

TIER = "not es and not airflow and not slow"


def test_outside_the_es_tier_elasticsearch_refuses_connections(refused_url):
    assert os.environ["ES_URL"] == refused_url
    from pipeline.config import load_settings
    from pipeline.elastic.client import make_client

    settings = load_settings()
    assert settings.es.url.rstrip("/") == refused_url  # what the pipeline itself would connect to
    client = make_client(settings.es)
    try:
        with pytest.raises(ESConnectionError):
            client.options(max_retries=0).info()
    finally:
        client.close()


def test_a_child_process_inherits_the_refused_address(refused_url):
    code = "import os; print(os.environ['ES_URL'])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == refused_url


@pytest.mark.es
def test_the_es_tier_sees_the_configured_cluster(refused_url):
    assert os.environ.get("ES_URL") != refused_url


def test_fixture_use_decides_the_tier(pytester):
    pytester.makeconftest("pytest_plugins = ['tests.conftest']")
    pytester.makepyfile(test_tiers_sample="""
        import pytest

        def test_pure():
            pass

        def test_needs_es(es_client):
            pass

        def test_needs_prefix_only(index_prefix):
            pass

        def test_needs_airflow(airflow_db):
            pass

        @pytest.mark.slow
        def test_long():
            pass
    """)
    items, _ = pytester.inline_genitems("-p", "no:cacheprovider")
    tiers = {item.name: {m.name for m in item.iter_markers()} & {"es", "airflow", "slow"} for item in items}
    assert tiers == {"test_pure": set(), "test_needs_es": {"es"}, "test_needs_prefix_only": {"es"},
                     "test_needs_airflow": {"airflow"}, "test_long": {"slow"}}
    fast = pytester.runpytest("--collect-only", "-q", "-m", TIER, "-p", "no:cacheprovider")
    assert [line.split("::")[1] for line in fast.outlines if "::" in line] == ["test_pure"]


def test_the_makefile_fast_tier_is_this_expression():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert f'-m "{TIER}"' in makefile


def test_a_handler_replaced_in_the_block_is_put_back():
    before = signal.getsignal(signal.SIGTERM)
    with signal_handlers_kept():
        signal.signal(signal.SIGTERM, lambda signum, frame: None)  # what Airflow's task runner does
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_session_whose_test_replaced_sigterm_still_dies_of_it(pytester, monkeypatch):
    """A whole pytest session with this conftest: the first test leaves a SIGTERM handler that does
    nothing, the second sends the session SIGTERM; the session dies of it instead of going on."""
    pytester.makeconftest("pytest_plugins = ['tests.conftest']")
    pytester.makepyfile(test_leaky="""
        import os, signal, time

        def test_leaves_a_handler():
            signal.signal(signal.SIGTERM, lambda signum, frame: None)

        def test_is_stopped():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
            open("survived", "w").close()
    """)
    monkeypatch.setenv("PYTHONPATH", str(REPO))  # a subprocess: SIGTERM must not reach this session
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    assert result.ret == -signal.SIGTERM, "\n".join(result.outlines[-30:] + result.errlines[-30:])
    assert not (pytester.path / "survived").exists()
