"""The ``rstheory`` command line.

Subcommands (each takes ``--json`` for machine-readable output on stdout)::

    rstheory bound K N --alpha 0.001 [--side lower|upper|two-sided]
                       [--method clopper-pearson|hoeffding|wilson]
    rstheory radius P --sigma 0.25 [--noise gaussian|laplace|uniform] [--pb PB] [--dim D]
    rstheory certify --selection 3,990,7 --estimation 5,99880,115 --sigma 0.25 --alpha 0.001
    rstheory predict --counts 3,95,2 --alpha 0.001
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


def _counts(name: str, text: str) -> list[int | float]:
    """Parse ``"3,990,7"`` into a list of numbers; the library checks that they are counts."""
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or any(p == "" for p in parts):
        raise _UsageError(f"{name} must be a comma-separated list of counts, got {text!r}")
    values: list[int | float] = []
    for p in parts:
        try:
            values.append(_number(p))
        except argparse.ArgumentTypeError:
            raise _UsageError(
                f"{name} must be a comma-separated list of counts, got {text!r}"
            ) from None
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

    selection = _counts("--selection", args.selection)
    estimation = _counts("--estimation", args.estimation)
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

    counts = _counts("--counts", args.counts)
    label = int(predict(counts, args.alpha))
    data = {"label": label, "abstain": label == ABSTAIN, "alpha": args.alpha}
    _emit(args, data, ["abstain" if label == ABSTAIN else str(label)])
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
