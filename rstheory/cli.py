"""The ``rstheory`` command line.

Subcommands (each takes ``--json`` for machine-readable output on stdout)::

    rstheory bound K N --alpha 0.001 [--side lower|upper|two-sided]
                       [--method clopper-pearson|hoeffding|wilson]
    rstheory radius P --sigma 0.25 [--noise gaussian|laplace|uniform] [--pb PB] [--dim D]
    rstheory certify --selection 3,990,7 --estimation 5,99880,115 --sigma 0.25 --alpha 0.001
    rstheory predict --counts 3,95,2 --alpha 0.001
    rstheory max-radius --n 100000 --sigma 0.25 --alpha 0.001
    rstheory required-n --radius 0.5 --sigma 0.25 --alpha 0.001 [--p 0.99] [--power 0.5]
                        [--stable]
    rstheory radius-dist --p 0.99 --n 100000 --sigma 0.25 --alpha 0.001 [--radius R]
    rstheory abstain --p 0.6 --n 1000 [--n0 100] --alpha 0.001
    rstheory predict-min-n --alpha 0.001
    rstheory level --pa 0.99 --n 100 [--ties lose|win|random] [--radius R --sigma S]
    rstheory sorm --beta 3 --curvatures 0.1,0.1 [--offsets 0,0.5] [--sigma 1]
    rstheory simulate EXPERIMENT [--classifier linear|ball|sectors] [--dim D] [--sigma S]
                      [--n 10,100] [--ties lose|win|random] [--seed 0] [--repeats R]
                      [--offset T | --radius R]
        EXPERIMENT: probability [--distance T] [--alpha A]
                    search [--to T] [--steps 16] [--queries-per-step 1]
                    scan [--distances a:b:k | t1,t2,...] [--alpha A]
                    slice [--extent E | a0,a1,b0,b1] [--resolution 41 | 61,41]
                    normal [--delta 0.125,0.25] [--queries 100]
    rstheory experiment foolbox [--inputs K]          (needs the extra 'attacks': foolbox)
    rstheory experiment digits [--quick] [--out DIR] [--sigmas 0,0.25] [--n 1,10]
                        [--attacks hsja,rays,surfree] [--pa 0.5,0.8] [--inputs K]
                        [--max-queries Q] [--progress]      (needs torch and scikit-learn)
    rstheory claims [--only 1,5] [--digits FILE] [--quick] [--markdown FILE] [--progress]
    rstheory report --out DIR [--quick] [--workers W] [--quiet]
    rstheory --version

Numbers are printed with ``repr`` (17 significant digits, round-trip exact).
In ``--json`` output, non-finite numbers (a radius at ``p = 1``) are the strings
``"inf"`` and ``"-inf"`` so that the output is strict JSON.

Bad input (a :class:`ValueError` from the library, or an unparsable argument)
prints one line ``rstheory: error: ...`` on stderr and exits with status 2;
``rstheory report`` exits with status 1 when the report finds an unsound
result or a kernel error.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["main", "build_parser"]

_PROG = "rstheory"


class _UsageError(ValueError):
    """Bad command-line input detected by the CLI itself (exit 2)."""


def _version() -> str:
    try:
        from rstheory import __version__

        return str(__version__)
    except ImportError:  # pragma: no cover - only in a broken install
        from importlib.metadata import version

        return version("rstheory")


def _number(text: str) -> int | float:
    """An integer when the text is one (``1000000``), otherwise a float (``1e9``, ``0.5``).

    The library validates the value (integer counts, ranges); this only parses.
    """
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def _numbers(name: str, text: str, what: str = "counts") -> list[int | float]:
    """Parse ``"3,990,7"`` into a list of numbers; the library checks what they must be."""
    parts = [p.strip() for p in text.split(",")]
    message = f"{name} must be a comma-separated list of {what}, got {text!r}"
    if not text.strip() or any(p == "" for p in parts):
        raise _UsageError(message)
    values: list[int | float] = []
    for p in parts:
        try:
            values.append(_number(p))
        except argparse.ArgumentTypeError:
            raise _UsageError(message) from None
    return values


def _jsonable(value: Any) -> Any:
    """Strict-JSON form: non-finite floats become ``"inf"``/``"-inf"``/``"nan"``."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def _emit(args: argparse.Namespace, data: dict[str, Any], lines: Sequence[str]) -> None:
    if args.json:
        print(json.dumps(_jsonable(data), allow_nan=False))
    else:
        for line in lines:
            print(line)


# --------------------------------------------------------------------------- bound


def _bound_functions(method: str) -> tuple[Any, Any]:
    from rstheory import bounds

    table = {
        "clopper-pearson": (bounds.clopper_pearson_lower, bounds.clopper_pearson_upper),
        "hoeffding": (bounds.hoeffding_lower, bounds.hoeffding_upper),
        "wilson": (bounds.wilson_lower, bounds.wilson_upper),
    }
    return table[method]


def _cmd_bound(args: argparse.Namespace) -> int:
    lower, upper = _bound_functions(args.method)
    data: dict[str, Any] = {
        "k": args.k,
        "n": args.n,
        "alpha": args.alpha,
        "side": args.side,
        "method": args.method,
    }
    if args.side == "lower":
        data["lower"] = float(lower(args.k, args.n, args.alpha))
        lines = [f"{args.method} lower bound (level 1 - {args.alpha!r}): {data['lower']!r}"]
    elif args.side == "upper":
        data["upper"] = float(upper(args.k, args.n, args.alpha))
        lines = [f"{args.method} upper bound (level 1 - {args.alpha!r}): {data['upper']!r}"]
    else:
        if args.method == "clopper-pearson":
            from rstheory.bounds import clopper_pearson

            low, high = clopper_pearson(args.k, args.n, args.alpha)
        else:  # equal-tailed: each side at alpha / 2, as clopper_pearson does
            from rstheory._validate import as_alpha

            as_alpha("alpha", args.alpha)
            low = lower(args.k, args.n, args.alpha / 2.0)
            high = upper(args.k, args.n, args.alpha / 2.0)
        data["lower"], data["upper"] = float(low), float(high)
        lines = [
            f"{args.method} two-sided interval (total level 1 - {args.alpha!r}): "
            f"[{data['lower']!r}, {data['upper']!r}]"
        ]
    _emit(args, data, lines)
    return 0


# --------------------------------------------------------------------------- radius


def _cmd_radius(args: argparse.Namespace) -> int:
    from rstheory import radius as rad

    if args.noise == "gaussian":
        if args.pb is None:
            r = rad.gaussian_radius(args.p, args.sigma)
        else:
            r = rad.gaussian_radius_two(args.p, args.pb, args.sigma)
    elif args.noise == "laplace":
        r = rad.laplace_radius(args.p, args.sigma, p_b_upper=args.pb)
    else:
        if args.pb is not None:
            raise _UsageError("--pb is not supported with --noise uniform")
        r = rad.uniform_radius(args.p, args.sigma)
    r = float(r)
    data: dict[str, Any] = {
        "p": args.p,
        "pb": args.pb,
        "sigma": args.sigma,
        "noise": args.noise,
        "radius": r,
    }
    norm = "L2" if args.noise == "gaussian" else "L1"
    lines = [f"{args.noise} certified {norm} radius: {r!r}"]
    if args.dim is not None:
        if args.noise != "gaussian":
            raise _UsageError("--dim (Linf radius from an L2 radius) needs --noise gaussian")
        linf = float(rad.linf_radius_from_l2(r, args.dim))
        data["dim"] = args.dim
        data["linf_radius"] = linf
        lines.append(f"Linf radius in dimension {args.dim}: {linf!r}")
    _emit(args, data, lines)
    return 0


# --------------------------------------------------------------------------- certify / predict


def _cmd_certify(args: argparse.Namespace) -> int:
    import numpy as np

    from rstheory.bounds import clopper_pearson_lower
    from rstheory.certify import ABSTAIN, certify

    selection = _numbers("--selection", args.selection)
    estimation = _numbers("--estimation", args.estimation)
    label, r = certify(selection, estimation, args.sigma, args.alpha)
    label = int(label)
    # p_A is bounded for the class chosen on the selection counts (Cohen et al., CERTIFY).
    top = int(np.argmax(np.asarray(selection, dtype=np.float64))) if label == ABSTAIN else label
    est = np.asarray(estimation, dtype=np.float64)
    p_a = float(clopper_pearson_lower(est[top], est.sum(), args.alpha))
    data = {
        "label": label,
        "abstain": label == ABSTAIN,
        "top_class": top,
        "p_a_lower": p_a,
        "radius": float(r),
        "sigma": args.sigma,
        "alpha": args.alpha,
    }
    shown = "abstain" if label == ABSTAIN else str(label)
    lines = [
        f"label: {shown}",
        f"p_A lower bound (class {top}): {p_a!r}",
        f"radius: {float(r)!r}",
    ]
    _emit(args, data, lines)
    return 0


def _cmd_predict(args: argparse.Namespace) -> int:
    from rstheory.certify import ABSTAIN, predict

    counts = _numbers("--counts", args.counts)
    label = int(predict(counts, args.alpha))
    data = {"label": label, "abstain": label == ABSTAIN, "alpha": args.alpha}
    _emit(args, data, ["abstain" if label == ABSTAIN else str(label)])
    return 0


# --------------------------------------------------------------------------- planning


def _whole(value: int | float) -> int | float:
    """``100000`` for ``1e5`` (a count given in exponent notation); other values unchanged."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2.0**53:
        return int(value)
    return value


def _cmd_max_radius(args: argparse.Namespace) -> int:
    from rstheory.planning import max_radius

    r = float(max_radius(args.n, args.sigma, args.alpha))
    data = {"n": _whole(args.n), "sigma": args.sigma, "alpha": args.alpha, "max_radius": r}
    lines = [
        f"largest radius CERTIFY can return with n={_whole(args.n)} samples "
        f"(every vote for the top class): {r!r}"
    ]
    if r < 0.0:
        lines.append("negative: alpha**(1/n) < 1/2, so CERTIFY always abstains at this n")
    _emit(args, data, lines)
    return 0


def _cmd_required_n(args: argparse.Namespace) -> int:
    from rstheory.planning import certification_probability, max_radius, required_n

    n = int(required_n(args.radius, args.sigma, args.alpha, args.p, args.power, stable=args.stable))
    r_max = float(max_radius(n, args.sigma, args.alpha))
    prob = float(certification_probability(args.p, n, args.sigma, args.alpha, args.radius))
    data = {
        "radius": args.radius,
        "sigma": args.sigma,
        "alpha": args.alpha,
        "p": args.p,
        "power": args.power,
        "stable": args.stable,
        "n": n,
        "max_radius": r_max,
        "certification_probability": prob,
    }
    if args.p >= 1.0:
        what = "every vote for the top class (p = 1)"
    else:
        what = f"p = {args.p!r}, certified with probability >= {args.power!r}"
        if args.stable:
            what += " for this n and every larger one"
    lines = [
        f"least n certifying radius {args.radius!r} (sigma={args.sigma!r}, "
        f"alpha={args.alpha!r}; {what}): {n}",
        f"at n = {n}: max radius {r_max!r}, certification probability {prob!r}",
    ]
    _emit(args, data, lines)
    return 0


#: Quantile levels printed by ``rstheory radius-dist``.
_QUANTILE_LEVELS: tuple[float, ...] = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


def _radius_summary(dist: Any) -> dict[str, Any]:
    """Mode and quantiles of a :class:`~rstheory.planning.RadiusDistribution`.

    An abstention counts as below every certified radius (radius 0 in the
    numbers, ``abstain: true`` in the entry); the neglected mass (at most
    ``tol``) is left out.
    """
    import numpy as np

    radii = np.asarray(dist.radius, dtype=np.float64)
    probs = np.asarray(dist.probability, dtype=np.float64)
    counts = np.asarray(dist.count)
    abstain = float(dist.abstain)
    if probs.size == 0 or abstain >= float(probs.max()):
        mode: dict[str, Any] = {"radius": 0.0, "count": None, "probability": abstain}
        mode["abstain"] = True
    else:
        i = int(np.argmax(probs))
        mode = {
            "radius": float(radii[i]),
            "count": int(counts[i]),
            "probability": float(probs[i]),
            "abstain": False,
        }
    cumulative = abstain + np.cumsum(probs)
    quantiles = []
    for level in _QUANTILE_LEVELS:
        if level <= abstain or probs.size == 0:
            quantiles.append({"level": level, "radius": 0.0, "abstain": True})
            continue
        j = min(int(np.searchsorted(cumulative, level, side="left")), probs.size - 1)
        quantiles.append({"level": level, "radius": float(radii[j]), "abstain": False})
    return {"mode": mode, "quantiles": quantiles}


def _cmd_radius_dist(args: argparse.Namespace) -> int:
    from rstheory.planning import certification_probability, expected_radius, radius_distribution

    dist = radius_distribution(args.p, args.n, args.sigma, args.alpha)
    mean = float(expected_radius(args.p, args.n, args.sigma, args.alpha))
    certified = float(certification_probability(args.p, args.n, args.sigma, args.alpha, 0.0))
    summary = _radius_summary(dist)
    data: dict[str, Any] = {
        "p": args.p,
        "n": _whole(args.n),
        "sigma": args.sigma,
        "alpha": args.alpha,
        "expected_radius": mean,
        "abstain": float(dist.abstain),
        "certified": certified,
        "neglected": float(dist.neglected),
        **summary,
    }
    lines = [
        f"radius CERTIFY returns (p={args.p!r}, n={_whole(args.n)}, sigma={args.sigma!r}, "
        f"alpha={args.alpha!r}):",
        f"expected radius (abstention counted as 0): {mean!r}",
        f"P[abstain]: {float(dist.abstain)!r}",
        f"P[certified, any radius]: {certified!r}",
    ]
    if args.radius is not None:
        at_r = float(certification_probability(args.p, args.n, args.sigma, args.alpha, args.radius))
        data["target_radius"] = args.radius
        data["certification_probability"] = at_r
        lines.append(f"P[radius >= {args.radius!r}]: {at_r!r}")
    if len(dist.count):
        lines.append(
            f"support: counts {int(dist.count[0])}..{int(dist.count[-1])}, radii "
            f"{float(dist.radius[0])!r}..{float(dist.radius[-1])!r} "
            f"(mass left out <= {float(dist.neglected):.3g})"
        )
    mode = summary["mode"]
    if mode["abstain"]:
        lines.append(f"mode: abstain (probability {mode['probability']!r})")
    else:
        lines.append(
            f"mode: radius {mode['radius']!r} (count {mode['count']}, "
            f"probability {mode['probability']!r})"
        )
    shown = ", ".join(
        f"{q['level']:g}: " + ("abstain" if q["abstain"] else repr(q["radius"]))
        for q in summary["quantiles"]
    )
    lines.append(f"quantiles: {shown}")
    data["counts"] = [int(c) for c in dist.count]
    data["radii"] = [float(r) for r in dist.radius]
    data["probabilities"] = [float(q) for q in dist.probability]
    _emit(args, data, lines)
    return 0


def _cmd_abstain(args: argparse.Namespace) -> int:
    from rstheory.planning import abstain_probability

    prob = float(abstain_probability(args.p, args.n0, args.n, args.alpha))
    data = {
        "p": args.p,
        "n0": _whole(args.n0),
        "n": _whole(args.n),
        "alpha": args.alpha,
        "abstain": prob,
    }
    lines = [
        f"P[CERTIFY abstains] (two classes, p={args.p!r}, n0={_whole(args.n0)}, "
        f"n={_whole(args.n)}, alpha={args.alpha!r}): {prob!r}"
    ]
    _emit(args, data, lines)
    return 0


def _cmd_predict_min_n(args: argparse.Namespace) -> int:
    from rstheory.planning import predict_min_n

    n = int(predict_min_n(args.alpha))
    data = {"alpha": args.alpha, "n": n}
    _emit(args, data, [f"least n at which PREDICT can answer (alpha={args.alpha!r}): {n}"])
    return 0


# --------------------------------------------------------------------------- levels


#: The tie rules of :mod:`rstheory.levels` (spelled here so that the parser stays light).
_TIES: tuple[str, ...] = ("lose", "win", "random")


def _cmd_level(args: argparse.Namespace) -> int:
    from rstheory.levels import level_distance_bound, level_threshold, majority_vote_probability

    if (args.radius is None) != (args.sigma is None):
        missing = "--sigma" if args.sigma is None else "--radius"
        raise _UsageError(
            f"the distance bound needs both --radius and --sigma; {missing} is missing"
        )
    threshold = float(level_threshold(args.pa, args.n, args.ties))
    q = 1.0 - threshold
    vote = float(majority_vote_probability(q, args.n, args.ties))
    data: dict[str, Any] = {
        "pa": args.pa,
        "n": _whole(args.n),
        "ties": args.ties,
        "threshold": threshold,
        "q": q,
        "vote_probability": vote,
    }
    lines = [
        f"level-{args.pa!r} threshold pi0* (n={_whole(args.n)}, ties={args.ties}): {threshold!r}",
        f"check: P[the {_whole(args.n)}-vote majority leaves the class] at pi0 = pi0*: "
        f"{vote!r} (pa = {args.pa!r})",
    ]
    if args.radius is not None:
        bound = float(level_distance_bound(args.radius, args.pa, args.n, args.sigma, args.ties))
        data["radius"] = args.radius
        data["sigma"] = args.sigma
        data["distance_bound"] = bound
        lines.append(
            f"distance to any level-{args.pa!r} adversarial example (radius={args.radius!r}, "
            f"sigma={args.sigma!r}) >= {bound!r}"
        )
    _emit(args, data, lines)
    return 0


# --------------------------------------------------------------------------- sorm


def _cmd_sorm(args: argparse.Namespace) -> int:
    import numpy as np

    from rstheory import sorm
    from rstheory._validate import as_positive

    kappa = [float(v) for v in _numbers("--curvatures", args.curvatures, "curvatures")]
    offsets = (
        None
        if args.offsets is None
        else [float(v) for v in _numbers("--offsets", args.offsets, "numbers")]
    )
    if offsets is not None and len(offsets) != len(kappa):
        raise _UsageError(
            f"--offsets needs one value per curvature ({len(kappa)}), got {len(offsets)}"
        )
    beta = args.beta
    sigma = float(as_positive("sigma", args.sigma))
    log_exact = float(sorm.paraboloid_probability(beta, kappa, offsets=offsets, log=True))
    exact = float(np.exp(log_exact))  # what log=False returns
    data: dict[str, Any] = {
        "beta": beta,
        "curvatures": kappa,
        "offsets": offsets,
        "sigma": sigma,
        "exact": {"probability": exact, "log_probability": log_exact},
    }
    lines = [
        f"beta = {beta!r}, curvatures (units of 1/sigma) = {kappa!r}"
        + (f", offsets = {offsets!r}" if offsets is not None else ""),
        f"exact paraboloid probability: {exact!r} (log {log_exact!r})",
    ]
    for name in sorm.METHODS:
        log_p = float(sorm.sorm(beta, kappa, name, log=True))
        value = float(np.exp(log_p))
        rel = math.inf if math.isinf(log_p) else math.expm1(log_p - log_exact)
        data[name] = {"probability": value, "log_probability": log_p, "relative_error": rel}
        shown = "breaks down (inf)" if math.isinf(log_p) else f"{value!r}"
        lines.append(f"{name:>12}: {shown}, relative error vs exact {rel:+.3e}")
    methods = ["exact", "hohenbichler", "tvedt", "breitung"]
    if len(set(kappa)) == 1 and kappa[0] != 0.0:
        methods.insert(1, "sphere")
    offset: dict[str, Any] = {}
    failures: dict[str, str] = {}
    curv = [k / sigma for k in kappa]  # units of 1/length
    for name in methods:
        try:
            offset[name] = float(sorm.smoothed_frontier_offset(curv, sigma, name))
        except ValueError as exc:
            offset[name] = None
            failures[name] = str(exc)
            lines.append(f"offset ({name}): {exc}")
    data["frontier_offset"] = offset
    data["frontier_offset_errors"] = failures
    lines.append(
        f"smoothed frontier offset along the normal (units of length, sigma = {sigma!r}; "
        "> 0: into the far region):"
    )
    lines += [f"{name:>12}: {v!r}" for name, v in offset.items() if v is not None]
    first = 0.5 * sigma * sum(kappa)
    data["frontier_offset"]["first_order"] = first
    lines.append(f"{'first order':>12}: {first!r} (sigma^2/2 * sum of curvatures)")
    _emit(args, data, lines)
    return 0


# --------------------------------------------------------------------------- simulate


#: Default input dimension of ``rstheory simulate`` (an ImageNet input, 3 x 224 x 224).
_IMAGENET = 3 * 224 * 224

#: Draws per result of each experiment when ``--repeats`` is not given.
_SIMULATE_REPEATS = {"probability": 1000, "search": 1000, "scan": 200, "normal": 10}


class _Setup:
    """The classifier, input and ray of ``rstheory simulate`` (see :func:`_simulate_setup`)."""

    def __init__(
        self,
        base: Any,
        x_o: Any,
        label: int,
        frontier: float,
        normal: Any,
        description: str,
    ) -> None:
        self.base = base
        self.x_o = x_o
        self.dim = int(x_o.size)
        self.label = label
        #: distance along e_0 from x_o to the frontier of g_sigma (the reference scale)
        self.frontier = frontier
        #: unit normal of that frontier at x_o + frontier e_0 (None: the library's own)
        self.normal = normal
        self.description = description

    def along(self, t: float) -> Any:
        """The point ``x_o + t e_0``."""
        point = self.x_o.copy()
        point[0] += t
        return point

    def e(self, i: int) -> Any:
        """The unit vector ``e_i``."""
        import numpy as np

        out = np.zeros(self.dim)
        out[i] = 1.0
        return out


def _ball_frontier(base: Any, sigma: float) -> float | None:
    """Distance from the centre where the smoothed ball's pi_inside crosses 1/2 (or None)."""
    import numpy as np
    import scipy.optimize

    e0 = np.zeros(base.dim)

    def gap(t: float) -> float:
        e0[0] = t
        lp = base.probability(e0, sigma, log=True)
        return float(lp[base.inside_label] - lp[base.outside_label])

    if gap(0.0) <= 0.0 or gap(base.radius) > 0.0:
        return None
    return float(scipy.optimize.brentq(gap, 0.0, base.radius, xtol=1e-13 * base.radius))


def _simulate_setup(args: argparse.Namespace) -> _Setup:
    """Build the experiment's classifier and input from the shared options.

    * ``linear``: :math:`f = ` ``Linear(e_0, -offset)`` in ``dim`` dimensions,
      :math:`x_o = 0` (class 0), frontier at :math:`x_0 = ` offset (also
      that of :math:`g_\\sigma`, which equals :math:`f`);
    * ``ball``: ``Ball(0, radius)``, :math:`x_o = 0` (class 0); the frontier
      of :math:`g_\\sigma` along :math:`e_0` is where :math:`\\pi_0 = 1/2`
      (``radius`` when the centre is already outside it);
    * ``sectors``: ``Sectors(3)`` in 2-D, :math:`x_o = (-2, \\sqrt 3)\\,`
      offset (class 1, angle 139 degrees); the ray :math:`x_o + t e_0`
      crosses the 120-degree frontier with class 0 at :math:`t = ` offset,
      where by symmetry :math:`\\pi_0 = \\pi_1` (the frontier of :math:`g_\\sigma`
      too, :math:`\\pi_2` being negligible that far from the centre).
    """
    import numpy as np

    from rstheory.classifiers import Ball, Linear, Sectors

    kind = args.classifier
    if kind != "ball" and args.radius is not None:
        raise _UsageError("--radius applies to --classifier ball only")
    if kind == "ball" and args.offset is not None:
        raise _UsageError("--offset applies to --classifier linear and sectors only")
    sigma = args.sigma
    if not (math.isfinite(sigma) and sigma > 0.0):
        raise _UsageError(f"--sigma must be finite and > 0, got {sigma!r}")
    given = _whole(args.dim) if args.dim is not None else None
    if kind == "sectors":
        if given is not None and given != 2:
            raise _UsageError(f"--dim must be 2 with --classifier sectors, got {args.dim!r}")
        dim = 2
    elif given is None:
        dim = _IMAGENET
    elif isinstance(given, int) and given >= 1:
        dim = given
    else:
        raise _UsageError(f"--dim must be an integer >= 1, got {args.dim!r}")
    offset = 1.0 if args.offset is None else args.offset
    if kind != "ball" and not (math.isfinite(offset) and offset > 0.0):
        raise _UsageError(f"--offset must be finite and > 0, got {offset!r}")
    x_o = np.zeros(dim)
    if kind == "linear":
        w = np.zeros(dim)
        w[0] = 1.0
        base: Any = Linear(w, -offset)
        frontier, normal = offset, None
        text = f"Linear(e_0, b={-offset!r}) in d = {dim}, x_o = 0, frontier at x_0 = {offset!r}"
    elif kind == "ball":
        radius = 100.0 if args.radius is None else args.radius
        base = Ball(x_o, radius)
        found = _ball_frontier(base, sigma)
        frontier, normal = (base.radius if found is None else found), None
        where = "none" if found is None else f"{found!r}"
        text = (
            f"Ball(0, radius={base.radius!r}) in d = {dim}, x_o = 0, "
            f"frontier of g_sigma along e_0: {where}"
        )
    else:
        base = Sectors(3)
        x_o = np.array([-2.0 * offset, math.sqrt(3.0) * offset])
        frontier, normal = offset, np.array([0.5 * math.sqrt(3.0), 0.5])
        text = f"Sectors(3), x_o = {x_o.tolist()!r}, frontier (120 degrees) at t = {offset!r}"
    label = int(base.decide(x_o))
    return _Setup(base, x_o, label, float(frontier), normal, text)


def _simulate_ns(args: argparse.Namespace) -> list[int | float]:
    return [_whole(v) for v in _numbers("--n", args.n, "vote counts")]


def _simulate_distances(text: str) -> list[float]:
    """``"a:b:k"`` (``k`` evenly spaced distances from a to b) or a comma list."""
    if ":" not in text:
        return [float(v) for v in _numbers("--distances", text, "distances")]
    message = f"--distances must be a:b:k (k >= 1 points from a to b) or a comma list, got {text!r}"
    parts = text.split(":")
    try:
        a, b, k = float(parts[0]), float(parts[1]), _whole(float(parts[2]))
    except (ValueError, IndexError):
        raise _UsageError(message) from None
    if len(parts) != 3 or not isinstance(k, int) or k < 1:
        raise _UsageError(message)
    if k == 1:
        return [a]
    return [a + (b - a) * i / (k - 1) for i in range(k)]


def _floats(values: Any) -> Any:
    """Python floats (or None) from a NumPy scalar, array or None."""
    import numpy as np

    if values is None:
        return None
    arr = np.asarray(values, dtype=np.float64)
    return arr.tolist() if arr.ndim else float(arr)


def _sim_probability(
    args: argparse.Namespace, setup: _Setup, ns: list[Any], gen: Any
) -> tuple[list[dict[str, Any]], list[str]]:
    from rstheory.simulate import SmoothedClassifier

    t = args.distance
    if not math.isfinite(t):
        raise _UsageError(f"--distance must be finite, got {t!r}")
    repeats = _whole(args.repeats)
    point = setup.along(t)
    results: list[dict[str, Any]] = []
    lines = [
        f"P[g_sigma,n(x) != {setup.label}] at x = x_o + {t!r} e_0 ({repeats} draws, "
        f"Clopper-Pearson interval at total level {args.alpha!r}):"
    ]
    for n in ns:
        g = SmoothedClassifier(setup.base, args.sigma, n, ties=args.ties, rng=gen)
        r = g.adversarial_probability(point, setup.label, repeats, args.alpha)
        row = {
            "n": g.n,
            "estimate": float(r.estimate),
            "low": float(r.low),
            "high": float(r.high),
            "successes": int(r.successes),
            "repeats": r.repeats,
            "exact": _floats(r.exact),
            "pi": _floats(r.pi),
        }
        results.append(row)
        exact = "" if r.exact is None else f", exact {row['exact']!r} (pi_y {row['pi']!r})"
        lines.append(f"  n = {g.n}: {row['estimate']!r} [{row['low']!r}, {row['high']!r}]{exact}")
    return results, lines


def _sim_search(
    args: argparse.Namespace, setup: _Setup, ns: list[Any], gen: Any
) -> tuple[list[dict[str, Any]], list[str]]:
    import numpy as np

    from rstheory.simulate import SmoothedClassifier, binary_search_spread, search_distribution

    to = 2.0 * setup.frontier if args.to is None else args.to
    steps = _whole(args.steps)
    per_step = _whole(args.queries_per_step)
    repeats = _whole(args.repeats)
    outside = setup.along(to)
    results: list[dict[str, Any]] = []
    lines = [
        f"binary search from x_o to x_o + {to!r} e_0, {steps} steps x {per_step} queries, "
        f"{repeats} runs; distance of the end point to x_o:"
    ]
    for n in ns:
        g = SmoothedClassifier(setup.base, args.sigma, n, ties=args.ties, rng=gen)
        s = binary_search_spread(g, setup.x_o, outside, steps, repeats, per_step, setup.label)
        q25, median, q75 = (float(v) for v in np.percentile(s.distances, [25.0, 50.0, 75.0]))
        row: dict[str, Any] = {
            "n": g.n,
            "median": median,
            "iqr": q75 - q25,
            "sd": float(np.std(s.distances)),
            "mean": float(np.mean(s.distances)),
            "frontier": s.frontier,
            "queries": s.queries,
            "base_calls": s.base_calls,
            "exact": None,
        }
        line = (
            f"  n = {g.n}: median {median!r}, IQR {row['iqr']!r}, sd {row['sd']!r}, "
            f"frontier of g_sigma {s.frontier!r}"
        )
        if g.analytic:
            law = search_distribution(g, setup.x_o, outside, steps, per_step, setup.label)
            mean = law.mean()
            p = law.probabilities / law.probabilities.sum()
            sd = math.sqrt(max(0.0, float(p @ (law.distances - mean) ** 2)))
            row["exact"] = {
                "median": float(law.quantile(0.5)),
                "sd": sd,
                "mean": mean,
                "dropped": law.dropped,
                "support": int(law.distances.size),
            }
            line += f"; exact law: median {row['exact']['median']!r}, sd {sd!r}"
        results.append(row)
        lines.append(line)
    return results, lines


def _sim_scan(
    args: argparse.Namespace, setup: _Setup, ns: list[Any], gen: Any
) -> tuple[list[dict[str, Any]], list[str]]:
    from rstheory.simulate import SmoothedClassifier, direction_scan

    if args.distances is None:
        distances = _simulate_distances(f"0:{2.0 * setup.frontier!r}:81")
    else:
        distances = _simulate_distances(args.distances)
    repeats = _whole(args.repeats)
    results: list[dict[str, Any]] = []
    lines = [
        f"P[g_sigma,n(x_o + t e_0) != {setup.label}] along e_0 ({repeats} draws per distance, "
        f"interval at total level {args.alpha!r}):"
    ]
    for n in ns:
        g = SmoothedClassifier(setup.base, args.sigma, n, ties=args.ties, rng=gen)
        s = direction_scan(
            g, setup.x_o, setup.e(0), distances, repeats, setup.label, alpha=args.alpha
        )
        row = {
            "n": g.n,
            "distances": _floats(s.distances),
            "estimate": _floats(s.estimate),
            "low": _floats(s.low),
            "high": _floats(s.high),
            "exact": _floats(s.exact),
            "pi": _floats(s.pi),
            "radius": s.radius,
            "pa": _floats(s.pa),
            "level_bounds": _floats(s.level_bounds),
            "base_frontier": s.base_frontier,
            "smoothed_frontier": s.smoothed_frontier,
        }
        results.append(row)
        bounds = ", ".join(
            f"Pa {a!r}: {b!r}" for a, b in zip(row["pa"], row["level_bounds"], strict=True)
        )
        lines.append(
            f"  n = {g.n}: certified radius {s.radius!r}; level bounds {bounds}; frontier of "
            f"f {s.base_frontier!r}, of g_sigma {s.smoothed_frontier!r}"
        )
        lines.append(f"    {'t':>10} {'estimate':>9} {'low':>9} {'high':>9} {'exact':>11}")
        for i, t in enumerate(row["distances"]):
            exact = "" if row["exact"] is None else f"{row['exact'][i]:11.4g}"
            lines.append(
                f"    {t:10.5g} {row['estimate'][i]:9.4f} {row['low'][i]:9.4f} "
                f"{row['high'][i]:9.4f} {exact}"
            )
    return results, lines


#: Characters of the text label map of ``rstheory simulate slice``.
_LABEL_CHARS = "0123456789"


def _label_map(labels: Any) -> list[str]:
    """Rows of a label map, top (largest b) first, one character per label."""
    return ["".join(_LABEL_CHARS[int(c)] for c in row) for row in labels[::-1]]


def _sim_slice(
    args: argparse.Namespace, setup: _Setup, ns: list[Any], gen: Any
) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    from rstheory.simulate import SmoothedClassifier, slice_2d

    if setup.dim < 2:
        raise _UsageError(f"slice needs --dim >= 2 (a plane), got {setup.dim}")
    if args.extent is None:
        extent: Any = 2.0 * setup.frontier
    else:
        values = [float(v) for v in _numbers("--extent", args.extent, "numbers")]
        if len(values) not in (1, 4):
            raise _UsageError(
                f"--extent must be one half-width or a_min,a_max,b_min,b_max, got {args.extent!r}"
            )
        extent = values[0] if len(values) == 1 else values
    points = [_whole(v) for v in _numbers("--resolution", args.resolution, "grid sizes")]
    if len(points) not in (1, 2):
        raise _UsageError(
            f"--resolution must be one grid size or two (along a, along b), got {args.resolution!r}"
        )
    resolution: Any = points[0] if len(points) == 1 else tuple(points)
    u, v = setup.e(0), setup.e(1)
    f_map = slice_2d(setup.base, setup.x_o, u, v, extent, resolution)
    head = {
        "a": _floats(f_map.a),
        "b": _floats(f_map.b),
        "base_labels": f_map.labels.tolist(),
    }
    lines = [
        f"labels on the plane x_o + a e_0 + b e_1, a in [{head['a'][0]!r}, {head['a'][-1]!r}] "
        f"(columns), b in [{head['b'][0]!r}, {head['b'][-1]!r}] (rows, top = largest b)",
        "f itself:",
        *_label_map(f_map.labels),
    ]
    results: list[dict[str, Any]] = []
    for n in ns:
        g = SmoothedClassifier(setup.base, args.sigma, n, ties=args.ties, rng=gen)
        s = slice_2d(g, setup.x_o, u, v, extent, resolution)
        results.append({"n": g.n, "labels": s.labels.tolist()})
        lines.append(f"g_sigma,n with n = {g.n} (one draw per point):")
        lines.extend(_label_map(s.labels))
    return head, results, lines


def _sim_normal(
    args: argparse.Namespace, setup: _Setup, ns: list[Any], gen: Any
) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    from rstheory.simulate import linear_normal_cosine, normal_study

    deltas = [float(v) for v in _numbers("--delta", args.delta, "probe noise levels")]
    queries = _whole(args.queries)
    repeats = _whole(args.repeats)
    x_b = setup.along(setup.frontier)
    study = normal_study(
        setup.base,
        x_b,
        args.sigma,
        ns,
        deltas,
        queries,
        repeats,
        setup.label,
        setup.normal,
        ties=args.ties,
        rng=gen,
    )
    head = {"x_b": f"x_o + {setup.frontier!r} e_0"}
    lines = [
        f"HopSkipJump normal estimate at x_b = x_o + {setup.frontier!r} e_0 (frontier of "
        f"g_sigma), {queries} probes, {repeats} repeats; mean cosine with the true normal:"
    ]
    results: list[dict[str, Any]] = []
    for i, n in enumerate(study.ns):
        cos = study.cosines[i]
        row: dict[str, Any] = {
            "n": int(n),
            "deltas": _floats(study.deltas),
            "mean_cosine": _floats(cos.mean(axis=1)),
            "sd_cosine": _floats(cos.std(axis=1)),
            "theory": None,
        }
        if args.classifier == "linear":
            row["theory"] = [
                linear_normal_cosine(int(n), d / args.sigma, setup.dim, queries, args.ties)
                for d in row["deltas"]
            ]
        results.append(row)
        for j, d in enumerate(row["deltas"]):
            theory = "" if row["theory"] is None else f", theory {row['theory'][j]!r}"
            lines.append(
                f"  n = {int(n)}, delta = {d!r} (delta/sigma = {d / args.sigma:.4g}): "
                f"{row['mean_cosine'][j]!r} (sd {row['sd_cosine'][j]!r}){theory}"
            )
    return head, results, lines


def _cmd_simulate(args: argparse.Namespace) -> int:
    import numpy as np

    experiment = args.experiment
    seed = _whole(args.seed)
    if not isinstance(seed, int) or seed < 0:
        raise _UsageError(f"--seed must be an integer >= 0, got {args.seed!r}")
    if getattr(args, "repeats", None) is None and experiment in _SIMULATE_REPEATS:
        args.repeats = _SIMULATE_REPEATS[experiment]
    setup = _simulate_setup(args)
    ns = _simulate_ns(args)
    gen = np.random.default_rng(seed)
    data: dict[str, Any] = {
        "experiment": experiment,
        "classifier": args.classifier,
        "dim": setup.dim,
        "sigma": args.sigma,
        "ties": args.ties,
        "seed": seed,
        "setup": setup.description,
        "label": setup.label,
        "frontier": setup.frontier,
    }
    if experiment != "slice":
        data["repeats"] = _whole(args.repeats)
    head: dict[str, Any] = {}
    if experiment == "probability":
        data["distance"] = args.distance
        results, body = _sim_probability(args, setup, ns, gen)
    elif experiment == "search":
        results, body = _sim_search(args, setup, ns, gen)
    elif experiment == "scan":
        results, body = _sim_scan(args, setup, ns, gen)
    elif experiment == "slice":
        head, results, body = _sim_slice(args, setup, ns, gen)
    else:
        head, results, body = _sim_normal(args, setup, ns, gen)
    data.update(head)
    data["results"] = results
    lines = [
        f"{setup.description}; label under attack {setup.label}; sigma = {args.sigma!r}, "
        f"ties = {args.ties}, seed = {seed}",
        *body,
    ]
    _emit(args, data, lines)
    return 0


# --------------------------------------------------------------------------- experiment


def _cmd_experiment(args: argparse.Namespace) -> int:
    import numpy as np

    try:
        from rstheory.experiments import (
            foolbox_crosscheck,
            plot_certified_accuracy,
            plot_distortion_vs_accuracy,
            run_digits,
        )
    except ImportError as exc:  # torch or scikit-learn missing
        raise ValueError(
            "rstheory experiment needs torch and scikit-learn "
            f"(pip install torch==2.13.0 scikit-learn): {exc}"
        ) from exc
    if args.name == "foolbox":
        check = foolbox_crosscheck(
            inputs=5 if args.inputs is None else args.inputs,
            seed=0 if args.seed is None else args.seed,
            model=args.model or "cnn",
        )
        lines = [
            f"foolbox HopSkipJump ({check['steps']} steps) vs rstheory.attacks.hsja with the "
            f"same number of queries, undefended {check['model']}; median ratio rstheory / "
            f"foolbox {check['median_ratio']:.3f}"
        ] + [
            f"  input {r['index']}: {r['queries']} queries, foolbox {r['foolbox']:.4f}, "
            f"rstheory {r['rstheory']:.4f}"
            for r in check["rows"]
        ]
        _emit(args, check, lines)
        return 0
    settings: dict[str, Any] = {}
    if args.sigmas is not None:
        settings["sigmas"] = _numbers("--sigmas", args.sigmas, "noise levels")
    if args.n is not None:
        settings["ns"] = _numbers("--n", args.n, "vote counts")
    if args.pa is not None:
        settings["pas"] = _numbers("--pa", args.pa, "levels")
    if args.attacks is not None:
        settings["attacks"] = [a.strip() for a in args.attacks.split(",") if a.strip()]
    for key in ("inputs", "max_queries", "certify_n", "certify_inputs", "seed", "model"):
        value = getattr(args, key)
        if value is not None:
            settings[key] = value
    result = run_digits(settings, quick=args.quick, progress=args.progress, out=args.out)
    conf = result["settings"]
    lines = [
        f"digits ({conf['model']}), {conf['inputs']} attacked inputs per model, "
        f"{conf['max_queries']} queries per attack, CERTIFY with n0 = 100, N = "
        f"{conf['certify_n']}, alpha = {conf['alpha']:g} ({result['seconds']:.1f} s)",
        "base model accuracy: "
        + ", ".join(f"sigma {k}: {v:.3f}" for k, v in result["models"].items()),
    ]
    for key, cert in result["certification"].items():
        lines.append(
            f"sigma = {key}: CERTIFY on {cert['inputs']} test inputs: clean "
            f"{cert['clean']:.3f}, certified accuracy at radius 0.25 / 0.5 / 1.0: "
            + " / ".join(
                f"{float(np.interp(r, cert['thresholds'], cert['accuracy'])):.3f}"
                for r in (0.25, 0.5, 1.0)
            )
        )
    for row in result["rows"]:
        lines.append(
            f"sigma = {row['sigma']:g}, n = {row['n']}: accuracy {row['accuracy']:.3f}, "
            + (
                "no certificate (undefended)"
                if row["certified"] is None
                else f"certified {row['certified']:.2f}, median radius {row['median_radius']:.3g}"
            )
        )
        for key, cell in row["attacks"].items():
            ratio = "-" if cell["median_ratio"] is None else f"{cell['median_ratio']:.3g}"
            lines.append(
                f"  {key}: median distortion {cell['median_distortion']:.3g}, success "
                f"{cell['success']:.2f}, distortion/radius {ratio}, {cell['queries']} "
                f"queries, {cell['base_calls']} base calls"
            )
    if args.out:
        from pathlib import Path

        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "digits.json").write_text(json.dumps(_jsonable(result), allow_nan=False))
        for pa in conf["pas"]:
            fig = plot_distortion_vs_accuracy(result, pa=float(pa))
            fig.savefig(out / f"distortion_vs_accuracy_pa{float(pa):g}.png", dpi=110)
        plot_certified_accuracy(result).savefig(out / "certified_accuracy.png", dpi=110)
        lines.append(
            f"written: {out / 'digits.json'}, the CERTIFY files (certify_*.jsonl, resumable), "
            "the distortion-vs-accuracy and certified-accuracy figures"
        )
    _emit(args, result, lines)
    return 0


def _add_experiment(sub: Any) -> None:
    """``rstheory experiment digits``: attacks on smoothed digits models (issue 7)."""
    text = "decision-based attacks against smoothed digits models (Maho et al. 2022, sec. 4)"
    p = sub.add_parser("experiment", help=text, description=text)
    p.add_argument(
        "name",
        choices=("digits", "foolbox"),
        help="digits: the attack grid; foolbox: foolbox's HopSkipJump vs ours, undefended model",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--quick", action="store_true", help="the CI-sized grid (under a minute)")
    p.add_argument("--out", help="directory for digits.json and the figures")
    p.add_argument("--sigmas", help="noise levels, e.g. 0,0.05,0.15,0.25 (0: no smoothing)")
    p.add_argument("--n", help="votes per query, e.g. 1,10,50,200")
    p.add_argument("--pa", help="attack levels, e.g. 0.5,0.8")
    p.add_argument("--attacks", help="comma list of hsja, rays, surfree")
    p.add_argument("--inputs", type=int, help="attacked test inputs per model")
    p.add_argument("--max-queries", dest="max_queries", type=int, help="queries per attack")
    p.add_argument("--certify-n", dest="certify_n", type=int, help="CERTIFY estimation votes")
    p.add_argument(
        "--certify-inputs",
        dest="certify_inputs",
        type=int,
        help="test inputs certified per sigma for the certified-accuracy curve",
    )
    p.add_argument("--seed", type=int, help="seed of every random draw (0)")
    p.add_argument("--model", choices=("cnn", "mlp"), help="base model (cnn)")
    p.add_argument("--progress", action="store_true", help="one line per step on stderr")
    p.set_defaults(func=_cmd_experiment)


# --------------------------------------------------------------------------- claims


def _cmd_claims(args: argparse.Namespace) -> int:
    from rstheory.claims import check_claims, ledger_markdown

    only = None if args.only is None else _numbers("--only", args.only, "claim numbers")
    if only is not None and any(not isinstance(v, int) for v in only):
        raise _UsageError(f"--only must list claim numbers 1 to 8, got {args.only!r}")
    say = (lambda text: print(text, file=sys.stderr, flush=True)) if args.progress else None
    results = check_claims(
        None if only is None else [int(v) for v in only],
        digits=args.digits,
        quick=args.quick,
        progress=say,
    )
    lines: list[str] = []
    for r in results:
        lines += [f"claim {r.claim.number} ({r.claim.scope}): {r.verdict}: {r.reason}"]
        lines += [f"  {m}" for m in r.measured]
    if args.markdown:
        from pathlib import Path

        path = Path(args.markdown)
        path.write_text(ledger_markdown(results, digits=args.digits), encoding="utf-8")
        lines.append(f"written: {path}")
    _emit(args, {"claims": [r.as_dict() for r in results]}, lines)
    return 0


def _add_claims(sub: Any) -> None:
    """``rstheory claims``: the claims ledger (issue 8)."""
    text = "check the claims of Maho et al. 2022 and give each a verdict (docs/claims.md)"
    p = sub.add_parser("claims", help=text, description=text)
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--only", help="comma list of claim numbers, 1 to 8 (all)")
    p.add_argument(
        "--digits",
        help="digits.json of 'rstheory experiment digits --out DIR' for claims 1-4 (default: "
        "run the report's small grid; needs torch and scikit-learn)",
    )
    p.add_argument("--quick", action="store_true", help="smaller simulations and digits grid")
    p.add_argument("--markdown", help="write the ledger page (docs/claims.md) to this file")
    p.add_argument("--progress", action="store_true", help="one line per long step on stderr")
    p.set_defaults(func=_cmd_claims)


# --------------------------------------------------------------------------- report


def _cmd_report(args: argparse.Namespace) -> int:
    from rstheory.report import read_summary, write_report

    path = write_report(args.out, quick=args.quick, workers=args.workers, progress=not args.quiet)
    summary = read_summary(path)
    data = {"report": str(path), **summary}
    status = "PASS" if summary["passed"] else "FAIL"
    lines = [
        f"{status}: {summary['unsound']} unsound results, {summary['errors']} errors, "
        f"{summary['nan']} NaN results; report written to {path} "
        f"({summary['wall_seconds']:.1f} s)"
    ]
    _emit(args, data, lines)
    return 0 if summary["passed"] else 1


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``rstheory`` (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="Randomized-smoothing certificates: sound bounds, radii and verification.",
    )
    parser.add_argument("--version", action="version", version=f"{_PROG} {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
        return p

    p = add("bound", "confidence bound on a binomial proportion from K successes in N trials")
    p.add_argument("k", metavar="K", type=_number, help="number of successes")
    p.add_argument("n", metavar="N", type=_number, help="number of trials")
    p.add_argument("--alpha", type=float, default=0.001, help="significance level (0.001)")
    p.add_argument("--side", choices=("lower", "upper", "two-sided"), default="lower")
    p.add_argument(
        "--method", choices=("clopper-pearson", "hoeffding", "wilson"), default="clopper-pearson"
    )
    p.set_defaults(func=_cmd_bound)

    p = add("radius", "certified radius from a lower bound P on the top-class probability")
    p.add_argument("p", metavar="P", type=float, help="lower bound on p_A")
    p.add_argument(
        "--sigma", type=float, required=True, help="noise level (scale for laplace/uniform)"
    )
    p.add_argument("--noise", choices=("gaussian", "laplace", "uniform"), default="gaussian")
    p.add_argument("--pb", type=float, default=None, help="upper bound on p_B (runner-up class)")
    p.add_argument(
        "--dim", type=_number, default=None, help="input dimension: also print the Linf radius"
    )
    p.set_defaults(func=_cmd_radius)

    p = add("certify", "Cohen et al. CERTIFY from class counts")
    p.add_argument("--selection", required=True, help="class counts used to select the top class")
    p.add_argument("--estimation", required=True, help="class counts used to bound p_A")
    p.add_argument("--sigma", type=float, required=True, help="noise level")
    p.add_argument("--alpha", type=float, default=0.001, help="significance level (0.001)")
    p.set_defaults(func=_cmd_certify)

    p = add("predict", "Cohen et al. PREDICT from class counts")
    p.add_argument("--counts", required=True, help="comma-separated class counts")
    p.add_argument("--alpha", type=float, default=0.001, help="significance level (0.001)")
    p.set_defaults(func=_cmd_predict)

    p = add("max-radius", "largest radius CERTIFY can return with N estimation samples")
    p.add_argument("--n", type=_number, required=True, help="number of estimation samples")
    p.add_argument("--sigma", type=float, required=True, help="noise level")
    p.add_argument("--alpha", type=float, default=0.001, help="significance level (0.001)")
    p.set_defaults(func=_cmd_max_radius)

    p = add("required-n", "least number of estimation samples that certifies a radius")
    p.add_argument("--radius", type=float, required=True, help="target L2 radius")
    p.add_argument("--sigma", type=float, required=True, help="noise level")
    p.add_argument("--alpha", type=float, default=0.001, help="significance level (0.001)")
    p.add_argument("--p", type=float, default=1.0, help="true top-class probability, in (0, 1] (1)")
    p.add_argument(
        "--power", type=float, default=0.5, help="required probability of certifying (0.5)"
    )
    p.add_argument(
        "--stable",
        action="store_true",
        help="least n from which the power holds for every larger n",
    )
    p.set_defaults(func=_cmd_required_n)

    p = add("radius-dist", "law of the radius CERTIFY returns when the top class has probability P")
    p.add_argument("--p", type=float, required=True, help="true top-class probability")
    p.add_argument("--n", type=_number, required=True, help="number of estimation samples")
    p.add_argument("--sigma", type=float, required=True, help="noise level")
    p.add_argument("--alpha", type=float, default=0.001, help="significance level (0.001)")
    p.add_argument(
        "--radius", type=float, default=None, help="also print the probability of certifying it"
    )
    p.set_defaults(func=_cmd_radius_dist)

    p = add("abstain", "probability that CERTIFY abstains, selection step included (two classes)")
    p.add_argument("--p", type=float, required=True, help="true top-class probability")
    p.add_argument("--n", type=_number, required=True, help="number of estimation samples")
    p.add_argument(
        "--n0", type=_number, default=100, help="number of selection samples (100; 0: known class)"
    )
    p.add_argument("--alpha", type=float, default=0.001, help="significance level (0.001)")
    p.set_defaults(func=_cmd_abstain)

    p = add("predict-min-n", "least number of samples at which PREDICT can answer")
    p.add_argument("--alpha", type=float, default=0.001, help="significance level (0.001)")
    p.set_defaults(func=_cmd_predict_min_n)

    p = add("level", "level-Pa adversarial threshold of the N-vote smoothed classifier")
    p.add_argument("--pa", type=float, required=True, help="attack level P_a, in (0, 1)")
    p.add_argument("--n", type=_number, required=True, help="number of votes")
    p.add_argument("--ties", choices=_TIES, default="lose", help="tie rule for even n (lose)")
    p.add_argument(
        "--radius", type=float, default=None, help="radius of x_o: also print the distance bound"
    )
    p.add_argument("--sigma", type=float, default=None, help="noise level (with --radius)")
    p.set_defaults(func=_cmd_level)

    p = add("sorm", "FORM/SORM approximations vs the exact paraboloid, and the frontier offset")
    p.add_argument(
        "--beta", type=float, required=True, help="distance to the frontier in units of sigma"
    )
    p.add_argument(
        "--curvatures",
        required=True,
        help="comma-separated principal curvatures in units of 1/sigma (> 0: far region "
        "convex); write --curvatures=-0.5,0.2 when the first is negative",
    )
    p.add_argument(
        "--offsets", default=None, help="tangential coordinates of x in units of sigma (0)"
    )
    p.add_argument("--sigma", type=float, default=1.0, help="noise level for the offsets (1)")
    p.set_defaults(func=_cmd_sorm)

    _add_simulate(sub)
    _add_experiment(sub)
    _add_claims(sub)

    p = add("report", "write the verification report (report.md, figures)")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--quick", action="store_true", help="smaller grid (under 30 s on 2 cores)")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes for the mpmath checks (one per available core)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(func=_cmd_report)
    return parser


def _add_simulate(sub: Any) -> None:
    """``rstheory simulate EXPERIMENT``: the experiments of :mod:`rstheory.simulate`."""
    text = "experiments with the practical smoothed classifier g_sigma,n (Maho et al. 2022)"
    p = sub.add_parser("simulate", help=text, description=text)
    experiments = p.add_subparsers(dest="experiment", metavar="EXPERIMENT", required=True)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    common.add_argument(
        "--classifier",
        choices=("linear", "ball", "sectors"),
        default="linear",
        help="base classifier: a half-space, a ball, or Sectors(3) in 2-D (linear)",
    )
    common.add_argument(
        "--dim", type=_number, default=None, help=f"dimension ({_IMAGENET}; sectors: 2)"
    )
    common.add_argument("--sigma", type=float, default=0.25, help="noise level (0.25)")
    common.add_argument(
        "--n", default="100", help="votes per query; a comma list gives one result per n (100)"
    )
    common.add_argument("--ties", choices=_TIES, default="lose", help="tie rule (lose)")
    common.add_argument("--seed", type=_number, default=0, help="random seed (0)")
    common.add_argument(
        "--offset",
        type=float,
        default=None,
        help="linear, sectors: distance along e_0 from x_o to the frontier (1)",
    )
    common.add_argument(
        "--radius", type=float, default=None, help="ball: radius, centred on x_o = 0 (100)"
    )
    repeated = argparse.ArgumentParser(add_help=False)
    repeated.add_argument(
        "--repeats",
        type=_number,
        default=None,
        help="draws or runs per result (probability and search 1000, scan 200, normal 10)",
    )
    level = argparse.ArgumentParser(add_help=False)
    level.add_argument(
        "--alpha", type=float, default=0.001, help="total level of the intervals (0.001)"
    )

    def add(name: str, help_text: str, *parents: argparse.ArgumentParser) -> Any:
        q = experiments.add_parser(
            name, help=help_text, description=help_text, parents=[common, *parents]
        )
        q.set_defaults(func=_cmd_simulate)
        return q

    q = add(
        "probability", "P[g_sigma,n(x_o + t e_0) != y]: estimate, interval, exact", repeated, level
    )
    q.add_argument("--distance", type=float, default=0.0, help="t (0)")

    q = add("search", "spread of the binary search's end point and its exact law", repeated)
    q.add_argument(
        "--to", type=float, default=None, help="x_outside = x_o + TO e_0 (twice the frontier)"
    )
    q.add_argument("--steps", type=_number, default=16, help="bisection steps (16)")
    q.add_argument(
        "--queries-per-step", type=_number, default=1, help="draws per step, majority (1)"
    )

    q = add("scan", "P[g_sigma,n != y] along e_0, radius, level bounds, frontiers", repeated, level)
    q.add_argument(
        "--distances",
        default=None,
        help="a:b:k (k points from a to b) or a comma list (0:2F:81, F the frontier)",
    )

    q = add("slice", "label map of f and of g_sigma,n on the plane x_o + a e_0 + b e_1")
    q.add_argument(
        "--extent",
        default=None,
        help="half-width, or a_min,a_max,b_min,b_max (twice the frontier distance); write "
        "--extent=-1,1,0,2 when the first is negative",
    )
    q.add_argument("--resolution", default="41", help="grid points per axis, or along a,b (41)")

    q = add("normal", "HopSkipJump normal estimate at the frontier: mean cosine", repeated)
    q.add_argument("--delta", default="0.125,0.25,0.5,1", help="probe noise levels, comma list")
    q.add_argument("--queries", type=_number, default=100, help="probes per estimate (100)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 report failed, 2 bad input).

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` by default.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # --help, --version, or a usage error (status 2)
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    try:
        return int(args.func(args))
    except ValueError as exc:
        print(f"{_PROG} {args.command}: error: {exc}{_flag_hint(str(exc))}", file=sys.stderr)
        return 2


#: Library argument names that the command line spells differently.
_FLAG_OF = {
    "p_lower": "P",
    "p_a_lower": "P",
    "p_b_upper": "--pb",
    "scale": "--sigma",
    "counts_selection": "--selection",
    "counts_estimation": "--estimation",
    "queries_per_step": "--queries-per-step",
    "x_outside": "--to",
    "ns": "--n",
    "deltas": "--delta",
}


def _flag_hint(message: str) -> str:
    """`` (p_b_upper is --pb)`` when a library message names an argument the CLI renames."""
    import re

    named = [
        f"{name} is {flag}" for name, flag in _FLAG_OF.items() if re.search(rf"\b{name}\b", message)
    ]
    return f" ({', '.join(named)})" if named else ""


if __name__ == "__main__":  # pragma: no cover - exercised through a subprocess test
    sys.exit(main())
