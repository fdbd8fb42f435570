"""The package's own exceptions and warnings, in one place.

- ``DivergenceWarning`` and ``DivergenceError``: a run (``minimize``, ``fit``) produced NaN or
  infinity and was stopped; the warning is the default, the error what ``on_divergence='raise'`` asks for.
- ``Incorrect``, ``NotAttempted`` and ``LearnerError``: how an exercise's check tells a wrong answer,
  an untouched stub and an error raised by the learner's own code apart.

Everything else the package raises is Python's own ``ValueError`` or ``TypeError``, with a message
that says what was wrong and what to do.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DivergenceError", "DivergenceWarning", "Incorrect", "LearnerError", "NotAttempted"]


class DivergenceWarning(UserWarning):
    """A run produced NaN or infinity and was stopped; the record holds the steps before."""


class DivergenceError(FloatingPointError):
    """Raised instead of the warning with ``on_divergence='raise'``; ``.record`` holds the run so far."""

    def __init__(self, message: str, record: Any):
        super().__init__(message)
        self.record = record


class Incorrect(Exception):
    """The answer is wrong: the message is the feedback, ``mistake`` the typical mistake it made (if known)."""

    def __init__(self, message: str, mistake: Any = None):
        super().__init__(message)
        self.mistake = mistake


class NotAttempted(Exception):
    """Raised when the answer is still the stub."""


class LearnerError(Exception):
    """The learner's own code raised ``__cause__`` (not the checker: that would be a bug in the checker)."""
