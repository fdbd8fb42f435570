"""Exercises: fill in a stub, call ``check``, get specific feedback at once.

In a notebook::

    from gdcourse.exercises import check, hint, solution

    def gradient_step(x, grad, lr):
        ...  # your code here

    check("01.1", gradient_step)   # correct / not yet (expected vs got, and a hint) / not attempted yet
    hint("01.1")                   # a nudge
    solution("01.1")               # the reference answer, shown only when you ask

An untouched stub (a function that returns ``None`` or raises ``NotImplementedError``, or an
answer left as ``None``) reports "not attempted yet", and no answer, however wrong, makes
``check`` raise: "Run All" always completes. Exercises live in ``gdcourse/exercises/nbXX.py``,
one module per notebook, registered with the ``@exercise`` decorator.
"""

from __future__ import annotations

import html
import importlib
import inspect
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gdcourse.errors import Incorrect, NotAttempted

EXERCISES: dict[str, Exercise] = {}


@dataclass
class Exercise:
    """One exercise: its test, a hint, the reference solution and typical mistakes.

    ``mistakes`` pairs wrong answers with a phrase their feedback must contain; the test
    suite runs them all, so the feedback for common errors stays specific.
    """

    id: str
    title: str
    test: Callable[[Any], str | None]
    hint: str
    solution: Any
    mistakes: list = field(default_factory=list)


def exercise(id: str, title: str, hint: str, solution: Any, mistakes: list | tuple = ()) -> Callable:
    """Register the decorated function as the test of exercise ``id``.

    The test receives the learner's answer and raises ``Incorrect("...")`` on a wrong one;
    it may return a sentence to show on success.
    """

    def register(test: Callable) -> Callable:
        EXERCISES[id] = Exercise(id, title, test, hint, solution, list(mistakes))
        return test

    return register


def get(id: str) -> Exercise:
    """The exercise with this id (``"01.2"``: notebook 01, exercise 2)."""
    notebook = id.split(".")[0]
    try:
        importlib.import_module(f"gdcourse.exercises.nb{notebook}")
    except ModuleNotFoundError:
        pass
    if id not in EXERCISES:
        known = ", ".join(sorted(EXERCISES)) or "none loaded"
        raise KeyError(f"No exercise {id!r}. Exercises look like '01.2' (notebook 01, exercise 2); loaded: {known}.")
    return EXERCISES[id]


@dataclass
class Feedback:
    """The result of ``check``: ``status`` is 'correct', 'incorrect', 'error' or 'not attempted'."""

    id: str
    title: str
    status: str
    message: str
    hint: str = ""

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.correct

    HEADINGS = {
        "correct": ("✓ Correct", "#2e7d32"),
        "incorrect": ("✗ Not yet", "#c62828"),
        "error": ("✗ Your code raised an error", "#c62828"),
        "not attempted": ("… Not attempted yet", "#9e9e9e"),
    }

    def __repr__(self) -> str:
        heading = self.HEADINGS[self.status][0]
        text = f"Exercise {self.id} ({self.title}): {heading}. {self.message}"
        if self.hint:
            text += f"\nHint: {self.hint}"
        return text

    def _repr_html_(self) -> str:
        heading, color = self.HEADINGS[self.status]
        hint = f"<br><b>Hint:</b> {html.escape(self.hint)}" if self.hint else ""
        message = html.escape(self.message).replace("\n", "<br>")
        return (
            f'<div style="border-left: 6px solid {color}; padding: 4px 10px; margin: 4px 0">'
            f"<b>Exercise {self.id}</b> ({html.escape(self.title)}): "
            f'<b style="color: {color}">{heading}</b>. {message}{hint}</div>'
        )


def check(id: str, answer: Any) -> Feedback:
    """Check your ``answer`` to exercise ``id`` and say what is right or wrong. Never raises."""
    ex = get(id)
    try:
        if answer is None or answer is Ellipsis:
            raise NotAttempted
        message = ex.test(answer)
    except NotAttempted:
        return Feedback(
            id, ex.title, "not attempted", "Fill in the stub above, run its cell, then run this check again."
        )
    except Incorrect as wrong:
        return Feedback(id, ex.title, "incorrect", str(wrong), ex.hint)
    except Exception as error:  # the learner's code failed: explain, never crash Run All
        return Feedback(id, ex.title, "error", describe_error(error), ex.hint)
    return Feedback(id, ex.title, "correct", message or "Well done.")


def describe_error(error: Exception) -> str:
    """``TypeError: ... (line 3 of your code)``, pointing at the learner's line when we can."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "gdcourse" not in f.filename.replace("\\", "/")]
    where = f" (at the line `{frames[-1].line}`)" if frames and frames[-1].line else ""
    return f"{type(error).__name__}: {error}{where}"


def hint(id: str) -> str:
    """A nudge for exercise ``id``, without giving the answer away."""
    ex = get(id)
    print(f"Hint for exercise {id} ({ex.title}): {ex.hint}")
    return None


def solution(id: str, load: bool = False) -> None:
    """Show the reference solution of exercise ``id``. With ``load=True`` (in Jupyter) it is
    also placed in a new cell below, ready to run."""
    ex = get(id)
    code = inspect.getsource(ex.solution) if callable(ex.solution) else f"answer = {ex.solution!r}"
    print(f"Solution of exercise {id} ({ex.title}):\n\n{code}")
    if load:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            shell.set_next_input(code, replace=False)


# Helpers for writing tests -------------------------------------------------------------


def call(function: Callable, *args: Any) -> Any:
    """Call the learner's function on copies of the inputs; ``None`` back means "not attempted"."""
    if not callable(function):
        raise Incorrect(f"Expected a function, got {type(function).__name__}. Pass the function itself, without ().")
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    try:
        result = function(*copies)
    except NotImplementedError:
        raise NotAttempted from None
    if result is None:
        if any_code_written(function):
            raise Incorrect("Your function returned None. Did you forget the `return` statement?")
        raise NotAttempted
    return result


def any_code_written(function: Callable) -> bool:
    """True if the function body holds more than the stub (``...``, ``pass``, comments, docstring)."""
    try:
        lines = inspect.getsource(function).splitlines()[1:]
    except (OSError, TypeError):
        return True
    body = [line.split("#")[0].strip() for line in lines]
    return any(line and line not in ("...", "pass") and not line.startswith(('"""', "'''")) for line in body)


def as_array(got: Any, what: str, shape: tuple | None = None) -> np.ndarray:
    """The learner's answer as a float array (of ``shape``, if given), or ``Incorrect`` saying what is wrong."""
    try:
        array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(
            f"{what} should be a number or an array of numbers; got {type(got).__name__} {got!r:.60}."
        ) from None
    if shape is not None and array.shape != shape:
        raise Incorrect(f"{what} has shape {array.shape}; expected shape {shape}.")
    return array


def matches(got: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """True if ``got`` has the shape and values of ``expected``: to recognise a typical mistake."""
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=rtol, atol=atol))


def expect_close(got: Any, expected: Any, what: str, rtol: float = 1e-6, atol: float = 1e-9) -> np.ndarray:
    """Raise ``Incorrect`` unless ``got`` has ``expected``'s shape and values (within tolerance)."""
    expected = np.asarray(expected, dtype=float)
    got_array = as_array(got, what, expected.shape)
    if not np.allclose(got_array, expected, rtol=rtol, atol=atol, equal_nan=False):
        raise Incorrect(f"{what}: expected {format_value(expected)}, got {format_value(got_array)}.")
    return got_array


def format_value(a: np.ndarray) -> str:
    """A short, readable form of a number or array for feedback messages."""
    a = np.asarray(a)
    if a.ndim == 0:
        return f"{float(a):.6g}"
    return np.array2string(a, precision=4, threshold=8, suppress_small=True)
