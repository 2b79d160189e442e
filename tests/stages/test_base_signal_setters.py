"""``time_limit`` reads and sets SIGALRM's handler through the C functions ``signal.getsignal`` and
``signal.signal`` wrap (issue 27): the outer handler it finds (default, ignore or a function) is the one it
puts back, as before, and the timer still interrupts the block."""

from __future__ import annotations

import signal
import time

import pytest

from pipeline.stages import base
from pipeline.stages.base import DocumentTimeout, time_limit


def _outer(signum: int, frame: object) -> None:
    pass


def test_the_setters_are_the_functions_the_signal_module_wraps() -> None:
    import _signal

    assert base.set_signal_handler is _signal.signal and base.get_signal_handler is _signal.getsignal


@pytest.mark.parametrize("outer", [signal.SIG_DFL, signal.SIG_IGN, _outer])
def test_the_outer_handler_is_put_back_as_signal_getsignal_saw_it(outer: object) -> None:
    saved = signal.getsignal(signal.SIGALRM)
    try:
        signal.signal(signal.SIGALRM, outer)  # type: ignore[arg-type]
        before = signal.getsignal(signal.SIGALRM)
        with time_limit(5):
            assert signal.getsignal(signal.SIGALRM) is not before
        assert signal.getsignal(signal.SIGALRM) == before
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        with pytest.raises(DocumentTimeout), time_limit(0.05):
            while True:
                time.sleep(0.01)
        assert signal.getsignal(signal.SIGALRM) == before
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, saved)
