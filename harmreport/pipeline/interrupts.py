"""Ctrl-C and SIGTERM, never lost. Each signal raises where the build happens to be and is
also remembered, so one swallowed on its way up (Python ignores an exception raised inside a
__del__ method, for one) still stops the build at its next stage and before it publishes."""

import signal
import sys
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Terminated(BaseException):
    """SIGTERM, raised like Ctrl-C so the build cleans up the same way."""


_received: list[int] = []


@contextmanager
def handled():
    """Both signals handled (and remembered) inside; outside, the handlers found are back
    and nothing received inside is remembered."""
    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
    previous_hook = sys.unraisablehook
    _received.clear()
    for sig in SIGNALS:
        signal.signal(sig, _on_signal)
    sys.unraisablehook = lambda unraisable: _quiet_about_signals(unraisable, previous_hook)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sys.unraisablehook = previous_hook
        _received.clear()


def _quiet_about_signals(unraisable, previous_hook) -> None:
    """A signal raised where Python ignores exceptions (a __del__ method, a weakref callback)
    is remembered and raised again by check(): no traceback for people. Anything else goes
    to the hook there was (Python's prints it)."""
    if not isinstance(unraisable.exc_value, KeyboardInterrupt | Terminated):
        previous_hook(unraisable)


def check() -> None:
    """Raise again the first signal received, in case it was swallowed."""
    if _received:
        _raise(_received[0])


def _on_signal(signum, frame):
    _received.append(signum)
    _raise(signum)


def _raise(signum: int):
    raise KeyboardInterrupt() if signum == signal.SIGINT else Terminated()
