"""Every exercise: the reference solution passes, typical mistakes get their specific feedback,
untouched stubs report "not attempted yet", and no answer can make ``check`` raise."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import gdcourse.exercises as ex


def all_exercises() -> list[ex.Exercise]:
    for module in pkgutil.iter_modules(ex.__path__):
        importlib.import_module(f"gdcourse.exercises.{module.name}")
    return [ex.EXERCISES[k] for k in sorted(ex.EXERCISES)]


EXERCISES = all_exercises()
IDS = [e.id for e in EXERCISES]


def test_every_notebook_module_registers_three_to_five_exercises():
    per_notebook: dict[str, int] = {}
    for e in EXERCISES:
        per_notebook[e.id.split(".")[0]] = per_notebook.get(e.id.split(".")[0], 0) + 1
    assert per_notebook, "no exercises registered"
    for notebook, count in per_notebook.items():
        assert 3 <= count <= 5, f"notebook {notebook} has {count} exercises"


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_reference_solution_is_correct(exercise):
    feedback = ex.check(exercise.id, exercise.solution)
    assert feedback.status == "correct", repr(feedback)


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_typical_mistakes_get_specific_feedback(exercise):
    assert exercise.mistakes, f"exercise {exercise.id} lists no typical mistakes"
    for wrong, phrase in exercise.mistakes:
        feedback = ex.check(exercise.id, wrong)
        assert feedback.status in ("incorrect", "error"), f"{exercise.id}: a mistake passed: {feedback!r}"
        assert phrase.lower() in feedback.message.lower(), f"{exercise.id}: {phrase!r} not in {feedback.message!r}"
        assert feedback.hint == exercise.hint


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_untouched_stub_is_not_attempted(exercise):
    if callable(exercise.solution):

        def stub(*args, **kwargs): ...  # your code here

        def raising_stub(*args, **kwargs):
            raise NotImplementedError

        answers = [stub, raising_stub, None]
    else:
        answers = [None, ...]
    for answer in answers:
        feedback = ex.check(exercise.id, answer)
        assert feedback.status == "not attempted", repr(feedback)
        assert "not attempted" in repr(feedback).lower()


def crashing(*args, **kwargs):
    return 1 / 0


def forgot_return(*args, **kwargs):
    result = 42  # noqa: F841


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_no_answer_makes_check_raise(exercise):
    for answer in [
        crashing,
        forgot_return,
        "a string",
        3.5,
        [1, 2, 3],
        object(),
        lambda *a: "text",
        lambda *a: [[1, 2], [3]],
    ]:
        feedback = ex.check(exercise.id, answer)  # must not raise
        assert feedback.status in ("incorrect", "error"), f"{exercise.id} accepted {answer!r}: {feedback!r}"
        assert feedback.message
    assert "ZeroDivisionError" in ex.check(exercise.id, crashing).message or not callable(exercise.solution)
    if callable(exercise.solution):
        assert "return" in ex.check(exercise.id, forgot_return).message


def test_feedback_renders_in_text_and_html():
    exercise = EXERCISES[0]
    feedback = ex.check(exercise.id, exercise.solution)
    assert feedback and "Correct" in repr(feedback) and "Correct" in feedback._repr_html_()
    wrong = ex.check(exercise.id, exercise.mistakes[0][0])
    assert not wrong and "Hint:" in repr(wrong) and "Hint:" in wrong._repr_html_()


def test_hint_and_solution_show_on_request(capsys):
    exercise = EXERCISES[0]
    ex.hint(exercise.id)
    ex.solution(exercise.id)
    out = capsys.readouterr().out
    assert exercise.hint in out
    assert "Solution" in out and ("def " in out or "answer =" in out)


def test_unknown_exercise_says_what_exists():
    with pytest.raises(KeyError, match="01.1"):
        ex.get("99.9")
