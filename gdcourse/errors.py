"""The package's own exceptions and warnings, in one place.

- ``DivergenceWarning`` and ``DivergenceError``: a run (``minimize``, ``fit``) produced NaN or
  infinity and was stopped; the warning is the default, the error what ``on_divergence='raise'`` asks for.
- ``Incorrect`` and ``NotAttempted``: what an exercise's test raises to give the learner feedback.

Everything else the package raises is Python's own ``ValueError`` or ``TypeError``, with a message
that says what was wrong and what to do.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DivergenceError", "DivergenceWarning", "Incorrect", "NotAttempted"]


class DivergenceWarning(UserWarning):
    """A run produced NaN or infinity and was stopped; the record holds the steps before."""


class DivergenceError(FloatingPointError):
    """Raised instead of the warning with ``on_divergence='raise'``; ``.record`` holds the run so far."""

    def __init__(self, message: str, record: Any):
        super().__init__(message)
        self.record = record


class Incorrect(Exception):
    """Raised by an exercise's test with the feedback the learner should read."""


class NotAttempted(Exception):
    """Raised when the answer is still the stub."""
