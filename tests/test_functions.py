"""Test functions against finite differences, pointwise evaluation, their stated minima and numpy."""

import numpy as np
import pytest

from gdcourse import functions, gradcheck


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
