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
    rstheory report --out DIR [--quick]
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


# --------------------------------------------------------------------------- report


def _cmd_report(args: argparse.Namespace) -> int:
    from rstheory.report import read_summary, write_report

    path = write_report(args.out, quick=args.quick)
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

    p = add("report", "write the verification report (report.md, figures)")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--quick", action="store_true", help="smaller grid (well under a minute)")
    p.set_defaults(func=_cmd_report)
    return parser


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
