"""Input checks shared by the whole package.

Every public function checks its input here *before* it changes any state, and
every message says what was wrong and what to do about it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np


def check_number(
    name: str,
    value: Any,
    low: float = 0.0,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
    hint: str = "",
) -> float:
    """Return ``value`` as a float if it is a finite number in the interval, else raise.

    ``low_open``/``high_open`` make that end of the interval exclusive.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"Invalid {name}: {value!r}. It must be a number, not {type(value).__name__}.")
    value = float(value)
    below = value <= low if low_open else value < low
    above = value >= high if high_open else value > high
    if math.isnan(value) or below or above:
        left = "(" if low_open else "["
        right = ")" if high_open or high == math.inf else "]"
        message = f"Invalid {name}: {value}. It must lie in {left}{low:g}, {high:g}{right}."
        raise ValueError(f"{message} {hint}".strip())
    return value


def check_count(name: str, value: Any, low: int = 1, high: int | None = None, hint: str = "") -> int:
    """Return ``value`` as an int if it is a whole number in [low, high], else raise.

    Counts (features, layer sizes, epochs, steps, batch sizes, schedule lengths) go through
    here: Python and NumPy integers are accepted, and so is a float with a whole value
    (``1e3``); a bool or a fraction (``2.5``) is an error, never silently truncated.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"Invalid {name}: {value!r}. It must be a whole number, not {type(value).__name__}.")
    if not float(value).is_integer():
        raise ValueError(f"Invalid {name}: {value!r}. It must be a whole number; round it yourself if you meant to.")
    count = int(value)
    if count < low or (high is not None and count > high):
        interval = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ValueError(f"Invalid {name}: {count}. It must be a whole number {interval}. {hint}".strip())
    return count


def check_params(params: Any) -> list[np.ndarray]:
    """Check that ``params`` is a non-empty list of float NumPy arrays (updated in place)."""
    if isinstance(params, np.ndarray):
        raise TypeError(
            "params must be a list of arrays, e.g. [w, b] or model.params, not a single array: wrap it as [x]."
        )
    if not isinstance(params, Sequence) or isinstance(params, str):
        raise TypeError(f"params must be a list of NumPy arrays, got {type(params).__name__}.")
    params = list(params)
    if not params:
        raise ValueError("params is empty: give the optimizer at least one array to update.")
    for i, p in enumerate(params):
        if not isinstance(p, np.ndarray):
            raise TypeError(
                f"params[{i}] is a {type(p).__name__}; the optimizer updates arrays in place, "
                f"so each parameter must be a NumPy array (np.array(..., dtype=float))."
            )
        if not np.issubdtype(p.dtype, np.floating):
            raise TypeError(
                f"params[{i}] has dtype {p.dtype}; it must be a float array, or the in-place "
                f"update would round to integers. Use p.astype(float) or np.array(..., dtype=float)."
            )
        if not p.flags.writeable:
            raise ValueError(f"params[{i}] is read-only; pass a writeable copy (p.copy()).")
    return params


def check_grads(grads: Any, params: list[np.ndarray]) -> list[np.ndarray]:
    """Check that ``grads`` lines up with ``params``: same count, same shapes."""
    if isinstance(grads, np.ndarray) and len(params) != 1:
        raise TypeError("grads must be a list of arrays aligned with params, not a single array.")
    if isinstance(grads, np.ndarray):
        grads = [grads]
    grads = list(grads)
    if len(grads) != len(params):
        raise ValueError(
            f"Got {len(grads)} gradient(s) for {len(params)} parameter(s); "
            "pass one gradient per parameter, in the same order as params."
        )
    out = []
    for i, (g, p) in enumerate(zip(grads, params)):
        g = np.asarray(g, dtype=p.dtype)
        if g.shape != p.shape:
            raise ValueError(
                f"grads[{i}] has shape {g.shape} but params[{i}] has shape {p.shape}; "
                "each gradient must have the shape of its parameter."
            )
        out.append(g)
    return out


def check_array(name: str, a: Any, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    """Return ``a`` as a finite float64 array with the allowed number of dimensions."""
    try:
        a = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be numeric (an array of numbers): {error}") from None
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if allowed is not None and a.ndim not in allowed:
        shapes = " or ".join({0: "a scalar", 1: "(n,)", 2: "(n, d)"}.get(k, f"{k}-D") for k in allowed)
        raise ValueError(f"{name} has shape {a.shape}; expected {shapes}.")
    if not np.isfinite(a).all():
        bad = int(np.size(a) - np.count_nonzero(np.isfinite(a)))
        raise ValueError(
            f"{name} contains {bad} NaN or infinite value(s); clean or impute the data first (e.g. drop those rows)."
        )
    return a


def check_X_y(X: Any, y: Any, n_features: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Check a data set: ``X`` of shape (n, d), ``y`` with n rows, both finite."""
    X = check_array("X", X, ndim=2)
    y = check_array("y", y, ndim=(1, 2))
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}; each sample needs exactly one target.")
    if len(X) == 0:
        raise ValueError("X is empty: the data set needs at least one sample.")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(
            f"X has {X.shape[1]} features but the model expects {n_features}; "
            "build the model with the right input size."
        )
    return X, y


def check_labels(y: np.ndarray, n_classes: int) -> np.ndarray:
    """Return class labels as int64 after checking they are 0, 1, ..., n_classes - 1."""
    if y.ndim != 1:
        raise ValueError(
            f"Class labels must be a 1-D array of integers, got shape {y.shape}. If y is one-hot, use y.argmax(axis=1)."
        )
    labels = y.astype(np.int64)
    if not (labels == y).all() or labels.min() < 0 or labels.max() >= n_classes:
        found = np.unique(y)[:10]
        raise ValueError(
            f"Labels must be integers in 0..{n_classes - 1}; found values {found}. "
            "Encode classes as 0, 1, ..., n_classes - 1."
        )
    return labels


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """Check that ``value`` is one of ``choices`` and list them if it is not."""
    if value not in choices:
        valid = ", ".join(repr(c) for c in choices)
        raise ValueError(f"Unknown {name} {value!r}; choose one of {valid}.")
    return value
