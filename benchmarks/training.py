"""Training the digits MLP (64-128-10, sigmoid, SGD lr=0.5) with gdcourse and with torch.

Both sides do the same work, step for step:

- the same network and initial weights (torch's layers get a copy of gdcourse's Xavier init),
  float64, the same number of threads;
- each epoch shuffles with the same NumPy generator, then for every batch: index the batch,
  forward, loss, backward, update; the batch loss becomes a Python float (gdcourse records it);
- gdcourse is ``gdcourse.train.fit``, exactly as a learner calls it (its input checks once, its
  divergence checks per batch and its snapshot per epoch); torch is the loop a learner writes
  with ``torch.nn`` and ``torch.optim`` (``torch.optim.SGD`` with its default, the single-tensor
  loop on the CPU).

"Epoch" below is the training steps of one epoch (the shuffle, about 10 µs, and the evaluation
excluded): fit's ``history.wall_time`` and the torch loop's own timer measure exactly that.
"fit call" is the whole call per epoch, including the evaluations (loss and accuracy on the
training set before training and after each epoch), which the torch loop also does, with one
forward pass under ``torch.no_grad()``. Both sides are timed with the CPU clock of
``common.py``: for ``fit``, its own epoch timer is pointed at that clock.
"""

from __future__ import annotations

import time
from types import SimpleNamespace
from unittest import mock

import numpy as np
from common import CLOCK, interleaved, median

from gdcourse import data, train
from gdcourse.models import MLP
from gdcourse.optim import SGD
from gdcourse.train import fit

LAYERS, LR, SEED = [64, 128, 10], 0.5, 0


def digits():
    X, y = data.load_digits()
    return data.train_test_split(X / 16, y, test_size=0.2, seed=0)  # as in notebook 04


def gdcourse_run(X, y, batch_size, num_epochs, X_val=None, y_val=None):
    model = MLP(LAYERS, activation="sigmoid", init="xavier", seed=SEED)
    optimizer = SGD(model.params, lr=LR)
    start = CLOCK()
    with mock.patch.object(train, "time", SimpleNamespace(perf_counter=CLOCK)):  # history.wall_time: CPU seconds
        history = fit(model, optimizer, X, y, batch_size, num_epochs, X_val, y_val, seed=SEED, progress=False)
    total = CLOCK() - start
    return np.diff(history.wall_time), total / num_epochs, history


def torch_network(torch):
    """torch.nn's version of MLP(LAYERS), starting from gdcourse's initial weights."""
    W1, b1, W2, b2 = MLP(LAYERS, activation="sigmoid", init="xavier", seed=SEED).params
    net = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.Sigmoid(), torch.nn.Linear(128, 10)).double()
    with torch.no_grad():
        for layer, W, b in [(net[0], W1, b1), (net[2], W2, b2)]:
            layer.weight.copy_(torch.from_numpy(W.T))  # torch stores (fan_out, fan_in)
            layer.bias.copy_(torch.from_numpy(b))
    return net


def torch_run(X, y, batch_size, num_epochs, X_val=None, y_val=None):
    """The torch loop: the same shuffles, steps and evaluations (before training, after each epoch) as fit."""
    import torch
    import torch.nn.functional as F

    net = torch_network(torch)
    optimizer = torch.optim.SGD(net.parameters(), lr=LR)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    sets = [(X, y)] + ([(torch.from_numpy(X_val), torch.from_numpy(y_val))] if X_val is not None else [])
    rng, n = np.random.default_rng(SEED), len(X)
    epoch_seconds, batch_loss, accuracy = [], [], []

    def evaluate():  # what fit records: loss and accuracy on the training set (and the validation set)
        with torch.no_grad():
            for X_eval, y_eval in sets:
                logits = net(X_eval)
                F.cross_entropy(logits, y_eval).item()
                accuracy.append((logits.argmax(dim=1) == y_eval).double().mean().item())

    start = CLOCK()
    evaluate()
    for _ in range(num_epochs):
        order = torch.from_numpy(rng.permutation(n) if batch_size < n else np.arange(n))
        epoch_start = CLOCK()  # after the shuffle, as in fit
        for first in range(0, n, batch_size):
            batch = order[first : first + batch_size]
            optimizer.zero_grad()
            loss = F.cross_entropy(net(X[batch]), y[batch])
            loss.backward()
            optimizer.step()
            batch_loss.append(loss.item())
        epoch_seconds.append(CLOCK() - epoch_start)
        evaluate()
    total = CLOCK() - start
    val_acc = accuracy[len(sets) + 1 :: len(sets)] if X_val is not None else []  # after each epoch
    return np.array(epoch_seconds), total / num_epochs, {"batch_loss": batch_loss, "val_acc": val_acc}


def check_same_path(X, y) -> float:
    """Guard: both sides follow the same path (same init, order and arithmetic up to rounding)."""
    _, _, history = gdcourse_run(X, y, 32, 2)
    _, _, torch_record = torch_run(X, y, 32, 2)
    difference = np.max(np.abs(np.array(history.batch_loss) - np.array(torch_record["batch_loss"])))
    assert difference < 1e-9, f"the two training runs differ by {difference:.3g} in batch loss"
    return float(difference)


def epoch_ratio(X, y, batch_size, repeats, num_epochs):
    """Interleaved runs; per round, the median epoch of each side. Returns medians and ratios."""
    rounds = []
    for r in range(repeats):
        runs = {}
        for side in ["gdcourse", "torch"] if r % 2 == 0 else ["torch", "gdcourse"]:
            runner = gdcourse_run if side == "gdcourse" else torch_run
            epochs, per_call, _ = runner(X, y, batch_size, num_epochs)
            runs[side] = (median(epochs), per_call)
        rounds.append(runs)
    epoch = {side: np.array([r[side][0] for r in rounds]) for side in ("gdcourse", "torch")}
    call = {side: np.array([r[side][1] for r in rounds]) for side in ("gdcourse", "torch")}
    return {
        "batch_size": batch_size,
        "steps_per_epoch": -(-len(X) // batch_size),
        "gdcourse_epoch_s": median(epoch["gdcourse"]),
        "torch_epoch_s": median(epoch["torch"]),
        "epoch_ratio": median(epoch["gdcourse"] / epoch["torch"]),
        "gdcourse_call_s": median(call["gdcourse"]),
        "torch_call_s": median(call["torch"]),
        "call_ratio": median(call["gdcourse"] / call["torch"]),
    }


def time_to_accuracy(X, y, X_val, y_val, batch_size, target, max_epochs, repeats):
    """Epochs and training time (evaluation excluded on both sides) until validation accuracy >= target."""
    results = {"gdcourse": [], "torch": []}
    epochs_needed = {}
    for r in range(repeats):
        for side in ["gdcourse", "torch"] if r % 2 == 0 else ["torch", "gdcourse"]:
            if side == "gdcourse":
                epochs, _, history = gdcourse_run(X, y, batch_size, max_epochs, X_val, y_val)
                val_acc = history.val_acc[1:]
            else:
                epochs, _, record = torch_run(X, y, batch_size, max_epochs, X_val, y_val)
                val_acc = record["val_acc"]
            reached = next((e for e, acc in enumerate(val_acc, start=1) if acc >= target), None)
            if reached is None:
                raise RuntimeError(f"{side} did not reach {target} validation accuracy in {max_epochs} epochs")
            epochs_needed[side] = reached
            results[side].append(epochs[:reached].sum())
    seconds = {side: np.array(v) for side, v in results.items()}
    return {
        "batch_size": batch_size,
        "target": target,
        "gdcourse_epochs": epochs_needed["gdcourse"],
        "torch_epochs": epochs_needed["torch"],
        "gdcourse_s": median(seconds["gdcourse"]),
        "torch_s": median(seconds["torch"]),
        "ratio": median(seconds["gdcourse"] / seconds["torch"]),
    }


def step_breakdown(X, y, repeats) -> dict:
    """Where one batch-32 step of fit goes: each part timed on its own (CPU), beside torch's step.

    The parts are the calls fit's loop makes, on the first batch of a shuffled epoch: the model's
    loss_and_grads without its input checks (fit checks the data once, before the loop), the
    divergence check and the optimizer step; the epoch's snapshot (parameters and optimizer state,
    for undoing a diverging epoch) is shared by the epoch's batches. "input checks" is what the same
    call costs a learner who calls loss_and_grads directly, on top.
    """
    import torch
    import torch.nn.functional as F

    from gdcourse.losses import cross_entropy, one_hot, softmax

    labels = y
    model = MLP(LAYERS, activation="sigmoid", init="xavier", seed=SEED)
    X, y = model.check_batch(X, y)  # what fit hands to the loop
    batch = np.random.default_rng(SEED).permutation(len(X))[:32]
    optimizer = SGD(model.params, lr=LR)
    Xb, yb = X[batch], y[batch]
    core = type(model).loss_and_grads.__wrapped__  # what fit calls on each batch
    loss, grads = core(model, Xb, yb)
    Z = model.forward(Xb)[-1]
    zeros = [np.zeros_like(g) for g in grads]
    net = torch_network(torch)
    torch_optimizer = torch.optim.SGD(net.parameters(), lr=LR)
    Xt, yt, bt = torch.from_numpy(X), torch.from_numpy(labels), torch.from_numpy(batch)
    batches_per_epoch = -(-len(X) // 32)

    def torch_step():
        torch_optimizer.zero_grad()
        torch_loss = F.cross_entropy(net(Xt[bt]), yt[bt])
        torch_loss.backward()
        torch_optimizer.step()
        return torch_loss.item()

    parts = {
        "index the batch": lambda: (X[batch], y[batch]),
        "forward pass": lambda: model.forward(Xb),
        "loss (cross_entropy)": lambda: cross_entropy(Z, yb),
        "output gradient (softmax - one_hot)": lambda: (softmax(Z) - one_hot(yb, LAYERS[-1])) / len(yb),
        "loss_and_grads (as fit calls it)": lambda: core(model, Xb, yb),
        "loss_and_grads (a learner's checked call)": lambda: model.loss_and_grads(Xb, yb),
        "divergence checks (isfinite)": lambda: np.isfinite(loss) and all(np.isfinite(g).all() for g in grads),
        "epoch snapshot, per batch": lambda: (
            [p.copy() for p in model.params],
            optimizer.state_dict(),
        ),
        "optimizer.step": lambda: optimizer.step(zeros),  # zero gradients: the same work, the model unchanged
        "torch step": torch_step,
    }
    t = {name: median(v) for name, v in interleaved(parts, repeats, 0.01).items()}
    t["epoch snapshot, per batch"] /= batches_per_epoch
    within = ["forward pass", "loss (cross_entropy)", "output gradient (softmax - one_hot)"]
    t["backward pass"] = max(0.0, t["loss_and_grads (as fit calls it)"] - sum(t[k] for k in within))
    t["input checks"] = max(0.0, t["loss_and_grads (a learner's checked call)"] - t["loss_and_grads (as fit calls it)"])
    math = t["loss_and_grads (as fit calls it)"]
    step = sum(
        t[k]
        for k in [
            "index the batch",
            "loss_and_grads (as fit calls it)",
            "divergence checks (isfinite)",
            "epoch snapshot, per batch",
            "optimizer.step",
        ]
    )
    return {"seconds": t, "arithmetic_s": math, "step_s": step, "torch_step_s": t["torch step"]}


def run(quick: bool = False) -> dict:
    X, X_val, y, y_val = digits()
    repeats = 3 if quick else 9
    wall = time.perf_counter()
    result = {
        "n_train": len(X),
        "path_difference": check_same_path(X, y),
        "epochs": [
            epoch_ratio(X, y, 32, repeats, num_epochs=3),
            epoch_ratio(X, y, len(X), repeats, num_epochs=20),
        ],
        "breakdown": step_breakdown(X, y, repeats=5 if quick else 11),
        "to_accuracy": [
            time_to_accuracy(X, y, X_val, y_val, 32, target=0.95, max_epochs=30, repeats=max(1, repeats // 3)),
            time_to_accuracy(X, y, X_val, y_val, len(X), target=0.90, max_epochs=400, repeats=max(1, repeats // 3)),
        ],
    }
    result["seconds"] = time.perf_counter() - wall
    return result


def tables(result: dict) -> str:
    from common import markdown_table, seconds

    rows = []
    for r in result["epochs"]:
        label = "32" if r["batch_size"] == 32 else f"{r['batch_size']} (full batch)"
        rows.append(
            [
                label,
                r["steps_per_epoch"],
                seconds(r["gdcourse_epoch_s"]),
                seconds(r["torch_epoch_s"]),
                f"**{r['epoch_ratio']:.2f}**",
                seconds(r["gdcourse_call_s"]),
                seconds(r["torch_call_s"]),
                f"{r['call_ratio']:.2f}",
            ]
        )
    epochs = markdown_table(
        [
            "batch size",
            "steps/epoch",
            "gdcourse epoch",
            "torch epoch",
            "gdcourse / torch",
            "gdcourse fit call per epoch (with evaluation)",
            "torch, same",
            "gdcourse / torch",
        ],
        rows,
    )
    rows = [
        [
            r["batch_size"],
            f"{r['target']:.0%}",
            f"{r['gdcourse_epochs']} / {r['torch_epochs']}",
            seconds(r["gdcourse_s"]),
            seconds(r["torch_s"]),
            f"{r['ratio']:.2f}",
        ]
        for r in result["to_accuracy"]
    ]
    accuracy = markdown_table(
        [
            "batch size",
            "target (validation accuracy)",
            "epochs (gdcourse / torch)",
            "gdcourse",
            "torch",
            "gdcourse / torch",
        ],
        rows,
    )
    b = result["breakdown"]
    t = b["seconds"]
    order = [
        "index the batch",
        "forward pass",
        "loss (cross_entropy)",
        "output gradient (softmax - one_hot)",
        "backward pass",
        "divergence checks (isfinite)",
        "epoch snapshot, per batch",
        "optimizer.step",
    ]
    rows = [[part, seconds(t[part]), f"{t[part] / b['step_s']:.0%}"] for part in order]
    rows.append(["(not in fit's loop) input checks of a learner's own call", seconds(t["input checks"]), ""])
    rows.append(["**the step (sum)**", seconds(b["step_s"]), f"{b['step_s'] / b['torch_step_s']:.2f} x torch's step"])
    rows.append(["torch's whole step", seconds(b["torch_step_s"]), ""])
    breakdown = markdown_table(["part of a batch-32 step", "CPU time", "share"], rows)
    return (
        f"Digits MLP 64-128-10, {result['n_train']} training images, SGD lr=0.5, float64; the two runs' "
        f"batch losses agree to {result['path_difference']:.1g}.\n\n{epochs}\n\n"
        f"Time to a validation accuracy (training time, evaluation excluded on both sides):\n\n{accuracy}\n\n"
        f"Where a batch-32 step of `fit` goes (each part timed alone). The arithmetic alone (forward, loss, "
        f"output gradient, backward) takes {b['arithmetic_s'] / b['torch_step_s']:.2f} x torch's whole step:"
        f"\n\n{breakdown}"
    )
