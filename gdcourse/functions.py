"""Objective functions with exact gradients, for watching optimizers move.

Every function ``f`` is called on points ``x`` of shape ``(..., dim)`` and returns values
of shape ``(...)``, so one call evaluates a whole plotting grid; ``f.grad(x)`` has the
shape of ``x``. Each one also knows its minima, a default start ``x0`` and a plotting
window (``xlim``, ``ylim``).
"""

from __future__ import annotations

import math

import numpy as np

from gdcourse.validation import check_array, check_count

__all__ = [
    "Beale",
    "Booth",
    "Function",
    "Himmelblau",
    "Quadratic",
    "Rastrigin",
    "Rosenbrock",
    "Saddle",
    "all_functions",
    "bowl",
    "ill_conditioned",
    "parabola",
]


class Function:
    """Base class for the objectives: value, gradient, minima, start and window."""

    name = "function"
    latex = ""
    dim = 2
    x0: tuple = (0.0, 0.0)
    minima: tuple = ()
    min_value: float | None = 0.0
    xlim: tuple[float, float] = (-2.0, 2.0)
    ylim: tuple[float, float] | None = (-2.0, 2.0)

    def __call__(self, x) -> np.ndarray:
        """The value f(x); ``x`` has shape ``(dim,)`` or ``(..., dim)``."""
        x = self.check_point(x)
        return self.value(x)

    def grad(self, x) -> np.ndarray:
        """The exact gradient at ``x``, same shape as ``x``."""
        x = self.check_point(x)
        return self.gradient(x)

    def value(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def gradient(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def check_point(self, x) -> np.ndarray:
        """Return ``x`` as a float array whose last axis has length ``dim``."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 0 and self.dim == 1:
            x = x.reshape(1)
        if x.ndim == 0 or x.shape[-1] != self.dim:
            raise ValueError(
                f"{self.name} takes points with {self.dim} coordinate(s) on the last axis; got shape {x.shape}."
            )
        return x

    @property
    def start(self) -> np.ndarray:
        """The default start point as a fresh float array."""
        return np.array(self.x0, dtype=np.float64)

    def __repr__(self) -> str:
        return f"{type(self).__name__}: {self.name}, start {self.x0}, minima {self.minima}"


class Quadratic(Function):
    r"""The quadratic $f(x) = \tfrac12 x^\top A x - b^\top x + c$ with a symmetric positive definite $A$.

    Its gradient is $Ax - b$, its minimum $x^* = A^{-1} b$, and the eigenvalues of $A$
    ($\mu = \lambda_{min}$, $L = \lambda_{max}$, $\kappa = L/\mu$) decide how fast
    gradient descent converges. The theory helpers below give the exact rates.
    """

    def __init__(
        self, A, b=None, c: float = 0.0, name: str = "quadratic", latex: str = "", x0=None, xlim=None, ylim=None
    ):
        A = check_array("A", A, ndim=2)
        if A.shape[0] != A.shape[1] or not np.allclose(A, A.T):
            raise ValueError(f"A must be a symmetric square matrix, got shape {A.shape}.")
        self.A = A
        self.dim = len(A)
        self.b = np.zeros(self.dim) if b is None else check_array("b", b, ndim=1)
        self.c = float(c)
        self.eigenvalues = np.linalg.eigvalsh(A)
        if self.eigenvalues[0] <= 0:
            raise ValueError(f"A must be positive definite; its smallest eigenvalue is {self.eigenvalues[0]:.3g}.")
        self.name = name
        self.latex = latex
        self.minimizer = np.linalg.solve(A, self.b)
        self.minima = (tuple(self.minimizer),)
        self.min_value = float(self.value(self.minimizer))
        self.x0 = tuple(x0) if x0 is not None else tuple(self.minimizer + 1.0)
        r = np.abs(np.array(self.x0) - self.minimizer).max() * 1.2 + 0.5
        self.xlim = xlim or (self.minimizer[0] - r, self.minimizer[0] + r)
        self.ylim = ylim or ((self.minimizer[1] - r, self.minimizer[1] + r) if self.dim > 1 else None)

    def value(self, x):
        return 0.5 * np.einsum("...i,ij,...j->...", x, self.A, x) - x @ self.b + self.c

    def gradient(self, x):
        return x @ self.A - self.b  # A is symmetric, so x A = (A x)^T

    @property
    def L(self) -> float:
        """Largest eigenvalue: the smoothness constant (curvature along the steepest direction)."""
        return float(self.eigenvalues[-1])

    @property
    def mu(self) -> float:
        """Smallest eigenvalue: the strong-convexity constant (curvature along the flattest direction)."""
        return float(self.eigenvalues[0])

    @property
    def condition_number(self) -> float:
        r"""$\kappa = L / \mu$."""
        return self.L / self.mu

    def gd_rate(self, lr: float) -> float:
        r"""Per-step contraction of GD's error: $\max_i |1 - \eta\lambda_i|$ (below 1 iff $0 < \eta < 2/L$)."""
        return float(np.max(np.abs(1 - lr * self.eigenvalues)))

    def best_gd(self) -> tuple[float, float]:
        r"""The best constant step $2/(\mu + L)$ and its rate $(\kappa-1)/(\kappa+1)$."""
        kappa = self.condition_number
        return 2 / (self.mu + self.L), (kappa - 1) / (kappa + 1)

    def best_momentum(self) -> tuple[float, float, float]:
        r"""Heavy ball's best ``(lr, momentum, rate)``: $\eta = (2/(\sqrt\mu+\sqrt L))^2$,
        $\beta = ((\sqrt\kappa-1)/(\sqrt\kappa+1))^2$, rate $(\sqrt\kappa-1)/(\sqrt\kappa+1)$."""
        root_kappa = np.sqrt(self.condition_number)
        rate = (root_kappa - 1) / (root_kappa + 1)
        lr = (2 / (np.sqrt(self.mu) + np.sqrt(self.L))) ** 2
        return float(lr), float(rate**2), float(rate)

    @classmethod
    def with_condition_number(cls, kappa: float, dim: int = 2, seed: int = 0, mu: float = 1.0) -> Quadratic:
        """A random rotated quadratic with eigenvalues spread evenly from ``mu`` to ``kappa * mu``."""
        dim = check_count("dim", dim)
        rng = np.random.default_rng(seed)
        Q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
        eigenvalues = np.linspace(mu, kappa * mu, dim)
        A = (Q * eigenvalues) @ Q.T
        A = (A + A.T) / 2
        return cls(A, b=rng.standard_normal(dim), name=f"quadratic, kappa = {kappa:g}")


def parabola() -> Quadratic:
    """Post 3's 1-D example, ``f(x) = x^2 + 4x + 1`` (minimum -3 at x = -2), from x = 2."""
    return Quadratic(
        [[2.0]], b=[-4.0], c=1.0, name="x^2 + 4x + 1", latex=r"$f(x) = x^2 + 4x + 1$", x0=(2.0,), xlim=(-4.0, 2.0)
    )


def bowl() -> Quadratic:
    """Post 3's 2-D example, ``f(x, y) = x^2 + y^2``, from (2, 2)."""
    return Quadratic(
        2.0 * np.eye(2),
        name="x^2 + y^2",
        latex=r"$f(x, y) = x^2 + y^2$",
        x0=(2.0, 2.0),
        xlim=(-3.0, 3.0),
        ylim=(-3.0, 3.0),
    )


def ill_conditioned(angle: float = 0.0) -> Quadratic:
    """``f(x, y) = 0.1 x^2 + 2 y^2`` (condition number 20), from (-5, -2): GD zig-zags in y.

    ``angle`` (degrees) turns the whole problem, its start and its window included, about the
    origin: the same valley, no longer lined up with the axes. Its curvatures, minimum and
    difficulty for GD are unchanged; for optimizers that scale each coordinate separately
    (Adagrad, RMSprop, Adam) they are not. At 45 degrees ``f = 0.05 (x + y)^2 + (x - y)^2``.
    """
    if angle == 0:
        return Quadratic(
            np.diag([0.2, 4.0]),
            name="0.1 x^2 + 2 y^2",
            latex=r"$f(x, y) = 0.1x^2 + 2y^2$",
            x0=(-5.0, -2.0),
            xlim=(-6.0, 6.0),
            ylim=(-3.0, 3.0),
        )
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    turn = np.array([[c, -s], [s, c]])  # columns: where the x and y axes go
    A = (turn * [0.2, 4.0]) @ turn.T  # the curvatures 0.2 and 4 along the turned axes
    half_width = (6.0 * abs(c) + 3.0 * abs(s), 6.0 * abs(s) + 3.0 * abs(c))  # the turned window's bounding box
    return Quadratic(
        (A + A.T) / 2,
        name=f"0.1 x^2 + 2 y^2 rotated by {angle:g} degrees",
        latex=rf"$f = 0.1x^2 + 2y^2$ rotated by ${angle:g}^\circ$",
        x0=tuple(float(v) for v in turn @ [-5.0, -2.0]),
        xlim=(-half_width[0], half_width[0]),
        ylim=(-half_width[1], half_width[1]),
    )


class LessardRechtPackard(Function):
    r"""A smooth, strongly convex function of one variable on which the heavy ball fails.

    Three quadratic pieces joined with a continuous gradient: $f'(x) = 25x$ for $x < 1$,
    $x + 24$ for $1 \le x < 2$ and $25x - 24$ for $x \ge 2$. So $f'$ is 25-Lipschitz ($L = 25$)
    and $f$ is 1-strongly convex ($\mu = 1$, $\kappa = 25$), with its minimum 0 at $x = 0$.
    Lessard, Recht and Packard (2016, section 4.6) show that the heavy ball with the settings that
    are optimal for quadratics with these $\mu$ and $L$ ($\eta = 1/9$, $\beta = 4/9$), started
    at rest near $x = 3.3$, does not converge: it falls into a cycle of three points.
    """

    name = "Lessard-Recht-Packard"
    latex = r"$f'(x) = 25x,\ x + 24,\ 25x - 24$ for $x < 1,\ 1 \leq x < 2,\ x \geq 2$"
    dim = 1
    x0 = (3.3,)
    minima = ((0.0,),)
    xlim = (-3.0, 4.0)
    ylim = None
    mu, L = 1.0, 25.0

    def value(self, p):
        x = p[..., 0]
        return np.where(x < 1, 12.5 * x**2, np.where(x < 2, 0.5 * x**2 + 24 * x - 12, 12.5 * x**2 - 24 * x + 36))

    def gradient(self, p):
        x = p[..., 0]
        return np.where(x < 1, 25 * x, np.where(x < 2, x + 24, 25 * x - 24))[..., None]


class Rosenbrock(Function):
    r"""$f(x, y) = (1-x)^2 + 100\,(y - x^2)^2$: a curved, narrow valley; minimum 0 at (1, 1)."""

    name = "Rosenbrock"
    latex = r"$f(x, y) = (1-x)^2 + 100\,(y-x^2)^2$"
    x0 = (-1.2, 1.0)
    minima = ((1.0, 1.0),)
    xlim = (-2.0, 2.0)
    ylim = (-1.0, 3.0)

    def value(self, p):
        x, y = p[..., 0], p[..., 1]
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2

    def gradient(self, p):
        x, y = p[..., 0], p[..., 1]
        dx = -2 * (1 - x) - 400 * x * (y - x**2)
        dy = 200 * (y - x**2)
        return np.stack([dx, dy], axis=-1)


class Beale(Function):
    r"""$f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2$; minimum 0 at (3, 0.5)."""

    name = "Beale"
    latex = r"$f(x, y) = (1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2$"
    x0 = (1.0, 1.5)
    minima = ((3.0, 0.5),)
    xlim = (-4.5, 4.5)
    ylim = (-4.5, 4.5)
    c = (1.5, 2.25, 2.625)

    def value(self, p):
        x, y = p[..., 0], p[..., 1]
        return sum((ci - x + x * y**k) ** 2 for k, ci in enumerate(self.c, start=1))

    def gradient(self, p):
        x, y = p[..., 0], p[..., 1]
        dx = sum(2 * (ci - x + x * y**k) * (y**k - 1) for k, ci in enumerate(self.c, start=1))
        dy = sum(2 * (ci - x + x * y**k) * k * x * y ** (k - 1) for k, ci in enumerate(self.c, start=1))
        return np.stack([dx, dy], axis=-1)


class Booth(Function):
    r"""$f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2$: a quadratic with $\kappa = 9$; minimum 0 at (1, 3)."""

    name = "Booth"
    latex = r"$f(x, y) = (x+2y-7)^2 + (2x+y-5)^2$"
    x0 = (-5.0, -5.0)
    minima = ((1.0, 3.0),)
    xlim = (-10.0, 10.0)
    ylim = (-10.0, 10.0)

    def value(self, p):
        x, y = p[..., 0], p[..., 1]
        return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2

    def gradient(self, p):
        x, y = p[..., 0], p[..., 1]
        r1, r2 = x + 2 * y - 7, 2 * x + y - 5
        return np.stack([2 * r1 + 4 * r2, 4 * r1 + 2 * r2], axis=-1)


class Himmelblau(Function):
    r"""$f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2$: four minima of value 0; where you start decides which."""

    name = "Himmelblau"
    latex = r"$f(x, y) = (x^2+y-11)^2 + (x+y^2-7)^2$"
    x0 = (0.0, 0.0)
    minima = (
        (3.0, 2.0),
        (-2.805118086952745, 3.131312518250573),
        (-3.779310253377747, -3.283185991286170),
        (3.584428340330492, -1.848126526964404),
    )
    xlim = (-5.0, 5.0)
    ylim = (-5.0, 5.0)

    def value(self, p):
        x, y = p[..., 0], p[..., 1]
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    def gradient(self, p):
        x, y = p[..., 0], p[..., 1]
        r1, r2 = x**2 + y - 11, x + y**2 - 7
        return np.stack([4 * x * r1 + 2 * r2, 2 * r1 + 4 * y * r2], axis=-1)


class Saddle(Function):
    r"""$f(x, y) = x^2 - y^2$: a saddle point at the origin and no minimum.

    The default start lies a hair off the ridge ``y = 0``: exactly on it, the gradient has no
    y-component and every deterministic optimizer slides into the saddle and stops.
    """

    name = "saddle"
    latex = r"$f(x, y) = x^2 - y^2$"
    x0 = (-2.0, 1e-3)
    minima = ()
    min_value = None
    saddle_point = (0.0, 0.0)
    xlim = (-2.5, 2.5)
    ylim = (-2.5, 2.5)

    def value(self, p):
        return p[..., 0] ** 2 - p[..., 1] ** 2

    def gradient(self, p):
        return np.stack([2 * p[..., 0], -2 * p[..., 1]], axis=-1)


class Rastrigin(Function):
    r"""$f(x) = 10d + \sum_i (x_i^2 - 10\cos 2\pi x_i)$: a bowl covered in local minima; global minimum 0 at 0."""

    name = "Rastrigin"
    latex = r"$f(x) = 10d + \sum_i \left(x_i^2 - 10\cos 2\pi x_i\right)$"
    x0 = (3.3, -2.4)
    minima = ((0.0, 0.0),)
    xlim = (-5.12, 5.12)
    ylim = (-5.12, 5.12)

    def value(self, p):
        return 10 * self.dim + np.sum(p**2 - 10 * np.cos(2 * np.pi * p), axis=-1)

    def gradient(self, p):
        return 2 * p + 20 * np.pi * np.sin(2 * np.pi * p)


def all_functions() -> dict[str, Function]:
    """Every test function by name, each with its default start (for menus and loops)."""
    functions = [
        parabola(),
        bowl(),
        ill_conditioned(),
        ill_conditioned(angle=45),
        Rosenbrock(),
        Beale(),
        Booth(),
        Himmelblau(),
        Saddle(),
        Rastrigin(),
        LessardRechtPackard(),
    ]
    return {f.name: f for f in functions}
