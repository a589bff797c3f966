"""The simulation section of the verification report (:mod:`rstheory.report`).

The experiments of Maho, Furon & Le Merrer (ICASSP 2022, Figures 1-3 and
section 3.5) run with :mod:`rstheory.simulate` on classifiers whose exact
answers are known, with fixed seeds, and checked against those answers:

* a direction scan of :math:`P[g_{\\sigma,n} \\ne y]` from the centre of a ball
  in :math:`d = 3 \\times 224 \\times 224` (Figure 1): the estimates against
  the exact curve, the certified radius, the level-:math:`P_a` bounds and the
  frontiers of :math:`f` and :math:`g_\\sigma`;
* the spread of a binary search's end point on the same ball (Figure 3),
  against its exact law (:func:`rstheory.simulate.search_distribution`);
* 2-D label maps of :math:`g_{\\sigma,n}` on a plane through the ball's
  centre and on the three-sector toy (Figure 2), with the number of pixels
  whose label differs from the ideal :math:`g_\\sigma`'s, observed and
  expected;
* the cosine of HopSkipJump's normal estimate on a flat frontier against
  :func:`rstheory.simulate.linear_normal_cosine`.

:func:`simulate_study` returns the numbers (JSON-ready, see :func:`summary`)
and, under ``"objects"``, the result objects that :func:`write_figures`
draws with :mod:`rstheory.plots`; :func:`study_markdown` writes the tables.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["simulate_study", "study_markdown", "summary", "write_figures", "FIGURES"]

#: Seed of every experiment (with the experiment's index and n appended).
SEED = 20220523
#: The dimension of the ball experiments (an ImageNet input).
BALL_DIM = 3 * 224 * 224
BALL_RADIUS = 100.0
SIGMA = 0.25
NS: tuple[int, ...] = (1, 10, 50, 200)
#: Figure files written by :func:`write_figures`, in order.
FIGURES: tuple[str, ...] = (
    "direction_scan.png",
    "search_spread.png",
    "slices.png",
    "slices_sectors.png",
    "direction_scan_sectors.png",
    "search_spread_sectors.png",
    "normal_cosine.png",
)


def _sizes(quick: bool) -> dict[str, Any]:
    """Sizes of the experiments: the default ones, or small ones for the test-suite."""
    if quick:
        return {
            "coarse": 23,
            "dense": 17,
            "scan_repeats": 30,
            "steps": 10,
            "search_repeats": 100,
            "resolution": 40,
            "exact_resolution": 11,
            "ratios": 4,
            "normal_repeats": 5,
        }
    return {
        "coarse": 56,
        "dense": 81,
        "scan_repeats": 200,
        "steps": 14,
        "search_repeats": 500,
        "resolution": 150,
        "exact_resolution": 41,
        "ratios": 8,
        "normal_repeats": 20,
    }


def _rng(experiment: int, n: int) -> np.random.Generator:
    return np.random.default_rng((SEED, experiment, n))


# --------------------------------------------------------------------------- experiments


def _half_distance(g: Any, x_o: Any, u: Any, scan: Any) -> float:
    """Distance where the exact :math:`P[g_{\\sigma,n} \\ne y]` crosses 1/2 (root of the curve)."""
    import scipy.optimize

    from rstheory.levels import majority_vote_probability

    exact = np.asarray(scan.exact, dtype=float)
    t = np.asarray(scan.distances, dtype=float)
    above = np.flatnonzero(exact >= 0.5)
    if above.size == 0 or above[0] == 0:
        return math.nan
    i = int(above[0])
    other = 1 - int(scan.label)

    def gap(s: float) -> float:
        q = float(g.probability(x_o + s * u)[other])
        return float(majority_vote_probability(q, g.n, g.ties)) - 0.5

    return float(scipy.optimize.brentq(gap, t[i - 1], t[i], xtol=1e-12))


def _scan_study(sizes: dict[str, Any], ball: Any, x_o: Any, u: Any) -> dict[str, Any]:
    from rstheory.simulate import SmoothedClassifier, direction_scan

    distances = np.union1d(
        np.linspace(0.0, 110.0, sizes["coarse"]), np.linspace(22.5, 26.5, sizes["dense"])
    )
    scans, rows = [], []
    for n in NS:
        g = SmoothedClassifier(ball, SIGMA, n, rng=_rng(1, n))
        scan = direction_scan(g, x_o, u, distances, sizes["scan_repeats"])
        exact = np.asarray(scan.exact, dtype=float)
        miss = (exact < scan.low) | (exact > scan.high)
        rows.append(
            {
                "n": n,
                "radius": scan.radius,
                "level_bounds": [float(v) for v in scan.level_bounds],
                "smoothed_frontier": scan.smoothed_frontier,
                "base_frontier": scan.base_frontier,
                "half_distance": _half_distance(g, x_o, u, scan),
                "max_abs_error": float(np.max(np.abs(scan.estimate - exact))),
                "misses": int(miss.sum()),
                "intervals": int(miss.size),
            }
        )
        scans.append(scan)
    return {
        "distances": int(distances.size),
        "repeats": sizes["scan_repeats"],
        "alpha": 0.001,
        "pa": [float(v) for v in scans[0].pa],
        "rows": rows,
        "objects": scans,
    }


def _ks_distance(samples: Any, law: Any) -> float:
    """sup |F_empirical - F_exact| over the jump points of both step functions."""
    x = np.sort(np.asarray(samples, dtype=float))
    points = np.union1d(x, law.distances)
    empirical = np.searchsorted(x, points, side="right") / x.size
    return float(np.max(np.abs(empirical - law.cdf(points))))


def _spread_study(sizes: dict[str, Any], ball: Any, x_o: Any, u: Any) -> dict[str, Any]:
    from rstheory.simulate import SmoothedClassifier, binary_search_spread, search_distribution

    length = 40.0
    steps, reps = sizes["steps"], sizes["search_repeats"]
    spreads, laws, rows = [], [], []
    for n in NS:
        g = SmoothedClassifier(ball, SIGMA, n, rng=_rng(2, n))
        spread = binary_search_spread(g, x_o, x_o + length * u, steps, reps)
        law = search_distribution(g, x_o, x_o + length * u, steps, drop=1e-12)
        d = np.asarray(spread.distances, dtype=float)
        q25, q50, q75 = (float(v) for v in np.quantile(d, [0.25, 0.5, 0.75]))
        p = law.probabilities / law.probabilities.sum()
        mean = float(p @ law.distances)
        exact_sd = math.sqrt(max(0.0, float(p @ (law.distances - mean) ** 2)))
        sd = float(np.std(d, ddof=1))
        rows.append(
            {
                "n": n,
                "median": q50,
                "iqr": q75 - q25,
                "sd": sd,
                "exact_median": float(law.quantile(0.5)),
                "exact_sd": exact_sd,
                "frontier": spread.frontier,
                "sd_sqrt_n": sd * math.sqrt(n),
                "exact_sd_sqrt_n": exact_sd * math.sqrt(n),
                "ks": _ks_distance(d, law),
                "ks_critical": 1.63 / math.sqrt(reps),
                "dropped": law.dropped,
                "branches": int(law.distances.size),
                "queries": spread.queries,
            }
        )
        spreads.append(spread)
        laws.append(law)
    return {
        "length": length,
        "steps": steps,
        "resolution": length / 2**steps,
        "repeats": reps,
        "rows": rows,
        "objects": {"spreads": spreads, "laws": laws},
    }


def _ball_flip_probabilities(
    g: Any, x_o: Any, u: Any, radius_g: float, r: Any, ns: tuple[int, ...]
) -> dict[int, float]:
    """Expected number of pixels (distances ``r`` to the centre) where one draw of
    :math:`g_{\\sigma,n}` differs from :math:`g_\\sigma`, per ``n`` (ties random)."""
    from rstheory.levels import majority_vote_probability

    grid = np.arange(max(0.0, radius_g - 6.0), radius_g + 6.0, 0.05)
    log_odds = np.empty(grid.size)
    for start in range(0, grid.size, 64):  # points of dimension d, a few at a time
        part = grid[start : start + 64]
        lp = g.probability(x_o + part[:, None] * u, log=True)
        log_odds[start : start + part.size] = lp[:, 1] - lp[:, 0]  # log(pi_1 / pi_0)
    near = (r >= grid[0]) & (r <= grid[-1])
    odds = np.interp(r[near], grid, log_odds)
    other = np.where(r[near] < radius_g, 1.0 / (1.0 + np.exp(-odds)), 1.0 / (1.0 + np.exp(odds)))
    # pixels farther than 6 from the frontier (8 widths of the transition for n = 1)
    # flip with probability below 1e-15: left out
    return {n: float(np.sum(majority_vote_probability(other, n, "random"))) for n in ns}


def _slice_study(
    sizes: dict[str, Any], ball: Any, x_o: Any, u: Any, v: Any, radius_g: float
) -> dict[str, Any]:
    from rstheory.classifiers import Sectors
    from rstheory.simulate import SmoothedClassifier, slice_2d

    extent, res, er = 40.0, sizes["resolution"], sizes["exact_resolution"]
    ball_slices = [slice_2d(ball, x_o, u, v, extent, res)]
    exact = None
    for n in NS:
        g = SmoothedClassifier(ball, SIGMA, n, rng=_rng(3, n))
        sl = slice_2d(g, x_o, u, v, extent, res, exact_resolution=er if exact is None else 0)
        if exact is None:
            exact = sl
        else:  # pi_c is a property of g_sigma, the same for every n: computed once
            sl = sl._replace(
                probability=exact.probability, exact_a=exact.exact_a, exact_b=exact.exact_b
            )
        ball_slices.append(sl)
    assert exact is not None and exact.probability is not None
    # g_sigma's label on the plane through the centre: the ball's inside label within
    # radius_g, where pi crosses 1/2 on a ray from the centre (radial symmetry; checked
    # against the exact grid below)
    g = SmoothedClassifier(ball, SIGMA, 1, rng=_rng(3, 0))
    ea, eb = np.meshgrid(np.asarray(exact.exact_a), np.asarray(exact.exact_b))
    grid_label = np.where(exact.probability[..., 0] > exact.probability[..., 1], 0, 1)
    radial_label = np.where(np.hypot(ea, eb) < radius_g, 0, 1)
    a, b = np.meshgrid(ball_slices[0].a, ball_slices[0].b)
    r = np.hypot(a, b)
    truth = np.where(r < radius_g, 0, 1)
    expected = _ball_flip_probabilities(g, x_o, u, radius_g, r.ravel(), NS)
    rows = []
    for sl in ball_slices:
        differ = int(np.count_nonzero(sl.labels != truth))
        rows.append(
            {
                "n": sl.n,
                "differ": differ,
                "fraction": differ / truth.size,
                "expected": None if sl.n is None else expected[int(sl.n)],
            }
        )
    # three equal sectors: each frontier line is a symmetry axis of the two classes it
    # separates (and maps the third to itself), so g_sigma = f exactly
    sectors = Sectors(3)
    s_extent = 1.5
    sector_slices = [slice_2d(sectors, [0.0, 0.0], [1.0, 0.0], [0.0, 1.0], s_extent, res)]
    for n in NS:
        g2 = SmoothedClassifier(sectors, SIGMA, n, rng=_rng(4, n))
        sector_slices.append(slice_2d(g2, [0.0, 0.0], [1.0, 0.0], [0.0, 1.0], s_extent, res))
    base = sector_slices[0].labels
    sector_rows = [
        {
            "n": sl.n,
            "differ": int(np.count_nonzero(sl.labels != base)),
            "fraction": float(np.count_nonzero(sl.labels != base)) / base.size,
        }
        for sl in sector_slices[1:]
    ]
    return {
        "extent": extent,
        "resolution": res,
        "exact_resolution": er,
        "pixels": int(truth.size),
        "smoothed_radius": radius_g,
        "grid_agreement": int(np.count_nonzero(grid_label == radial_label)),
        "grid_points": int(grid_label.size),
        "rows": rows,
        "sectors_extent": s_extent,
        "sectors_rows": sector_rows,
        "objects": {"ball": ball_slices, "sectors": sector_slices},
    }


def _toy_study(sizes: dict[str, Any]) -> dict[str, Any]:
    """Figures 1 and 3 on the 2-D toy ``Sectors(3)`` (Monte Carlo only).

    ``x_o = (-2, sqrt 3)`` (class 1, angle 139 degrees); the ray ``x_o + t e_0`` meets
    the 120-degree frontier line at ``t = 1``.  That line is a symmetry axis of
    classes 0 and 1 (and maps class 2 to itself), so :math:`\\pi_0 = \\pi_1` on it
    and g_sigma's frontier along the ray is f's, at exactly ``t = 1``.
    """
    from rstheory.classifiers import Sectors
    from rstheory.simulate import SmoothedClassifier, binary_search_spread, direction_scan

    toy = Sectors(3)
    x_o = np.array([-2.0, math.sqrt(3.0)])
    u = np.array([1.0, 0.0])
    distances = np.linspace(0.0, 2.0, 41)
    steps, reps = sizes["steps"], sizes["search_repeats"]
    scans, spreads, rows = [], [], []
    for n in NS:
        g = SmoothedClassifier(toy, SIGMA, n, rng=_rng(6, n))
        scan = direction_scan(g, x_o, u, distances, sizes["scan_repeats"], 1, certify_n=100_000)
        spread = binary_search_spread(g, x_o, x_o + 2.0 * u, steps, reps, label=1)
        spread = spread._replace(frontier=1.0)  # by symmetry (see above)
        d = np.asarray(spread.distances, dtype=float)
        q25, q50, q75 = (float(v) for v in np.quantile(d, [0.25, 0.5, 0.75]))
        crossing = np.flatnonzero(scan.estimate >= 0.5)
        rows.append(
            {
                "n": n,
                "radius": scan.radius,
                "level_bounds": [float(v) for v in scan.level_bounds],
                "base_frontier": scan.base_frontier,
                "first_half": float(distances[crossing[0]]) if crossing.size else None,
                "median": q50,
                "iqr": q75 - q25,
                "sd": float(np.std(d, ddof=1)),
                "sd_sqrt_n": float(np.std(d, ddof=1)) * math.sqrt(n),
            }
        )
        scans.append(scan)
        spreads.append(spread)
    return {
        "x_o": x_o.tolist(),
        "distances": int(distances.size),
        "repeats": sizes["scan_repeats"],
        "steps": steps,
        "search_repeats": reps,
        "rows": rows,
        "objects": {"scans": scans, "spreads": spreads},
    }


def _normal_study(sizes: dict[str, Any]) -> dict[str, Any]:
    from rstheory.classifiers import Linear
    from rstheory.simulate import linear_normal_cosine, normal_study

    dim, queries, reps = 50, 300, sizes["normal_repeats"]
    ratios = np.geomspace(0.05, 4.0, sizes["ratios"])
    w = np.zeros(dim)
    w[0] = 1.0
    study = normal_study(
        Linear(w, inside_label=0),
        np.zeros(dim),
        SIGMA,
        NS,
        SIGMA * ratios,
        queries,
        reps,
        label=0,
        rng=_rng(5, 0),
    )
    theory = np.array([[linear_normal_cosine(n, r, dim, queries) for r in ratios] for n in NS])
    mean = study.cosines.mean(axis=2)
    se = study.cosines.std(axis=2, ddof=1) / math.sqrt(reps)
    z = np.abs(mean - theory) / se
    worst = np.unravel_index(int(np.argmax(z)), z.shape)
    rows = [
        {
            "n": n,
            "mean": mean[i].tolist(),
            "se": se[i].tolist(),
            "theory": theory[i].tolist(),
            "max_z": float(z[i].max()),
        }
        for i, n in enumerate(NS)
    ]
    return {
        "dim": dim,
        "queries": queries,
        "repeats": reps,
        "ratios": ratios.tolist(),
        "rows": rows,
        "max_z": float(z.max()),
        "worst": {"n": NS[int(worst[0])], "ratio": float(ratios[int(worst[1])])},
        "max_abs": float(np.max(np.abs(mean - theory))),
        "objects": {"study": study, "theory": theory},
    }


def simulate_study(quick: bool) -> dict[str, Any]:
    """Run the simulation experiments (fixed seeds) and return their numbers and results.

    Parameters
    ----------
    quick : bool
        Small sizes (a second or two) instead of the default ones (several seconds).

    Returns
    -------
    dict
        Keys ``"scan"``, ``"spread"``, ``"slices"``, ``"toy"``, ``"normal"`` (each with
        its settings, table rows and, under ``"objects"``, the result objects
        of :mod:`rstheory.simulate`), ``"setup"`` and ``"seconds"`` (per
        experiment).  :func:`summary` drops the objects.
    """
    from rstheory.classifiers import Ball

    sizes = _sizes(quick)
    ball = Ball(np.zeros(BALL_DIM), BALL_RADIUS)
    x_o = np.zeros(BALL_DIM)
    u = np.zeros(BALL_DIM)
    u[0] = 1.0
    v = np.zeros(BALL_DIM)
    v[1] = 1.0
    seconds: dict[str, float] = {}
    out: dict[str, Any] = {
        "quick": quick,
        "setup": {
            "dim": BALL_DIM,
            "radius": BALL_RADIUS,
            "sigma": SIGMA,
            "ns": list(NS),
            "seed": SEED,
        },
    }

    def radius_g(done: dict[str, Any]) -> float:
        value = done["scan"]["rows"][0]["smoothed_frontier"]
        assert value is not None  # the ball's frontier of g_sigma is on the scanned ray
        return float(value)

    for key, run in (
        ("scan", lambda: _scan_study(sizes, ball, x_o, u)),
        ("spread", lambda: _spread_study(sizes, ball, x_o, u)),
        ("slices", lambda: _slice_study(sizes, ball, x_o, u, v, radius_g(out))),
        ("toy", lambda: _toy_study(sizes)),
        ("normal", lambda: _normal_study(sizes)),
    ):
        t0 = time.perf_counter()
        out[key] = run()
        seconds[key] = time.perf_counter() - t0
    out["seconds"] = seconds
    return out


def summary(study: dict[str, Any]) -> dict[str, Any]:
    """The study without its result objects (what ``report.json`` keeps)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "objects"}
        return value

    out: dict[str, Any] = strip(study)
    return out


# --------------------------------------------------------------------------- markdown


def _f(value: Any, fmt: str = ".4g") -> str:
    if value is None:
        return "-"
    v = float(value)
    if math.isnan(v):
        return "-"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return format(v, fmt)


def study_markdown(study: dict[str, Any]) -> list[str]:
    """The section's tables and notes, as Markdown lines."""
    setup, scan, spread = study["setup"], study["scan"], study["spread"]
    slices, normal = study["slices"], study["normal"]
    d, sigma = setup["dim"], setup["sigma"]
    lines = [
        f"`rstheory.simulate` on classifiers with exact answers, seeds fixed ({setup['seed']}, "
        "experiment, n).  The ball: `Ball(zeros(d), "
        f"{setup['radius']:g})` in d = {d} (3 x 224 x 224), inside label 0, sigma = {sigma:g}, "
        "x_o = its centre.  Per experiment: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in study["seconds"].items())
        + ".",
        "",
        "**Direction scan** (`direction_scan.png`, after Maho et al. Figure 1): "
        f"P[g_sigma,n(x_o + t e_0) != 0] at {scan['distances']} distances t in [0, 110], "
        f"{scan['repeats']} draws each, Clopper-Pearson intervals at total level "
        f"{scan['alpha']:g}.  *P = 1/2 at*: where the exact curve crosses 1/2; *misses*: "
        "intervals that do not hold the exact value.",
        "",
        "| n | certified radius | "
        + " | ".join(f"level bound Pa = {p:g}" for p in scan["pa"])
        + " | g_sigma frontier | f frontier | P = 1/2 at | max abs(estimate - exact) | "
        "misses |",
        "|---:|---:|" + "---:|" * len(scan["pa"]) + "---:|---:|---:|---:|---:|",
    ]
    for r in scan["rows"]:
        lines.append(
            f"| {r['n']} | {_f(r['radius'])} | "
            + " | ".join(_f(b) for b in r["level_bounds"])
            + f" | {_f(r['smoothed_frontier'])} | {_f(r['base_frontier'])} | "
            f"{_f(r['half_distance'])} | {_f(r['max_abs_error'], '.3f')} | "
            f"{r['misses']} / {r['intervals']} |"
        )
    first = scan["rows"][0]
    misses = sum(r["misses"] for r in scan["rows"])
    intervals = sum(r["intervals"] for r in scan["rows"])
    lines += [
        "",
        f"The certificate of g_sigma at x_o is {_f(first['radius'])}; the practical classifier "
        f"leaves the label only near {_f(first['smoothed_frontier'])} (g_sigma's frontier, "
        f"{first['smoothed_frontier'] / first['radius']:.1f} times farther), and f itself at "
        f"{_f(first['base_frontier'])}: in d = {d} the noise (norm about "
        f"sigma sqrt(d) = {sigma * math.sqrt(d):.0f}) shrinks the ball.  The level bounds of "
        "eq. (6) tend to the certified radius as n grows.  For even n an attacker needs a "
        "strict majority (ties lose), so P = 1/2 lies a little beyond the frontier.  "
        f"{misses} of {intervals} intervals miss the exact value (level {scan['alpha']:g}: "
        f"at most about {scan['alpha'] * intervals:.1f} expected).",
        "",
        "**Binary search** (`search_spread.png`, after Figure 3): "
        f"{spread['repeats']} searches of {spread['steps']} steps (resolution "
        f"{spread['resolution']:.2g}) from x_o to x_o + {spread['length']:g} e_0, one query "
        "per step; exact law by `search_distribution` (branches below 1e-12 dropped).  "
        "*KS*: sup |F_empirical - F_exact|, against its 1% critical value 1.63/sqrt(repeats).",
        "",
        "| n | median | IQR | sd | exact median | exact sd | g_sigma frontier | "
        "sd sqrt(n) | exact sd sqrt(n) | KS | 1% critical |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in spread["rows"]:
        lines.append(
            f"| {r['n']} | {_f(r['median'], '.4f')} | {_f(r['iqr'], '.3g')} | "
            f"{_f(r['sd'], '.3g')} | {_f(r['exact_median'], '.4f')} | "
            f"{_f(r['exact_sd'], '.3g')} | {_f(r['frontier'], '.4f')} | "
            f"{_f(r['sd_sqrt_n'], '.3g')} | {_f(r['exact_sd_sqrt_n'], '.3g')} | "
            f"{_f(r['ks'], '.3f')} | {_f(r['ks_critical'], '.3f')} |"
        )
    rejected = [r["n"] for r in spread["rows"] if r["ks"] > r["ks_critical"]]
    scaled = [r["sd_sqrt_n"] for r in spread["rows"] if r["n"] >= 10]
    one = [r["sd_sqrt_n"] for r in spread["rows"] if r["n"] == 1]
    lines += [
        "",
        "The end points centre where the exact P[g_sigma,n != y] crosses 1/2 (g_sigma's "
        "frontier, or a little beyond it for even n: the scan table's *P = 1/2 at*), not on "
        "f's frontier, and their spread shrinks like 1/sqrt(n): sd sqrt(n) "
        + (f"stays in [{min(scaled):.2f}, {max(scaled):.2f}] for n >= 10" if scaled else "")
        + (f" ({one[0]:.2f} at n = 1)" if one else "")
        + ".  "
        + (
            "Every KS distance is below its 1% critical value: the searches follow their exact law."
            if not rejected
            else f"KS above the 1% critical value for n = {rejected}."
        ),
        "",
        "**2-D slices** (`slices.png`, `slices_sectors.png`, after Figure 2): one draw of "
        f"g_sigma,n per pixel ({slices['resolution']} x {slices['resolution']} pixels; ties "
        f"random).  The ball: plane (e_0, e_1) through the centre, extent +-{slices['extent']:g}; "
        "g_sigma's label is the inside label within radius "
        f"{_f(slices['smoothed_radius'], '.4f')} (radial symmetry; the exact "
        f"{slices['exact_resolution']} x {slices['exact_resolution']} grid agrees at "
        f"{slices['grid_agreement']} of {slices['grid_points']} points).  *Expected*: the sum "
        "over pixels of the exact probability that one draw differs from g_sigma.",
        "",
        "| classifier | pixels differing from g_sigma | fraction | expected |",
        "|---|---:|---:|---:|",
    ]
    for r in slices["rows"]:
        name = "f (no RS)" if r["n"] is None else f"g_sigma,n, n = {r['n']}"
        expected = "-" if r["expected"] is None else f"{r['expected']:.1f}"
        lines.append(f"| {name} | {r['differ']} | {r['fraction']:.2e} | {expected} |")
    lines += [
        "",
        "f labels the whole slice 0 (its frontier, radius "
        f"{setup['radius']:g}, is outside it), while g_sigma's inside region is the disc of "
        f"radius {_f(slices['smoothed_radius'])}.  The practical classifier's errors sit in a "
        "band around that circle, narrower as n grows.",
        "",
        f"Three equal sectors (`Sectors(3)`, sigma = {sigma:g}, extent "
        f"+-{slices['sectors_extent']:g}): each frontier line is a symmetry axis of the two "
        "classes it separates, so g_sigma = f exactly, and a pixel differing from f differs "
        "from g_sigma.",
        "",
        "| n | pixels differing from g_sigma = f | fraction |",
        "|---:|---:|---:|",
    ]
    for r in slices["sectors_rows"]:
        lines.append(f"| {r['n']} | {r['differ']} | {r['fraction']:.2e} |")
    toy = study["toy"]
    lines += [
        "",
        "**The 2-D toy along a ray** (`direction_scan_sectors.png`, "
        "`search_spread_sectors.png`): `Sectors(3)`, x_o = (-2, sqrt 3) (class 1), ray "
        "x_o + t e_0, which meets the 120-degree frontier at t = 1; by symmetry that is also "
        f"g_sigma's frontier.  {toy['repeats']} draws per distance ({toy['distances']} "
        f"distances), {toy['search_repeats']} searches of {toy['steps']} steps from x_o to "
        "x_o + 2 e_0.  No exact curve (three classes, Monte Carlo only); the certified "
        "radius is Cohen's CERTIFY from 100 + 100000 votes at alpha = 0.001.",
        "",
        "| n | certified radius | "
        + " | ".join(f"level bound Pa = {p:g}" for p in scan["pa"])
        + " | f frontier | first t with estimate >= 1/2 | search median | IQR | sd | "
        "sd sqrt(n) |",
        "|---:|---:|" + "---:|" * len(scan["pa"]) + "---:|---:|---:|---:|---:|---:|",
    ]
    for r in toy["rows"]:
        lines.append(
            f"| {r['n']} | {_f(r['radius'])} | "
            + " | ".join(_f(b) for b in r["level_bounds"])
            + f" | {_f(r['base_frontier'])} | {_f(r['first_half'])} | "
            f"{_f(r['median'], '.4f')} | {_f(r['iqr'], '.3g')} | {_f(r['sd'], '.3g')} | "
            f"{_f(r['sd_sqrt_n'], '.3g')} |"
        )
    ratios = normal["ratios"]
    lines += [
        "",
        "**Normal estimate** (`normal_cosine.png`, section 3.5): HopSkipJump's estimate "
        f"from {normal['queries']} noisy signs at a point of the frontier of a half-space "
        f"(`Linear(e_0)`, d = {normal['dim']}, where g_sigma = f), {normal['repeats']} "
        "repeats; cosine with the true normal, mean +- standard error, and (in brackets) "
        "`linear_normal_cosine`.",
        "",
        "| n | " + " | ".join(f"delta/sigma = {r:.3g}" for r in ratios) + " | max z |",
        "|---:|" + "---:|" * len(ratios) + "---:|",
    ]
    for r in normal["rows"]:
        cells = [
            f"{m:.3f} +- {s:.3f} ({t:.3f})"
            for m, s, t in zip(r["mean"], r["se"], r["theory"], strict=True)
        ]
        lines.append(f"| {r['n']} | " + " | ".join(cells) + f" | {r['max_z']:.1f} |")
    lines += [
        "",
        f"Largest |mean - theory| = {normal['max_abs']:.3f}, or {normal['max_z']:.1f} standard "
        f"errors (at n = {normal['worst']['n']}, delta/sigma = {normal['worst']['ratio']:.3g}); "
        "the theory is the large-query limit to leading order in 1/queries.  Fewer votes "
        "need a larger probe radius for the same cosine.",
    ]
    return lines


# --------------------------------------------------------------------------- figures


def write_figures(study: dict[str, Any], out: Path) -> list[tuple[str, str]]:
    """Draw the simulation figures with :mod:`rstheory.plots` into ``out``.

    Returns
    -------
    list of (str, str)
        ``(filename, caption)`` of each figure written (:data:`FIGURES`).
    """
    from matplotlib.figure import Figure

    from rstheory import plots

    setup = study["setup"]
    d, sigma = setup["dim"], setup["sigma"]
    labels = [f"n = {n}" for n in setup["ns"]]
    made = []

    scans = study["scan"]["objects"]
    frontier = scans[0].smoothed_frontier
    fig = Figure(figsize=(12.0, 4.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    plots.plot_direction_scan(scans, labels=labels, ax=left)
    plots.plot_direction_scan(scans, labels=labels, ax=right)
    right.set_xlim(frontier - 2.0, frontier + 2.0)
    right.get_legend().remove()
    left.set_title(f"Ball of radius {setup['radius']:g}, d = {d}, sigma = {sigma:g}")
    right.set_title("zoom on the frontier of g_sigma")
    fig.savefig(out / "direction_scan.png", dpi=110)
    made.append(
        (
            "direction_scan.png",
            f"P[g_sigma,n != y] along a ray from the centre of a ball (d = {d}, sigma = "
            f"{sigma:g}), estimates with Clopper-Pearson bands and exact curves, with the "
            "certified radius, level-Pa bounds and the frontiers of f and g_sigma; right: zoom",
        )
    )

    spread = study["spread"]
    fig = plots.plot_search_spread(
        spread["objects"]["spreads"], spread["objects"]["laws"], labels=labels
    )
    fig.savefig(out / "search_spread.png", dpi=110)
    made.append(
        (
            "search_spread.png",
            f"End points of {spread['repeats']} binary searches ({spread['steps']} steps) "
            "against g_sigma,n on the ball: empirical distribution functions and exact laws",
        )
    )

    sl = study["slices"]
    titles = [f"f (no RS; frontier at r = {setup['radius']:g})"] + labels
    fig = plots.plot_slices(sl["objects"]["ball"], titles=titles)
    fig.savefig(out / "slices.png", dpi=110)
    made.append(
        (
            "slices.png",
            f"Labels of f and of one draw of g_sigma,n per pixel on a plane through the ball's "
            f"centre (d = {d}, sigma = {sigma:g}), with g_sigma's exact frontier",
        )
    )
    fig = plots.plot_slices(sl["objects"]["sectors"], titles=["f (no RS)"] + labels)
    fig.savefig(out / "slices_sectors.png", dpi=110)
    made.append(
        (
            "slices_sectors.png",
            f"Labels of f = Sectors(3) and of one draw of g_sigma,n per pixel (sigma = {sigma:g}; "
            "here g_sigma = f)",
        )
    )

    toy = study["toy"]
    fig = plots.plot_direction_scan(toy["objects"]["scans"], labels=labels)
    fig.axes[0].set_title(f"Sectors(3), x_o = (-2, sqrt 3), sigma = {sigma:g}")
    fig.savefig(out / "direction_scan_sectors.png", dpi=110)
    made.append(
        (
            "direction_scan_sectors.png",
            "P[g_sigma,n != 1] along a ray of the 2-D toy Sectors(3) (Monte Carlo with "
            "Clopper-Pearson bands), with CERTIFY's radius, level-Pa bounds and f's frontier "
            "(= g_sigma's, by symmetry)",
        )
    )
    fig = plots.plot_search_spread(toy["objects"]["spreads"], labels=labels)
    fig.savefig(out / "search_spread_sectors.png", dpi=110)
    made.append(
        (
            "search_spread_sectors.png",
            f"End points of {toy['search_repeats']} binary searches ({toy['steps']} steps) "
            "against g_sigma,n on the 2-D toy Sectors(3); frontier at distance 1",
        )
    )

    normal = study["normal"]
    fig = plots.plot_normal_cosine(normal["objects"]["study"], normal["objects"]["theory"])
    fig.savefig(out / "normal_cosine.png", dpi=110)
    made.append(
        (
            "normal_cosine.png",
            f"Cosine of HopSkipJump's normal estimate ({normal['queries']} queries, d = "
            f"{normal['dim']}, flat frontier) vs delta/sigma, with the theory "
            "(linear_normal_cosine)",
        )
    )
    return made
