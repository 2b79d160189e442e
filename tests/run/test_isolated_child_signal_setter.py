"""``settle_alarm`` sets SIGALRM's handler through the C function that ``signal.signal`` wraps (issue 27): the
same handler installed, the same timer state left, as with ``signal.signal``, whatever was there before."""

from __future__ import annotations

import signal

import pytest

from pipeline.run import isolated_child
from pipeline.run.isolated_child import _ignore_alarm, settle_alarm


def _state() -> tuple[object, tuple[float, float]]:
    return signal.getsignal(signal.SIGALRM), signal.getitimer(signal.ITIMER_REAL)


def _old_settle() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, _ignore_alarm)


def _other(signum: int, frame: object) -> None:
    pass


def test_the_setter_is_the_function_signal_signal_wraps() -> None:
    import _signal

    assert isolated_child.set_signal_handler is _signal.signal
    assert isolated_child._SIGALRM == signal.SIGALRM


@pytest.mark.parametrize("before", [signal.SIG_DFL, signal.SIG_IGN, _other, _ignore_alarm])
@pytest.mark.parametrize("armed", [0.0, 30.0])
def test_settle_alarm_leaves_what_signal_signal_left(before: object, armed: float) -> None:
    saved = signal.getsignal(signal.SIGALRM)
    try:
        states = []
        for settle in (_old_settle, settle_alarm):
            signal.signal(signal.SIGALRM, before)  # type: ignore[arg-type]
            signal.setitimer(signal.ITIMER_REAL, armed, 0.05 if armed else 0)
            settle()
            states.append(_state())
        assert states[0] == states[1] == (_ignore_alarm, (0.0, 0.0))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, saved)
