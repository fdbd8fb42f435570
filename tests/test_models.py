"""Models and losses against independent truths: torch.autograd (float64) and finite differences.

Tests that need torch take conftest's ``torch64`` fixture (skipped where torch is not
installed). The torch side rebuilds each forward pass with ``torch.nn.functional`` from the same parameter
values; autograd then gives the gradients. Neither side's numbers come from the other.
"""

import numpy as np
import pytest

from gdcourse import gradcheck, losses
from gdcourse.models import MLP, LinearRegression, LogisticRegression, SoftmaxRegression
from gdcourse.optim import SGD

TORCH_TOL = 1e-10  # relative error of the loss and of every gradient vs torch
# Finite differences: CS231n's entry-wise relative error below 1e-7 means right. The centred
# difference has an absolute rounding noise of about eps * |L| / h ~ 1e-11, so an entry of 1e-4
# (common in the first layer of a 2-hidden-layer sigmoid net) can reach 1e-7 by noise alone.
# Every entry must satisfy |a - n| <= 1e-7 |n| + 1e-9; the gradcheck verdict (max relative error)
# must be < 1e-7 for networks without hidden layers and < 1e-5 for deeper ones.
FD_RTOL, FD_ATOL = 1e-7, 1e-9
N, D, K = 6, 3, 3  # a small batch keeps finite differences cheap


def randomize(model, seed, scale=1.0):
    """Overwrite every parameter in place with seeded N(0, scale^2) values (biases included)."""
    rng = np.random.default_rng(seed)
    for p in model.params:
        p[...] = scale * rng.standard_normal(p.shape)
    return model


def rel_err(a, t):
    """Normwise relative error max|a - t| / max|t| (robust to entries that are close to 0)."""
    a, t = np.asarray(a, dtype=np.float64), np.asarray(t, dtype=np.float64)
    return float(np.max(np.abs(a - t)) / max(np.max(np.abs(t)), 1e-300))


def torch_loss_and_grads(forward_loss, params):
    """Loss and gradients from torch.autograd, for numpy params copied into float64 leaf tensors."""
    import torch  # the calling test holds the torch64 fixture

    tensors = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]
    loss = forward_loss(tensors)
    loss.backward()
    return loss.item(), [t.grad.numpy() for t in tensors]


def assert_matches_torch(model, X, y, forward_loss):
    loss, grads = model.loss_and_grads(X, y)
    t_loss, t_grads = torch_loss_and_grads(forward_loss, model.params)
    assert len(grads) == len(t_grads) == len(model.params)
    assert abs(loss - t_loss) <= TORCH_TOL * abs(t_loss), (loss, t_loss)
    for i, (g, tg, p) in enumerate(zip(grads, t_grads, model.params, strict=True)):
        assert np.shape(g) == p.shape, f"grads[{i}] has shape {np.shape(g)}, params[{i}] {p.shape}"
        assert rel_err(g, tg) <= TORCH_TOL, f"grads[{i}]: relative error {rel_err(g, tg):.2e}"


def assert_matches_finite_differences(model, X, y, max_relative_error=1e-7):
    _, grads = model.loss_and_grads(X, y)
    for i, (p, g) in enumerate(zip(model.params, grads, strict=True)):
        numerical = gradcheck.numerical_gradient(lambda: model.loss_and_grads(X, y)[0], p)
        np.testing.assert_allclose(g, numerical, rtol=FD_RTOL, atol=FD_ATOL, err_msg=f"grads[{i}]")
    result = gradcheck.check_model(model, X, y)
    assert result.max_error < max_relative_error, result


@pytest.fixture
def batch():
    rng = np.random.default_rng(42)
    X = rng.standard_normal((N, D))
    labels = np.array([0, 1, 2, 1, 0, 2])
    return X, labels, rng


def t(a):
    """``a`` as a float64 tensor (in tests that hold the torch64 fixture)."""
    import torch

    return torch.tensor(a, dtype=torch.float64)


# ---------------------------------------------------------------- linear, logistic, softmax


def test_linear_regression_matches_torch_and_finite_differences(batch, torch64):
    F = torch64.nn.functional
    X, _, rng = batch
    y = rng.standard_normal(N)
    model = randomize(LinearRegression(D), seed=1)
    assert_matches_torch(model, X, y, lambda p: F.mse_loss(t(X) @ p[0] + p[1], t(y)))
    assert_matches_finite_differences(model, X, y)
    # y given as a column (n, 1) means the same thing
    assert model.loss_and_grads(X, y[:, None])[0] == pytest.approx(model.loss_and_grads(X, y)[0], rel=1e-15)


def test_logistic_regression_matches_torch_and_finite_differences(batch, torch64):
    F = torch64.nn.functional
    X, _, rng = batch
    y = np.array([0, 1, 1, 0, 1, 0])
    model = randomize(LogisticRegression(D), seed=2)
    assert_matches_torch(model, X, y, lambda p: F.binary_cross_entropy_with_logits(t(X) @ p[0] + p[1], t(y)))
    assert_matches_finite_differences(model, X, y)


def test_softmax_regression_matches_torch_and_finite_differences(batch, torch64):
    torch, F = torch64, torch64.nn.functional
    X, labels, _ = batch
    model = randomize(SoftmaxRegression(D, K), seed=3)
    assert_matches_torch(model, X, labels, lambda p: F.cross_entropy(t(X) @ p[0] + p[1], torch.tensor(labels)))
    assert_matches_finite_differences(model, X, labels)


# ---------------------------------------------------------------- MLP

TARGETS = ["cross_entropy", "mse_float", "mse_labels", "mse_one_output"]


def torch_mlp_outputs(params, X, activation):
    """The MLP's forward pass in torch: hidden a = phi(a W + b), linear output layer."""
    import torch

    phi = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
    a = t(X)
    for W, b in zip(params[:-2:2], params[1:-2:2], strict=True):  # the hidden layers
        a = phi(a @ W + b)
    return a @ params[-2] + params[-1]


def mlp_case(target, hidden, activation, labels, rng):
    """(model, y, torch loss of the outputs) for one target kind."""
    import torch
    import torch.nn.functional as F

    if target == "cross_entropy":
        model = MLP([D, *hidden, K], activation, loss="cross_entropy")
        return model, labels, lambda Z: F.cross_entropy(Z, torch.tensor(labels))
    if target == "mse_float":  # (n, K) real-valued targets
        Y = rng.standard_normal((N, K))
        return MLP([D, *hidden, K], activation, loss="mse"), Y, lambda Z: F.mse_loss(Z, t(Y))
    if target == "mse_labels":  # 1-D integer labels become one-hot rows
        Y = F.one_hot(torch.tensor(labels), K).to(torch.float64)
        return MLP([D, *hidden, K], activation, loss="mse"), labels, lambda Z: F.mse_loss(Z, Y)
    y = rng.standard_normal(N)  # one output, y of shape (n,)
    return MLP([D, *hidden, 1], activation, loss="mse"), y, lambda Z: F.mse_loss(Z[:, 0], t(y))


@pytest.mark.parametrize("hidden", [[], [5, 4]], ids=["no_hidden", "two_hidden"])
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_mlp_matches_torch_and_finite_differences(activation, target, hidden, batch, torch64):
    X, labels, rng = batch
    model, y, torch_loss = mlp_case(target, hidden, activation, labels, rng)
    randomize(model, seed=7)
    assert_matches_torch(model, X, y, lambda p: torch_loss(torch_mlp_outputs(p, X, activation)))
    if activation == "relu":  # finite differences are only valid away from ReLU's kink at 0
        pre_activations = [a @ W + b for a, (W, b) in zip(model.forward(X)[:-1], model.layers, strict=True)]
        assert min(np.abs(z).min() for z in pre_activations[:-1] or [np.ones(1)]) > 1e-3, "data hit a ReLU kink"
    assert_matches_finite_differences(model, X, y, max_relative_error=1e-5 if hidden else 1e-7)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])  # smooth: finite differences hold everywhere
def test_every_model_matches_finite_differences(activation, batch):
    """The same gradients checked without torch, so they are checked on every Python the tests run on."""
    X, labels, rng = batch
    cases = [
        (randomize(LinearRegression(D), seed=1), rng.standard_normal(N), 1e-7),
        (randomize(LogisticRegression(D), seed=2), np.array([0, 1, 1, 0, 1, 0]), 1e-7),
        (randomize(SoftmaxRegression(D, K), seed=3), labels, 1e-7),
        (randomize(MLP([D, 5, 4, K], activation), seed=7), labels, 1e-5),
        (randomize(MLP([D, 5, K], activation, loss="mse"), seed=8), rng.standard_normal((N, K)), 1e-5),
    ]
    for model, y, max_relative_error in cases:
        assert_matches_finite_differences(model, X, y, max_relative_error)


def test_mlp_rejects_targets_of_the_wrong_width(batch):
    X, _, rng = batch
    model = MLP([D, 4, K], loss="mse")
    with pytest.raises(ValueError, match="column"):
        model.loss_and_grads(X, rng.standard_normal((N, K + 1)))


# ---------------------------------------------------------------- losses: stability and formulas


def test_losses_are_stable_for_huge_logits(torch64):
    torch, F = torch64, torch64.nn.functional
    Z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0], [0.0, 0.0, 1000.0], [1000.0, 1000.0, -1000.0]])
    labels = np.array([0, 2, 1, 1])
    z = np.array([1000.0, -1000.0, 1000.0, -1000.0])
    y = np.array([1.0, 0.0, 0.0, 1.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        ce = losses.cross_entropy(Z, labels)
        bce = losses.bce_with_logits(z, y)
        P = losses.softmax(Z)
        log_P = losses.log_softmax(Z)
        s = losses.sigmoid(z)
    assert np.isfinite([ce, bce]).all() and np.isfinite(P).all() and np.isfinite(log_P).all()
    assert ce == pytest.approx(F.cross_entropy(t(Z), torch.tensor(labels)).item(), rel=1e-12)
    assert bce == pytest.approx(F.binary_cross_entropy_with_logits(t(z), t(y)).item(), rel=1e-12)
    assert bce == pytest.approx(500.0)  # two confident mistakes cost 1000 each, two right answers 0
    np.testing.assert_allclose(P, torch.softmax(t(Z), dim=1).numpy(), rtol=0, atol=1e-15)
    np.testing.assert_allclose(log_P, torch.log_softmax(t(Z), dim=1).numpy(), rtol=1e-14)
    np.testing.assert_array_equal(s, [1.0, 0.0, 1.0, 0.0])


def test_models_are_stable_for_huge_logits(batch, torch64):
    torch, F = torch64, torch64.nn.functional
    X, labels, _ = batch
    y = np.array([0, 1, 1, 0, 1, 0])
    logistic = randomize(LogisticRegression(D), seed=2, scale=1000.0)
    softmax_reg = randomize(SoftmaxRegression(D, K), seed=3, scale=1000.0)
    mlp = randomize(MLP([D, 4, K], "tanh"), seed=4, scale=1000.0)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        results = [m.loss_and_grads(X, yy) for m, yy in [(logistic, y), (softmax_reg, labels), (mlp, labels)]]
    for loss, grads in results:
        assert np.isfinite(loss) and all(np.isfinite(g).all() for g in grads)
    assert_matches_torch(logistic, X, y, lambda p: F.binary_cross_entropy_with_logits(t(X) @ p[0] + p[1], t(y)))
    assert_matches_torch(softmax_reg, X, labels, lambda p: F.cross_entropy(t(X) @ p[0] + p[1], torch.tensor(labels)))
    assert results[0][0] > 100  # some logit is a confident mistake: the loss is large, but finite


def test_softmax_rows_sum_to_one_and_match_torch(torch64):
    torch = torch64
    Z = np.random.default_rng(0).standard_normal((50, 7)) * 30
    P = losses.softmax(Z)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    assert (P >= 0).all()
    np.testing.assert_allclose(P, torch.softmax(t(Z), dim=1).numpy(), rtol=1e-13, atol=1e-300)


def test_binary_cross_entropy_equals_the_formula(torch64):
    F = torch64.nn.functional
    rng = np.random.default_rng(1)
    p = rng.uniform(0.01, 0.99, 40)
    y = rng.integers(0, 2, 40).astype(float)
    formula = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert losses.binary_cross_entropy(p, y) == pytest.approx(formula, rel=1e-14)
    assert losses.binary_cross_entropy(p, y) == pytest.approx(F.binary_cross_entropy(t(p), t(y)).item(), rel=1e-12)
    assert losses.binary_cross_entropy(p, y) == pytest.approx(losses.bce_with_logits(np.log(p / (1 - p)), y), rel=1e-12)
    # p = 0 or 1 is clipped to [eps, 1 - eps]: a confident mistake costs -log(eps), a right answer ~0
    eps = 1e-15
    mistakes = losses.binary_cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0]), eps=eps)
    assert mistakes == pytest.approx(-(np.log(eps) + np.log(1 - (1 - eps))) / 2, rel=1e-14)
    assert mistakes == pytest.approx(-np.log(eps), rel=1e-4)  # 1 - (1 - eps) is eps up to rounding
    assert losses.binary_cross_entropy(np.array([1.0, 0.0]), np.array([1.0, 0.0]), eps=eps) < 1e-14


def test_sigmoid_matches_torch(torch64):
    torch = torch64
    z = np.linspace(-40, 40, 801)
    np.testing.assert_allclose(losses.sigmoid(z), torch.sigmoid(t(z)).numpy(), rtol=1e-15, atol=0)


# ---------------------------------------------------------------- predictions


def test_predictions_have_the_right_shapes_and_values(batch, torch64):
    torch = torch64
    X, labels, _ = batch
    linear = randomize(LinearRegression(D), seed=1)
    pred = linear.predict(X)
    assert pred.shape == (N,)
    np.testing.assert_allclose(pred, (t(X) @ t(linear.w) + t(linear.b)).numpy(), rtol=1e-14)

    logistic = randomize(LogisticRegression(D), seed=2)
    proba = logistic.predict_proba(X)
    assert proba.shape == (N,)
    np.testing.assert_allclose(proba, torch.sigmoid(t(X) @ t(logistic.w) + t(logistic.b)).numpy(), rtol=1e-14)
    np.testing.assert_array_equal(logistic.predict(X), (proba >= 0.5).astype(int))
    assert set(np.unique(logistic.predict(X))) <= {0, 1}

    softmax_reg = randomize(SoftmaxRegression(D, K), seed=3)
    P = softmax_reg.predict_proba(X)
    torch_P = torch.softmax(t(X) @ t(softmax_reg.W) + t(softmax_reg.b), dim=1).numpy()
    assert P.shape == (N, K)
    np.testing.assert_allclose(P, torch_P, rtol=1e-13)
    np.testing.assert_array_equal(softmax_reg.predict(X), torch_P.argmax(axis=1))
    assert softmax_reg.accuracy(X, labels) == np.mean(torch_P.argmax(axis=1) == labels)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_mlp_predictions(activation, batch, torch64):
    torch = torch64
    X, _, _ = batch
    classifier = randomize(MLP([D, 5, 4, K], activation), seed=5)
    Z = torch_mlp_outputs([t(p) for p in classifier.params], X, activation)
    assert classifier.predict_proba(X).shape == (N, K)
    np.testing.assert_allclose(classifier.predict_proba(X), torch.softmax(Z, dim=1).numpy(), rtol=1e-12)
    np.testing.assert_allclose(classifier.log_proba(X), torch.log_softmax(Z, dim=1).numpy(), rtol=1e-12)
    np.testing.assert_array_equal(classifier.predict(X), Z.numpy().argmax(axis=1))

    regressor = randomize(MLP([D, 5, K], activation, loss="mse"), seed=6)
    Z = torch_mlp_outputs([t(p) for p in regressor.params], X, activation).numpy()
    assert regressor.predict(X).shape == (N, K)
    np.testing.assert_allclose(regressor.predict(X), Z, rtol=1e-12)

    single = randomize(MLP([D, 5, 1], activation, loss="mse"), seed=6)
    z = torch_mlp_outputs([t(p) for p in single.params], X, activation).numpy()
    assert single.predict(X).shape == (N,)
    np.testing.assert_allclose(single.predict(X), z[:, 0], rtol=1e-12)


# ---------------------------------------------------------------- sizes are whole numbers


@pytest.mark.parametrize(
    "build, error, match",
    [
        (lambda: LinearRegression(2.7), ValueError, r"Invalid n_features: 2\.7\. It must be a whole number"),
        (
            lambda: LogisticRegression(True),
            TypeError,
            r"Invalid n_features: True\. It must be a whole number, not bool",
        ),
        (lambda: LinearRegression("3"), TypeError, r"not str"),
        (lambda: SoftmaxRegression(3, 2.5), ValueError, r"Invalid n_classes: 2\.5"),
        (lambda: SoftmaxRegression(3, 1), ValueError, r"Invalid n_classes: 1\. It must be a whole number at least 2"),
        (lambda: MLP([4, 2.5, 3]), ValueError, r"Invalid layer_sizes\[1\]: 2\.5"),
        (lambda: MLP([4, 0, 3]), ValueError, r"Invalid layer_sizes\[1\]: 0\. It must be a whole number at least 1"),
        (lambda: MLP([4, False, 3]), TypeError, r"Invalid layer_sizes\[1\]: False"),
        (lambda: MLP([4]), ValueError, r"at least two positive integers"),
        (lambda: MLP("43"), ValueError, r"at least two positive integers"),
    ],
)
def test_sizes_must_be_whole_numbers(build, error, match):
    with pytest.raises(error, match=match):
        build()


def test_sizes_may_be_numpy_integers_or_whole_floats():
    assert LinearRegression(np.int64(3)).w.shape == (3,)
    assert MLP([np.int32(4), 5.0, 3]).layer_sizes == [4, 5, 3]
    assert SoftmaxRegression(2, np.int64(4)).W.shape == (2, 4)


# ---------------------------------------------------------------- MLP initialisation

SIZES = [400, 300, 200]  # 180,000 weights: the sample std is within ~0.5% of the true std


@pytest.mark.parametrize(
    "init, expected_std",
    [
        ("normal", lambda fan_in, fan_out: 1.0),
        ("xavier", lambda fan_in, fan_out: np.sqrt(2 / (fan_in + fan_out))),
        ("he", lambda fan_in, fan_out: np.sqrt(2 / fan_in)),
    ],
)
def test_mlp_init_has_the_stated_std(init, expected_std):
    model = MLP(SIZES, init=init, seed=0)
    for layer, (fan_in, fan_out) in enumerate(zip(SIZES[:-1], SIZES[1:], strict=True)):
        W, b = model.params[2 * layer], model.params[2 * layer + 1]
        std = expected_std(fan_in, fan_out)
        assert W.shape == (fan_in, fan_out) and b.shape == (fan_out,)
        assert W.std() == pytest.approx(std, rel=0.02), f"layer {layer}: std {W.std():.4f}, expected {std:.4f}"
        assert abs(W.mean()) < 0.02 * std  # 5 standard errors of the mean for 60,000 draws
        np.testing.assert_array_equal(b, 0.0)


def test_mlp_zero_init_gives_zero_weights():
    model = MLP(SIZES, init="zeros")
    for p in model.params:
        np.testing.assert_array_equal(p, 0.0)


def test_mlp_init_is_seeded():
    for init in MLP.inits:
        a, b = MLP([5, 8, 3], init=init, seed=3), MLP([5, 8, 3], init=init, seed=3)
        for p, q in zip(a.params, b.params, strict=True):
            np.testing.assert_array_equal(p, q)
    different = MLP([5, 8, 3], init="he", seed=4)
    assert not np.array_equal(different.params[0], MLP([5, 8, 3], init="he", seed=3).params[0])


def test_zero_init_keeps_hidden_units_identical():
    """The symmetry problem: units that start equal get equal gradients, so they stay equal."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 4))
    y = rng.integers(0, 3, 30)
    model = MLP([4, 6, 5, 3], activation="sigmoid", init="zeros")
    opt = SGD(model.params, lr=0.5)
    for _ in range(20):
        opt.step(model.loss_and_grads(X, y)[1])
    W1, b1, W2, b2, W3, _ = model.params
    assert all((W != 0).all() for W in (W1, W2, W3))  # every weight has moved away from 0
    for W_in, b_hidden in [(W1, b1), (W2, b2)]:  # incoming weights and biases of each hidden layer
        np.testing.assert_array_equal(W_in, np.repeat(W_in[:, :1], W_in.shape[1], axis=1))
        np.testing.assert_array_equal(b_hidden, b_hidden[0])
    for W_out in (W2, W3):  # outgoing weights: one identical row per hidden unit
        np.testing.assert_array_equal(W_out, np.repeat(W_out[:1], W_out.shape[0], axis=0))
