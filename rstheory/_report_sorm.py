"""The SORM section of the verification report (:mod:`rstheory.report`).

Two parts: the kernels of :mod:`rstheory.sorm` against their mpmath twins
(rows of the report's error table, compared as log-probabilities so that
tails below the smallest double count too), and the study the seed paper's
section 3.3 calls for: FORM and the three SORM formulas against the exact
paraboloid and sphere over :math:`\\beta \\in [0.5, 6]`,
:math:`\\kappa \\in [-0.5/\\beta, 2]` and ``d`` up to 1000.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - typing only
    from rstheory.report import KernelCheck

__all__ = ["SORM_KERNELS", "SORM_CHECKS", "sorm_study", "study_markdown"]

#: The rows of the SORM section, in order.
SORM_KERNELS: tuple[str, ...] = (
    "breitung",
    "hohenbichler",
    "tvedt",
    "paraboloid_probability",
    "sphere_probability",
    "smoothed_frontier_offset",
)
_DPS = 30
_CURVATURE_SETS = ([0.1, 0.1], [-0.3, 0.2, 0.05], [1.5, 0.4, 0.0, -0.1], [0.02] * 50)


def _compare_log(check: KernelCheck, got_log: float, twin: Any, where: str) -> None:
    """Compare log-probabilities: the absolute error of the log is the relative error of P."""
    import mpmath

    if twin == mpmath.inf:
        check.compare(got_log, mpmath.inf, where, direction="none")
        return
    check.compare(got_log, mpmath.log(twin), where, direction="none", scale=1)


def _check_formula(method: str, quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import reference, sorm
        from rstheory.report import _twin

        betas = [-1.0, 0.5, 3.0, 6.0, 20.0] if quick else [-3.0, -1.0, 0.0, 0.5, 1, 3, 6, 20, 40]
        for beta in betas:
            for kappa in _CURVATURE_SETS:
                where = f"beta={beta!r}, curvatures={kappa[:4]!r}{'...' if len(kappa) > 4 else ''}"
                got = float(sorm.sorm(beta, kappa, method, log=True))
                e = _twin(check, reference.sorm, beta, kappa, method, dps=_DPS, where=where)
                if e is not None:
                    _compare_log(check, got, e, where)

    return body


def _check_paraboloid(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import reference, sorm
        from rstheory.report import _twin

        dims = [2, 10] if quick else [2, 10, 100, 1000]
        for beta in (0.5, 6.0) if quick else (0.5, 3.0, 6.0):
            for bk in (-0.45, 2.0) if quick else (-0.45, 0.3, 2.0):
                for d in dims:
                    kappa = [bk / beta] * (d - 1)
                    where = f"beta={beta!r}, kappa={bk / beta:.4g} x {d - 1}"
                    got = float(sorm.paraboloid_probability(beta, kappa, log=True))
                    e = _twin(
                        check, reference.paraboloid_probability, beta, kappa, where=where, dps=_DPS
                    )
                    if e is not None:
                        _compare_log(check, got, e, where)
        rng = np.random.default_rng(20220523)  # ICASSP 2022
        for _ in range(2 if quick else 12):
            m = int(rng.integers(1, 5))
            beta = float(np.round(rng.uniform(-2.0, 6.0), 2))
            kappa = np.round(rng.uniform(-0.4, 1.5, m), 2).tolist()
            offsets = np.round(rng.uniform(-2.0, 2.0, m), 2).tolist()
            where = f"beta={beta!r}, curvatures={kappa!r}, offsets={offsets!r}"
            got = float(sorm.paraboloid_probability(beta, kappa, offsets=offsets, log=True))
            e = _twin(
                check,
                reference.paraboloid_probability,
                beta,
                kappa,
                offsets=offsets,
                dps=_DPS,
                where=where,
            )
            if e is not None:
                _compare_log(check, got, e, where)

    return body


def _check_sphere(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import reference, sorm
        from rstheory.report import _twin

        dims = [2, 10, 100] if quick else [2, 10, 100, 1000]
        for beta in (0.5, 3.0, 6.0):
            for bk in (-0.45, 0.3, 2.0):
                kappa = bk / beta
                for d in dims:
                    where = f"beta={beta!r}, kappa={kappa:.4g}, d={d}"
                    got = float(sorm.sphere_probability(beta, kappa, d, log=True))
                    e = _twin(
                        check, reference.sphere_probability, beta, kappa, d, dps=_DPS, where=where
                    )
                    if e is not None:
                        _compare_log(check, got, e, where)

    return body


def _check_offset(quick: bool) -> Callable[[KernelCheck], None]:
    def body(check: KernelCheck) -> None:
        from rstheory import reference, sorm
        from rstheory.report import _twin

        cases: list[tuple[list[float], str]] = [
            ([0.3, -0.2], "exact"),
            ([0.1] * 9, "sphere"),
            ([0.3, -0.2], "hohenbichler"),
            ([0.3, -0.2], "tvedt"),
        ]
        if not quick:
            cases += [
                ([0.1] * 9, "exact"),
                ([-0.05] * 4, "exact"),
                ([0.02] * 99, "sphere"),
                ([-0.2] * 5, "sphere"),
            ]
        for kappa, method in cases:
            where = f"curvatures={kappa[:3]!r}{'...' if len(kappa) > 3 else ''}, {method}"
            got = float(sorm.smoothed_frontier_offset(kappa, 1.0, method))
            e = _twin(
                check, reference.smoothed_frontier_offset, kappa, 1.0, method, dps=_DPS, where=where
            )
            if e is not None:
                check.compare(got, e, where, direction="none")

    return body


#: ``name -> (quick -> body)`` for :func:`rstheory.report.write_report`.
SORM_CHECKS: dict[str, Callable[[bool], Callable[[KernelCheck], None]]] = {
    "breitung": lambda q: _check_formula("breitung", q),
    "hohenbichler": lambda q: _check_formula("hohenbichler", q),
    "tvedt": lambda q: _check_formula("tvedt", q),
    "paraboloid_probability": _check_paraboloid,
    "sphere_probability": _check_sphere,
    "smoothed_frontier_offset": _check_offset,
}


def sorm_study(quick: bool) -> dict[str, Any]:
    """FORM/SORM vs exact over the issue's grid: max |relative error| per (surface, method, d).

    For each ``beta`` of the grid, ``kappa`` runs over ``[-0.5/beta, 2]``
    (zero left out), ``d - 1`` equal curvatures.  Returns the grid and rows
    ``{"surface", "method", "d", "median", "max", "breakdowns", "points"}``:
    the median and the largest ``|log(P_hat/P)|`` over the grid points where
    the formula is finite (log-ratios: the relative error is their
    ``expm1``), ``breakdowns`` the points where it is ``inf``.
    """
    from rstheory.sorm import METHODS, SURFACES, approximation_errors

    betas = [0.5, 3.0, 6.0] if quick else [0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    num = 9 if quick else 25
    dims = [2, 10, 100, 1000]
    rows: list[dict[str, Any]] = []
    for surface in SURFACES:
        for d in dims:
            logs: dict[str, list[float]] = {name: [] for name in METHODS}
            for beta in betas:
                kappa = np.linspace(-0.5 / beta, 2.0, num)
                kappa = kappa[kappa != 0.0]
                err = approximation_errors(beta, kappa, d, surface)
                for name in METHODS:
                    logs[name] += np.asarray(err[name], dtype=float).tolist()
            for name in METHODS:
                values = np.abs(np.asarray(logs[name]))
                finite = values[np.isfinite(values)]
                rows.append(
                    {
                        "surface": surface,
                        "method": name,
                        "d": d,
                        "median": float(np.median(finite)) if finite.size else math.nan,
                        "max": float(finite.max()) if finite.size else math.nan,
                        "breakdowns": int((~np.isfinite(values)).sum()),
                        "points": int(values.size),
                    }
                )
    return {"betas": betas, "kappas_per_beta": num - 1, "dims": dims, "rows": rows}


def _fmt_log_ratio(value: float) -> str:
    """A largest ``|log(P_hat/P)|`` (``-`` when every point broke down)."""
    return "-" if math.isnan(value) else f"{value:.1e}"


def study_markdown(study: dict[str, Any]) -> list[str]:
    """The study as Markdown: one table per surface, rows = method, columns = d."""
    dims = study["dims"]
    lines = [
        f"beta in {study['betas']}, for each beta {study['kappas_per_beta']} curvatures "
        "kappa in [-0.5/beta, 2] (units of 1/sigma, d - 1 equal ones); each cell: the "
        "median / largest |log(P_hat/P)| (the relative error, to first order) over the "
        "grid points where the formula is finite, then the number of points where it "
        "breaks down (inf).  The log-ratio is a difference of logs, so it stays "
        "a number where P_hat/P itself overflows (FORM at d = 1000).",
    ]
    for surface in ("paraboloid", "sphere"):
        lines += [
            "",
            f"**Exact {surface}**",
            "",
            "| method | " + " | ".join(f"d = {d}" for d in dims) + " |",
            "|---|" + "---:|" * len(dims),
        ]
        for method in ("form", "breitung", "hohenbichler", "tvedt"):
            cells = []
            for d in dims:
                row = next(
                    r
                    for r in study["rows"]
                    if r["surface"] == surface and r["method"] == method and r["d"] == d
                )
                cells.append(
                    f"{_fmt_log_ratio(row['median'])} / {_fmt_log_ratio(row['max'])}"
                    + (f" ({row['breakdowns']} inf)" if row["breakdowns"] else "")
                )
            lines.append(f"| {method} | " + " | ".join(cells) + " |")
    return lines
