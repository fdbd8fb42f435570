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
``check`` raise: "Run All" always completes.

An exercise is data (``gdcourse/exercises/nbNN.py``, one module per notebook): a reference
solution, the cases the answer is called with, and each typical mistake once, as a function
that makes it, with its feedback. One checker runs the cases; on the first case the answer
gets wrong it computes every mistake and, if the answer does what one of them does, says
that mistake's feedback, else what was expected and what came back.
"""

from __future__ import annotations

import copy
import html
import importlib
import inspect
import os
import re
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gdcourse.errors import Incorrect, LearnerError, NotAttempted

EXERCISES: dict[str, Exercise] = {}


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer, made by ``answer`` (a function like the learner's, or a value), and its feedback.

    ``feedback`` is a template (``str.format``) with the fields ``{where}`` (the case, described),
    ``{got}``, ``{wrong}`` (this mistake's result, equal to ``got`` when recognised), ``{expected}``,
    ``{warnings}`` (what NumPy warned), the case's arguments by name and the exercise's ``facts``.
    ``{got}`` prints a short form of the value, ``{got:.4g}`` formats it as a number, ``{got!s}`` as
    ``str`` does; ``{got[0]}`` and ``{got.shape}`` reach inside.
    """

    answer: Any
    feedback: str

    def incorrect(self, **fields: Any) -> Incorrect:
        """The ``Incorrect`` exception that says this mistake's feedback."""
        return Incorrect(self.feedback.format(**fields), self)


@dataclass
class Exercise:
    """One exercise: the reference, the cases, the typical mistakes, a hint and the success message.

    The answer passes when, on every case, it returns what ``reference`` (by default the
    ``solution``) returns, within ``rtol``/``atol``. Options for exercises that need them:
    ``names`` names the values of an answer that returns several; ``facts`` adds template
    fields computed from a case's arguments; ``quiet`` makes NumPy's overflow, divide-by-zero
    and invalid-value warnings part of the answer (a correct one has none); ``array`` requires
    a NumPy array where the reference returns one (not a list); ``squeeze`` ignores axes of
    length 1 (a one-element tensor for a number); ``choices`` makes the answer a letter, not a
    function; ``requires`` names a module the checks import (``"torch"``); ``test`` replaces
    the generic checker for an exercise that needs its own (it raises ``Incorrect``, returns
    nothing on success).
    """

    id: str
    title: str
    hint: str
    solution: Any
    cases: list[tuple] = field(default_factory=list)
    mistakes: list[Mistake] = field(default_factory=list)
    success: str = "Well done."
    where: str = "your answer"
    reference: Callable | None = None
    names: tuple[str, ...] = ()
    facts: Callable[..., dict] | None = None
    rtol: float = 1e-6
    atol: float = 1e-9
    quiet: bool = False
    array: bool = False
    squeeze: bool = False
    choices: str = ""
    requires: str = ""
    test: Callable[[Any], None] | None = None

    def fields(self, args: tuple) -> dict[str, Any]:
        """A case's template fields: its arguments by name, the exercise's facts and ``where``."""
        names = inspect.signature(self.solution).parameters
        fields = {name: Shown(arg) for name, arg in zip(names, args, strict=True)}
        fields.update(self.facts(*args) if self.facts else {})
        return {**fields, "where": self.where.format(**fields)}

    def same(self, a: Outcome, b: Outcome) -> bool:
        """True if two calls did the same thing: raised alike, or returned the same values (and warnings)."""
        if a.error is not None or b.error is not None:
            return a.error is not None and b.error is not None and same_error(a.error, b.error)
        quiet = not self.quiet or a.warnings == b.warnings
        return quiet and close(a.value, b.value, self.rtol, self.atol, self.array, self.squeeze)


def exercise(id: str, title: str, hint: str, solution: Any, mistakes: Iterable = (), **options: Any) -> Exercise:
    """Register exercise ``id`` (``"01.2"``: notebook 01, exercise 2); ``mistakes`` holds ``Mistake``s or
    ``(answer, feedback)`` pairs. The other options are ``Exercise``'s fields."""
    listed = [m if isinstance(m, Mistake) else Mistake(*m) for m in mistakes]
    EXERCISES[id] = Exercise(id, title, hint, solution, mistakes=listed, **options)
    return EXERCISES[id]


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
    """The result of ``check``: ``status`` is 'correct', 'incorrect', 'error', 'not attempted' or, for a bug
    in the check itself, 'internal error' (with the traceback in ``details``)."""

    id: str
    title: str
    status: str
    message: str
    hint: str = ""
    mistake: Mistake | None = None  # the typical mistake recognised, if any
    details: str = ""

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
        "internal error": ("✗ The check itself failed: a bug in gdcourse, not in your answer", "#6a1b9a"),
    }

    def __repr__(self) -> str:
        heading = self.HEADINGS[self.status][0]
        text = f"Exercise {self.id} ({self.title}): {heading}. {self.message}"
        if self.hint:
            text += f"\nHint: {self.hint}"
        return text + (f"\n{self.details}" if self.details else "")

    def _repr_html_(self) -> str:
        heading, color = self.HEADINGS[self.status]
        hint = f"<br><b>Hint:</b> {html.escape(self.hint)}" if self.hint else ""
        message = html.escape(self.message).replace("\n", "<br>")
        details = f"<pre>{html.escape(self.details)}</pre>" if self.details else ""
        return (
            f'<div style="border-left: 6px solid {color}; padding: 4px 10px; margin: 4px 0">'
            f"<b>Exercise {self.id}</b> ({html.escape(self.title)}): "
            f'<b style="color: {color}">{heading}</b>. {message}{hint}{details}</div>'
        )


def check(id: str, answer: Any) -> Feedback:
    """Check your ``answer`` to exercise ``id`` and say what is right or wrong. Never raises."""
    ex = get(id)
    try:
        if answer is None or answer is Ellipsis:
            raise NotAttempted
        ex.test(answer) if ex.test else run_cases(ex, answer)
    except NotAttempted:
        return Feedback(
            id, ex.title, "not attempted", "Fill in the stub above, run its cell, then run this check again."
        )
    except Incorrect as wrong:
        return Feedback(id, ex.title, "incorrect", str(wrong), ex.hint, wrong.mistake)
    except LearnerError as error:  # the learner's code failed: explain, never crash Run All
        return Feedback(id, ex.title, "error", describe_error(error.__cause__ or error), ex.hint)
    except Exception:  # the checker failed: say so, and show where, for the bug report
        message = "Please report this (with the traceback below) at the course's issue tracker."
        return Feedback(id, ex.title, "internal error", message, details=traceback.format_exc())
    return Feedback(id, ex.title, "correct", ex.success)


PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # .../gdcourse, whatever its parent


def in_package(filename: str) -> bool:
    """Whether a traceback's file is part of this package (a learner's folder may be called gdcourse too)."""
    try:
        return os.path.commonpath([PACKAGE_DIR, os.path.abspath(filename)]) == PACKAGE_DIR
    except ValueError:  # another drive on Windows
        return False


def describe_error(error: BaseException) -> str:
    """``TypeError: ... (at the line `...`)``, pointing at the learner's line when we can."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not in_package(f.filename)]
    where = f" (at the line `{frames[-1].line}`)" if frames and frames[-1].line else ""
    return f"{type(error).__name__}: {error}{where}"


def hint(id: str) -> None:
    """A nudge for exercise ``id``, without giving the answer away."""
    ex = get(id)
    print(f"Hint for exercise {id} ({ex.title}): {ex.hint}")


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


# The generic checker ------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one call did: returned ``value`` or raised ``error``, and the floating-point warnings it caused."""

    value: Any = None
    error: Exception | None = None
    warnings: tuple[str, ...] = ()


def run_cases(ex: Exercise, answer: Any) -> None:
    """Run the answer on every case; raise ``Incorrect`` (or ``LearnerError``) at the first it gets wrong."""
    if ex.choices:
        return check_choice(ex, answer)
    if not callable(answer):
        raise Incorrect(f"Expected a function, got {type(answer).__name__}. Pass the function itself, without ().")
    for args in ex.cases:
        got = attempt(answer, args, ex.quiet)
        expected = outcome(ex.reference or ex.solution, args)
        if expected.error is not None:  # a bug in the exercise, not in the answer
            raise expected.error
        if expected.warnings:
            raise RuntimeError(f"the reference of {ex.id} warned on a case: {'; '.join(expected.warnings)}")
        if ex.same(got, expected):
            continue
        fields = ex.fields(args)
        for mistake in ex.mistakes:
            wrong = outcome(mistake.answer, args)
            if ex.same(got, wrong) and not ex.same(expected, wrong):
                shown = {"got": Shown(got.value), "wrong": Shown(wrong.value), "expected": Shown(expected.value)}
                raise mistake.incorrect(**fields, **shown, warnings="; ".join(got.warnings))
        if got.error is not None:
            raise LearnerError from got.error
        raise Incorrect(difference(ex, got, expected.value, fields["where"]))


def check_choice(ex: Exercise, answer: Any) -> None:
    """A multiple-choice answer: one of the letters in ``ex.choices``, as a string."""
    letter = answer.strip().strip("()").lower() if isinstance(answer, str) else None
    if letter is None or len(letter) != 1 or letter not in ex.choices:
        options = ", ".join(f"'{c}'" for c in ex.choices[:-1]) + f" or '{ex.choices[-1]}'"
        raise Incorrect(f"Answer with one letter, {options}, as a string; got {answer!r:.60}.")
    for mistake in ex.mistakes:
        if letter == mistake.answer:
            raise mistake.incorrect()
    if letter != ex.solution:
        raise Incorrect(f"Not ({letter}). Read the options again with the hint in mind.")


@contextmanager
def watching(on: bool = True) -> Iterator[list]:
    """Record the floating-point warnings (overflow, divide by zero, invalid value) raised inside."""
    if not on:
        yield []
        return
    with warnings.catch_warnings(record=True) as caught, np.errstate(over="warn", divide="warn", invalid="warn"):
        warnings.simplefilter("always")
        yield caught


def warned(caught: list) -> tuple[str, ...]:
    return tuple(sorted({str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)}))


def outcome(function: Callable, args: tuple, watch: bool = True, copies: bool = True) -> Outcome:
    """Call ``function`` on (``copies`` of) ``args``: what it returned or raised, and (if ``watch``) the
    floating-point warnings it caused, recorded instead of shown."""
    with watching(watch) as caught:
        try:
            value = function(*(copy.deepcopy(args) if copies else args))
        except Exception as error:
            return Outcome(error=error, warnings=warned(caught))
    return Outcome(value, warnings=warned(caught))


def attempt(answer: Callable, args: tuple, quiet: bool = False, copies: bool = True) -> Outcome:
    """The learner's call: its ``outcome`` (what it raised is kept there, for the checker to recognise),
    but a stub means "not attempted" and a forgotten ``return`` is named."""
    got = outcome(answer, args, watch=quiet, copies=copies)
    if isinstance(got.error, NotImplementedError):
        raise NotAttempted
    if got.error is None and got.value is None:
        if any_code_written(answer):
            raise Incorrect("Your function returned None. Did you forget the `return` statement?")
        raise NotAttempted
    return got


@contextmanager
def learners_code() -> Iterator[None]:
    """Blame what fails inside on the learner (``LearnerError``), for hand-written checks."""
    try:
        yield
    except (NotAttempted, Incorrect):
        raise
    except NotImplementedError:
        raise NotAttempted from None
    except Exception as error:
        raise LearnerError from error


def call(function: Any, *args: Any) -> Any:
    """Call the learner's function on the arguments themselves, for hand-written checks."""
    if not callable(function):
        raise Incorrect(f"Expected a function, got {type(function).__name__}. Pass the function itself, without ().")
    got = attempt(function, args, copies=False)
    if got.error is not None:
        raise LearnerError from got.error
    return got.value


def any_code_written(function: Callable) -> bool:
    """True if the function body holds more than the stub (``...``, ``pass``, comments, docstring)."""
    try:
        lines = inspect.getsource(function).splitlines()[1:]
    except (OSError, TypeError):
        return True
    body = [line.split("#")[0].strip() for line in lines]
    return any(line and line not in ("...", "pass") and not line.startswith(('"""', "'''")) for line in body)


def same_error(a: BaseException, b: BaseException) -> bool:
    """The same kind of failure: the same exception type and message, but for the numbers in it (sizes)."""
    digitless = re.compile(r"\d+")
    return type(a) is type(b) and digitless.sub("#", str(a)) == digitless.sub("#", str(b))


def numbers(value: Any) -> np.ndarray | None:
    """``value`` as a float array (numbers, arrays, torch tensors and lists of them), or None if it is not one."""
    if value is None or isinstance(value, (str, bytes)):
        return None

    def plain(v: Any) -> Any:
        return v.detach().cpu().numpy() if hasattr(v, "detach") else v  # a torch tensor

    try:
        return np.asarray([plain(v) for v in value] if isinstance(value, (list, tuple)) else plain(value), dtype=float)
    except (TypeError, ValueError, RuntimeError, OverflowError):  # RuntimeError: a tensor that requires grad
        return None


def structured(value: Any) -> bool:
    """True for several return values: a tuple, or a list of arrays of different shapes."""
    return isinstance(value, tuple) or (isinstance(value, list) and numbers(value) is None)


def close(got: Any, want: Any, rtol: float, atol: float, array: bool = False, squeeze: bool = False) -> bool:
    """True if ``got`` has the structure, shape and values of ``want`` (within ``rtol``/``atol``)."""
    if structured(want):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            return False
        return all(close(g, w, rtol, atol, array, squeeze) for g, w in zip(got, want, strict=True))
    if array and isinstance(got, np.ndarray) != isinstance(want, np.ndarray):
        return False
    g, w = numbers(got), numbers(want)
    if g is None or w is None:
        return False
    if squeeze:
        g, w = g.squeeze(), w.squeeze()
    with np.errstate(invalid="ignore", over="ignore"):
        return g.shape == w.shape and bool(np.allclose(g, w, rtol=rtol, atol=atol))


def describe(value: Any) -> str:
    """What kind of answer ``value`` is: 'a number', 'an array of shape (3,)', 'a str', ..."""
    if isinstance(value, tuple):
        return f"{len(value)} values"
    array = numbers(value)
    if array is None:
        return f"a {type(value).__name__}"
    return "a number" if array.ndim == 0 else f"an array of shape {array.shape}"


def difference(ex: Exercise, got: Outcome, want: Any, where: str) -> str:
    """Feedback for an answer that is wrong in no typical way: what came back and what was expected."""
    value, warned = got.value, f" NumPy warned: {'; '.join(got.warnings)}." if got.warnings else ""
    if structured(want):
        names = ex.names or [f"entry {k}" for k in range(len(want))]
        if not isinstance(value, (tuple, list)) or len(value) != len(want):
            return f"{where} should return {len(want)} values, ({', '.join(names)}); got {describe(value)}."
        options = ex.rtol, ex.atol, ex.array, ex.squeeze
        wrong = [(n, g, w) for n, g, w in zip(names, value, want, strict=True) if not close(g, w, *options)]
        name, value, want = wrong[0] if wrong else (names[0], value[0], want[0])  # no value wrong: a warning
        where = f"{name} from {where}"
    if ex.array and isinstance(want, np.ndarray) and not isinstance(value, np.ndarray):
        return f"{where} returned {describe(value)}; return a NumPy array."
    g, w = numbers(value), numbers(want)
    if g is None or w is None:
        return f"{where} returned {describe(value)}; expected {describe(want)}."
    if ex.squeeze:
        g, w = g.squeeze(), w.squeeze()
    if g.shape != w.shape:
        return f"{where} has shape {g.shape}; expected shape {w.shape}."
    if np.allclose(g, w, rtol=ex.rtol, atol=ex.atol):
        return f"{where} gives the right values, but{warned[:-1]}: compute it so that nothing overflows."
    return f"{where}: expected {format_value(w)}, got {format_value(g)}.{warned}"


def format_value(value: Any) -> str:
    """A short, readable form of a number or array for feedback messages."""
    a = value if isinstance(value, np.ndarray) else numbers(value)
    if a is None:
        return repr(value)
    if a.ndim == 0:
        return f"{float(a):.6g}"
    return np.array2string(a, precision=4, threshold=8, suppress_small=True)


class Shown:
    """A value in a feedback template: ``{got}`` shows it short, ``{got:.4g}`` as a number, ``{got!s}``
    as ``str`` does, and ``{got[0]}``, ``{got.shape}`` reach inside."""

    def __init__(self, value: Any):
        self.value = value

    def __format__(self, spec: str) -> str:
        array = numbers(self.value) if spec else None
        return format(float(array), spec) if array is not None else format_value(self.value)

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:
        return repr(self.value)

    def __getitem__(self, key: Any) -> Shown:
        return Shown(self.value[key])

    def __getattr__(self, name: str) -> Any:
        return getattr(self.value, name)
