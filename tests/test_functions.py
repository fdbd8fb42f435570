"""Test functions against finite differences, pointwise evaluation, their stated minima and numpy."""

import numpy as np
import pytest

from gdcourse import functions, gradcheck, optim
from gdcourse.train import minimize


def all_test_functions():
    found = dict(functions.all_functions())
    for kappa, dim in [(10, 2), (100, 10)]:
        f = functions.Quadratic.with_condition_number(kappa, dim=dim, seed=1)
        found[f"{f.name}, dim {dim}"] = f
    return found


FUNCTIONS = all_test_functions()
NAMES = list(FUNCTIONS)


def window(f):
    """The plotting window as (low, high) per coordinate (the first two; the rest share x's)."""
    limits = [f.xlim] + ([f.ylim] if f.dim > 1 else [])
    limits += [f.xlim] * (f.dim - len(limits))
    return np.array(limits, dtype=float).T  # (2, dim)


def random_points(f, num, seed=0):
    low, high = window(f)
    return np.random.default_rng(seed).uniform(low, high, size=(num, f.dim))


def test_the_collection_is_complete():
    expected = {"Rosenbrock", "Beale", "Booth", "Himmelblau", "saddle", "Rastrigin"}
    assert expected <= set(functions.all_functions())


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_finite_differences(name):
    f = FUNCTIONS[name]
    for x in random_points(f, 8):
        numerical = gradcheck.numerical_gradient(lambda x=x: float(f(x)), x)
        analytic = f.grad(x)
        assert analytic.shape == x.shape
        if np.abs(analytic).min() > 1e-3:  # relative error is meaningful away from 0
            result = gradcheck.check_function(f, x)
            assert result.max_error < 1e-6, f"{name} at {x}: {result}"
        # absolute check everywhere, scaled by the size of f (the rounding noise is ~eps |f| / h)
        tolerance = 1e-6 * max(1.0, np.abs(analytic).max()) + 1e-9 * abs(float(f(x)))
        np.testing.assert_allclose(analytic, numerical, rtol=0, atol=tolerance, err_msg=f"{name} at {x}")


@pytest.mark.parametrize("name", NAMES)
def test_vectorised_evaluation_equals_pointwise(name):
    f = FUNCTIONS[name]
    grid = random_points(f, 4 * 5, seed=1).reshape(4, 5, f.dim)  # (m, n, dim)
    values, grads = f(grid), f.grad(grid)
    assert values.shape == (4, 5) and grads.shape == (4, 5, f.dim)
    for i in range(4):
        for j in range(5):
            assert values[i, j] == pytest.approx(float(f(grid[i, j])), rel=1e-12, abs=1e-12)
            np.testing.assert_allclose(grads[i, j], f.grad(grid[i, j]), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_stated_minima_are_stationary_with_the_stated_value(name):
    f = FUNCTIONS[name]
    if name == "saddle":
        assert f.minima == () and f.min_value is None
        np.testing.assert_array_equal(f.grad(f.saddle_point), 0.0)
        return
    assert len(f.minima) >= 1
    for x in f.minima:
        assert np.abs(f.grad(x)).max() < 1e-10, f"{name}: gradient {f.grad(x)} at the minimum {x}"
        assert float(f(x)) == pytest.approx(f.min_value, abs=1e-12)
        # a minimum, not just a stationary point: no nearby point is lower
        nearby = np.asarray(x) + 1e-3 * np.random.default_rng(0).standard_normal((50, f.dim))
        assert (f(nearby) >= f.min_value - 1e-12).all()


def test_reference_minima():
    assert functions.Rosenbrock().minima == ((1.0, 1.0),)
    assert functions.Beale().minima == ((3.0, 0.5),)
    assert functions.Booth().minima == ((1.0, 3.0),)
    assert (3.0, 2.0) in functions.Himmelblau().minima and len(functions.Himmelblau().minima) == 4
    assert functions.parabola().min_value == -3.0 and functions.parabola().minima == ((-2.0,),)
    # the formulas themselves, at hand-computed points
    assert functions.Rosenbrock()([0.0, 0.0]) == 1.0
    assert functions.Beale()([0.0, 0.0]) == pytest.approx(1.5**2 + 2.25**2 + 2.625**2)
    assert functions.Booth()([0.0, 0.0]) == 74.0
    assert functions.Himmelblau()([0.0, 0.0]) == 170.0
    assert functions.Rastrigin()([0.5, 0.5]) == pytest.approx(20 + 2 * (0.25 + 10))
    assert functions.ill_conditioned()([1.0, 1.0]) == pytest.approx(2.1)


@pytest.mark.parametrize("name", NAMES)
def test_start_lies_inside_the_window(name):
    f = FUNCTIONS[name]
    x0 = f.start
    assert x0.shape == (f.dim,)
    assert f.xlim[0] <= x0[0] <= f.xlim[1]
    if f.dim > 1:
        assert f.ylim[0] <= x0[1] <= f.ylim[1]
    assert np.isfinite(f(x0)) and np.isfinite(f.grad(x0)).all()


@pytest.mark.parametrize("kappa, dim", [(1, 2), (10, 2), (100, 10), (1000, 5)])
def test_quadratic_spectrum_and_minimizer_match_numpy(kappa, dim):
    f = functions.Quadratic.with_condition_number(kappa, dim=dim, seed=3)
    eigenvalues = np.linalg.eigvalsh(f.A)
    np.testing.assert_allclose(f.eigenvalues, eigenvalues, rtol=1e-12)
    np.testing.assert_allclose(eigenvalues, np.linspace(1, kappa, dim), rtol=1e-10)
    assert np.allclose(f.A, f.A.T)
    assert f.mu == pytest.approx(eigenvalues[0]) and f.L == pytest.approx(eigenvalues[-1])
    assert f.condition_number == pytest.approx(np.linalg.cond(f.A), rel=1e-8)
    assert f.condition_number == pytest.approx(kappa, rel=1e-10)
    np.testing.assert_allclose(f.A @ f.minimizer, f.b, rtol=0, atol=1e-12 * kappa)
    np.testing.assert_allclose(f.grad(f.minimizer), 0.0, atol=1e-12 * kappa)
    # value from the definition 1/2 x'Ax - b'x + c at a random point
    x = np.random.default_rng(0).standard_normal(dim)
    assert float(f(x)) == pytest.approx(0.5 * x @ f.A @ x - f.b @ x + f.c, rel=1e-12)
    lr, rate = f.best_gd()
    assert lr == pytest.approx(2 / (eigenvalues[0] + eigenvalues[-1]))
    assert rate == pytest.approx((kappa - 1) / (kappa + 1))
    assert f.gd_rate(lr) == pytest.approx(rate)


def test_quadratic_rejects_bad_matrices():
    with pytest.raises(ValueError, match="symmetric"):
        functions.Quadratic([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="positive definite"):
        functions.Quadratic([[1.0, 0.0], [0.0, -1.0]])


def hessian_by_finite_differences(f, x, h=1e-4):
    """Centred differences of the gradient, column by column, then symmetrised."""
    x = np.asarray(x, dtype=float)
    columns = []
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = h
        columns.append((f.grad(x + e) - f.grad(x - e)) / (2 * h))
    H = np.array(columns).T
    return (H + H.T) / 2


def test_booth_hessian_eigenvalues_are_2_and_18():
    booth = functions.Booth()
    for x in [(0.0, 0.0), (1.0, 3.0), (-7.0, 4.5)]:  # a quadratic: the same Hessian everywhere
        np.testing.assert_allclose(np.linalg.eigvalsh(hessian_by_finite_differences(booth, x)), [2.0, 18.0], rtol=1e-8)


def test_ill_conditioned_and_rosenbrock_hessians():
    ill = functions.ill_conditioned()
    np.testing.assert_allclose(np.linalg.eigvalsh(hessian_by_finite_differences(ill, (1.0, 1.0))), [0.2, 4.0])
    # Rosenbrock at its minimum: [[802, -400], [-400, 200]] from the formula by hand
    H = hessian_by_finite_differences(functions.Rosenbrock(), (1.0, 1.0))
    np.testing.assert_allclose(H, [[802.0, -400.0], [-400.0, 200.0]], rtol=1e-7)


def test_points_of_the_wrong_dimension_are_rejected():
    with pytest.raises(ValueError, match="coordinate"):
        functions.Booth()([1.0, 2.0, 3.0])
    assert functions.parabola()(3.0) == pytest.approx(9 + 12 + 1)  # a 1-D function accepts a scalar


def test_the_rotated_quadratic_is_the_same_problem_turned():
    angle = 45
    turn = np.array([[np.cos(np.pi / 4), -np.sin(np.pi / 4)], [np.sin(np.pi / 4), np.cos(np.pi / 4)]])
    plain, rotated = functions.ill_conditioned(), functions.ill_conditioned(angle=angle)
    np.testing.assert_allclose(rotated.A, [[2.1, -1.9], [-1.9, 2.1]], rtol=1e-15)  # 0.05(x + y)^2 + (x - y)^2
    np.testing.assert_allclose(rotated.eigenvalues, [0.2, 4.0], rtol=1e-14)
    np.testing.assert_allclose(rotated.A @ turn[:, 0], 0.2 * turn[:, 0], atol=1e-14)  # flat along the turned x axis
    np.testing.assert_allclose(rotated.start, turn @ plain.start, rtol=1e-15)
    points = np.random.default_rng(0).uniform(-3, 3, size=(20, 2))
    np.testing.assert_allclose(rotated(points @ turn.T), plain(points), rtol=1e-13)
    x, y = points.T
    np.testing.assert_allclose(rotated(points), 0.05 * (x + y) ** 2 + (x - y) ** 2, rtol=1e-13)
    # GD does not care about the orientation: its path is the turned path, step for step
    gd, gd_turned = (minimize(f, f.start, optim.SGD, 50, lr=0.3) for f in (plain, rotated))
    np.testing.assert_allclose(gd_turned.points, gd.points @ turn.T, rtol=0, atol=1e-12)
    assert functions.ill_conditioned(angle=0).name == plain.name  # angle 0 is the course's quadratic


def test_lessard_recht_packard_is_smooth_and_strongly_convex():
    f = functions.LessardRechtPackard()
    for kink in (1.0, 2.0):  # value and slope agree from both sides of each joint
        left, right = np.array([kink - 1e-9]), np.array([kink])
        assert float(f(left)) == pytest.approx(float(f(right)), abs=1e-6)
        assert float(f.grad(left)[0]) == pytest.approx(float(f.grad(right)[0]), abs=1e-6)
    x = np.random.default_rng(0).uniform(-4, 5, size=(2, 2000))
    slopes = (f.grad(x[0][:, None]) - f.grad(x[1][:, None]))[:, 0] / (x[0] - x[1])
    assert slopes.min() >= 1 - 1e-9 and slopes.max() <= 25 + 1e-9  # mu = 1 <= f'' <= L = 25
    assert (f.mu, f.L) == (1.0, 25.0) and f.minima == ((0.0,),) and float(f(np.zeros(1))) == 0.0


def test_the_heavy_ball_cycles_on_lessard_recht_packard_and_nesterov_converges():
    f = functions.LessardRechtPackard()
    kappa = f.L / f.mu
    lr, beta = 4 / (np.sqrt(f.L) + np.sqrt(f.mu)) ** 2, ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
    assert (lr, beta) == pytest.approx((1 / 9, 4 / 9))  # the best heavy ball for quadratics with kappa = 25
    heavy = minimize(f, f.start, optim.SGD, 300, lr=lr, momentum=beta).points[:, 0]
    # the 3-cycle solves x_{k+1} = x_k - lr f'(x_k) + beta (x_k - x_{k-1}) around the cycle, with
    # two points on the piece f' = 25x and one on f' = 25x - 24: a linear system
    a = 1 + beta - 25 * lr
    system = np.array([[a, -1, -beta], [-beta, a, -1], [-1, -beta, a]])  # rows: steps to x2, x3, x1
    cycle = np.linalg.solve(system, [0.0, 0.0, -24 * lr])
    assert any(np.allclose(heavy[-3:], np.roll(cycle, k), rtol=0, atol=1e-9) for k in range(3)), (heavy[-3:], cycle)
    assert np.abs(heavy[-30:]).min() > 0.5  # far from the minimum at 0, for ever
    nesterov = minimize(f, f.start, optim.SGD, 300, lr=1 / f.L, momentum=(np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1))
    assert abs(nesterov.x[0]) < 1e-12
