"""Exercises of notebook 07 (from NumPy to PyTorch).

torch is imported inside the functions that use it, never at module import, so that
``import gdcourse`` and the other notebooks' exercises stay free of torch. Answers may come
from float32 tensors, hence ``rtol=1e-5, atol=1e-7``.
"""

from __future__ import annotations

import numpy as np

from gdcourse.exercises import Incorrect, Mistake, call, exercise, format_value, learners_code

# The truth for autograd: gradient descent in NumPy with hand-written derivatives.


def parabola(x):
    return x**2 + 4 * x + 1  # post 3's parabola; works on floats and on tensors


def quartic(x):
    return x**4 / 4 - x  # minimum at x = 1


DERIVATIVES = {parabola: lambda x: 2 * x + 4, quartic: lambda x: x**3 - 1}
FORMULAS = {parabola: "x**2 + 4*x + 1", quartic: "x**4/4 - x"}


def numpy_gd(f, x0: float, lr: float, num_steps: int):
    """The points x_0..x_n of gradient descent on ``f`` and the gradient used at each step."""
    xs, grads = [float(x0)], []
    for _ in range(num_steps):
        grads.append(DERIVATIVES[f](xs[-1]))
        xs.append(xs[-1] - lr * grads[-1])
    return np.array(xs), np.array(grads)


def autograd_loop(f, x0, lr, num_steps, zero_grad=True, uphill=False, record="x"):
    """gd_autograd_solution's loop with a typical mistake switched on: x.grad never cleared, steps
    uphill, or what it returns (``record``): "x" the final x, "path" every point, "grad" x.grad.item()
    at each step, "grad tensor" the tensor x.grad itself, "value" f(x) at each step."""
    import torch

    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    kept = {"path": [x0], "grad": [], "grad tensor": [], "value": []}
    for _ in range(num_steps):
        y = f(x)
        y.backward()
        kept["grad"].append(x.grad.item())
        kept["grad tensor"].append(x.grad)
        kept["value"].append(y.item())
        with torch.no_grad():
            x += lr * x.grad if uphill else -lr * x.grad
        if zero_grad:
            x.grad.zero_()
        kept["path"].append(x.item())
    return x.item() if record == "x" else kept[record]


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


exercise(
    "07.1",
    "gradient descent in one variable with autograd",
    hint="x = torch.tensor(x0, dtype=torch.float64, requires_grad=True); in each step: f(x).backward(), "
    "then inside `with torch.no_grad():` do x -= lr * x.grad, then x.grad.zero_(). Return x.item().",
    solution=gd_autograd_solution,
    reference=lambda f, x0, lr, num_steps: numpy_gd(f, x0, lr, num_steps)[0][-1],
    cases=[(parabola, 2.0, 0.1, 10), (parabola, 2.0, 0.7, 100), (quartic, 0.0, 0.1, 30)],  # 2nd: post 3's run
    where="gd_autograd(f, x0={x0!s}, lr={lr!s}, num_steps={num_steps!s}) with f(x) = {formula}",
    facts=lambda f, x0, lr, num_steps: {"formula": FORMULAS[f], "points": num_steps + 1},
    rtol=1e-5,
    atol=1e-7,
    squeeze=True,
    requires="torch",
    mistakes=[
        (
            lambda f, x0, lr, num_steps: autograd_loop(f, x0, lr, num_steps, zero_grad=False),
            "{where} returned {got}, the result of a loop that never clears x.grad. backward() *adds* the new "
            "gradient to x.grad, so each step used the sum of all gradients so far. Call x.grad.zero_() after "
            "every update.",
        ),
        (
            lambda f, x0, lr, num_steps: autograd_loop(f, x0, lr, num_steps, uphill=True),
            "{where} returned {got}: the steps went uphill. Subtract lr * x.grad.",
        ),
        (
            lambda f, x0, lr, num_steps: autograd_loop(f, x0, lr, num_steps, record="path"),
            "{where} returned {points} numbers; return only the final x, as one number.",
        ),
    ],
    success="Post 3's loop, working: record with requires_grad, backward(), update under no_grad(), zero_().",
)


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


exercise(
    "07.2",
    "the gradients a training loop sees",
    hint="After f(x).backward(), x.grad holds f'(x) *plus whatever was in x.grad before*. Append "
    "x.grad.item() (a plain number), update x under torch.no_grad(), then clear x.grad with x.grad.zero_().",
    solution=seen_gradients_solution,
    reference=lambda x0, lr, num_steps: numpy_gd(parabola, x0, lr, num_steps)[1],
    cases=[(2.0, 0.7, 8), (-5.0, 0.1, 6)],
    where="seen_gradients({x0!s}, {lr!s}, {num_steps!s})",
    rtol=1e-5,
    atol=1e-7,
    squeeze=True,  # a list of one-element tensors is fine too
    requires="torch",
    mistakes=[
        (
            lambda x0, lr, num_steps: autograd_loop(parabola, x0, lr, num_steps, zero_grad=False, record="grad"),
            "{where} returned {got}: each entry is the sum of all gradients so far. backward() accumulates into "
            "x.grad (it adds, it does not overwrite); without x.grad.zero_() the loop used these sums as "
            "gradients. The true gradients are {expected}.",
        ),
        (
            lambda x0, lr, num_steps: autograd_loop(parabola, x0, lr, num_steps, record="grad tensor"),
            "{where} returned {got}: every entry is the same number. You appended the tensor x.grad itself, and "
            "zero_() (or the next backward()) changed it in place afterwards, in every entry of your list at "
            "once. Append a copy taken now: x.grad.item() (or x.grad.clone()).",
        ),
        (
            lambda x0, lr, num_steps: autograd_loop(parabola, x0, lr, num_steps, record="value"),
            "{where} returned the values f(x_k), not the gradients f'(x_k) = 2 x_k + 4.",
        ),
        (
            lambda x0, lr, num_steps: DERIVATIVES[parabola](numpy_gd(parabola, x0, lr, num_steps)[0][1:]),
            "{where} returned the gradients at the points *after* each update; record x.grad right after "
            "backward(), before the step.",
        ),
    ],
    success="Each step sees f'(x_k) = 2 x_k + 4 alone, because x.grad.zero_() cleared the previous one.",
)


def to_linear_layout_solution(params):
    layout = []
    for W, b in zip(params[0::2], params[1::2], strict=True):
        layout += [W.T, b]  # nn.Linear.weight has shape (fan_out, fan_in); the bias stays (fan_out,)
    return layout


def mlp_params(sizes, rng) -> list:
    """Random [W1, b1, W2, b2, ...] of an MLP with these layer sizes, in gdcourse's layout."""
    return [
        a
        for m, k in zip(sizes[:-1], sizes[1:], strict=True)
        for a in (rng.standard_normal((m, k)), rng.standard_normal(k))
    ]


rng = np.random.default_rng(7)
exercise(
    "07.3",
    "NumPy MLP weights in nn.Linear's layout",
    hint="gdcourse computes a @ W + b with W of shape (fan_in, fan_out); nn.Linear computes a @ weight.T + bias "
    "with weight of shape (fan_out, fan_in). So weight = W.T, and the bias is unchanged.",
    solution=to_linear_layout_solution,
    cases=[(mlp_params((3, 5, 2), rng),), (mlp_params((4, 4, 4), rng),)],  # the 2nd: shapes alone cannot tell
    where="to_linear_layout(params of a {sizes} MLP)",
    facts=lambda params: {"sizes": "-".join(str(len(a)) for a in [params[0], *params[1::2]])},
    names=("weight1", "bias1", "weight2", "bias2"),
    rtol=1e-5,
    atol=1e-7,
    mistakes=[
        (
            lambda params: list(params),
            "{where}: weight1 is W unchanged, of shape {params[0].shape} (fan_in, fan_out). nn.Linear stores "
            "weight with shape (fan_out, fan_in) and computes a @ weight.T: transpose W (W.T).",
        ),
        (
            lambda params: [p.reshape(p.shape[::-1]) for p in params],
            "{where}: weight1 has the right shape {expected[0].shape} but scrambled entries: reshape keeps the "
            "order of the numbers in memory and cuts it into new rows; transposing (W.T) swaps rows and columns, "
            "which is what nn.Linear needs.",
        ),
        (
            lambda params: [p.T if p.ndim == 2 else p[None, :] for p in params],
            "{where}: bias1 has shape {got[1].shape}; nn.Linear.bias is a vector of shape {params[1].shape} "
            "(fan_out,), exactly like gdcourse's b.",
        ),
    ],
    success="weight = W.T, bias = b: then nn.Linear's a @ weight.T + bias is gdcourse's a @ W + b.",
)


# 07.4 has its own check: the answer is an optimizer object, tried by running it step by step.


def make_twin_solution(opt, params):
    import torch

    torch_class = getattr(torch.optim, type(opt).__name__)  # gdcourse.optim uses torch's class names
    return torch_class(params, foreach=False, **opt.hyperparameters())  # ... and its argument names


def twin_always_sgd(opt, params):
    import torch

    return torch.optim.SGD(params, lr=opt.lr)


def twin_lr_only(opt, params):
    import torch

    return getattr(torch.optim, type(opt).__name__)(params, lr=opt.lr)


def twin_adam_for_adamw(opt, params):
    import torch

    name = "Adam" if type(opt).__name__ == "AdamW" else type(opt).__name__
    return getattr(torch.optim, name)(params, **opt.hyperparameters())


WRONG_CLASS = Mistake(
    twin_always_sgd,
    "{where} returned torch.optim.{theirs}; the twin of gdcourse's {ours} is the class of the same name, "
    "torch.optim.{ours}.",
)
SOME_HYPERPARAMETERS = Mistake(
    twin_lr_only,
    "{where}: the class is right but some hyperparameters differ: {listed}. Pass them all on "
    "(opt.hyperparameters() has them).",
)
ADAM_FOR_ADAMW = Mistake(
    twin_adam_for_adamw,
    "{where} returned torch.optim.Adam. Adam's weight_decay adds wd * theta to the gradient (an L2 penalty that "
    "then passes through the adaptive scaling); AdamW's decay is decoupled: theta *= 1 - lr * wd, apart from the "
    "gradient. Use torch.optim.AdamW.",
)


def twin_gradient(theta: np.ndarray) -> np.ndarray:
    return 0.1 * theta**3 + np.tanh(theta - 1)  # a non-quadratic bowl, minimum near 0.9


def check_make_twin(make_twin) -> None:
    """Build each twin, check its class and hyperparameters, then run it beside gdcourse's optimizer."""
    import torch

    from gdcourse import optim

    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # torch keeps step counters in the default dtype
    try:
        for cls, hyper in [
            (optim.Adagrad, {"lr": 0.1, "lr_decay": 0.01}),
            (optim.SGD, {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
            (optim.RMSprop, {"lr": 0.01, "alpha": 0.9}),
            (optim.AdamW, {"lr": 0.05, "weight_decay": 0.1}),
        ]:
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
            if not any(p is params[0] for group in twin.param_groups for p in group["params"]):
                raise Incorrect(f"{where}: the optimizer does not hold the tensors in params; pass params to it.")
            ours, theirs = cls.__name__, type(twin).__name__
            if ours == "AdamW" and theirs == "Adam":
                raise ADAM_FOR_ADAMW.incorrect(where=where)
            if ours != theirs:
                raise WRONG_CLASS.incorrect(where=where, ours=ours, theirs=theirs)
            group = twin.param_groups[0]
            wrong = [(k, group[k], v) for k, v in opt.hyperparameters().items() if k in group and group[k] != v]
            if wrong:
                listed = "; ".join(f"{k} is {mine} in yours, {v} in gdcourse's" for k, mine, v in wrong)
                raise SOME_HYPERPARAMETERS.incorrect(where=where, listed=listed)
            for k in range(20):
                for p in params:
                    p.grad = torch.from_numpy(twin_gradient(p.detach().numpy()))
                with learners_code():
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


exercise(
    "07.4",
    "the torch.optim twin of a gdcourse optimizer",
    hint="gdcourse.optim uses torch's class names and argument names: type(opt).__name__ is the name in "
    "torch.optim, and opt.hyperparameters() is a dict of the arguments. Pass params first.",
    solution=make_twin_solution,
    test=check_make_twin,
    requires="torch",
    mistakes=[WRONG_CLASS, SOME_HYPERPARAMETERS, ADAM_FOR_ADAMW],
    success="Same class name, same arguments: the twin follows gdcourse's path step for step.",
)
