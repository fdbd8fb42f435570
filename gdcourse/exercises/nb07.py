"""Exercises of notebook 07 (from NumPy to PyTorch).

The checks import torch inside the test functions, never at module import, so that
``import gdcourse`` and the other notebooks' exercises stay free of torch.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from gdcourse.exercises import Incorrect, call, exercise, expect_close, format_value, matches

same = partial(matches, rtol=1e-5, atol=1e-7)  # answers may come from float32 tensors


def as_numbers(got, where: str) -> np.ndarray:
    """The answer as a float array: accepts numbers, arrays, torch tensors and lists of them."""

    def plain(value):
        if hasattr(value, "detach"):  # a torch tensor, possibly one that requires grad
            return value.detach().cpu().numpy()
        return value

    try:
        if isinstance(got, (list, tuple)):
            got = [plain(v) for v in got]
        return np.asarray(plain(got), dtype=float)
    except (TypeError, ValueError, RuntimeError):
        raise Incorrect(f"{where} should give numbers; got {type(got).__name__} {got!r:.60}.") from None


# Reference loops in NumPy with hand-written derivatives: an independent truth for autograd.


def post_f(x):
    return x**2 + 4 * x + 1  # post 3's parabola; works on floats and on tensors


def post_df(x):
    return 2 * x + 4


def quartic_f(x):
    return x**4 / 4 - x  # minimum at x = 1


def quartic_df(x):
    return x**3 - 1


def numpy_gd(df, x0: float, lr: float, num_steps: int, zero_grad: bool = True, sign: float = 1.0):
    """Points x_0..x_n and the gradients the loop used; without ``zero_grad`` they accumulate."""
    x, grad_sum, xs, used = np.float64(x0), 0.0, [float(x0)], []  # np.float64: overflow gives inf, not an error
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(num_steps):
            grad_sum = df(x) + (0.0 if zero_grad else grad_sum)  # what x.grad holds at this step
            used.append(grad_sum)
            x = x - sign * lr * grad_sum
            xs.append(x)
    return np.array(xs), np.array(used)


# 07.1 ----------------------------------------------------------------------------------


def gd_autograd_solution(f, x0, lr, num_steps):
    import torch

    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    for _ in range(num_steps):
        y = f(x)
        y.backward()  # x.grad = f'(x)
        with torch.no_grad():  # the update itself must not be recorded
            x -= lr * x.grad
        x.grad.zero_()  # backward() adds to x.grad: clear it for the next step
    return x.item()


def gd_forgot_zero(f, x0, lr, num_steps):
    """A typical mistake: x.grad is never cleared, so each step uses the sum of all gradients."""
    import torch

    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    for _ in range(num_steps):
        f(x).backward()
        with torch.no_grad():
            x -= lr * x.grad
    return x.item()


def gd_uphill(f, x0, lr, num_steps):
    """A typical mistake: the step adds the gradient."""
    import torch

    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    for _ in range(num_steps):
        f(x).backward()
        with torch.no_grad():
            x += lr * x.grad
        x.grad.zero_()
    return x.item()


def gd_whole_path(f, x0, lr, num_steps):
    """A typical mistake: returns every point instead of the final one."""
    import torch

    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    points = [x0]
    for _ in range(num_steps):
        f(x).backward()
        with torch.no_grad():
            x -= lr * x.grad
        x.grad.zero_()
        points.append(x.item())
    return points


@exercise(
    "07.1",
    "gradient descent in one variable with autograd",
    hint=(
        "x = torch.tensor(x0, dtype=torch.float64, requires_grad=True); in each step: f(x).backward(), "
        "then inside `with torch.no_grad():` do x -= lr * x.grad, then x.grad.zero_(). Return x.item()."
    ),
    solution=gd_autograd_solution,
    mistakes=[
        (gd_forgot_zero, "zero_"),
        (gd_uphill, "uphill"),
        (gd_whole_path, "final"),
    ],
)
def check_gd_autograd(gd_autograd):
    cases = [
        (post_f, post_df, "x**2 + 4*x + 1", 2.0, 0.1, 10),
        (post_f, post_df, "x**2 + 4*x + 1", 2.0, 0.7, 100),  # post 3's run
        (quartic_f, quartic_df, "x**4/4 - x", 0.0, 0.1, 30),
    ]
    for f, df, formula, x0, lr, num_steps in cases:
        where = f"gd_autograd(f, x0={x0}, lr={lr}, num_steps={num_steps}) with f(x) = {formula}"
        got = as_numbers(call(gd_autograd, f, x0, lr, num_steps), where)
        if got.ndim == 1 and len(got) in (num_steps, num_steps + 1) and num_steps > 1:
            raise Incorrect(f"{where} returned {len(got)} numbers; return only the final x, as one number.")
        if got.size == 1:
            got = got.reshape(())
        expected = numpy_gd(df, x0, lr, num_steps)[0][-1]
        if same(got, numpy_gd(df, x0, lr, num_steps, zero_grad=False)[0][-1]):
            raise Incorrect(
                f"{where} returned {format_value(got)}, the result of a loop that never clears x.grad. "
                "backward() *adds* the new gradient to x.grad, so each step used the sum of all gradients "
                "so far. Call x.grad.zero_() after every update."
            )
        if same(got, numpy_gd(df, x0, lr, num_steps, sign=-1.0)[0][-1]):
            raise Incorrect(f"{where} returned {format_value(got)}: the steps went uphill. Subtract lr * x.grad.")
        expect_close(got, expected, where, rtol=1e-5, atol=1e-7)
    return "The post's loop, working: record with requires_grad, backward(), update under no_grad(), zero_()."


# 07.2 ----------------------------------------------------------------------------------


def seen_gradients_solution(x0, lr, num_steps):
    import torch

    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    grads = []
    for _ in range(num_steps):
        (x**2 + 4 * x + 1).backward()
        grads.append(x.grad.item())  # a number, copied now: zero_() below cannot change it
        with torch.no_grad():
            x -= lr * x.grad
        x.grad.zero_()
    return grads


def seen_gradients_forgot_zero(x0, lr, num_steps):
    """A typical mistake: without zero_() the gradients pile up."""
    import torch

    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    grads = []
    for _ in range(num_steps):
        (x**2 + 4 * x + 1).backward()
        grads.append(x.grad.item())
        with torch.no_grad():
            x -= lr * x.grad
    return grads


def seen_gradients_tensor_reference(x0, lr, num_steps):
    """A typical mistake: appending the tensor x.grad itself; zero_() later clears every entry."""
    import torch

    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    grads = []
    for _ in range(num_steps):
        (x**2 + 4 * x + 1).backward()
        grads.append(x.grad)
        with torch.no_grad():
            x -= lr * x.grad
        x.grad.zero_()
    return grads


def seen_gradients_values(x0, lr, num_steps):
    """A typical mistake: records f(x), not the gradient."""
    import torch

    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    values = []
    for _ in range(num_steps):
        y = x**2 + 4 * x + 1
        y.backward()
        values.append(y.item())
        with torch.no_grad():
            x -= lr * x.grad
        x.grad.zero_()
    return values


@exercise(
    "07.2",
    "the gradients a training loop sees",
    hint=(
        "After f(x).backward(), x.grad holds f'(x) *plus whatever was in x.grad before*. Append "
        "x.grad.item() (a plain number), update x under torch.no_grad(), then clear x.grad with x.grad.zero_()."
    ),
    solution=seen_gradients_solution,
    mistakes=[
        (seen_gradients_forgot_zero, "accumulate"),
        (seen_gradients_tensor_reference, "item()"),
        (seen_gradients_values, "value"),
    ],
)
def check_seen_gradients(seen_gradients):
    for x0, lr, num_steps in [(2.0, 0.7, 8), (-5.0, 0.1, 6)]:
        where = f"seen_gradients({x0}, {lr}, {num_steps})"
        got = as_numbers(call(seen_gradients, x0, lr, num_steps), where)
        if got.ndim == 2 and got.shape[1] == 1:  # a list of 1-element tensors
            got = got[:, 0]
        points, expected = numpy_gd(post_df, x0, lr, num_steps)
        if got.shape != expected.shape:
            raise Incorrect(f"{where} should return {num_steps} gradients, one per step; got shape {got.shape}.")
        if same(got, numpy_gd(post_df, x0, lr, num_steps, zero_grad=False)[1]):
            raise Incorrect(
                f"{where} returned {format_value(got)}: each entry is the sum of all gradients so far. "
                "backward() accumulates into x.grad (it adds, it does not overwrite); without x.grad.zero_() "
                f"the loop used these sums as gradients. The true gradients are {format_value(expected)}."
            )
        if np.all(got == 0) or same(got, np.full(num_steps, expected[-1])):
            raise Incorrect(
                f"{where} returned {format_value(got)}: every entry is the same number. You appended the tensor "
                "x.grad itself, and zero_() (or the next backward()) changed it in place afterwards, in every "
                "entry of your list at once. Append a copy taken now: x.grad.item() (or x.grad.clone())."
            )
        if same(got, post_f(points[:-1])):
            raise Incorrect(f"{where} returned the values f(x_k), not the gradients f'(x_k) = 2 x_k + 4.")
        if same(got, post_df(points[1:])):
            raise Incorrect(
                f"{where} returned the gradients at the points *after* each update; record x.grad right after "
                "backward(), before the step."
            )
        expect_close(got, expected, where, rtol=1e-5, atol=1e-7)
    return "Each step sees f'(x_k) = 2 x_k + 4 alone, because x.grad.zero_() cleared the previous one."


# 07.3 ----------------------------------------------------------------------------------


def to_linear_layout_solution(params):
    layout = []
    for W, b in zip(params[0::2], params[1::2]):
        layout += [W.T, b]  # nn.Linear.weight has shape (fan_out, fan_in); the bias stays (fan_out,)
    return layout


@exercise(
    "07.3",
    "NumPy MLP weights in nn.Linear's layout",
    hint=(
        "gdcourse computes a @ W + b with W of shape (fan_in, fan_out); nn.Linear computes a @ weight.T + bias "
        "with weight of shape (fan_out, fan_in). So weight = W.T, and the bias is unchanged."
    ),
    solution=to_linear_layout_solution,
    mistakes=[
        (lambda params: list(params), "transpose"),
        (lambda params: [p.reshape(p.shape[::-1]) for p in params], "reshape"),
        (lambda params: [p.T if p.ndim == 2 else p[None, :] for p in params], "bias"),
    ],
)
def check_to_linear_layout(to_linear_layout):
    rng = np.random.default_rng(7)
    for sizes in [(3, 5, 2), (4, 4, 4)]:  # the second network has square layers: shapes alone cannot tell
        params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            params += [rng.standard_normal((fan_in, fan_out)), rng.standard_normal(fan_out)]
        where = f"to_linear_layout(params of a {'-'.join(map(str, sizes))} MLP)"
        got = call(to_linear_layout, [p.copy() for p in params])
        if not isinstance(got, (list, tuple)) or len(got) != len(params):
            raise Incorrect(f"{where} should return a list of {len(params)} arrays [weight1, bias1, weight2, bias2].")
        for k, (p, g) in enumerate(zip(params, got)):
            name = f"{'weight' if k % 2 == 0 else 'bias'}{k // 2 + 1}"
            g = as_numbers(g, f"entry {k} ({name})")
            expected = p.T if p.ndim == 2 else p
            if p.ndim == 2 and same(g, p) and not same(g, p.T):
                raise Incorrect(
                    f"{where}: {name} is W unchanged, of shape {p.shape} (fan_in, fan_out). nn.Linear stores "
                    f"weight with shape (fan_out, fan_in) and computes a @ weight.T: transpose W (W.T)."
                )
            if p.ndim == 2 and same(g, p.reshape(p.shape[::-1])) and not same(g, p.T):
                raise Incorrect(
                    f"{where}: {name} has the right shape {expected.shape} but scrambled entries: reshape keeps "
                    "the order of the numbers in memory and cuts it into new rows; transposing (W.T) swaps rows "
                    "and columns, which is what nn.Linear needs."
                )
            if p.ndim == 1 and g.shape != p.shape:
                raise Incorrect(
                    f"{where}: {name} has shape {g.shape}; nn.Linear.bias is a vector of shape {p.shape} "
                    "(fan_out,), exactly like gdcourse's b."
                )
            if g.shape != expected.shape:
                raise Incorrect(f"{where}: {name} has shape {g.shape}; nn.Linear expects {expected.shape}.")
            expect_close(g, expected, f"{where}: {name}")
    return "weight = W.T, bias = b: then nn.Linear's a @ weight.T + bias is gdcourse's a @ W + b."


# 07.4 ----------------------------------------------------------------------------------


def make_twin_solution(opt, params):
    import torch

    torch_class = getattr(torch.optim, type(opt).__name__)  # gdcourse.optim uses torch's class names
    return torch_class(params, foreach=False, **opt.hyperparameters())  # ... and its argument names


def twin_always_sgd(opt, params):
    """A typical mistake: one torch optimizer for everything."""
    import torch

    return torch.optim.SGD(params, lr=opt.lr)


def twin_lr_only(opt, params):
    """A typical mistake: the right class, but only the learning rate passed on."""
    import torch

    return getattr(torch.optim, type(opt).__name__)(params, lr=opt.lr)


def twin_adam_for_adamw(opt, params):
    """A typical mistake: torch.optim.Adam with weight_decay standing in for AdamW."""
    import torch

    name = "Adam" if type(opt).__name__ == "AdamW" else type(opt).__name__
    return getattr(torch.optim, name)(params, **opt.hyperparameters())


def twin_cases():
    from gdcourse import optim

    return [
        (optim.Adagrad, {"lr": 0.1, "lr_decay": 0.01}),
        (optim.SGD, {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
        (optim.RMSprop, {"lr": 0.01, "alpha": 0.9}),
        (optim.AdamW, {"lr": 0.05, "weight_decay": 0.1}),
    ]


def twin_gradient(theta: np.ndarray) -> np.ndarray:
    return 0.1 * theta**3 + np.tanh(theta - 1)  # a non-quadratic bowl, minimum near 0.9


@exercise(
    "07.4",
    "the torch.optim twin of a gdcourse optimizer",
    hint=(
        "gdcourse.optim uses torch's class names and argument names: type(opt).__name__ is the name in "
        "torch.optim, and opt.hyperparameters() is a dict of the arguments. Pass params first."
    ),
    solution=make_twin_solution,
    mistakes=[
        (twin_always_sgd, "class"),
        (twin_lr_only, "hyperparameters"),
        (twin_adam_for_adamw, "decoupled"),
    ],
)
def check_make_twin(make_twin):
    import torch

    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # torch keeps step counters in the default dtype
    try:
        for cls, hyper in twin_cases():
            theta = np.array([2.0, -1.5, 0.5])
            opt = cls([theta], **hyper)
            params = [torch.tensor(theta.copy(), requires_grad=True)]
            where = f"make_twin({cls.__name__}({', '.join(f'{k}={v}' for k, v in hyper.items())}), params)"
            twin = call(make_twin, opt, params)
            if not isinstance(twin, torch.optim.Optimizer):
                raise Incorrect(
                    f"{where} returned {type(twin).__name__}; it should return a torch.optim optimizer built "
                    "on params, such as torch.optim.SGD(params, lr=...)."
                )
            held = [p for group in twin.param_groups for p in group["params"]]
            if not any(p is params[0] for p in held):
                raise Incorrect(f"{where}: the optimizer does not hold the tensors in params; pass params to it.")
            ours, theirs = cls.__name__, type(twin).__name__
            if ours == "AdamW" and theirs == "Adam":
                raise Incorrect(
                    f"{where} returned torch.optim.Adam. Adam's weight_decay adds wd * theta to the gradient "
                    "(an L2 penalty that then passes through the adaptive scaling); AdamW's decay is decoupled: "
                    "theta *= 1 - lr * wd, apart from the gradient. Use torch.optim.AdamW."
                )
            if ours != theirs:
                raise Incorrect(
                    f"{where} returned torch.optim.{theirs}; the twin of gdcourse's {ours} is the class of the "
                    f"same name, torch.optim.{ours}."
                )
            group = twin.param_groups[0]
            wrong = {k: (group[k], v) for k, v in opt.hyperparameters().items() if k in group and group[k] != v}
            if wrong:
                listed = "; ".join(
                    f"{k} is {theirs_v} in yours, {v} in gdcourse's" for k, (theirs_v, v) in wrong.items()
                )
                raise Incorrect(
                    f"{where}: the class is right but some hyperparameters differ: {listed}. Pass them all on "
                    "(opt.hyperparameters() has them)."
                )
            for k in range(20):
                for p in params:
                    p.grad = torch.from_numpy(twin_gradient(p.detach().numpy()))
                twin.step()
                opt.step([twin_gradient(theta)])
                error = np.abs(params[0].detach().numpy() - theta).max()
                if not error <= 1e-9:
                    raise Incorrect(
                        f"{where}: after step {k + 1} the paths differ by {error:.3g}: torch at "
                        f"{format_value(params[0].detach().numpy())}, gdcourse at {format_value(theta)}."
                    )
    finally:
        torch.set_default_dtype(previous)
    return "Same class name, same arguments: the twin follows gdcourse's path step for step."
