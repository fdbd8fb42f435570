"""Training reaches closed-form and reference solutions, at the rates the theory predicts.

Independent truths: ``np.linalg.lstsq`` (least squares), scikit-learn's unpenalised logistic
regression (L-BFGS), and the convergence rates of GD and heavy-ball momentum on quadratics
(REFERENCE.md, after Distill's "Why Momentum Really Works").
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression

from gdcourse import data, functions
from gdcourse.models import LinearRegression, LogisticRegression
from gdcourse.optim import SGD
from gdcourse.train import fit, minimize


def errors(function, x_star, num_steps, **hyperparameters):
    """|x_k - x*| for k = 0..num_steps of SGD (with the given lr/momentum) on ``function``.

    The max-norm: any norm gives the same rate, and this one does not underflow below 1e-154
    the way sqrt(sum of squares) does.
    """
    path = minimize(function, function.start, SGD, num_steps, **hyperparameters)
    assert not path.diverged and len(path) == num_steps + 1
    return np.abs(path.points - x_star).max(axis=1)


def geometric_rate(e, j, k):
    """The geometric mean of the ratios e[i+1]/e[i] for i = j..k-1: (e_k / e_j)^(1/(k-j))."""
    return (e[k] / e[j]) ** (1 / (k - j))


# ---------------------------------------------------------------- models reach reference solutions


def test_linear_regression_gd_reaches_lstsq():
    X, y = data.linear_data(n_samples=100, noise=0.3, seed=1)
    w_star, *_ = np.linalg.lstsq(np.c_[X, np.ones(len(X))], y, rcond=None)  # intercept column <-> b
    # The loss's Hessian is (2/n) [X 1]^T [X 1]: use GD's best step 2/(mu + L) for it.
    eigenvalues = np.linalg.eigvalsh(2 / len(X) * np.c_[X, np.ones(len(X))].T @ np.c_[X, np.ones(len(X))])
    model = LinearRegression(2)
    history = fit(model, SGD(model.params, lr=2 / (eigenvalues[0] + eigenvalues[-1])), X, y, len(X), 1000)
    assert not history.diverged
    distance = np.abs(np.r_[model.w, model.b] - w_star).max()
    assert distance < 1e-8, f"max |GD - lstsq| = {distance:.2e}"
    assert history.train_loss[-1] == pytest.approx(np.mean((np.c_[X, np.ones(len(X))] @ w_star - y) ** 2), rel=1e-12)


def test_logistic_regression_gd_reaches_sklearn():
    X, y = data.blobs(n_samples=400, distance=2.0, seed=1)  # overlapping clouds: a finite optimum exists
    X = data.Standardizer().fit_transform(X)
    # C = inf is scikit-learn >= 1.8's spelling of penalty=None (unpenalised).
    reference = SklearnLogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    assert 0.6 < reference.score(X, y) < 1.0  # not separable, not trivial
    # The logistic loss's Hessian is at most (1/4)(1/n)[X 1]^T[X 1], so lr = 1/that bound is safe.
    Xa = np.c_[X, np.ones(len(X))]
    lr = 1 / (0.25 * np.linalg.eigvalsh(Xa.T @ Xa / len(X))[-1])
    model = LogisticRegression(2)
    history = fit(model, SGD(model.params, lr=lr), X, y, batch_size=len(X), num_epochs=600)
    assert not history.diverged
    np.testing.assert_allclose(model.w, reference.coef_[0], rtol=0, atol=1e-4)
    assert abs(model.b - reference.intercept_[0]) < 1e-4


# ---------------------------------------------------------------- GD's rate on quadratics

KAPPAS_AND_DIMS = [(10, 2), (10, 10), (100, 2), (100, 10)]


@pytest.mark.parametrize("kappa, dim", KAPPAS_AND_DIMS)
def test_gd_rate_at_the_best_step(kappa, dim):
    f = functions.Quadratic.with_condition_number(kappa, dim=dim, seed=kappa + dim)
    mu, L = np.linalg.eigvalsh(f.A)[[0, -1]]  # numpy's eigenvalues, not the function's own
    lr = 2 / (mu + L)
    theory = (kappa - 1) / (kappa + 1)
    num_steps = int(np.log(1e-9) / np.log(theory))  # until the error has shrunk ~1e9 times
    e = errors(f, np.linalg.solve(f.A, f.b), num_steps, lr=lr)
    measured = geometric_rate(e, num_steps // 2, num_steps)  # the second half: past any transient
    assert measured == pytest.approx(theory, rel=0.01), f"measured {measured:.6f}, theory {theory:.6f}"


@pytest.mark.parametrize("kappa, dim", KAPPAS_AND_DIMS)
def test_heavy_ball_rate_at_the_best_lr_and_momentum(kappa, dim):
    f = functions.Quadratic.with_condition_number(kappa, dim=dim, seed=kappa + dim)
    lr, beta, rate = f.best_momentum()
    mu, L = np.linalg.eigvalsh(f.A)[[0, -1]]
    assert lr == pytest.approx((2 / (np.sqrt(mu) + np.sqrt(L))) ** 2, rel=1e-12)
    assert beta == pytest.approx(((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2, rel=1e-12)
    theory = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    assert rate == pytest.approx(theory, rel=1e-12)
    # torch's SGD momentum (b_1 = g_1, b = beta b + g, x -= lr b) is the heavy ball z = beta z + grad
    # started from z = 0. At the optimal (lr, beta) the eigen-directions of mu and L have a
    # *double* root of modulus `theory`, so their error is (a + b k) theory^k, not C theory^k;
    # the other directions have complex roots of modulus sqrt(beta) = theory and oscillate.
    # The plain ratio e_{k+1}/e_k therefore overestimates the rate by ~1/k (5% at k = 20).
    # So (1) divide the error by k, which removes the linear factor, and (2) measure over a long
    # horizon, where the leftover O(1/k) terms vanish. For (2) the minimum is moved to x* = 0
    # (b = 0, same A): the error can then shrink to 1e-250 instead of stopping at eps * |x*|.
    centred = functions.Quadratic(f.A)
    num_steps = int(np.log(1e-250) / np.log(theory))
    e = errors(centred, np.zeros(dim), num_steps, lr=lr, momentum=beta)
    k = np.arange(len(e))
    measured = geometric_rate(e / np.maximum(k, 1), num_steps // 2, num_steps)
    assert measured == pytest.approx(theory, rel=0.01), f"measured {measured:.6f}, theory {theory:.6f}"
    assert measured < (kappa - 1) / (kappa + 1)  # faster than GD's best rate


@pytest.mark.parametrize("factor, converges", [(0.99, True), (1.01, False)])
def test_gd_diverges_just_above_2_over_L(factor, converges):
    f = functions.Quadratic.with_condition_number(10, dim=3, seed=0)
    L = np.linalg.eigvalsh(f.A)[-1]
    lr = factor * 2 / L
    theory = np.abs(1 - lr * np.linalg.eigvalsh(f.A)).max()  # |1 - lr L| ~ 0.98 or 1.02
    e = errors(f, np.linalg.solve(f.A, f.b), 600, lr=lr)  # 0.98^600 ~ 5e-6: above rounding
    measured = geometric_rate(e, 200, 600)
    assert (measured < 1) == converges
    assert (e[-1] < e[0]) == converges
    assert measured == pytest.approx(theory, rel=1e-3)


def test_booth_rates_as_stated_in_the_reference():
    booth = functions.Booth()
    x_star = np.array([1.0, 3.0])
    hessian = np.array([[10.0, 8.0], [8.0, 10.0]])  # of (x + 2y - 7)^2 + (2x + y - 5)^2, by hand
    np.testing.assert_allclose(np.linalg.eigvalsh(hessian), [2.0, 18.0])
    e = errors(booth, x_star, 100, lr=0.1)  # 2/(2 + 18): both directions contract by exactly 0.8
    assert geometric_rate(e, 10, 100) == pytest.approx(0.8, rel=1e-6)
    # momentum lr 0.125, beta 0.25: a double root at 0.5 (see the heavy-ball test for the 1/k)
    e = errors(booth, x_star, 45, lr=0.125, momentum=0.25)
    k = np.arange(len(e))
    assert geometric_rate(e / np.maximum(k, 1), 15, 45) == pytest.approx(0.5, rel=0.01)
    assert e[45] < 1e-9
