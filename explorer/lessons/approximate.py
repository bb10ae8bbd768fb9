"""The universal approximator in one dimension (d2l 4.1): N ReLU hinges add up to a curve.

One hidden layer of N ReLU units computes f(x) = c + Σᵢ wᵢ·relu(aᵢx + bᵢ): a sum of hinges, a
piecewise-linear curve with a kink at each xᵢ = −bᵢ/aᵢ. With enough hinges it follows any continuous
target as closely as we like (the universal approximation theorem).

* :func:`hinges`: a fixed, seeded sequence of 64 random hinges; N units use its first N, so adding
  units only adds hinges and the least-squares error can only fall.
* :func:`fit`: least squares for the output weights wᵢ, c on those hinges, optionally followed by
  training every weight (aᵢ, bᵢ too) with full-batch Adam.
* :func:`error_vs_units`: the mean squared error for each N, the data of a log-log plot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from explorer.fields import Config, Scale, setting
from explorer.i18n import N_

TARGETS = {
    "sin": lambda x: torch.sin(2 * x),
    "abs": lambda x: x.abs(),
    "step": lambda x: (x > 0).float(),
    "bump": lambda x: torch.exp(-2 * x.square()),
}
METHODS = ("lstsq", "trained")
MAX_UNITS = 64
LOW, HIGH = -3.0, 3.0  # the interval x lives on
UNITS = (1, 2, 4, 8, 16, 32, 64)
SETUP = N_("Steps must be 0 or more, the learning rate positive and points at least 2.")


@dataclass(frozen=True)
class ApproxConfig(Config):
    """N = ``units`` ReLU units fitting ``target`` on [-3, 3] at ``points`` evenly spaced x."""

    explained = True
    target: str = setting("sin", choices=tuple(TARGETS), message=N_("Unknown target {value}; choose one of {choices}."))
    units: int = setting(8, lo=1, hi=MAX_UNITS, message=N_("Hidden units must be between 1 and {hi}, not {value}."),
                         page=Scale(1, MAX_UNITS))
    method: str = setting("lstsq", choices=METHODS, message=N_("Unknown method {value}; choose one of {choices}."))
    steps: int = setting(300, lo=0, message=SETUP)
    lr: float = setting(0.01, gt=0, message=SETUP)
    points: int = setting(400, lo=2, message=SETUP)
    seed: int = setting(0)


def hinges(units: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """(a, b) of the first ``units`` of the seed's 64 hinges: slopes ±(0.5 to 2), kinks uniform on [-3, 3]."""
    gen = torch.Generator().manual_seed(seed)
    sign = torch.randint(0, 2, (MAX_UNITS,), generator=gen).float() * 2 - 1
    a = sign * (0.5 + 1.5 * torch.rand(MAX_UNITS, generator=gen))
    kinks = LOW + (HIGH - LOW) * torch.rand(MAX_UNITS, generator=gen)
    return a[:units], (-a * kinks)[:units]


def _least_squares(features: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Output weights w and bias c minimising ‖features·w + c − target‖², in float64 (ties broken by
    the minimum-norm solution, so a hinge that is zero on every x gets weight 0)."""
    design = torch.cat([features, torch.ones(len(features), 1)], 1).double()
    coef = torch.linalg.lstsq(design, target[:, None].double(), driver="gelsd").solution[:, 0].float()
    return coef[:-1], coef[-1]


def fit(config: ApproxConfig) -> dict:
    """``{"x", "target", "fit", "contributions" (points, units), "a", "b", "w", "c", "mse", "worst_x"}``.

    Each column of ``contributions`` is one unit's hinge wᵢ·relu(aᵢx + bᵢ); their sum plus c is ``fit``.
    ``worst_x`` is where the fit misses most (for the step: at the jump).
    """
    config.validate()
    x = torch.linspace(LOW, HIGH, config.points)
    target = TARGETS[config.target](x)
    a, b = hinges(config.units, config.seed)
    w, c = _least_squares(torch.relu(x[:, None] * a + b), target)
    if config.method == "trained":
        a, b, w, c = _train(x, target, a, b, w, c, config)
    with torch.no_grad():
        contributions = torch.relu(x[:, None] * a + b) * w
        approx = contributions.sum(1) + c
    error = approx - target
    return {"x": x, "target": target, "fit": approx, "contributions": contributions, "a": a, "b": b, "w": w,
            "c": float(c), "mse": error.square().mean().item(), "worst_x": float(x[error.abs().argmax()])}


def _train(x, target, a, b, w, c, config: ApproxConfig):
    """Every weight trained by full-batch Adam from the least-squares start; the best step is kept."""
    params = [p.clone().requires_grad_(True) for p in (a, b, w, c.reshape(1))]
    optimizer = torch.optim.Adam(params, lr=config.lr)
    best = (math.inf, [p.detach().clone() for p in params])
    for _step in range(config.steps + 1):  # step 0 measures the least-squares start
        loss = (torch.relu(x[:, None] * params[0] + params[1]) @ params[2] + params[3] - target).square().mean()
        if loss.item() < best[0]:  # the weights this loss belongs to, before the step changes them
            best = (loss.item(), [p.detach().clone() for p in params])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    a, b, w, c = best[1]
    return a, b, w, c[0]


def error_vs_units(target: str = "sin", units: tuple[int, ...] = UNITS, method: str = "lstsq",
                   seed: int = 0, steps: int = 300) -> list[dict]:
    """``[{"units", "mse"}]`` for each N in ``units``."""
    return [{"units": n, "mse": fit(ApproxConfig(target, n, method, steps=steps, seed=seed))["mse"]} for n in units]
