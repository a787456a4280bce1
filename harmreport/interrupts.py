"""Ctrl-C and SIGTERM, never lost. Each signal raises where the build happens to be and is
also remembered, so one swallowed on its way up (Python ignores an exception raised inside a
__del__ method, for one) still stops the build at its next stage and before it publishes."""

import signal


class Terminated(BaseException):
    """SIGTERM, raised like Ctrl-C so the build cleans up the same way."""


_received: list[int] = []


def install() -> None:
    """Handle both signals from now on, forgetting any received before."""
    _received.clear()
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)


def check() -> None:
    """Raise again the first signal received, in case it was swallowed."""
    if _received:
        _raise(_received[0])


def _on_signal(signum, frame):
    _received.append(signum)
    _raise(signum)


def _raise(signum: int):
    raise KeyboardInterrupt() if signum == signal.SIGINT else Terminated()
