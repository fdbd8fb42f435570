"""``model.evaluate`` (one forward pass, which ``fit`` records after every epoch) gives exactly the
loss of ``loss_and_grads``, which tests/test_models.py checks against PyTorch, and the accuracy of
``predict``."""

from __future__ import annotations

import numpy as np
import pytest

from gdcourse.models import MLP, LinearRegression, LogisticRegression, SoftmaxRegression

RNG = np.random.default_rng(7)
X = RNG.normal(size=(40, 5))


def with_random_params(model):
    for p in model.params:
        p[...] = RNG.normal(size=p.shape)
    return model


@pytest.mark.parametrize(
    "model, y",
    [
        (LinearRegression(5), RNG.normal(size=40)),
        (LogisticRegression(5), RNG.integers(0, 2, 40)),
        (SoftmaxRegression(5, 3), RNG.integers(0, 3, 40)),
        *(
            (MLP([5, 6, 3], activation=activation, loss="cross_entropy", seed=1), RNG.integers(0, 3, 40))
            for activation in ["sigmoid", "tanh", "relu"]
        ),
        (MLP([5, 6, 3], loss="mse", seed=1), RNG.normal(size=(40, 3))),
        (MLP([5, 6, 3], loss="mse", seed=1), RNG.integers(0, 3, 40)),  # labels, one-hot encoded
    ],
)
def test_evaluate_gives_the_loss_of_loss_and_grads_and_the_accuracy_of_predict(model, y):
    model = with_random_params(model)
    loss, accuracy = model.evaluate(X, y)
    assert loss == model.loss_and_grads(X, y)[0]  # bit for bit
    if model.is_classifier:
        assert accuracy == model.accuracy(X, y)
        assert 0 < accuracy < 1  # random weights: some right, some wrong, so the comparison means something
    else:
        assert accuracy is None


def test_evaluate_checks_its_input():
    with pytest.raises(ValueError, match="features"):
        LinearRegression(3).evaluate(X, np.zeros(40))
    with pytest.raises(ValueError, match="Labels must be integers"):
        SoftmaxRegression(5, 3).evaluate(X, np.full(40, 3))
