"""Regenerate every figure of the theory pages with the package's own plotting code.

Usage::

    python docs/make_figures.py [--out docs/figures] [--only NAME ...] [--dpi 100]

Each figure is made by a function of :mod:`rstheory.plots` from fixed seeds, so a
run reproduces the committed PNG files (up to the versions of NumPy, SciPy and
matplotlib).  One line is printed per figure with the time it took.  Figures that
need an optional dependency (torch) are skipped, with the reason, when it does not
import; the committed file then stays as it is.

:data:`FIGURES` is the one table of the figures: file name -> (page, function).
``tests/test_make_figures.py`` checks that it matches the images the pages use.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the figures of this checkout's rstheory

from rstheory import plots  # noqa: E402  (matplotlib is imported by the plot functions)

#: Dimension of an ImageNet input, used where a figure shows that the cost does not depend on d.
IMAGENET_DIM = 3 * 224 * 224


def _unit(dim: int, axis: int = 0) -> Any:
    u = np.zeros(dim)
    u[axis] = 1.0
    return u


def sorm_votes() -> Any:
    from rstheory.classifiers import Paraboloid

    t = np.linspace(-2.5, 1.5, 17)
    cases = [
        plots.VoteCase(
            f"paraboloid, d = {d}, kappa = {k:+g}",
            Paraboloid(np.full(d - 1, k)),
            np.zeros(d),
            _unit(d, d - 1),
            t,
            full_noise=d <= 10,
        )
        for d, k in ((10, 0.5), (10, -0.3), (100, 0.05))
    ]
    return plots.plot_vote_frequency(cases, 1.0, 20000, rng=5)


def classifier_votes() -> Any:
    from rstheory.classifiers import Ball, Linear, Paraboloid

    big = IMAGENET_DIM
    panels = (  # (title, classifier, axis of the ray from 0, distances)
        ("Linear, d = 150528", Linear(_unit(big), -1.0, 0), 0, np.linspace(0.0, 2.0, 17)),
        ("Ball(0, 100), d = 150528", Ball(np.zeros(big), 100.0), 0, np.linspace(21, 27, 17)),
        ("Ball(0, 3), d = 10", Ball(np.zeros(10), 3.0), 0, np.linspace(0.0, 4.0, 17)),
        ("Paraboloid(0.5, -1), d = 3", Paraboloid([0.5, -1.0]), 2, np.linspace(-1, 1, 17)),
    )
    cases = [
        plots.VoteCase(name, f, np.zeros(f.dim), _unit(f.dim, axis), t, full_noise=f.dim <= 10)
        for name, f, axis, t in panels
    ]
    return plots.plot_vote_frequency(cases, 0.25, 20000, rng=6, panel_size=(3.3, 3.2))


def _ball_setup(n: int, seed: int) -> tuple[Any, Any, Any]:
    from rstheory.classifiers import Ball
    from rstheory.simulate import SmoothedClassifier

    g = SmoothedClassifier(
        Ball(np.zeros(IMAGENET_DIM), 100.0), 0.25, n, rng=np.random.default_rng((seed, n))
    )
    return g, np.zeros(IMAGENET_DIM), _unit(IMAGENET_DIM)


def simulate_scan() -> Any:
    from rstheory.simulate import direction_scan

    scans = []
    for n in (1, 10, 100):
        g, x_o, u = _ball_setup(n, 7)
        distances = np.union1d(np.linspace(0.0, 32.0, 33), np.linspace(22.0, 27.0, 41))
        scans.append(direction_scan(g, x_o, u, distances, 200))
    return plots.plot_direction_scan(scans)


def simulate_search() -> Any:
    from rstheory.simulate import binary_search_spread, search_distribution

    spreads, laws = [], []
    for n in (1, 10, 100):
        g, x_o, u = _ball_setup(n, 8)
        spreads.append(binary_search_spread(g, x_o, x_o + 48.0 * u, 16, 1000))
        laws.append(search_distribution(g, x_o, x_o + 48.0 * u, 16))
    return plots.plot_search_spread(spreads, laws)


def torch_votes() -> Any:
    import torch

    from rstheory.classifiers import Ball, Linear
    from rstheory.torch_adapter import TorchClassifier

    dim, shape = 64, (1, 8, 8)
    w = np.random.default_rng(9).standard_normal(dim)
    w /= np.linalg.norm(w)
    linear = torch.nn.Linear(dim, 2).double()
    with torch.no_grad():  # logits (w.z + b, -(w.z + b)): class 0 where w.z + b > 0
        linear.weight.copy_(torch.from_numpy(np.stack([w, -w])))
        linear.bias.copy_(torch.tensor([0.5, -0.5], dtype=torch.float64))
    plane = torch.nn.Sequential(torch.nn.Flatten(), linear)

    class BallNet(torch.nn.Module):
        """Logits (R^2 - |z|^2, 0): class 0 inside the ball of radius R about 0."""

        def __init__(self, radius: float) -> None:
            super().__init__()
            self.register_buffer("r2", torch.tensor(radius**2, dtype=torch.float64))

        def forward(self, z: Any) -> Any:
            inside = self.r2 - (z.flatten(1) ** 2).sum(dim=1)
            return torch.stack([inside, torch.zeros_like(inside)], dim=1)

    cases = [
        plots.VoteCase(
            "torch nn.Linear (half-space)",
            TorchClassifier(plane, shape, dtype=torch.float64),
            np.zeros(dim),
            -w,
            np.linspace(0.0, 1.0, 13),
            reference=Linear(w, 0.5, 0),
        ),
        plots.VoteCase(
            "torch ball model, R = 2.5",
            TorchClassifier(BallNet(2.5), shape, 2, dtype=torch.float64),
            np.zeros(dim),
            _unit(dim),
            np.linspace(0.0, 3.0, 13),
            reference=Ball(np.zeros(dim), 2.5),
        ),
    ]
    return plots.plot_vote_frequency(cases, 0.25, 20000, rng=10)


def attack_history() -> Any:
    from scipy.special import ndtri

    from rstheory.attacks import hsja, rays, surfree
    from rstheory.classifiers import Linear
    from rstheory.levels import level_threshold, majority_vote_probability
    from rstheory.simulate import SmoothedClassifier

    dim, sigma, pa = 100, 0.25, 0.5
    w = np.random.default_rng(11).standard_normal(dim)
    f = Linear(w, np.linalg.norm(w))  # x_o = 0 (label 1) is at distance 1 from the frontier
    attacks: tuple[Callable[..., Any], ...] = (hsja, rays, surfree)
    results, optimum, exact, titles = [], [], [], []
    for n in (1, 10, 100):
        row, probs = [], []
        for j, attack in enumerate(attacks):
            g = SmoothedClassifier(f, sigma, n, rng=np.random.default_rng((12, n, j)))
            r = attack(
                g, np.zeros(dim), 1, max_queries=5000, pa=pa, rng=np.random.default_rng((13, n, j))
            )
            row.append(r)
            probs.append(float(majority_vote_probability(g.probability(r.x_adv)[0], n)))
        results.append(row)
        exact.append(probs)
        # nearest level-pa point: pi_1 = Phi((1 - t)/sigma) must fall to level_threshold(pa, n)
        optimum.append(1.0 - sigma * float(ndtri(level_threshold(pa, n))))
        titles.append(f"Linear, d = {dim}, n = {n}")
    return plots.plot_attack_history(
        results, optimum, labels=["HSJA", "RayS", "SurFree"], titles=titles, exact=exact, pa=pa
    )


#: figure file -> (page that shows it, function that makes it)
FIGURES: dict[str, tuple[str, Callable[[], Any]]] = {
    "bounds_checks.png": ("numerics.md", plots.plot_bound_checks),
    "radius_checks.png": ("radius.md", partial(plots.plot_radius_checks, rng=1)),
    "certify_checks.png": ("certify.md", partial(plots.plot_certify_checks, rng=2)),
    "planning_checks.png": ("planning.md", partial(plots.plot_planning_checks, rng=3)),
    "level_checks.png": ("levels.md", partial(plots.plot_level_checks, rng=4)),
    "sorm_votes.png": ("sorm.md", sorm_votes),
    "sorm_error.png": ("sorm.md", plots.plot_sorm_error),
    "frontier_offset.png": ("sorm.md", plots.plot_frontier_offset),
    "classifier_votes.png": ("classifiers.md", classifier_votes),
    "simulate_scan.png": ("simulate.md", simulate_scan),
    "simulate_search.png": ("simulate.md", simulate_search),
    "torch_votes.png": ("torch.md", torch_votes),
    "attack_history.png": ("attacks.md", attack_history),
}

#: figure file -> optional modules it needs (skipped with the reason when one does not import)
REQUIRES: dict[str, tuple[str, ...]] = {"torch_votes.png": ("torch",)}


def missing(name: str) -> str | None:
    """Why figure ``name`` cannot be made here (None if it can)."""
    for module in REQUIRES.get(name, ()):
        try:
            importlib.import_module(module)
        except Exception as exc:  # ImportError, or a broken install
            return f"needs {module}: {type(exc).__name__}: {exc}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "figures", help="output folder")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="figure files (or stems) to make")
    parser.add_argument("--dpi", type=int, default=100)
    args = parser.parse_args(argv)
    names = list(FIGURES)
    if args.only:
        wanted = [v if v.endswith(".png") else v + ".png" for v in args.only]
        unknown = [v for v in wanted if v not in FIGURES]
        if unknown:
            parser.error(f"unknown figure(s) {unknown}; known: {', '.join(FIGURES)}")
        names = wanted
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    skipped = 0
    for name in names:
        page, make = FIGURES[name]
        reason = missing(name)
        if reason is not None:
            print(f"{name:24s} {page:16s} skipped ({reason}); the committed file stays")
            skipped += 1
            continue
        t0 = time.perf_counter()
        fig = make()
        fig.savefig(args.out / name, dpi=args.dpi, metadata={"Software": None})
        print(f"{name:24s} {page:16s} {time.perf_counter() - t0:6.2f} s")
    made = len(names) - skipped
    seconds = time.perf_counter() - start
    print(f"{made} figure(s) made, {skipped} skipped, in {seconds:.1f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
