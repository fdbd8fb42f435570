"""The exercise mechanism, on every exercise: the reference solution passes, every listed mistake is
recognised as itself (verdict "incorrect", its own feedback) and differs from the reference on some
case, untouched stubs report "not attempted yet", no answer makes ``check`` raise, and a bug in a
checker is reported as one, not blamed on the learner."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

import numpy as np
import pytest

import gdcourse.exercises as ex


def all_exercises() -> list[ex.Exercise]:
    for module in pkgutil.iter_modules(ex.__path__):
        importlib.import_module(f"gdcourse.exercises.{module.name}")
    return [ex.EXERCISES[k] for k in sorted(ex.EXERCISES)]


EXERCISES = all_exercises()
IDS = [e.id for e in EXERCISES]


@pytest.fixture(params=EXERCISES, ids=IDS)
def exercise(request) -> ex.Exercise:
    """Each exercise in turn; those whose checks need torch are skipped without it (as conftest's torch64)."""
    if request.param.requires:
        pytest.importorskip(request.param.requires)
    return request.param


def test_every_notebook_module_registers_three_to_five_exercises():
    per_notebook: dict[str, int] = {}
    for e in EXERCISES:
        per_notebook[e.id.split(".")[0]] = per_notebook.get(e.id.split(".")[0], 0) + 1
    assert len(per_notebook) == 9, per_notebook
    for notebook, count in per_notebook.items():
        assert 3 <= count <= 5, f"notebook {notebook} has {count} exercises"


def test_reference_solution_is_correct(exercise):
    feedback = ex.check(exercise.id, exercise.solution)
    assert feedback.status == "correct", repr(feedback)
    assert feedback.message == exercise.success


def test_every_listed_mistake_is_recognised_as_itself(exercise):
    assert len(exercise.mistakes) >= 2, f"exercise {exercise.id} lists too few typical mistakes"
    for mistake in exercise.mistakes:
        feedback = ex.check(exercise.id, mistake.answer)
        assert feedback.status == "incorrect", f"{exercise.id}: {mistake.feedback[:60]!r} gave {feedback!r}"
        assert feedback.mistake is mistake, f"{exercise.id}: {mistake.feedback[:60]!r} gave {feedback.message!r}"
        assert feedback.hint == exercise.hint


def test_every_listed_mistake_differs_from_the_reference_on_some_case(exercise):
    if exercise.choices:
        assert all(m.answer in exercise.choices and m.answer != exercise.solution for m in exercise.mistakes)
        return
    if exercise.test:  # a hand-written check: the test above proves each mistake is told apart
        return
    reference = exercise.reference or exercise.solution
    for mistake in exercise.mistakes:
        differs = [not exercise.same(ex.outcome(mistake.answer, a), ex.outcome(reference, a)) for a in exercise.cases]
        assert any(differs), f"{exercise.id}: {mistake.feedback[:60]!r} gives the reference's answer on every case"


def test_listed_feedback_names_no_field_the_template_lacks(exercise):
    """A mistake recognised only on a later case must still format: try every template on every case."""
    for args in exercise.cases:
        fields = exercise.fields(args)
        value = ex.Shown(ex.outcome(exercise.reference or exercise.solution, args).value)
        for mistake in exercise.mistakes:
            wrong = ex.Shown(ex.outcome(mistake.answer, args).value)
            mistake.feedback.format(**fields, got=wrong, wrong=wrong, expected=value, warnings="")


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


def test_no_answer_makes_check_raise_or_blames_the_checker(exercise):
    odd = [lambda *a: "text", lambda *a: 1j, lambda *a: 10**400, lambda *a: {"a": 1}, lambda *a: (np.ones(2), "x")]
    for answer in [crashing, forgot_return, "a string", 3.5, [1, 2, 3], object(), *odd]:
        feedback = ex.check(exercise.id, answer)  # must not raise
        assert feedback.status in ("incorrect", "error"), f"{exercise.id} on {answer!r}: {feedback!r}"
        assert feedback.message
    if callable(exercise.solution):
        assert ex.check(exercise.id, crashing).status == "error"
        assert "ZeroDivisionError" in ex.check(exercise.id, crashing).message
        assert "return" in ex.check(exercise.id, forgot_return).message


def test_a_wrong_type_of_answer_is_named():
    feedback = ex.check("01.1", lambda x, grad, lr: "text")
    assert feedback.status == "incorrect"
    assert feedback.message == "gradient_step(2.0, 8.0, 0.1) returned a str; expected a number."
    feedback = ex.check("02.1", lambda X, y, w, b: 0.5)
    assert feedback.message == "mse_grads(X, y, w, b) should return 2 values, (grad_w, grad_b); got a number."


def test_a_reference_that_returns_no_number_is_compared_by_kind(monkeypatch):
    words = ex.Exercise("99.3", "a text answer", "no hint", solution=lambda x: "one", cases=[(1.0,)], where="f(1)")
    monkeypatch.setitem(ex.EXERCISES, "99.3", words)
    feedback = ex.check("99.3", lambda x: 1.0)
    assert feedback.status == "incorrect" and feedback.message == "f(1) returned a number; expected a str."
    assert format(ex.Shown("one"), ".4g") == "'one'"  # a template's number format on a non-number: shown as is
    assert format(ex.Shown(np.float64(2.5)), ".4g") == "2.5"


def test_an_unlisted_wrong_answer_gets_the_first_wrong_case():
    feedback = ex.check("01.1", lambda x, grad, lr: x - 2 * lr * grad)
    assert feedback.status == "incorrect" and feedback.mistake is None
    assert feedback.message == "gradient_step(2.0, 8.0, 0.1): expected 1.2, got 0.4."
    feedback = ex.check("03.1", lambda z: -np.log1p(np.exp(-z)))  # overflows at z = -1000: the warning is named
    assert feedback.status == "incorrect" and "NumPy warned: overflow encountered in exp" in feedback.message


def test_the_learners_error_names_their_line():
    def gradient_step(x, grad, lr):
        return x - lr * grad.T @ x  # a float has no .T

    feedback = ex.check("01.1", gradient_step)
    assert feedback.status == "error"
    assert feedback.message.startswith("AttributeError: 'float' object has no attribute 'T'")
    assert "(at the line `return x - lr * grad.T @ x  # a float has no .T`)" in feedback.message


def test_the_learners_line_is_found_in_a_folder_called_gdcourse(tmp_path):
    folder = tmp_path / "gdcourse" / "notebooks"  # a clone of the course's repository, say
    folder.mkdir(parents=True)
    (folder / "mine.py").write_text("def gradient_step(x, grad, lr):\n    return x - lr * grad.T @ x\n")
    spec = importlib.util.spec_from_file_location("mine", folder / "mine.py")
    mine = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mine)
    feedback = ex.check("01.1", mine.gradient_step)
    assert feedback.status == "error"
    assert feedback.message.endswith("(at the line `return x - lr * grad.T @ x`)")


def test_a_bug_in_a_checker_is_an_internal_error_with_a_traceback(monkeypatch):
    def broken_reference(x):
        return x["no such key"]  # the checker's own bug

    bug = ex.Exercise("99.1", "a broken exercise", "no hint", solution=lambda x: x, cases=[(1.0,)])
    bug.reference = broken_reference
    monkeypatch.setitem(ex.EXERCISES, "99.1", bug)
    feedback = ex.check("99.1", lambda x: x + 1)  # the learner's function returned normally
    assert feedback.status == "internal error"
    assert "bug in gdcourse, not in your answer" in repr(feedback)
    assert "Traceback" in feedback.details and "broken_reference" in feedback.details
    assert "<pre>" in feedback._repr_html_()

    typo = ex.Exercise("99.2", "a typo", "no hint", solution=lambda x: x, cases=[(1.0,)], where="f({y})")
    monkeypatch.setitem(ex.EXERCISES, "99.2", typo)
    assert ex.check("99.2", lambda x: x + 1).status == "internal error"  # the template names no such field


def test_a_mistake_that_raises_is_recognised_by_its_error():
    feedback = ex.check("00.3", lambda X, w, b: X.T @ w + b)  # another mismatch of the same kind as w @ X
    assert feedback.status == "incorrect" and "shapes do not line up" in feedback.message


def test_multiple_choice_answers():
    assert ex.check("06.4", " (B) ").correct
    assert ex.check("06.4", "c").mistake is ex.get("06.4").mistakes[1]
    for answer in ["e", "bc", 2]:
        feedback = ex.check("06.4", answer)
        assert feedback.status == "incorrect"
        assert "Answer with one letter, 'a', 'b', 'c' or 'd', as a string" in feedback.message


def test_close_compares_structure_shape_and_values():
    assert ex.close((np.ones(2), 1.0), [[1, 1], 1], 1e-6, 1e-9)
    assert not ex.close((np.ones(2), 1.0), (np.ones(2),), 1e-6, 1e-9)
    assert not ex.close(np.ones(2), np.ones((2, 1)), 1e-6, 1e-9)
    assert ex.close(np.ones(2), np.ones((2, 1)), 1e-6, 1e-9, squeeze=True)
    assert not ex.close([1.0, 2.0], np.array([1.0, 2.0]), 1e-6, 1e-9, array=True)
    assert not ex.close("2.0", 2.0, 1e-6, 1e-9)  # a string is never a number
    assert not ex.close(np.nan, np.nan, 1e-6, 1e-9)


def test_errors_are_the_same_but_for_their_numbers():
    assert ex.same_error(ValueError("size 5 is different from 3"), ValueError("size 3 is different from 5"))
    assert not ex.same_error(ValueError("size 5"), TypeError("size 5"))
    assert not ex.same_error(ValueError("shapes differ"), ValueError("not aligned"))


def test_feedback_renders_in_text_and_html():
    exercise = EXERCISES[0]
    feedback = ex.check(exercise.id, exercise.solution)
    assert feedback and "Correct" in repr(feedback) and "Correct" in feedback._repr_html_()
    wrong = ex.check(exercise.id, exercise.mistakes[0].answer)
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
