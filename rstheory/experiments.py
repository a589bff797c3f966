"""Decision-based attacks against smoothed digits models (Maho et al. 2022, section 4, small).

Maho, Furon & Le Merrer attack a smoothed ResNet-50 on ImageNet with
black-box attacks and report that the distortions found are far above the
certified radius, that few votes ``n`` and a small ``sigma`` defend best,
and that asking for level ``Pa = 0.8`` instead of 0.5 barely moves the
attacker.  :func:`run_digits` repeats the experiment at a size that runs on
a CPU: the 8x8 digits of scikit-learn, a small CNN (or MLP) trained with
Gaussian noise augmentation (:mod:`rstheory.digits`), wrapped by
:class:`rstheory.torch_adapter.TorchClassifier` and smoothed by
:class:`rstheory.simulate.SmoothedClassifier`, attacked by
:mod:`rstheory.attacks` with a fixed budget of queries.

For each ``sigma`` (``0`` means the undefended model, one deterministic
vote) and each ``n``:

* the clean accuracy of :math:`g_{\\sigma,n}` (one draw per test input);
* for ``sigma > 0``, Cohen's CERTIFY radii on the attacked inputs
  (``n0 = 100`` selection votes, ``certify_n`` estimation votes, level
  ``alpha``): the median radius, and the fraction certified;
* for each attack and each ``Pa``: the median L2 distortion over the
  attacked inputs (an input whose attack fails counts as ``inf``, so the
  median is honest about failures), the success rate, the median ratio
  distortion / certified radius (inputs with a positive radius), and the
  queries and base-model calls spent.

Importing this module imports torch (an optional dependency).

References
----------
T. Maho, T. Furon and E. Le Merrer, "Randomized smoothing under attack: how
good is it in practice?", ICASSP 2022, section 4 and Figure 5.
J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial robustness
via randomized smoothing", ICML 2019, arXiv:1902.02918.
"""

from __future__ import annotations

import math
import sys
import time
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np

from rstheory import attacks as _attacks
from rstheory.classifiers import _as_int
from rstheory.digits import accuracy, load_digits_split, train_model
from rstheory.simulate import SmoothedClassifier
from rstheory.torch_adapter import TorchClassifier

__all__ = [
    "Undefended",
    "SIGMAS",
    "NS",
    "PAS",
    "ATTACKS",
    "digits_settings",
    "run_digits",
    "plot_distortion_vs_accuracy",
    "plot_certified_accuracy",
    "foolbox_crosscheck",
]

#: noise levels of the paper's grid, on [0, 1] pixels (0: no smoothing)
SIGMAS: tuple[float, ...] = (0.0, 0.05, 0.15, 0.25)
#: votes per query
NS: tuple[int, ...] = (1, 10, 50, 200)
#: attack levels
PAS: tuple[float, ...] = (0.5, 0.8)
#: the attacks, by name
ATTACKS: dict[str, Callable[..., Any]] = {
    "hsja": _attacks.hsja,
    "rays": _attacks.rays,
    "surfree": _attacks.surfree,
}
#: per-attack options for 8x8 images (SurFree draws low-frequency DCT directions)
_OPTIONS: dict[str, dict[str, Any]] = {
    "surfree": {"directions": "dct", "image_shape": (8, 8)},
}


class Undefended:
    """The base model itself with the attacked interface of :class:`SmoothedClassifier`.

    ``g(points, label=None)`` returns :math:`f`'s labels (one deterministic
    vote, ``n = 1``); ``queries`` and ``base_calls`` count them.  This is the
    ``sigma = 0`` column of the experiment.
    """

    n = 1
    sigma = 0.0

    def __init__(self, base: Any) -> None:
        self.base = base
        self.dim = int(base.dim)
        self.n_classes = int(base.n_classes)
        self.queries = 0
        self.base_calls = 0

    def __repr__(self) -> str:
        return f"Undefended({self.base!r})"

    def __call__(self, x: Any, label: Any = None) -> Any:
        out = self.base.decide(x)
        count = int(np.asarray(out).size)
        self.queries += count
        self.base_calls += count
        return out


def digits_settings(quick: bool = False) -> dict[str, Any]:
    """The sizes of :func:`run_digits`: the documented full run, or the CI-sized one.

    The full run (``quick=False``) is the paper's grid (4 noise levels x 4
    vote counts x 3 attacks x 2 levels) on 10 test inputs with 1000 queries
    of :math:`g_{\\sigma,n}` per attack (up to 200,000 base-model calls at
    ``n = 200``), and CERTIFY on 100 test inputs per noise level; the quick
    one keeps every code path on a grid small enough for the test-suite
    (under a minute on 2 cores).
    """
    if quick:
        return {
            "model": "cnn",
            "sigmas": (0.0, 0.25),
            "ns": (1, 10),
            "pas": (0.5, 0.8),
            "attacks": ("hsja", "rays", "surfree"),
            "inputs": 2,
            "max_queries": 400,
            "check_repeats": 50,
            "certify_n": 2000,
            "certify_inputs": 10,
            "alpha": 0.001,
            "seed": 0,
        }
    return {
        "model": "cnn",
        "sigmas": SIGMAS,
        "ns": NS,
        "pas": PAS,
        "attacks": tuple(ATTACKS),
        "inputs": 10,
        "max_queries": 1000,
        "check_repeats": 50,
        "certify_n": 10000,
        "certify_inputs": 100,
        "alpha": 0.001,
        "seed": 0,
    }


def _median(values: Any) -> float:
    return float(np.median(np.asarray(values, dtype=float))) if len(values) else math.nan


def _progress(enabled: bool) -> Callable[[str], None]:
    start = time.perf_counter()

    def say(text: str) -> None:
        if enabled:
            print(f"[{time.perf_counter() - start:7.1f} s] {text}", file=sys.stderr, flush=True)

    return say


def _attacked(base: Any, sigma: float, n: int, key: tuple[int, ...]) -> Any:
    """The classifier under attack, with its own generator (its draws depend on ``key`` only)."""
    if sigma == 0.0:
        return Undefended(base)
    return SmoothedClassifier(base, sigma, n, rng=np.random.default_rng(key))


def _certified_accuracy(
    base: TorchClassifier,
    split: Any,
    sigma: float,
    conf: dict[str, Any],
    out: Any,
) -> dict[str, Any]:
    """CERTIFY the first ``certify_inputs`` test inputs (a resumable JSONL file) and summarize."""
    import tempfile
    from pathlib import Path

    from rstheory.torch_adapter import certified_accuracy_curve, certify_dataset

    count = _as_int("certify_inputs", conf["certify_inputs"], 1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(out) if out is not None else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"certify_{conf['model']}_sigma{sigma:g}.jsonl"
        res = certify_dataset(
            base,
            split.x_test[:count],
            split.y_test[:count],
            sigma,
            100,
            conf["certify_n"],
            conf["alpha"],
            path,
            seed=conf["seed"],
            progress=False,
        )
        thresholds, acc = certified_accuracy_curve(res, np.linspace(0.0, 2.0, 81))
    return {
        "file": str(path) if out is not None else None,
        "inputs": count,
        "thresholds": thresholds.tolist(),
        "accuracy": acc.tolist(),
        "clean": float(np.mean(res.correct)),
        "median_radius": float(np.median(np.where(res.correct, res.radius, 0.0))),
    }


def run_digits(
    settings: dict[str, Any] | None = None,
    *,
    quick: bool = False,
    progress: bool = False,
    out: Any = None,
) -> dict[str, Any]:
    """Attack smoothed digits models; clean accuracy, certified radii and distortions.

    Parameters
    ----------
    settings : dict, optional
        Overrides of :func:`digits_settings` (keys ``model``, ``sigmas``,
        ``ns``, ``pas``, ``attacks``, ``inputs``, ``max_queries``,
        ``check_repeats``, ``certify_n``, ``alpha``, ``seed``).
    quick : bool, optional
        Start from the CI-sized settings instead of the full ones.
    progress : bool, optional
        Print one line per step on stderr.
    out : path, optional
        Folder for the CERTIFY files (one JSONL per ``sigma > 0``, written by
        :func:`rstheory.torch_adapter.certify_dataset`: a killed run resumes
        them); default a temporary folder.

    Returns
    -------
    dict
        ``settings``, ``models`` (clean test accuracy of each base model),
        ``rows`` (one per ``(sigma, n)``: ``accuracy``, ``certified`` and
        ``median_radius`` of the attacked inputs (None at ``sigma = 0``), and
        per attack and level ``median_distortion``, ``success``,
        ``median_ratio``, and ``queries`` and ``base_calls`` summed over the
        attacked inputs),
        ``certification`` (per ``sigma > 0``: the certified-accuracy curve
        of the first ``certify_inputs`` test inputs, Cohen et al.'s Figure 6
        style), and ``seconds``.

    Raises
    ------
    ValueError
        On an unknown setting, model, attack or a bad value (named).

    Notes
    -----
    Every random draw is keyed: the models by ``(kind, sigma, seed)``, CERTIFY
    of input ``i`` by ``(seed, i)``, and each attack run by ``(seed, sigma,
    n, attack, i, pa)`` (both its own generator and that of the smoothed
    classifier it queries), so a cell's numbers do not depend on which
    other cells the grid has.
    """
    conf = digits_settings(quick)
    if settings:
        unknown = sorted(set(settings) - set(conf))
        if unknown:
            raise ValueError(f"settings has unknown keys {unknown}; known: {sorted(conf)}")
        conf.update(settings)
    names = tuple(conf["attacks"])
    for name in names:
        if name not in ATTACKS:
            raise ValueError(f"attacks must be among {sorted(ATTACKS)}, got {name!r}")
    sigmas = tuple(float(s) for s in conf["sigmas"])
    if any(not (s >= 0.0 and math.isfinite(s)) for s in sigmas):
        raise ValueError(f"sigmas must be finite and >= 0, got {conf['sigmas']!r}")
    ns = tuple(_as_int("ns", int(n), 1) for n in conf["ns"])
    inputs = _as_int("inputs", conf["inputs"], 1)
    budget = _as_int("max_queries", conf["max_queries"], 1)
    certify_n = _as_int("certify_n", conf["certify_n"], 1)
    seed = _as_int("seed", conf["seed"], 0)
    alpha = float(conf["alpha"])
    say = _progress(progress)
    t0 = time.perf_counter()

    split = load_digits_split()
    x_test = split.x_test.numpy().reshape(len(split.y_test), -1).astype(np.float64)
    y_test = split.y_test.numpy().astype(np.int64)
    models: dict[str, float] = {}
    rows: list[dict[str, Any]] = []
    certification: dict[str, Any] = {}
    for sigma in sigmas:
        s_key = round(sigma * 1e6)  # seeds depend on the value, not on its place in the grid
        net = train_model(conf["model"], sigma)
        models[f"{sigma:g}"] = accuracy(net, split.x_test, split.y_test)
        base = TorchClassifier(net, (1, 8, 8))
        say(f"sigma = {sigma:g}: base model accuracy {models[f'{sigma:g}']:.3f}")
        if sigma > 0.0:
            certification[f"{sigma:g}"] = _certified_accuracy(base, split, sigma, conf, out)
            say(
                f"sigma = {sigma:g}: certified {conf['certify_inputs']} inputs, median radius "
                f"{certification[f'{sigma:g}']['median_radius']:.3g}"
            )
        # the attacked inputs: the first `inputs` test images the base model gets right
        right = np.flatnonzero(base.decide(x_test) == y_test)[:inputs]
        radii = np.zeros(right.size)
        if sigma > 0.0:
            for j, i in enumerate(right):
                gen = base.generator(seed * 1_000_003 + int(i))
                cert = base.certify(
                    x_test[i].reshape(1, 8, 8), sigma, 100, certify_n, alpha, generator=gen
                )
                radii[j] = cert.radius if cert.label == y_test[i] else 0.0
        for n in (1,) if sigma == 0.0 else ns:
            g0 = _attacked(base, sigma, n, (seed, s_key, n))
            clean = float(np.mean(g0(x_test, label=y_test) == y_test))
            row: dict[str, Any] = {
                "sigma": sigma,
                "n": n,
                "accuracy": clean,
                "inputs": int(right.size),
                "certified": float(np.mean(radii > 0.0)) if sigma > 0.0 else None,
                "median_radius": _median(radii) if sigma > 0.0 else None,
                "attacks": {},
            }
            for name in names:
                a_key = zlib.crc32(name.encode())
                for pa in conf["pas"]:
                    distortions, ratios, queries, calls, wins = [], [], 0, 0, 0
                    for j, i in enumerate(right):
                        cell = (a_key, int(i), round(1000 * pa))
                        g = _attacked(base, sigma, n, (seed, s_key, n, *cell))
                        result = ATTACKS[name](
                            g,
                            x_test[i],
                            int(y_test[i]),
                            max_queries=budget,
                            bounds=(0.0, 1.0),
                            pa=float(pa),
                            check_repeats=int(conf["check_repeats"]),
                            rng=np.random.default_rng((seed, s_key, n, *cell)),
                            **_OPTIONS.get(name, {}),
                        )
                        queries += result.queries
                        calls += result.base_calls
                        d = result.distortion if result.success else math.inf
                        wins += int(result.success)
                        distortions.append(d)
                        if radii[j] > 0.0:
                            ratios.append(d / radii[j])
                    row["attacks"][f"{name}@{pa:g}"] = {
                        "attack": name,
                        "pa": float(pa),
                        "median_distortion": _median(distortions),
                        "success": wins / max(1, right.size),
                        "median_ratio": _median(ratios) if ratios else None,
                        "queries": queries,
                        "base_calls": calls,
                    }
                    say(
                        f"sigma = {sigma:g}, n = {n}, {name} at Pa = {pa:g}: median distortion "
                        f"{_median(distortions):.3g}, success {wins}/{right.size}"
                    )
            rows.append(row)
    return {
        "settings": {k: (list(v) if isinstance(v, tuple) else v) for k, v in conf.items()},
        "models": models,
        "rows": rows,
        "certification": certification,
        "seconds": time.perf_counter() - t0,
    }


def plot_distortion_vs_accuracy(result: dict[str, Any], *, pa: float = 0.5) -> Any:
    """The paper's Figure 5 analogue: median distortion vs clean accuracy, per attack.

    One marker per ``(sigma, n)`` of :func:`run_digits`'s result, one series
    per attack, at level ``pa``; failures make a median ``inf`` (not drawn).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.6), layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    markers = {0.0: "o", 0.05: "s", 0.15: "^", 0.25: "D"}
    named: set[str] = set()
    for k, name in enumerate(result["settings"]["attacks"]):
        colour = f"C{k}"
        for row in result["rows"]:
            cell = row["attacks"].get(f"{name}@{pa:g}")
            if cell is None or not math.isfinite(cell["median_distortion"]):
                continue
            ax.scatter(
                row["accuracy"],
                cell["median_distortion"],
                color=colour,
                marker=markers.get(row["sigma"], "o"),
                s=20 + 10 * math.log10(row["n"]) ** 2 * 4,
                label=None if name in named else name,
            )
            named.add(name)
            ax.annotate(
                f"{row['sigma']:g}/{row['n']}",
                (row["accuracy"], cell["median_distortion"]),
                fontsize=7,
                alpha=0.7,
            )
    ax.set_xlabel("clean accuracy of g_sigma,n")
    ax.set_ylabel(f"median L2 distortion at Pa = {pa:g}")
    ax.set_title("Attacks vs defence (labels: sigma/n)")
    ax.grid(True, alpha=0.3)
    if named:
        ax.legend()
    else:
        ax.text(0.5, 0.5, "no attack succeeded", transform=ax.transAxes, ha="center")
    return fig


def plot_certified_accuracy(result: dict[str, Any]) -> Any:
    """Certified accuracy vs L2 radius per ``sigma`` (Cohen et al. 2019, Figure 6 style).

    From the ``certification`` entry of :func:`run_digits`'s result.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    for key, cert in result.get("certification", {}).items():
        ax.plot(cert["thresholds"], cert["accuracy"], label=f"sigma = {key}")
    ax.set_xlabel("radius (L2, [0, 1] pixels)")
    ax.set_ylabel("certified accuracy")
    ax.set_ylim(0.0, 1.0)
    ax.grid(True, alpha=0.3)
    if result.get("certification"):
        ax.legend()
    return fig


def foolbox_crosscheck(
    *, inputs: Any = 5, steps: Any = 10, model: str = "cnn", seed: Any = 0
) -> dict[str, Any]:
    """Foolbox's HopSkipJump vs :func:`rstheory.attacks.hsja` on the undefended digits model.

    Foolbox 3.3.4 (optional extra ``attacks``) cannot attack
    :math:`g_{\\sigma,n}` (its HopSkipJump asserts that its own binary
    search ends adversarial, which a randomized classifier breaks), but on
    the deterministic base model it is a reference implementation.  For each
    of the first ``inputs`` correctly classified test images, foolbox's
    HopSkipJump (``steps`` iterations, L2) runs first, its forward calls are
    counted, and :func:`~rstheory.attacks.hsja` then gets exactly that many
    queries (final check: 10 draws, one step, all of them adversarial for a
    deterministic model).

    Returns
    -------
    dict
        ``rows`` (per input: ``index``, ``foolbox`` distortion, ``queries``,
        ``rstheory`` distortion, ``success`` of both), and the median ratio
        ``rstheory / foolbox``.

    Raises
    ------
    ValueError
        If foolbox is not installed (``pip install 'rstheory[attacks]'``).
    """
    try:
        import foolbox
    except ImportError as exc:
        raise ValueError(
            "foolbox_crosscheck needs foolbox (pip install foolbox==3.3.4, extra 'attacks')"
        ) from exc
    import torch

    count = _as_int("inputs", inputs, 1)
    n_steps = _as_int("steps", steps, 1)
    rng_seed = _as_int("seed", seed, 0)
    split = load_digits_split()
    net = train_model(model, 0.0)

    class _Counting(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner
            self.calls = 0

        def forward(self, x: Any) -> Any:
            self.calls += int(x.shape[0])
            return self.inner(x)

    counting = _Counting(net).eval()
    fmodel = foolbox.PyTorchModel(counting, bounds=(0.0, 1.0))
    base = TorchClassifier(net, (1, 8, 8))
    x_all = split.x_test
    y_all = split.y_test
    right = np.flatnonzero(base.decide(x_all.numpy().reshape(len(y_all), -1)) == y_all.numpy())
    rows = []
    torch.manual_seed(rng_seed)
    for i in right[:count]:
        x = x_all[int(i) : int(i) + 1]
        y = y_all[int(i) : int(i) + 1]
        counting.calls = 0
        attack = foolbox.attacks.HopSkipJumpAttack(steps=n_steps)
        _, clipped, success = attack(fmodel, x, y, epsilons=None)
        budget = counting.calls
        theirs = float((clipped - x).flatten().norm())
        ours = _attacks.hsja(
            Undefended(base),
            x[0].numpy().astype(np.float64).ravel(),
            int(y[0]),
            max_queries=budget,
            bounds=(0.0, 1.0),
            check_repeats=10,
            check_steps=1,
            rng=np.random.default_rng((rng_seed, int(i))),
        )
        rows.append(
            {
                "index": int(i),
                "queries": budget,
                "foolbox": theirs,
                "foolbox_success": bool(success[0]),
                "rstheory": ours.distortion,
                "rstheory_success": ours.success,
                "rstheory_queries": ours.queries,
            }
        )
    ratios = [r["rstheory"] / r["foolbox"] for r in rows if r["foolbox"] > 0.0]
    return {"rows": rows, "median_ratio": _median(ratios), "steps": n_steps, "model": model}
