"""The suite stays stoppable: a handler a test leaves behind (Airflow's task runner sets one for
SIGTERM in ``dag.test()``) is put back after the test."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

from tests.conftest import REPO, signal_handlers_kept


def test_a_handler_replaced_in_the_block_is_put_back():
    before = signal.getsignal(signal.SIGTERM)
    with signal_handlers_kept():
        signal.signal(signal.SIGTERM, lambda signum, frame: None)  # what Airflow's task runner does
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_session_whose_test_replaced_sigterm_still_dies_of_it(tmp_path):
    """A whole pytest session with this conftest: the first test leaves a SIGTERM handler that does
    nothing, the second sends the session SIGTERM; the session dies of it instead of going on."""
    tests = tmp_path / "test_leaky.py"
    tests.write_text(textwrap.dedent("""
        import os, signal, time

        def test_leaves_a_handler():
            signal.signal(signal.SIGTERM, lambda signum, frame: None)

        def test_is_stopped():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
            with open(os.environ["SURVIVED"], "w") as f:
                f.write("survived")
    """))
    survived = tmp_path / "survived"
    env = {"PATH": "/usr/bin:/bin", "SURVIVED": str(survived), "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(REPO),
                           "-c", str(REPO / "pyproject.toml"), "--confcutdir", str(REPO),
                           "-p", "tests.conftest", str(tests)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGTERM, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert not survived.exists()
