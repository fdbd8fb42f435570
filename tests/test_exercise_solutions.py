"""Every exercise's reference solution against an independent truth: torch (autograd, torch.optim,
lr_scheduler), scikit-learn, SciPy, or the behaviour the answer predicts (a learning rate just below
the limit converges and just above it diverges). The exercise tests prove the checks; these prove
that what the checks call correct is correct."""

from __future__ import annotations

import statistics

import numpy as np
import pytest

from gdcourse.exercises import get

RNG = np.random.default_rng(11)


def solution(id: str):
    return get(id).solution


def cases(id: str) -> list[tuple]:
    return get(id).cases


def grad_of(torch, loss, *arrays):
    """d loss / d each array, by torch.autograd (float64)."""
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    loss(*tensors).backward()
    return [t.grad.numpy() for t in tensors]


def gd_converges(grad, x0, lr, num_steps=2000) -> bool:
    x = np.array(x0, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(num_steps):
            x = x - lr * grad(x)
    return bool(np.all(np.abs(x) < 1e-3))


def test_00_warmups(torch64):
    F = torch64.nn.functional
    for y_hat, y in cases("00.1"):
        assert np.isclose(solution("00.1")(y_hat, y), F.mse_loss(torch64.tensor(y_hat), torch64.tensor(y)).item())
    x = np.linspace(-4, 2, 13)
    assert isinstance(solution("00.2")(x), np.ndarray) and np.allclose(solution("00.2")(x), np.polyval([1, 4, 1], x))
    X, w, b = cases("00.3")[0]
    expected = F.linear(torch64.tensor(X), torch64.tensor(w)[None], torch64.tensor([b])).numpy()[:, 0]
    assert np.allclose(solution("00.3")(X, w, b), expected)


def test_01_gradient_step_and_gradient(torch64):
    for x, grad, lr in cases("01.1"):
        new_x, _ = torch_step(torch64, torch64.optim.SGD, np.atleast_1d(x), np.atleast_1d(grad), {}, lr=lr)
        assert np.allclose(solution("01.1")(x, grad, lr), new_x)
    for (p,) in cases("01.2"):
        (grad,) = grad_of(torch64, lambda q: 0.1 * q[0] ** 2 + 2 * q[1] ** 2, p)
        assert np.allclose(solution("01.2")(p), grad)


def test_01_loop_follows_torch_sgd(torch64):
    for grad, x0, lr, num_steps in cases("01.3"):
        x = torch64.tensor(x0.copy())
        opt, points = torch64.optim.SGD([x], lr=lr), [x0.copy()]
        for _ in range(num_steps):
            x.grad = torch64.tensor(grad(x.numpy().copy()))
            opt.step()
            points.append(x.numpy().copy())
        assert np.allclose(solution("01.3")(grad, x0, lr, num_steps), points)


def test_01_largest_stable_lr_is_where_gd_starts_to_diverge():
    for (A,) in cases("01.4"):
        lr = solution("01.4")(A)
        x0 = np.ones(len(A))
        assert gd_converges(A.__matmul__, x0, 0.99 * lr) and not gd_converges(A.__matmul__, x0, 1.01 * lr)


def test_02_mse_gradient_and_epoch_follow_autograd(torch64):
    X, y, w, b = cases("02.1")[0]
    mse = lambda w_, b_: ((torch64.tensor(X) @ w_ + b_ - torch64.tensor(y)) ** 2).mean()  # noqa: E731
    for ours, theirs in zip(solution("02.1")(X, y, w, b), grad_of(torch64, mse, w, np.float64(b)), strict=True):
        assert np.allclose(ours, theirs)
    X, y, w, b, lr, batch_size, order = cases("02.2")[0]
    wt, bt = torch64.tensor(w.copy(), requires_grad=True), torch64.tensor(float(b), requires_grad=True)
    opt = torch64.optim.SGD([wt, bt], lr=lr)
    for batch in np.array_split(order, range(batch_size, len(order), batch_size)):
        opt.zero_grad()
        ((torch64.tensor(X[batch]) @ wt + bt - torch64.tensor(y[batch])) ** 2).mean().backward()
        opt.step()
    new_w, new_b = solution("02.2")(X, y, w, b, lr, batch_size, order)
    assert np.allclose(new_w, wt.detach().numpy()) and np.isclose(new_b, bt.item())


def test_02_normal_equations_and_scaling_agree_with_scikit_learn():
    from sklearn.linear_model import LinearRegression
    from sklearn.preprocessing import StandardScaler

    X, y = cases("02.3")[0]
    fitted = LinearRegression().fit(X, y)
    w, b = solution("02.3")(X, y)
    assert np.allclose(w, fitted.coef_) and np.isclose(b, fitted.intercept_)
    X_train, X_test = cases("02.4")[0]
    scaler = StandardScaler().fit(X_train)
    for ours, theirs in zip(
        solution("02.4")(X_train, X_test), (scaler.transform(X_train), scaler.transform(X_test)), strict=True
    ):
        assert np.allclose(ours, theirs)


def test_02_largest_stable_lr_is_where_batch_gd_starts_to_diverge():
    (X,) = cases("02.5")[0]
    X1 = np.c_[X, np.ones(len(X))]
    theta_star = RNG.normal(size=X1.shape[1])
    y = X1 @ theta_star
    grad = lambda d: 2 * X1.T @ (X1 @ (d + theta_star) - y) / len(y)  # noqa: E731  (d: the error in (w, b))
    lr = solution("02.5")(X)
    assert gd_converges(grad, np.ones(X1.shape[1]), 0.99 * lr, 20000)
    assert not gd_converges(grad, np.ones(X1.shape[1]), 1.01 * lr, 20000)


def test_03_losses_and_gradients_follow_torch(torch64):
    F = torch64.nn.functional
    (z,) = cases("03.1")[0]
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # not even in a branch np.where drops
        assert np.allclose(solution("03.1")(z), F.logsigmoid(torch64.tensor(z)).numpy(), rtol=1e-12)
    for z, t in cases("03.2"):
        # t in {-1, +1} is y = (t + 1) / 2 in {0, 1} (torch's soft_margin_loss would overflow at z = -1000)
        expected = F.binary_cross_entropy_with_logits(torch64.tensor(z), torch64.tensor((t + 1) / 2)).item()
        assert np.isclose(solution("03.2")(z, t), expected)
    X, y, _ = cases("03.3")[0]
    w = RNG.normal(size=X.shape[1])
    p = 1 / (1 + np.exp(-X @ w))
    (grad,) = grad_of(
        torch64, lambda w_: F.binary_cross_entropy_with_logits(torch64.tensor(X) @ w_, torch64.tensor(y)), w
    )
    assert np.allclose(solution("03.3")(X, y, p), grad)
    (Z,) = cases("03.5")[0]
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        assert np.allclose(solution("03.5")(Z), torch64.log_softmax(torch64.tensor(Z), dim=1).numpy(), rtol=1e-12)


def test_03_accuracy_agrees_with_scikit_learn():
    from sklearn.metrics import accuracy_score

    for p, y in cases("03.4"):
        assert np.isclose(solution("03.4")(p, y), accuracy_score(y, (p >= 0.5).astype(int)))


def test_04_init_scales_are_torchs(torch64):
    torch64.manual_seed(0)
    for fan_in, fan_out, activation in cases("04.1"):
        draws = []
        for _ in range(-(-200_000 // (fan_in * fan_out))):  # enough draws to know the std within 1%
            W = torch64.empty(fan_out, fan_in)  # nn.Linear's layout: the fans are read from this shape
            if activation == "relu":
                torch64.nn.init.kaiming_normal_(W, nonlinearity="relu")  # mode fan_in
            else:
                torch64.nn.init.xavier_normal_(W)
            draws.append(W.flatten())
        std = torch64.cat(draws).std().item()
        assert solution("04.1")(fan_in, fan_out, activation) == pytest.approx(std, rel=0.01)


def test_04_layer_and_output_gradients_follow_autograd(torch64):
    F = torch64.nn.functional
    a_prev, W, b = cases("04.2")[0]
    expected = torch64.sigmoid(F.linear(torch64.tensor(a_prev), torch64.tensor(W.T), torch64.tensor(b))).numpy()
    assert np.allclose(solution("04.2")(a_prev, W, b), expected)
    assert np.allclose(solution("04.2")(np.array([[-800.0]]), np.eye(1), np.zeros(1)), 0.0)  # no overflow
    (a,) = cases("04.3")[0]
    z = torch64.tensor(np.log(a / (1 - a)), requires_grad=True)
    torch64.sigmoid(z).sum().backward()
    assert np.allclose(solution("04.3")(a), z.grad.numpy())
    Z, labels = cases("04.4")[0]
    (grad,) = grad_of(torch64, lambda Z_: F.cross_entropy(Z_, torch64.tensor(labels)), Z)
    assert np.allclose(solution("04.4")(Z, labels), grad)
    a, Y = cases("04.5")[0]
    (grad,) = grad_of(torch64, lambda z_: F.mse_loss(torch64.tanh(z_), torch64.tensor(Y)), np.arctanh(a))
    assert np.allclose(solution("04.5")(a, Y), grad)


def torch_step(torch, cls, theta, grad, state: dict, **hyper):
    """One step of torch.optim's ``cls`` from the given ``state``: the new theta and state."""
    p = torch.tensor(theta.copy(), requires_grad=True)
    opt = cls([p], foreach=False, **hyper)
    p.grad = torch.tensor(grad)
    opt.state[p] = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in state.items()}
    opt.step()
    return p.detach().numpy(), opt.state[p]


def test_05_steps_follow_torch_optim(torch64):
    optim = torch64.optim
    theta, buf, grad, lr, momentum = cases("05.1")[0]
    new_theta, state = torch_step(torch64, optim.SGD, theta, grad, {"momentum_buffer": buf}, lr=lr, momentum=momentum)
    assert all(
        np.allclose(a, b)
        for a, b in zip(solution("05.1")(*cases("05.1")[0]), (new_theta, state["momentum_buffer"]), strict=True)
    )
    for theta, m, v, grad, t, lr, betas, eps in cases("05.2"):
        old = {"step": torch64.tensor(float(t - 1)), "exp_avg": m, "exp_avg_sq": v}
        new_theta, state = torch_step(torch64, optim.Adam, theta, grad, old, lr=lr, betas=betas, eps=eps)
        expected = (new_theta, state["exp_avg"].numpy(), state["exp_avg_sq"].numpy())
        assert all(
            np.allclose(a, b)
            for a, b in zip(solution("05.2")(theta, m, v, grad, t, lr, betas, eps), expected, strict=True)
        )
    theta, v, grad, lr, alpha, eps = cases("05.3")[0]
    old = {"step": torch64.tensor(0.0), "square_avg": v}
    new_theta, state = torch_step(torch64, optim.RMSprop, theta, grad, old, lr=lr, alpha=alpha, eps=eps)
    assert all(
        np.allclose(a, b)
        for a, b in zip(solution("05.3")(*cases("05.3")[0]), (new_theta, state["square_avg"].numpy()), strict=True)
    )
    for theta, grads, lr, eps in cases("05.5"):
        p = torch64.tensor(theta.copy(), requires_grad=True)
        opt = optim.Adagrad([p], lr=lr, eps=eps, foreach=False)
        for g in grads:
            p.grad = torch64.tensor(g)
            opt.step()
        assert np.allclose(solution("05.5")(theta, grads, lr, eps), p.detach().numpy(), atol=1e-12)


def heavy_ball_radius(lr: float, momentum: float, curvatures) -> float:
    """The worst per-step contraction of heavy ball's error (e_k, e_{k-1}) along eigenvalues ``curvatures``."""
    return max(max(abs(np.linalg.eigvals([[1 + momentum - lr * lam, -momentum], [1, 0]]))) for lam in curvatures)


def test_05_best_heavy_ball_rate_is_the_iterations_spectral_radius():
    for mu, L in cases("05.4"):
        lr, momentum, rate = solution("05.4")(mu, L)
        assert heavy_ball_radius(lr, momentum, np.linspace(mu, L, 50)) == pytest.approx(rate, rel=1e-6)
        for lr_factor, momentum_factor in [(1.05, 1), (0.95, 1), (1, 1.05), (1, 0.95)]:  # nothing nearby is faster
            assert heavy_ball_radius(lr * lr_factor, momentum * momentum_factor, (mu, L)) >= rate - 1e-12


def test_06_statistics_agree_with_scipy_and_the_standard_library():
    from scipy import stats

    for n, noise, seed in [(200, 1.0, 3), (500, 0.5, 4)]:  # the noise floor: the mean square of the noise drawn
        rng = np.random.default_rng(seed)
        rng.random((n, 2))
        X, z = cases("06.1")[0 if n == 200 else 1]
        assert np.isclose(solution("06.1")(X, z), np.mean((noise * rng.standard_normal(n)) ** 2))
    (losses,) = cases("06.2")[0]
    means, stds = solution("06.2")(losses)
    assert np.allclose(means, [statistics.mean(r) for r in losses])
    assert np.allclose(stds, [statistics.stdev(r) for r in losses])
    for lrs, val_losses in cases("06.3"):
        assert solution("06.3")(lrs, val_losses) == min(zip(val_losses, lrs, strict=True))[1]
    a, b = cases("06.5")[0]
    mean, se, t = solution("06.5")(a, b)
    assert np.isclose(mean, np.mean(a) - np.mean(b)) and np.isclose(se, stats.sem(a - b))
    assert np.isclose(t, stats.ttest_rel(a, b).statistic)


def test_07_layout_makes_nn_linear_compute_gdcourses_layers(torch64):
    for (params,) in cases("07.3"):
        layout = solution("07.3")(params)
        a = RNG.normal(size=(4, params[0].shape[0]))
        ours, theirs = a, torch64.tensor(a)
        for (W, b), (weight, bias) in zip(
            zip(params[::2], params[1::2], strict=True), zip(layout[::2], layout[1::2], strict=True), strict=True
        ):
            linear = torch64.nn.Linear(*W.shape)
            with torch64.no_grad():
                linear.weight.copy_(torch64.tensor(weight))
                linear.bias.copy_(torch64.tensor(bias))
            ours, theirs = ours @ W + b, linear(theirs)
        assert np.allclose(ours, theirs.detach().numpy())


def test_08_schedules_follow_torch_lr_scheduler(torch64):
    def torch_lr(scheduler, base_lr, epoch, *args):
        """The learning rate of ``torch.optim.lr_scheduler.<scheduler>(optimizer, *args)`` at ``epoch``."""
        opt = torch64.optim.SGD([torch64.zeros(1, requires_grad=True)], lr=base_lr)
        schedule = getattr(torch64.optim.lr_scheduler, scheduler)(opt, *args)
        for _ in range(epoch):
            opt.step()
            schedule.step()
        return opt.param_groups[0]["lr"]

    for base_lr, gamma, step_size, epoch in cases("08.1"):
        expected = torch_lr("StepLR", base_lr, epoch, step_size, gamma)
        assert solution("08.1")(base_lr, gamma, step_size, epoch) == pytest.approx(expected, rel=1e-12)
    for base_lr, eta_min, T_max, epoch in cases("08.2"):
        expected = torch_lr("CosineAnnealingLR", base_lr, epoch, T_max, eta_min)
        assert solution("08.2")(base_lr, eta_min, T_max, epoch) == pytest.approx(expected, rel=1e-9)
    for base_lr, start_factor, total_iters, epoch in cases("08.3"):
        expected = torch_lr("LinearLR", base_lr, epoch, start_factor, 1.0, total_iters)
        assert solution("08.3")(base_lr, start_factor, total_iters, epoch) == pytest.approx(expected, rel=1e-9)


def test_08_one_cycle_steps_are_the_batches_of_every_epoch():
    for num_epochs, num_samples, batch_size in cases("08.4"):
        batches = sum(1 for _ in range(num_epochs) for _ in range(0, num_samples, batch_size))
        assert solution("08.4")(num_epochs, num_samples, batch_size) == batches
        assert isinstance(solution("08.4")(num_epochs, num_samples, batch_size), int)
