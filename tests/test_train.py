"""The training loops: ``minimize`` follows the update equation, ``fit`` visits the data as promised,
both are reproducible, and both stop safely on divergence."""

import warnings

import numpy as np
import pytest

from gdcourse import data, functions
from gdcourse.models import LinearRegression, LogisticRegression, SoftmaxRegression
from gdcourse.optim import SGD, Adam
from gdcourse.train import DivergenceError, DivergenceWarning, fit, minimize

# ---------------------------------------------------------------- minimize


def test_minimize_returns_the_gd_path():
    f = functions.Rosenbrock()
    x0 = np.array([-1.2, 1.0])
    path = minimize(f, x0, SGD, 50, lr=1e-3)
    np.testing.assert_array_equal(x0, [-1.2, 1.0])  # the start is copied, never changed
    assert len(path) == 51 and path.points.shape == (51, 2)
    np.testing.assert_array_equal(path.points[0], x0)
    # every step is x <- x - lr * grad f(x), with Rosenbrock's gradient written out here
    x, y = path.points[:-1, 0], path.points[:-1, 1]
    grad = np.c_[-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)]
    np.testing.assert_allclose(path.points[1:], path.points[:-1] - 1e-3 * grad, rtol=1e-13)
    np.testing.assert_allclose(
        path.values, (1 - path.points[:, 0]) ** 2 + 100 * (path.points[:, 1] - path.points[:, 0] ** 2) ** 2
    )
    np.testing.assert_allclose(path.grad_norms, np.linalg.norm(f.grad(path.points), axis=1))
    assert not path.diverged and path.diverged_at is None
    np.testing.assert_array_equal(path.x, path.points[-1])


def test_minimize_with_zero_steps_and_with_a_plain_gradient():
    path = minimize(functions.bowl(), (2.0, 2.0), SGD, 0, lr=0.1)
    assert len(path) == 1
    # any function works with grad=; x0 may be a tuple or a scalar
    path = minimize(lambda x: float(x @ x), 3.0, SGD, 3, grad=lambda x: 2 * x, lr=0.25)
    np.testing.assert_allclose(path.points[:, 0], [3.0, 1.5, 0.75, 0.375])


def test_minimize_stops_on_divergence_and_warns():
    f = functions.parabola()  # x^2 + 4x + 1, L = 2: GD is stable for lr < 1
    with pytest.warns(DivergenceWarning) as caught:
        path = minimize(f, f.start, SGD, 5000, lr=1.5)
    assert path.diverged and 1 < path.diverged_at < 5000
    assert len(path) == path.diverged_at  # the start and every finite step before the bad one
    assert np.isfinite(path.points).all() and np.isfinite(path.values).all() and np.isfinite(path.grad_norms).all()
    # theory: x_k + 2 = (1 - 2 lr)^k (x_0 + 2) = 4 (-2)^k, so the path went as far as floats allow
    k = np.arange(len(path))
    np.testing.assert_allclose(path.points[:, 0], -2 + 4 * (-2.0) ** k, rtol=1e-12)
    assert path.values[-1] > 1e300
    message = str(caught[0].message)
    assert f"step {path.diverged_at}" in message
    assert "smaller learning rate" in message and "1.5" in message


def test_minimize_rolls_the_optimizer_back_with_the_point():
    f = functions.parabola()
    with pytest.warns(DivergenceWarning):
        path = minimize(f, f.start, SGD, 5000, lr=1.5, momentum=0.2)
    assert path.optimizer.t == path.diverged_at - 1  # the failed step is not counted
    replay = minimize(f, f.start, SGD, path.diverged_at - 1, lr=1.5, momentum=0.2)  # stops just before
    np.testing.assert_array_equal(path.optimizer.momentum_buffer[0], replay.optimizer.momentum_buffer[0])
    np.testing.assert_array_equal(path.optimizer.params[0], replay.x)


def test_minimize_with_an_optimizer_object_names_the_fix():
    f = functions.bowl()
    x = np.array([2.0, 2.0])
    optimizer = SGD([x], lr=0.1, momentum=0.9)
    with pytest.raises(TypeError) as error:
        minimize(f, x, optimizer, 100)
    message = str(error.value)
    assert "minimize(f, x0, SGD, 100, lr=0.1, momentum=0.9)" in message  # the call that works, with its settings
    assert "not an optimizer object" in message and "fit" in message
    np.testing.assert_array_equal(x, [2.0, 2.0])  # nothing ran
    assert optimizer.t == 0
    with pytest.raises(TypeError, match="optimizer class such as SGD"):
        minimize(f, x, "SGD", 100)


@pytest.mark.parametrize(
    "num_steps, error, match",
    [
        (2.5, ValueError, r"Invalid num_steps: 2\.5\. It must be a whole number"),
        (True, TypeError, r"Invalid num_steps: True\. It must be a whole number, not bool"),
        ("10", TypeError, r"not str"),
        (-1, ValueError, r"Invalid num_steps: -1\. It must be a whole number at least 0"),
    ],
)
def test_minimize_rejects_a_step_count_that_is_not_a_whole_number(num_steps, error, match):
    x0 = np.array([2.0, 2.0])
    with pytest.raises(error, match=match):
        minimize(functions.bowl(), x0, SGD, num_steps, lr=0.1)
    np.testing.assert_array_equal(x0, [2.0, 2.0])


def test_counts_given_as_numpy_integers_or_whole_floats_are_accepted(regression_data):
    X, y = regression_data
    path = minimize(functions.bowl(), (2.0, 2.0), SGD, np.int64(3), lr=0.1)
    assert len(path) == 4
    assert len(minimize(functions.bowl(), (2.0, 2.0), SGD, 3.0, lr=0.1)) == 4
    model = LinearRegression(np.int32(2))
    history = fit(model, SGD(model.params, lr=0.1), X, y, np.int64(10), np.int64(2))
    assert history.epoch == [0, 1, 2] and history.grad_evals[-1] == 2 * N


def test_fit_checks_the_data_once_not_on_every_batch(regression_data, monkeypatch):
    X, y = regression_data
    model = LinearRegression(2)
    calls = []
    original = model.check_batch
    monkeypatch.setattr(model, "check_batch", lambda X, y: calls.append(len(X)) or original(X, y))
    fit(model, SGD(model.params, lr=0.1), X, y, 10, 3, X_val=X[:5], y_val=y[:5])
    assert calls == [N, 5]  # the training set and the validation set, once each
    model.loss_and_grads(X[:3], y[:3])  # a learner's own call is checked
    assert calls == [N, 5, 3]


def test_minimize_can_raise_on_divergence():
    f = functions.parabola()
    with pytest.raises(DivergenceError) as error:
        minimize(f, f.start, SGD, 5000, lr=1.5, on_divergence="raise")
    path = error.value.record
    assert path.diverged and np.isfinite(path.points).all()
    assert isinstance(error.value, FloatingPointError)


def test_minimize_just_below_2_over_L_does_not_diverge():
    f = functions.parabola()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = minimize(f, f.start, SGD, 5000, lr=0.999)
    assert not path.diverged and abs(path.x[0] + 2) < 1e-3


# ---------------------------------------------------------------- fit: how the data are visited

N = 50


class RecordingModel:
    """Wraps a model and records, for every ``loss_and_grads`` call, which samples it received."""

    def __init__(self, model, X, y):
        self.model, self.params = model, model.params
        self.n_features, self.is_classifier = model.n_features, model.is_classifier
        self.row_index = {row.tobytes(): i for i, row in enumerate(X)}
        assert len(self.row_index) == len(X), "rows must be distinct to be recognised"
        self.y = y
        self.calls = []

    def loss_and_grads(self, X, y):
        indices = np.array([self.row_index[row.tobytes()] for row in X])
        np.testing.assert_array_equal(y, self.y[indices])  # each X row arrives with its own y
        self.calls.append(indices)
        return self.model.loss_and_grads(X, y)

    def accuracy(self, X, y):
        return self.model.accuracy(X, y)


def split_calls(calls, n, num_epochs):
    """Split the call log into epochs: [evaluation on all data, batches of epoch 1, evaluation, ...]."""
    epochs = []
    position = 0
    np.testing.assert_array_equal(calls[position], np.arange(n))  # epoch 0: loss on the whole set
    position += 1
    for _ in range(num_epochs):
        batches, seen = [], 0
        while seen < n:
            batches.append(calls[position])
            seen += len(calls[position])
            position += 1
        np.testing.assert_array_equal(calls[position], np.arange(n))  # end-of-epoch evaluation
        position += 1
        epochs.append(batches)
    assert position == len(calls)
    return epochs


@pytest.fixture
def regression_data():
    return data.linear_data(n_samples=N, noise=0.1, seed=3)


@pytest.mark.parametrize("batch_size", [1, 7, 10, 32, N - 1, N])
def test_fit_visits_every_sample_once_per_epoch(batch_size, regression_data):
    X, y = regression_data
    num_epochs = 4
    model = RecordingModel(LinearRegression(2), X, y)
    history = fit(model, SGD(model.params, lr=0.05), X, y, batch_size, num_epochs, seed=1)
    epochs = split_calls(model.calls, N, num_epochs)
    sizes = [batch_size] * (N // batch_size) + ([N % batch_size] if N % batch_size else [])
    for batches in epochs:
        assert [len(b) for b in batches] == sizes  # the last batch is smaller when n % batch_size != 0
        np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(N))  # each sample once
    orders = [np.concatenate(batches) for batches in epochs]
    if batch_size == N:  # full batch: the samples in order, every epoch
        for order in orders:
            np.testing.assert_array_equal(order, np.arange(N))
    else:  # shuffled, and differently in each epoch
        assert not np.array_equal(orders[0], np.arange(N))
        assert not np.array_equal(orders[0], orders[1])
    assert history.grad_evals == [N * e for e in range(num_epochs + 1)]
    assert history.epoch == list(range(num_epochs + 1))
    assert len(history.batch_loss) == num_epochs * len(sizes)


def test_fit_full_batch_is_gradient_descent(regression_data):
    """Full-batch fit follows w <- w - lr * (2/n) X^T (Xw + b - y), computed here by hand."""
    X, y = regression_data
    model = LinearRegression(2)
    history = fit(model, SGD(model.params, lr=0.3), X, y, N, 25)
    w, b = np.zeros(2), 0.0
    losses = [np.mean((X @ w + b - y) ** 2)]
    for _ in range(25):
        r = X @ w + b - y
        w, b = w - 0.3 * 2 * X.T @ r / N, b - 0.3 * 2 * r.mean()
        losses.append(np.mean((X @ w + b - y) ** 2))
    np.testing.assert_allclose(model.w, w, rtol=1e-12)
    assert float(model.b) == pytest.approx(b, rel=1e-12)
    np.testing.assert_allclose(history.train_loss, losses, rtol=1e-12)
    np.testing.assert_allclose(history.batch_loss, losses[:-1], rtol=1e-12)


def run(seed, batch_size=8, optimizer=SGD, **hyperparameters):
    X, y = data.blobs(n_samples=60, seed=0)
    model = LogisticRegression(2)
    history = fit(
        model, optimizer(model.params, **hyperparameters), X, y, batch_size, 5, X_val=X[:10], y_val=y[:10], seed=seed
    )
    return model, history


def test_fit_same_seed_gives_identical_runs():
    for optimizer, hp in [(SGD, {"lr": 0.1, "momentum": 0.9}), (Adam, {"lr": 0.05})]:
        (m1, h1), (m2, h2) = run(3, optimizer=optimizer, **hp), run(3, optimizer=optimizer, **hp)
        for name in ["train_loss", "val_loss", "train_acc", "val_acc", "batch_loss", "grad_evals", "lr"]:
            assert getattr(h1, name) == getattr(h2, name), name  # bit-identical
        for p, q in zip(m1.params, m2.params, strict=True):
            np.testing.assert_array_equal(p, q)


def test_fit_different_seed_gives_a_different_sgd_path():
    (m1, h1), (m2, h2) = run(3, lr=0.1), run(4, lr=0.1)
    assert h1.batch_loss != h2.batch_loss
    assert not np.array_equal(m1.w, m2.w)
    # ... but full-batch GD does not shuffle, so the seed does not matter there
    (m1, h1), (m2, h2) = run(3, batch_size=60, lr=0.1), run(4, batch_size=60, lr=0.1)
    assert h1.batch_loss == h2.batch_loss


def test_fit_records_validation_and_accuracy():
    X, y = data.blobs(n_samples=60, seed=0)
    model = LogisticRegression(2)
    history = fit(model, SGD(model.params, lr=0.5), X[:40], y[:40], 40, 3, X_val=X[40:], y_val=y[40:])
    assert len(history.val_loss) == len(history.val_acc) == len(history.train_acc) == 4
    assert history.val_loss[-1] == pytest.approx(model.loss_and_grads(X[40:], y[40:])[0], rel=1e-15)
    assert history.val_acc[-1] == np.mean((X[40:] @ model.w + model.b > 0) == y[40:])
    assert history.val_loss[0] == pytest.approx(np.log(2))  # zero weights: p = 1/2 for everyone


# ---------------------------------------------------------------- fit: divergence


def manual_gd_until_overflow(X, y, lr):
    """Full-batch GD on linear regression by the equation; returns the parameters P_0, P_1, ...
    up to and including the first whose loss is not finite, and the losses of the finite ones."""
    w, b = np.zeros(X.shape[1]), 0.0
    params, losses = [], []
    with np.errstate(over="ignore", invalid="ignore"):
        while True:
            r = X @ w + b - y
            loss = np.mean(r**2)
            params.append((w, b))
            if not np.isfinite(loss):
                return params, losses
            losses.append(loss)
            w, b = w - lr * 2 * X.T @ r / len(y), b - lr * 2 * r.mean()


def test_fit_full_batch_divergence_keeps_the_last_finite_parameters():
    X, y = data.linear_data()
    params, losses = manual_gd_until_overflow(X, y, lr=50.0)
    bad = len(losses)  # P_bad is the first with an infinite loss; epoch `bad` made it
    model = LinearRegression(2)
    with pytest.warns(DivergenceWarning, match=r"smaller learning rate"):
        history = fit(model, SGD(model.params, lr=50.0), X, y, len(X), 500)
    assert history.diverged
    assert history.diverged_at[0] == bad
    assert np.isfinite(history.train_loss).all() and np.isfinite(history.batch_loss).all()
    np.testing.assert_allclose(history.train_loss, losses, rtol=1e-10)  # P_0 .. P_(bad-1)
    w, b = params[bad - 1]  # the values before the bad step
    np.testing.assert_allclose(model.w, w, rtol=1e-10)
    assert float(model.b) == pytest.approx(b, rel=1e-10)
    assert history.train_loss[-1] == pytest.approx(model.loss_and_grads(X, y)[0], rel=1e-12)


@pytest.mark.parametrize("batch_size", [1, 7, 10, 99])
@pytest.mark.parametrize("optimizer, hyper", [(SGD, {"momentum": 0.9}), (Adam, {"betas": (0.5, 0.9)})])
def test_a_diverging_epoch_is_undone_for_the_model_and_the_optimizer(batch_size, optimizer, hyper):
    """After a divergence in epoch e, the model and the optimizer hold exactly what an identical run
    stopped after epoch e - 1 holds (the independent truth: that shorter run never diverged)."""
    X, y = data.linear_data()
    lr = 50.0 if optimizer is SGD else 1e200  # Adam moves each weight by about lr per step
    model = LinearRegression(2)
    opt = optimizer(model.params, lr=lr, **hyper)
    with pytest.warns(DivergenceWarning) as caught:
        history = fit(model, opt, X, y, batch_size, 500)
    epoch, step = history.diverged_at
    assert f"epoch {epoch}, step {step}" in str(caught[0].message)
    assert f"back where epoch {epoch} started" in str(caught[0].message)
    assert len(history.train_loss) == epoch  # epochs 0 .. epoch-1 completed
    assert np.isfinite(history.train_loss).all() and np.isfinite(history.batch_loss).all()

    shorter = LinearRegression(2)
    shorter_opt = optimizer(shorter.params, lr=lr, **hyper)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # this run stops before the bad epoch: no divergence
        shorter_history = fit(shorter, shorter_opt, X, y, batch_size, epoch - 1)
    for p, q in zip(model.params, shorter.params, strict=True):
        np.testing.assert_array_equal(p, q)
    assert history.train_loss == shorter_history.train_loss
    ours, theirs = opt.state_dict(), shorter_opt.state_dict()
    assert ours.keys() == theirs.keys() and ours["t"] == theirs["t"]
    for name, value in ours.items():
        np.testing.assert_equal(value, theirs[name], err_msg=name)  # moments, buffers, step count

    # and training can go on from there with a smaller rate, as the warning advises
    opt.lr = 1e-3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit(model, opt, X, y, batch_size, 2)


def test_fit_can_raise_on_divergence():
    X, y = data.linear_data()
    model = LinearRegression(2)
    with pytest.raises(DivergenceError) as error:
        fit(model, SGD(model.params, lr=50.0), X, y, 10, 500, on_divergence="raise")
    history = error.value.record
    assert history.diverged and np.isfinite(history.train_loss).all()
    assert all(np.isfinite(p).all() for p in model.params)


# ---------------------------------------------------------------- fit: bad input


@pytest.mark.parametrize(
    "change, match",
    [
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": N + 1}, "batch_size"),
        ({"batch_size": 2.5}, r"Invalid batch_size: 2\.5\. It must be a whole number"),
        ({"batch_size": N + 1}, rf"Invalid batch_size: {N + 1}\. It must be a whole number from 1 to {N}\. 1 is SGD"),
        ({"y": np.zeros(N - 1)}, "rows"),
        ({"X": np.full((N, 2), np.nan)}, "NaN"),
        ({"num_epochs": -1}, "num_epochs"),
        ({"num_epochs": 2.5}, r"Invalid num_epochs: 2\.5\. It must be a whole number"),
        ({"on_divergence": "ignore"}, "on_divergence"),
        ({"X_val": np.zeros((5, 2))}, "X_val and y_val"),
    ],
)
def test_fit_rejects_bad_input(change, match, regression_data):
    X, y = regression_data
    model = LinearRegression(2)
    kwargs = {"X": X, "y": y, "batch_size": 10, "num_epochs": 2, **change}
    with pytest.raises(ValueError, match=match):
        fit(model, SGD(model.params, lr=0.1), **kwargs)
    assert (model.w == 0).all() and model.b == 0


@pytest.mark.parametrize("change", [{"batch_size": True}, {"num_epochs": False}, {"num_epochs": "3"}])
def test_fit_rejects_counts_of_the_wrong_type(change, regression_data):
    X, y = regression_data
    model = LinearRegression(2)
    optimizer = SGD(model.params, lr=0.1, momentum=0.9)
    with pytest.raises(TypeError, match=f"Invalid {next(iter(change))}: .* It must be a whole number, not"):
        fit(model, optimizer, X, y, **{"batch_size": 10, "num_epochs": 2, **change})
    assert (model.w == 0).all() and model.b == 0 and optimizer.t == 0


def test_fit_rejects_wrong_labels_for_a_classifier():
    X, y = data.blobs(n_samples=20, seed=0)
    model = LogisticRegression(2)
    with pytest.raises(ValueError, match="Labels must be integers in 0..1"):
        fit(model, SGD(model.params, lr=0.1), X, y + 1, 5, 2)
    with pytest.raises(ValueError, match="Labels must be integers in 0..1"):
        fit(model, SGD(model.params, lr=0.1), X, y + 0.5, 5, 2)
    softmax_reg = SoftmaxRegression(2, 3)
    with pytest.raises(ValueError, match="Labels must be integers in 0..2"):
        fit(softmax_reg, SGD(softmax_reg.params, lr=0.1), X, y * 3, 5, 2)
    assert (model.w == 0).all() and (softmax_reg.W == 0).all()


def test_fit_rejects_an_optimizer_built_on_other_arrays(regression_data):
    X, y = regression_data
    model = LinearRegression(2)
    copies = [p.copy() for p in model.params]
    with pytest.raises(ValueError, match="model.params"):
        fit(model, SGD(copies, lr=0.1), X, y, 10, 2)
    other = LinearRegression(2)
    with pytest.raises(ValueError, match="model.params"):
        fit(model, SGD(other.params, lr=0.1), X, y, 10, 2)


def test_minimize_divergence_message_names_what_overflowed():
    # lr = 0.6 on 0.1 x^2 + 2 y^2: y grows by 1.4 per step; at step 1049 |grad|^2 overflows while f and x are finite
    f = functions.ill_conditioned()
    with pytest.warns(DivergenceWarning) as caught:
        path = minimize(f, f.start, SGD, 2000, lr=0.6)
    message = str(caught[0].message)
    assert path.diverged_at == 1049
    assert "the gradient's norm |grad f(x)| became infinite or NaN (f(x) = 3.02e+307 and x still finite)" in message
    # a huge step: f overflows at once (x^2 of 8e200), and the gradient's norm too, while x is finite
    with pytest.warns(DivergenceWarning) as caught:
        minimize(functions.parabola(), 2.0, SGD, 5, lr=1e200)
    assert "f(x) and the gradient's norm |grad f(x)| became infinite or NaN (x still finite)" in str(caught[0].message)
    # x itself overflows: lr = inf sends the point to -inf, then f and the gradient are infinite too
    with pytest.warns(DivergenceWarning) as caught:
        minimize(functions.parabola(), 2.0, SGD, 5, lr=1e308 * 10)
    assert "f(x), x and the gradient's norm |grad f(x)| became infinite or NaN;" in str(caught[0].message)
