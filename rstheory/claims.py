"""The claims ledger: the seed paper's claims, each checked by the toolkit.

Maho, Furon & Le Merrer ("Randomized smoothing under attack: how good is it
in practice?", ICASSP 2022) make eight claims about the practical smoothed
classifier :math:`g_{\\sigma,n}`.  This module states each one (:data:`CLAIMS`),
measures it with the toolkit's own experiments, and judges it by a rule fixed
in advance (documented per claim in :func:`judge`), with one of the verdicts
of :data:`VERDICTS`:

* claims 1-4 (the attacks of section 4) from a digits experiment
  (:func:`rstheory.experiments.run_digits`, the output of
  ``rstheory experiment digits``): CPU-sized models on scikit-learn's 8x8
  digits, not ImageNet, hence the verdict *does not hold at this scale*;
* claims 5-7 (binary search, normal estimate, eq. 6) from the simulation
  study of the verification report (:mod:`rstheory._report_simulate`:
  analytic classifiers with exact answers at :math:`d = 3 \\times 224
  \\times 224` and a flat frontier in :math:`d = 50`) and
  :func:`rstheory.levels.level_distance_bound` on a grid;
* claim 8 (section 3.3) from :func:`rstheory.sorm.smoothed_frontier_offset`
  (exact paraboloids) and the exact frontier of a ball at
  :math:`d = 150528`.

:func:`check_claims` runs what is needed and returns one :class:`ClaimResult`
per claim; :func:`ledger_markdown` writes ``docs/claims.md``; the command line
is ``rstheory claims`` (``--only N``, ``--digits FILE``, ``--markdown FILE``).
The verification report (:func:`rstheory.report.write_report`) judges the
same claims on its own data and puts the verdicts in its summary table.

References
----------
T. Maho, T. Furon, E. Le Merrer, "Randomized smoothing under attack: how good
is it in practice?", ICASSP 2022, arXiv:2204.14187.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "Claim",
    "ClaimResult",
    "CLAIMS",
    "VERDICTS",
    "judge",
    "check_claims",
    "load_digits_result",
    "ledger_markdown",
    "sorm_offsets",
    "summary_rows",
]

HOLDS = "holds"
IN_PART = "holds in part"
NOT_AT_SCALE = "does not hold at this scale"
NOT_MEASURED = "not measured"
#: The verdicts, from agreement to disagreement, then "not measured" (the
#: data lack the cells a claim needs, e.g. the digits without torch).
VERDICTS: tuple[str, ...] = (HOLDS, IN_PART, NOT_AT_SCALE, NOT_MEASURED)

#: The factor of claim 1 on ImageNet (Maho et al. 2022, section 4).
PAPER_FACTOR = 30.0
#: Claim 2: "a little" means a median change of the distortion within this factor.
LITTLE = 1.25
#: Claims 2 and 4: the share of cells that must agree for "holds".
MOST = 2.0 / 3.0
#: Claim 3: an accuracy cost is a drop of at least this much (one point).
ACCURACY_COST = 0.01
#: Claim 5: sd * sqrt(n) must stay within this relative band (the 1/sqrt(n) law).
SQRT_N_BAND = 0.25
#: Claim 6: "well correlated" is a mean cosine of at least this share of the
#: noiseless limit at every delta >= sigma.
WELL = 0.9
#: Claim 6: delta/sigma of the noiseless limit.
NOISELESS_RATIO = 1e4


@dataclass(frozen=True)
class Claim:
    """One claim of the seed paper, as the ledger states it.

    Attributes
    ----------
    number : int
        1 to 8, the order of the issue that asked for the ledger.
    statement : str
        The claim, in a sentence.
    source : str
        Where the paper makes it.
    scope : str
        What the toolkit checks it on: ``"digits"`` (small real models),
        ``"analytic"`` (classifiers with exact answers) or ``"toy"``.
    data : str
        What :func:`check_claims` needs: ``"digits"``, ``"simulation"`` or
        ``"sorm"``.
    """

    number: int
    statement: str
    source: str
    scope: str
    data: str

    def command(self, digits: str | None = None) -> str:
        """The command line that regenerates this claim's row of the ledger."""
        text = f"rstheory claims --only {self.number}"
        if self.data == "digits":
            text += f" --digits {digits or 'DIR/digits.json'}"
        return text


CLAIMS: tuple[Claim, ...] = (
    Claim(
        1,
        "Distortions found by black-box attacks on g_sigma,n are many times (the paper: "
        ">= 30x on ImageNet) the certified radius.",
        "section 4, Figure 5",
        "digits",
        "digits",
    ),
    Claim(
        2,
        "Asking for a level Pa = 0.8 instead of 0.5 moves the attacker only a little.",
        "section 4",
        "digits",
        "digits",
    ),
    Claim(
        3,
        "A large sigma does not make g_sigma,n more robust against these attacks, while it "
        "costs accuracy; a small sigma suffices.",
        "section 4, Figure 5",
        "digits",
        "digits",
    ),
    Claim(
        4,
        "Fewer samples n make g_sigma,n harder to attack (binary search is jeopardized).",
        "sections 3.4 and 4",
        "digits",
        "digits",
    ),
    Claim(
        5,
        "The binary search end point concentrates around the frontier of g_sigma only when n "
        "is large.",
        "section 3.4, Figure 3",
        "analytic",
        "simulation",
    ),
    Claim(
        6,
        "The frontier-normal estimate under RS stays well correlated with the true normal when "
        "the estimation noise exceeds sigma.",
        "section 3.5",
        "analytic",
        "simulation",
    ),
    Claim(
        7,
        "The practical certificate is looser still: eq. (6)'s level-Pa distance vs R(x, sigma).",
        "section 3.2, eq. (4)-(6)",
        "analytic",
        "simulation",
    ),
    Claim(
        8,
        "In convex regions the smoothed frontier comes closer than f's; in concave ones it "
        "moves away.",
        "section 3.3 (SORM)",
        "analytic",
        "sorm",
    ),
)


@dataclass
class ClaimResult:
    """The toolkit's measurement of one :class:`Claim`, and its verdict.

    Attributes
    ----------
    claim : Claim
        The claim.
    verdict : str
        One of :data:`VERDICTS`.
    measured : list of str
        The measured figures, one sentence each.
    reason : str
        Why the rule gave this verdict.
    figures : dict
        The numbers behind the sentences (JSON-ready).
    """

    claim: Claim
    verdict: str
    measured: list[str] = field(default_factory=list)
    reason: str = ""
    figures: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the claim's fields, the verdict, figures and sentences)."""
        return {
            "number": self.claim.number,
            "statement": self.claim.statement,
            "source": self.claim.source,
            "scope": self.claim.scope,
            "verdict": self.verdict,
            "reason": self.reason,
            "measured": list(self.measured),
            "figures": _jsonable(self.figures),
        }


def _jsonable(value: Any) -> Any:
    """Infinities as the strings "inf" / "-inf", NaN as None (strict JSON)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    if isinstance(value, np.integer):
        return int(value)
    return value


def _num(value: Any) -> float:
    """A float from a JSON value (None and NaN as NaN, "inf" strings as infinities)."""
    if value is None:
        return math.nan
    return float(value)


def _g(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits; "inf" for infinities."""
    if math.isnan(value):
        return "-"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return format(value, f".{digits}g")


def _median(values: Sequence[float]) -> float:
    return float(np.median(np.asarray(values, dtype=float))) if len(values) else math.nan


# --------------------------------------------------------------------------- digits (1-4)


def load_digits_result(path: str | Path) -> dict[str, Any]:
    """Read the ``digits.json`` of ``rstheory experiment digits --out DIR``.

    Parameters
    ----------
    path : str or path-like
        The file, or the folder that holds ``digits.json``.

    Returns
    -------
    dict
        The result of :func:`rstheory.experiments.run_digits` (infinities
        restored from the strings ``"inf"``).

    Raises
    ------
    ValueError
        If the file does not exist or is not a digits result.
    """
    p = Path(path)
    if p.is_dir():
        p = p / "digits.json"
    if not p.is_file():
        raise ValueError(f"digits: no such file {str(p)!r} (run rstheory experiment digits)")

    def restore(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: restore(v) for k, v in value.items()}
        if isinstance(value, list):
            return [restore(v) for v in value]
        if value in ("inf", "-inf"):
            return float(value)
        return value

    try:
        data = restore(json.loads(p.read_text(encoding="utf-8")))
    except json.JSONDecodeError as exc:
        raise ValueError(f"digits: {str(p)!r} is not JSON ({exc})") from exc
    if not isinstance(data, dict) or not {"settings", "rows", "models"} <= set(data):
        raise ValueError(f"digits: {str(p)!r} is not the output of rstheory experiment digits")
    return data


def _cells(digits: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat record per (sigma > 0, n, attack, Pa) cell of a digits result."""
    out = []
    for row in digits["rows"]:
        if float(row["sigma"]) <= 0.0:
            continue
        for cell in row["attacks"].values():
            out.append(
                {
                    "sigma": float(row["sigma"]),
                    "n": int(row["n"]),
                    "accuracy": float(row["accuracy"]),
                    "attack": cell["attack"],
                    "pa": float(cell["pa"]),
                    "distortion": _num(cell["median_distortion"]),
                    "success": float(cell["success"]),
                    "ratio": _num(cell["median_ratio"]),
                }
            )
    return out


def _settings_text(digits: dict[str, Any]) -> str:
    conf = digits["settings"]
    sig = ", ".join(f"{s:g}" for s in conf["sigmas"] if float(s) > 0)
    return (
        f"{conf['model'].upper()} on the 8x8 digits, sigma in {{{sig}}}, n in "
        f"{{{', '.join(str(n) for n in conf['ns'])}}}, attacks {', '.join(conf['attacks'])}, "
        f"Pa in {{{', '.join(f'{p:g}' for p in conf['pas'])}}}, {conf['inputs']} inputs, "
        f"{conf['max_queries']} queries per attack"
    )


def _claim_1(claim: Claim, digits: dict[str, Any]) -> ClaimResult:
    cells = [c for c in _cells(digits) if not math.isnan(c["ratio"])]
    finite = [c["ratio"] for c in cells if math.isfinite(c["ratio"])]
    if not finite:
        return ClaimResult(
            claim, NOT_MEASURED, reason="no cell with a certified radius and a successful attack"
        )
    med, low, high = _median(finite), min(finite), max(finite)
    figures = {
        "cells": len(cells),
        "finite": len(finite),
        "median_ratio": med,
        "min_ratio": low,
        "max_ratio": high,
        "paper_factor": PAPER_FACTOR,
    }
    by_sigma = {
        s: _median([c["ratio"] for c in cells if c["sigma"] == s and math.isfinite(c["ratio"])])
        for s in sorted({c["sigma"] for c in cells})
    }
    figures["median_ratio_by_sigma"] = {f"{s:g}": v for s, v in by_sigma.items()}
    measured = [
        f"{_settings_text(digits)}.",
        f"Median distortion / certified radius over {len(finite)} cells (sigma > 0, every n, "
        f"attack and Pa; {len(cells) - len(finite)} cells whose median attack failed left out): "
        f"median {_g(med)}x, range {_g(low)}x to {_g(high)}x.",
        "By sigma: "
        + ", ".join(f"sigma {k}: {_g(v)}x" for k, v in figures["median_ratio_by_sigma"].items())
        + ".",
    ]
    if med >= PAPER_FACTOR:
        verdict, reason = HOLDS, f"the median ratio is at least {PAPER_FACTOR:g}x"
    elif med > 1.0:
        verdict = IN_PART
        reason = (
            f"the per-cell median distortions are {_g(low)}x to {_g(high)}x the certified "
            f"radius, but their median is below the paper's {PAPER_FACTOR:g}x (an 8x8 input "
            "leaves far less room than 3x224x224)"
        )
    else:
        verdict, reason = NOT_AT_SCALE, "the median distortion is within the certified radius"
    return ClaimResult(claim, verdict, measured, reason, figures)


_AXES = ("sigma", "n", "attack", "pa")


def _extremes(
    cells: Sequence[dict[str, Any]], which: str
) -> tuple[Any, Any, list[tuple[dict[str, Any], dict[str, Any]]]] | None:
    """The smallest and largest value of axis ``which`` and the cell pairs that differ only
    there: ``(low, high, [(cell_at_low, cell_at_high), ...])``; None with fewer than two values.
    """
    values = sorted({c[which] for c in cells})
    if len(values) < 2:
        return None
    low, high = values[0], values[-1]
    table: dict[Any, dict[Any, dict[str, Any]]] = {}
    for c in cells:
        table.setdefault(tuple(c[k] for k in _AXES if k != which), {})[c[which]] = c
    return low, high, [(v[low], v[high]) for v in table.values() if low in v and high in v]


def _ratios(pairs: Sequence[tuple[dict[str, Any], dict[str, Any]]], finite: bool) -> list[float]:
    """Distortion of the second cell over the first's, per pair; pairs where both attacks
    failed are left out, and with ``finite`` every pair where one failed."""
    out = []
    for a, b in pairs:
        da, db = a["distortion"], b["distortion"]
        if (finite and not (math.isfinite(da) and math.isfinite(db))) or (
            math.isinf(da) and math.isinf(db)
        ):
            continue
        out.append(db / da)
    return out


def _claim_2(claim: Claim, digits: dict[str, Any]) -> ClaimResult:
    found = _extremes(_cells(digits), "pa")
    if found is None:
        return ClaimResult(claim, NOT_MEASURED, reason="the grid has one level Pa")
    low, high, pairs = found
    ratios = _ratios(pairs, finite=True)
    failed = sum(
        1 for lo, h in pairs if math.isinf(h["distortion"]) and math.isfinite(lo["distortion"])
    )
    if not ratios:
        return ClaimResult(claim, NOT_MEASURED, reason="no cell where both levels succeeded")
    med = _median(ratios)
    share = float(np.mean([1.0 / LITTLE <= r <= LITTLE for r in ratios]))
    figures = {
        "pa": [low, high],
        "pairs": len(pairs),
        "compared": len(ratios),
        "median_ratio": med,
        "min_ratio": min(ratios),
        "max_ratio": max(ratios),
        "within": share,
        "failed_only_at_high": failed,
    }
    measured = [
        f"{_settings_text(digits)}.",
        f"Median distortion at Pa = {high:g} over that at Pa = {low:g}, {len(ratios)} "
        f"(sigma > 0, n, attack) cells: median {_g(med)}, range {_g(min(ratios))} to "
        f"{_g(max(ratios))}; {100 * share:.0f}% of cells within a factor {LITTLE:g}.",
        f"Cells where the attack reached Pa = {low:g} but failed at Pa = {high:g}: {failed}.",
    ]
    in_band = 1.0 / LITTLE <= med <= LITTLE
    if in_band and share >= MOST:
        verdict = HOLDS
        reason = f"median change within a factor {LITTLE:g} in {100 * share:.0f}% of cells"
    elif in_band:
        verdict = IN_PART
        reason = f"the median is within a factor {LITTLE:g}, but only {100 * share:.0f}% of cells"
    else:
        verdict, reason = NOT_AT_SCALE, f"the median ratio {_g(med)} is outside a factor {LITTLE:g}"
    return ClaimResult(claim, verdict, measured, reason, figures)


def _claim_3(claim: Claim, digits: dict[str, Any]) -> ClaimResult:
    found = _extremes(_cells(digits), "sigma")
    if found is None:
        return ClaimResult(claim, NOT_MEASURED, reason="the grid has fewer than two sigma > 0")
    small, large, pairs = found
    ratios = _ratios(pairs, finite=False)
    acc = {
        (float(r["sigma"]), int(r["n"])): float(r["accuracy"])
        for r in digits["rows"]
        if float(r["sigma"]) > 0.0
    }
    ns = sorted({n for s, n in acc if s == small} & {n for s, n in acc if s == large})
    if not ratios or not ns:
        return ClaimResult(claim, NOT_MEASURED, reason="no (n, attack, Pa) cell at both sigmas")
    drops = [acc[(small, n)] - acc[(large, n)] for n in ns]
    med, drop = _median(ratios), float(np.mean(drops))
    models = digits["models"]
    figures = {
        "sigma": [small, large],
        "compared": len(ratios),
        "median_distortion_ratio": med,
        "accuracy_drop": drop,
        "accuracy_small": [acc[(small, n)] for n in ns],
        "accuracy_large": [acc[(large, n)] for n in ns],
        "ns": ns,
        "base_accuracy": [models.get(f"{small:g}"), models.get(f"{large:g}")],
    }
    more_robust = med > LITTLE
    costs = drop >= ACCURACY_COST
    measured = [
        f"{_settings_text(digits)}.",
        f"Median distortion at sigma = {large:g} over that at sigma = {small:g}, {len(ratios)} "
        f"(n, attack, Pa) cells: {_g(med)} (a failed attack counts as inf).",
        f"Accuracy of g_sigma,n at sigma = {small:g} / {large:g}: "
        + ", ".join(f"n = {n}: {acc[(small, n)]:.3f} / {acc[(large, n)]:.3f}" for n in ns)
        + f" (mean drop {drop:+.3f}); base models "
        f"{_g(_num(models.get(f'{small:g}')))} / {_g(_num(models.get(f'{large:g}')))}.",
    ]
    parts = [
        f"the larger sigma {'does' if more_robust else 'does not'} make the attacks need "
        f"{'more' if more_robust else 'about the same or less'} distortion (median {_g(med)}x)",
        (
            f"it costs accuracy (mean drop {drop:+.3f})"
            if costs
            else f"its accuracy cost is below the {ACCURACY_COST:g} threshold (mean drop "
            f"{drop:+.3f})"
        ),
    ]
    if not more_robust and costs:
        verdict = HOLDS
    elif more_robust and not costs:
        verdict = NOT_AT_SCALE
    else:
        verdict = IN_PART
    return ClaimResult(claim, verdict, measured, "; ".join(parts), figures)


def _claim_4(claim: Claim, digits: dict[str, Any]) -> ClaimResult:
    found = _extremes(_cells(digits), "n")
    if found is None:
        return ClaimResult(claim, NOT_MEASURED, reason="the grid has one n")
    few, many, pairs = found
    if not pairs:
        return ClaimResult(claim, NOT_MEASURED, reason="no cell at both n")
    harder = [a["distortion"] > b["distortion"] for a, b in pairs]
    share = float(np.mean(harder))
    success = [(a["success"], b["success"]) for a, b in pairs]
    defeated = sum(1 for a, _ in pairs if math.isinf(a["distortion"]))
    by_sigma: dict[str, list[float]] = {}
    for a, b in pairs:
        by_sigma.setdefault(f"{a['sigma']:g}", []).append(a["distortion"] / b["distortion"])
    figures: dict[str, Any] = {
        "n": [few, many],
        "pairs": len(pairs),
        "harder": int(sum(harder)),
        "share": share,
        "defeated_at_few": defeated,
        "success_few": float(np.mean([s for s, _ in success])),
        "success_many": float(np.mean([s for _, s in success])),
        "median_ratio_by_sigma": {k: _median(v) for k, v in by_sigma.items()},
    }
    measured = [
        f"{_settings_text(digits)}.",
        f"n = {few} against n = {many}, {len(pairs)} (sigma, attack, Pa) cells: the median "
        f"distortion is larger at n = {few} in {int(sum(harder))} ({100 * share:.0f}%); the "
        f"attack fails on at least half the inputs at n = {few} in {defeated}; mean success rate "
        f"{figures['success_few']:.2f} at n = {few} vs {figures['success_many']:.2f} at "
        f"n = {many}.",
        f"Median distortion at n = {few} over that at n = {many}, by sigma: "
        + ", ".join(f"sigma {k}: {_g(v)}" for k, v in figures["median_ratio_by_sigma"].items())
        + ".",
    ]
    if share >= MOST:
        verdict = HOLDS
    elif share >= 1.0 - MOST:
        verdict = IN_PART
    else:
        verdict = NOT_AT_SCALE
    reason = f"fewer votes are harder to attack in {100 * share:.0f}% of cells"
    return ClaimResult(claim, verdict, measured, reason, figures)


# --------------------------------------------------------------------------- analytic (5-8)


def _claim_5(claim: Claim, simulation: dict[str, Any]) -> ClaimResult:
    setup, rows = simulation["setup"], simulation["spread"]["rows"]
    sigma = float(setup["sigma"])
    ns = [int(r["n"]) for r in rows]
    sd = [float(r["exact_sd"]) for r in rows]
    off = [abs(float(r["exact_median"]) - float(r["frontier"])) for r in rows]
    law = [s * math.sqrt(n) for s, n in zip(sd, ns, strict=True)]
    spread_law = max(law) / min(law) - 1.0
    decreasing = all(b < a for a, b in zip(sd, sd[1:], strict=False))
    figures = {
        "ns": ns,
        "sd_over_sigma": [s / sigma for s in sd],
        "median_offset_over_sigma": [o / sigma for o in off],
        "sd_sqrt_n_spread": spread_law,
        "frontier": float(rows[0]["frontier"]),
        "ks_max": max(float(r["ks"]) for r in rows),
        "ks_critical": float(rows[0]["ks_critical"]),
    }
    measured = [
        f"Ball of radius {setup['radius']:g} in d = {setup['dim']}, sigma = {sigma:g}, x_o its "
        f"centre; {simulation['spread']['steps']}-step bisection toward the outside, exact law "
        "of the end point (`simulate.search_distribution`), checked against "
        f"{simulation['spread']['repeats']} runs (largest KS distance {figures['ks_max']:.3f} "
        f"< 1% critical value {figures['ks_critical']:.3f}).",
        "Standard deviation of the end point / sigma: "
        + ", ".join(f"n = {n}: {_g(s / sigma)}" for n, s in zip(ns, sd, strict=True))
        + "; |median - frontier of g_sigma| / sigma: "
        + ", ".join(f"{_g(o / sigma, 2)}" for o in off)
        + f"; sd * sqrt(n) constant within {100 * spread_law:.0f}%.",
    ]
    if decreasing and spread_law <= SQRT_N_BAND:
        verdict = HOLDS
        reason = (
            f"the end point's spread falls like sigma/sqrt(n) (sd = {_g(sd[0] / sigma)} sigma at "
            f"n = {ns[0]}, {_g(sd[-1] / sigma)} sigma at n = {ns[-1]}): it concentrates on "
            "g_sigma's frontier only as n grows"
        )
    elif decreasing:
        verdict, reason = IN_PART, "the spread falls with n, but not like 1/sqrt(n)"
    else:
        verdict, reason = NOT_AT_SCALE, "the spread does not fall with n"
    return ClaimResult(claim, verdict, measured, reason, figures)


def _claim_6(claim: Claim, simulation: dict[str, Any]) -> ClaimResult:
    from rstheory.simulate import linear_normal_cosine

    normal = simulation["normal"]
    ratios = [float(r) for r in normal["ratios"]]
    above = [i for i, r in enumerate(ratios) if r >= 1.0]
    below = [i for i, r in enumerate(ratios) if r < 1.0]
    if not above:
        return ClaimResult(claim, NOT_MEASURED, reason="no delta >= sigma in the study")
    rows = normal["rows"]
    limit = {
        int(r["n"]): linear_normal_cosine(
            int(r["n"]), NOISELESS_RATIO, normal["dim"], normal["queries"]
        )
        for r in rows
    }
    share = {int(r["n"]): min(r["mean"][i] / limit[int(r["n"])] for i in above) for r in rows}
    small = {int(r["n"]): (r["mean"][below[0]] if below else math.nan) for r in rows}
    worst = min(share.values())
    figures = {
        "dim": normal["dim"],
        "queries": normal["queries"],
        "ratios": ratios,
        "noiseless_limit": limit,
        "min_share_above": share,
        "cosine_at_smallest_ratio": small,
        "max_z": float(normal["max_z"]),
    }
    measured = [
        f"HopSkipJump's estimate from {normal['queries']} signs of g_sigma,n on a flat frontier "
        f"(`Linear`, d = {normal['dim']}), {normal['repeats']} repeats, against the theory "
        f"`simulate.linear_normal_cosine` (largest gap {float(normal['max_z']):.1f} standard "
        "errors).",
        "Mean cosine at delta >= sigma as a share of the noiseless limit (delta/sigma = "
        f"{NOISELESS_RATIO:g}), worst over delta/sigma in "
        f"{{{', '.join(_g(ratios[i]) for i in above)}}}: "
        + ", ".join(f"n = {n}: {100 * v:.0f}%" for n, v in share.items())
        + ".",
    ]
    if below:
        measured.append(
            f"At delta/sigma = {_g(ratios[below[0]])} the mean cosine is "
            + ", ".join(f"{v:.2f} (n = {n})" for n, v in small.items())
            + "."
        )
    if worst >= WELL:
        verdict = HOLDS
        reason = (
            f"at every delta >= sigma the cosine keeps at least {100 * worst:.0f}% of its "
            "noiseless value, for every n"
        )
    elif worst >= 0.5:
        verdict = IN_PART
        reason = f"the cosine keeps only {100 * worst:.0f}% of its noiseless value"
    else:
        verdict, reason = NOT_AT_SCALE, f"the cosine drops to {100 * worst:.0f}% of its limit"
    return ClaimResult(claim, verdict, measured, reason, figures)


#: Claim 7's grid: certified radius (units of sigma), level Pa, votes n.
_LEVEL_GRID: tuple[tuple[float, ...], ...] = (
    (0.1, 1.0, 3.0),
    (0.5, 0.6, 0.8, 0.95, 0.99),
    (1, 2, 10, 11, 100, 1000, 100_000),
)


def _claim_7(claim: Claim, simulation: dict[str, Any]) -> ClaimResult:
    from rstheory.levels import level_distance_bound

    setup, scan = simulation["setup"], simulation["scan"]
    sigma = float(setup["sigma"])
    rad, pas, ns = (np.array(v, dtype=float) for v in _LEVEL_GRID)
    r, p, n = np.meshgrid(rad * sigma, pas, ns, indexing="ij")
    bound = level_distance_bound(r, p, n, sigma)
    gap = (bound - r) / sigma
    strict = gap[p > 0.5]
    row1, row_n = scan["rows"][0], scan["rows"][-1]
    figures: dict[str, Any] = {
        "grid_points": int(gap.size),
        "min_gap_over_sigma": float(gap.min()),
        "min_gap_pa_above_half": float(strict.min()),
        "max_gap_over_sigma": float(gap.max()),
        "radius": float(row1["radius"]),
        "level_bounds_n1": [float(v) for v in row1["level_bounds"]],
        "level_bounds_nmax": [float(v) for v in row_n["level_bounds"]],
        "half_distance": float(row1["half_distance"]),
        "pa": [float(v) for v in scan["pa"]],
    }
    measured = [
        f"`levels.level_distance_bound` over {gap.size} points (R / sigma in "
        f"{{{', '.join(_g(v) for v in _LEVEL_GRID[0])}}}, Pa in "
        f"{{{', '.join(_g(v) for v in _LEVEL_GRID[1])}}}, n from 1 to 1e5, ties lose): "
        f"(bound - R) / sigma from {_g(float(gap.min()))} to {_g(float(gap.max()))}, and at "
        f"least {_g(float(strict.min()))} when Pa > 0.5.",
        f"Ball in d = {setup['dim']}, sigma = {sigma:g}: certified radius "
        f"{_g(figures['radius'], 4)}; eq. (6) bound at Pa = "
        + " / ".join(_g(v) for v in figures["pa"])
        + f": {' / '.join(_g(v, 4) for v in figures['level_bounds_n1'])} (n = {row1['n']}), "
        f"{' / '.join(_g(v, 4) for v in figures['level_bounds_nmax'])} (n = {row_n['n']}); the "
        f"exact distance to P = 1/2 along the scanned ray: {_g(figures['half_distance'], 4)}.",
    ]
    if gap.min() >= 0.0 and strict.min() > 0.0:
        verdict = HOLDS
        reason = (
            "eq. (6) never falls below R and exceeds it whenever Pa > 1/2 (most for few votes): "
            "R understates the distance to a level-Pa adversarial example"
        )
    elif gap.min() >= 0.0:
        verdict, reason = IN_PART, "eq. (6) equals R at some Pa > 1/2"
    else:
        verdict, reason = NOT_AT_SCALE, "eq. (6) falls below R somewhere"
    return ClaimResult(claim, verdict, measured, reason, figures)


#: Claim 8's grid: dimensions and curvatures (units of 1/sigma).
_OFFSET_GRID = ((2, 10, 100), (0.01, 0.1, 0.3))


def sorm_offsets() -> dict[str, Any]:
    """The signed offsets of the smoothed frontier on claim 8's grid (sigma = 1).

    Returns
    -------
    dict
        ``dims``, ``kappas`` and ``offsets[i][j][s]``: the exact offset of
        :func:`rstheory.sorm.smoothed_frontier_offset` for ``d = dims[i]``
        equal curvatures ``+kappas[j]`` (``s = 0``: the far region convex, so
        ``x``'s region concave) and ``-kappas[j]`` (``s = 1``: ``x``'s region
        convex).
    """
    from rstheory.sorm import smoothed_frontier_offset

    dims, kappas = _OFFSET_GRID
    offsets = [
        [
            [float(smoothed_frontier_offset([sign * k] * (d - 1))) for sign in (1.0, -1.0)]
            for k in kappas
        ]
        for d in dims
    ]
    return {"dims": list(dims), "kappas": list(kappas), "offsets": offsets}


def _claim_8(claim: Claim, sorm: dict[str, Any], simulation: dict[str, Any] | None) -> ClaimResult:
    offsets = np.asarray(sorm["offsets"], dtype=float)  # (dims, kappas, sign)
    away = offsets[..., 0]  # x's region concave: s > 0 means away from x
    toward = offsets[..., 1]  # x's region convex: s < 0 means toward x
    ok_concave = bool(np.all(away > 0.0))
    ok_convex = bool(np.all(toward < 0.0))
    figures: dict[str, Any] = {
        "dims": sorm["dims"],
        "kappas": sorm["kappas"],
        "away_min": float(away.min()),
        "toward_max": float(toward.max()),
        "largest": [float(away.max()), float(toward.min())],
    }
    measured = [
        "Exact offset of g_sigma's frontier along the normal (`sorm.smoothed_frontier_offset`, "
        f"paraboloids with d - 1 equal curvatures, d in {{{', '.join(map(str, sorm['dims']))}}}, "
        f"|kappa| sigma in {{{', '.join(_g(k) for k in sorm['kappas'])}}}, sigma = 1): x's region "
        f"concave: +{_g(float(away.min()))} to +{_g(float(away.max()))} sigma (away from x); "
        f"x's region convex: {_g(float(toward.max()))} to {_g(float(toward.min()))} sigma "
        "(toward x).",
    ]
    if simulation is not None:
        row, setup = simulation["scan"]["rows"][0], simulation["setup"]
        figures["ball"] = {
            "dim": setup["dim"],
            "radius": float(row["base_frontier"]),
            "smoothed": float(row["smoothed_frontier"]),
        }
        measured.append(
            f"Ball of radius {setup['radius']:g} in d = {setup['dim']}, sigma = "
            f"{setup['sigma']:g} (exact): g_sigma's frontier is the sphere of radius "
            f"{_g(float(row['smoothed_frontier']), 4)}: from inside (a convex region) it is "
            f"{_g(float(row['base_frontier']) / float(row['smoothed_frontier']), 3)} times "
            "closer than f's; from outside (concave) it is "
            f"{_g(float(row['base_frontier']) - float(row['smoothed_frontier']), 4)} farther."
        )
        ok_convex = ok_convex and float(row["smoothed_frontier"]) < float(row["base_frontier"])
    if ok_concave and ok_convex:
        verdict = HOLDS
        reason = "every offset has the claimed sign (toward x in convex regions, away in concave)"
    elif ok_concave or ok_convex:
        verdict, reason = IN_PART, "the offsets have the claimed sign on one side only"
    else:
        verdict, reason = NOT_AT_SCALE, "the offsets contradict the claim"
    return ClaimResult(claim, verdict, measured, reason, figures)


# --------------------------------------------------------------------------- entry points


def judge(
    number: int,
    *,
    digits: dict[str, Any] | None = None,
    simulation: dict[str, Any] | None = None,
    sorm: dict[str, Any] | None = None,
) -> ClaimResult:
    """Judge one claim on the given data.

    Parameters
    ----------
    number : int
        The claim, 1 to 8 (see :data:`CLAIMS`).
    digits : dict, optional
        A :func:`rstheory.experiments.run_digits` result (claims 1-4).
    simulation : dict, optional
        The simulation study of the report, :func:`rstheory._report_simulate.simulate_study`
        or its :func:`~rstheory._report_simulate.summary` (claims 5-7; claim 8 adds the ball).
    sorm : dict, optional
        :func:`sorm_offsets` (claim 8).

    Returns
    -------
    ClaimResult
        With verdict ``"not measured"`` (and the reason) when the data it
        needs are missing or lack the cells it compares.

    Raises
    ------
    ValueError
        If ``number`` is not 1 to 8.

    Notes
    -----
    The rules, fixed before the measurements (the constants are module attributes):

    1. Ratios distortion / certified radius, per cell the median over inputs:
       *holds* if their median is at least 30 (the paper's ImageNet factor),
       *in part* if above 1, else *does not hold*.
    2. Distortion at the highest over the lowest Pa, per (sigma, n, attack):
       *holds* if the median ratio and two thirds of the cells are within a
       factor 1.25, *in part* if only the median is.
    3. Distortion at the largest over the smallest sigma > 0, per (n, attack,
       Pa), and the accuracy of :math:`g_{\\sigma,n}`: *holds* if the median
       ratio is at most 1.25 (not more robust) and accuracy drops by at least
       0.01 on average; *does not hold* if the larger sigma is more robust at
       no such cost; *in part* otherwise.
    4. Distortion (inf for a failed attack) at the smallest over the largest
       n, per (sigma, attack, Pa): *holds* if larger in two thirds of the
       cells, *in part* if in a third.
    5. The exact standard deviation of the search's end point: *holds* if it
       falls with n and :math:`\\mathrm{sd}\\sqrt n` is constant within 25%
       (the spread only: the offset of the median from the frontier, shown,
       does not enter the verdict).
    6. Mean cosine of the estimate at every :math:`\\delta \\ge \\sigma`:
       *holds* if at least 90% of its noiseless limit for every n, *in part*
       if at least 50%.
    7. :func:`rstheory.levels.level_distance_bound` minus :math:`R`: *holds*
       if never negative and positive whenever Pa > 1/2.
    8. The exact offset of the smoothed frontier: *holds* if it points toward
       x wherever x's region is convex and away where it is concave, and (with
       the simulation study) the ball's smoothed frontier is closer than f's.
    """
    if not isinstance(number, (int, np.integer)) or not 1 <= int(number) <= len(CLAIMS):
        raise ValueError(f"number must be an integer from 1 to {len(CLAIMS)}, got {number!r}")
    claim = CLAIMS[int(number) - 1]
    if claim.data == "digits":
        if digits is None:
            return ClaimResult(claim, NOT_MEASURED, reason="no digits experiment")
        return (_claim_1, _claim_2, _claim_3, _claim_4)[claim.number - 1](claim, digits)
    if claim.data == "sorm":
        if sorm is None:
            return ClaimResult(claim, NOT_MEASURED, reason="no SORM offsets")
        return _claim_8(claim, sorm, simulation)
    if simulation is None:
        return ClaimResult(claim, NOT_MEASURED, reason="no simulation study")
    return (_claim_5, _claim_6, _claim_7)[claim.number - 5](claim, simulation)


def check_claims(
    only: Iterable[int] | None = None,
    *,
    digits: dict[str, Any] | str | Path | None = None,
    quick: bool = False,
    simulation: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[ClaimResult]:
    """Measure and judge the claims.

    Parameters
    ----------
    only : iterable of int, optional
        The claims to check (default all eight); only the data these need
        are computed.
    digits : dict, str or path-like, optional
        The digits experiment for claims 1-4: a
        :func:`~rstheory.experiments.run_digits` result or the path of its
        ``digits.json`` (see :func:`load_digits_result`).  Default: run the
        report's grid (:func:`rstheory._report_digits.report_settings`; needs
        torch and scikit-learn, else the claims are "not measured").
    quick : bool, optional
        Smaller simulations and digits grid (the report's ``--quick``).
    simulation : dict, optional
        A simulation study already run (:func:`rstheory._report_simulate.simulate_study`).
    progress : callable, optional
        Called with a line of text before each long step.

    Returns
    -------
    list of ClaimResult
        In the order of ``only`` (sorted, duplicates removed).

    Raises
    ------
    ValueError
        For a claim number outside 1-8 or a bad ``digits`` file.
    """
    from rstheory import _report_digits, _report_simulate

    numbers = sorted(set(range(1, len(CLAIMS) + 1) if only is None else only))
    for n in numbers:
        if not isinstance(n, (int, np.integer)) or not 1 <= n <= len(CLAIMS):
            raise ValueError(f"only must hold claim numbers from 1 to {len(CLAIMS)}, got {n!r}")
    say = progress or (lambda text: None)
    needs = {CLAIMS[n - 1].data for n in numbers}
    data: dict[str, Any] = {}
    if "digits" in needs:
        if isinstance(digits, (str, Path)):
            data["digits"] = load_digits_result(digits)
        elif digits is not None:
            data["digits"] = digits
        elif _report_digits.available() is None:
            say("claims 1-4: running the digits experiment (report grid)")
            data["digits"] = _report_digits.digits_study(quick)
        else:
            say(f"claims 1-4: not measured ({_report_digits.available()})")
    if needs & {"simulation", "sorm"}:
        if simulation is None:
            say("claims 5-8: running the simulation study")
            simulation = _report_simulate.simulate_study(quick)
        data["simulation"] = simulation
    if "sorm" in needs:
        data["sorm"] = sorm_offsets()
    return [judge(n, **data) for n in numbers]


# --------------------------------------------------------------------------- ledger


def summary_rows(results: Sequence[ClaimResult]) -> list[str]:
    """A Markdown table: claim, scope, verdict (the report's summary uses it too)."""
    lines = ["| # | claim | scope | verdict |", "|---:|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r.claim.number} | {r.claim.statement} | {r.claim.scope} | **{r.verdict}** |"
        )
    return lines


def ledger_markdown(results: Sequence[ClaimResult], *, digits: str | None = None) -> str:
    """The claims ledger (``docs/claims.md``) as Markdown.

    Parameters
    ----------
    results : sequence of ClaimResult
        From :func:`check_claims`.
    digits : str, optional
        The path of the digits result the commands should name.

    Returns
    -------
    str
        The page: how it is made, the verdict rules, a summary table and one
        section per claim (statement, source, scope, command, measured
        figures, verdict and reason).
    """
    lines = [
        "# The claims ledger",
        "",
        "Maho, Furon & Le Merrer (*Randomized smoothing under attack: how good is it in "
        "practice?*, ICASSP 2022) make the claims below about the practical smoothed "
        "classifier g_sigma,n.  Each row was measured by the toolkit and judged by a rule "
        "fixed in advance (`rstheory.claims.judge`); the command under each claim "
        "regenerates it, and this whole page is the output of",
        "",
        "```bash",
        f"rstheory claims --digits {digits or 'DIR/digits.json'} --markdown docs/claims.md",
        "```",
        "",
        "A test regenerates the page from the same data and fails if a figure or a verdict "
        "changed.  Scopes: *analytic*: classifiers whose smoothed probabilities are known "
        "exactly (a ball and a half-space), checked against those exact values; *digits*: "
        "small CNNs trained with noise on scikit-learn's 8x8 digits and attacked by "
        "`rstheory.attacks` (the paper attacks a ResNet-50 on ImageNet).  Verdicts: "
        + ", ".join(f"*{v}*" for v in VERDICTS)
        + ".",
    ]
    if digits:
        lines += [
            "",
            f"Claims 1-4 read `{digits}`, the output of `rstheory experiment digits --out DIR` "
            "(the full grid; 790 s on 2 cores).",
        ]
    lines += ["", *summary_rows(results)]
    for r in results:
        c = r.claim
        lines += [
            "",
            f"## {c.number}. {c.statement}",
            "",
            f"*Source*: Maho et al. 2022, {c.source}.  *Scope*: {c.scope}.",
            "",
            "```bash",
            c.command(digits),
            "```",
            "",
            *[f"- {m}" for m in r.measured],
            "",
            f"**Verdict: {r.verdict}**: {r.reason}.",
        ]
    lines.append("")
    return "\n".join(lines)
