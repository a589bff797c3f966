"""Tests of rstheory.report: the quick verification report and its bookkeeping."""

from __future__ import annotations

import math
import re
import time
from pathlib import Path
from typing import Any

import mpmath
import pytest

from rstheory import _report_digits, report
from rstheory.report import (
    KERNELS,
    LEVELS_KERNELS,
    PLANNING_KERNELS,
    KernelCheck,
    read_summary,
    write_report,
)

#: the digits section runs only with torch and scikit-learn (CI installs both)
DIGITS = _report_digits.available() is None


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], float]:
    out = tmp_path_factory.mktemp("report")
    t0 = time.perf_counter()
    with pytest.MonkeyPatch.context() as mp:  # digits models are cached here, not in ~/.cache
        mp.setenv("RSTHEORY_CACHE", str(tmp_path_factory.mktemp("cache")))
        path = write_report(out, quick=True)
    wall = time.perf_counter() - t0
    return path, read_summary(path), wall


def test_quick_report_writes_markdown_and_figures(
    quick_report: tuple[Path, dict[str, Any], float],
) -> None:
    path, summary, wall = quick_report
    assert path.name == "report.md" and path.is_file()
    text = path.read_text()
    assert summary["figure_error"] is None
    pngs = sorted(p.name for p in path.parent.glob("*.png"))
    assert pngs == sorted(summary["figures"])
    assert set(pngs) == {
        "sorm_error.png",
        "frontier_offset.png",
        "radius_vs_p.png",
        "lower_bound_vs_n.png",
        "max_radius.png",
        "required_n.png",
        "radius_distribution.png",
        "level_threshold.png",
        "direction_scan.png",
        "search_spread.png",
        "slices.png",
        "slices_sectors.png",
        "direction_scan_sectors.png",
        "search_spread_sectors.png",
        "normal_cosine.png",
    } | (set(_report_digits.FIGURES) if DIGITS else set())
    for name in pngs:
        assert (path.parent / name).read_bytes()[:4] == b"\x89PNG"
        assert f"]({name})" in text  # embedded as a Markdown image
    sections = (
        "## Summary",
        "## 1. Accuracy",
        "## 2. Planning",
        "## 3. Levels",
        "## 4. SORM",
        "## 5. Simulation",
        "## 6. Digits",
        "## 7. Timing",
        "## 8. Figures",
        "## 9. Environment",
    )
    positions = [text.index(section) for section in sections]
    assert positions == sorted(positions)
    assert set(summary["study_seconds"]) == {"simulation"} | ({"digits"} if DIGITS else set())
    assert set(summary["section_seconds"]) >= {
        "checks and studies",
        "claims",
        "timing",
    }
    for item in ("numpy", "scipy", "numba", "mpmath", "python", "cpu_count"):
        assert f"| {item} |" in text
    # the wall time the report states is its own, measured from the outside
    assert 0 < summary["wall_seconds"] <= wall
    assert sum(summary["section_seconds"].values()) <= summary["wall_seconds"]


def test_summary_table_adds_up_the_sections(
    quick_report: tuple[Path, dict[str, Any], float],
) -> None:
    path, summary, _ = quick_report
    rows = {
        k["name"]: k for part in ("kernels", "planning", "levels", "sorm") for k in summary[part]
    }
    families = summary["families"]
    assert [f["family"] for f in families] == [f for f, _, _ in report.FAMILIES]
    named = [n for _, _, names in report.FAMILIES for n in names]
    assert sorted(named) == sorted(rows)  # every checked kernel in exactly one family
    assert sum(f["points"] for f in families) == summary["points"]
    assert sum(f["unsound"] for f in families) == summary["unsound"] == 0
    for (_, _, names), fam in zip(report.FAMILIES, families, strict=True):
        graded = [rows[n]["max_rel_err"] for n in names if not rows[n]["mismatches"]]
        assert fam["max_rel_err"] == max(graded)
    text = path.read_text()
    head = text[text.index("## Summary") : text.index("## 1. Accuracy")]
    for fam in families:
        assert f"| {fam['family']} | `{fam['module']}` | {fam['kernels']} |" in head
    # the claims' verdicts, judged on the report's own data
    claims = summary["claims"]
    assert [c["number"] for c in claims] == list(range(1, 9))
    for c in claims:
        assert f"| {c['number']} | {c['statement']} | {c['scope']} | **{c['verdict']}** |" in head
    by_number = {c["number"]: c["verdict"] for c in claims}
    assert by_number[7] == by_number[8] == by_number[6] == "holds"
    if not DIGITS:
        assert {by_number[n] for n in (1, 2, 3, 4)} == {"not measured"}


def test_progress_lines_and_workers(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="workers"):
        write_report(tmp_path, quick=True, workers=0)
    lines: list[str] = []
    names = ["gaussian_radius", "max_radius"]
    studies = {"sum": (sum, ([1, 2, 3],)), "broken": (math.sqrt, (-1.0,))}
    done, results = report._run_checks(names, True, 1, lines.append, studies)
    assert sorted(done) == sorted(names)
    assert lines[:2] == [
        f"  {i}/2 {n}: ok ({done[n].seconds:.1f} s)" for i, n in enumerate(names, start=1)
    ]
    assert lines[2] == "sum..." and lines[4] == "broken..."
    assert results["sum"][:2] == (6, None)
    assert results["broken"][0] is None and results["broken"][1] == "ValueError: math domain error"
    # two worker processes give the same rows and study results as one process
    pooled, pooled_results = report._run_checks(names, True, 2, lambda text: None, studies)
    for n in names:
        a, b = done[n].as_dict(), pooled[n].as_dict()
        a.pop("seconds"), b.pop("seconds")
        assert a == b
    assert {k: v[:2] for k, v in pooled_results.items()} == {k: v[:2] for k, v in results.items()}


def test_quick_report_is_sound(quick_report: tuple[Path, dict[str, Any], float]) -> None:
    path, summary, _ = quick_report
    failures = [k for k in summary["kernels"] if k["failed"]]
    assert failures == [], failures
    assert summary["unsound"] == 0 and summary["nan"] == 0 and summary["errors"] == 0
    assert summary["passed"] is True
    text = path.read_text()
    assert "**PASS**" in text and "FAIL" not in text


def test_error_table_has_a_row_per_kernel(
    quick_report: tuple[Path, dict[str, Any], float],
) -> None:
    path, summary, _ = quick_report
    text = path.read_text()
    assert [k["name"] for k in summary["kernels"]] == list(KERNELS)
    for name in KERNELS:
        rows = [line for line in text.splitlines() if line.startswith(f"| `{name}` |")]
        assert len(rows) == 1, name
        assert rows[0].split("|")[8].strip() == "0"  # the unsound column
    by_name = {k["name"]: k for k in summary["kernels"]}
    for name in KERNELS:
        assert by_name[name]["compared"] > 0, name
        # certify: the bound's outward step, amplified by Phi^-1 near p = 1
        tol = 1e-5 if name == "certify" else 1e-10
        assert by_name[name]["max_rel_err"] < tol, name
    for name in ("clopper_pearson_lower", "clopper_pearson_upper", "clopper_pearson"):
        assert by_name[name]["sound_only"] > 0  # reaches n = 2**53
    assert "2**53" in text or "9007199254740992" in text


#: Accuracy each planning / levels row must reach on the quick grid (max relative error).
_ROW_TOLERANCE = {
    "max_radius": 1e-12,
    "threshold_count": 0.0,  # exact integers
    "certification_probability": 1e-12,
    # radii of counts just above the abstention threshold are tiny: the absolute
    # outward step (4 eps sigma) dominates their relative error
    "radius_distribution": 1e-9,
    "expected_radius": 1e-11,
    "majority_vote_probability": 1e-11,
    "level_threshold": 1e-12,
    "level_distance_bound": 1e-12,  # relative to |R| + sigma (1 + |Phi^-1(q*)|)
}


@pytest.mark.parametrize(
    ("key", "names"), [("planning", PLANNING_KERNELS), ("levels", LEVELS_KERNELS)]
)
def test_planning_and_levels_sections(
    quick_report: tuple[Path, dict[str, Any], float], key: str, names: tuple[str, ...]
) -> None:
    path, summary, _ = quick_report
    text = path.read_text()
    rows = summary[key]
    assert [r["name"] for r in rows] == list(names)
    for row in rows:
        name = row["name"]
        assert not row["failed"], row
        assert row["unsound"] == 0 and row["nan"] == 0 and row["errors"] == 0, row
        assert row["compared"] > 0, name
        table_rows = [line for line in text.splitlines() if line.startswith(f"| `{name}` |")]
        assert len(table_rows) == 1, name
        assert table_rows[0].split("|")[8].strip() == "0"  # the unsound column
        if name in _ROW_TOLERANCE:
            assert row["max_rel_err"] <= _ROW_TOLERANCE[name], (name, row["worst"])
    every = summary["kernels"] + summary["planning"] + summary["levels"] + summary["sorm"]
    total = sum(r["points"] for r in every)
    assert summary["points"] == total


def test_planning_integer_answers_never_below_the_twin(
    quick_report: tuple[Path, dict[str, Any], float],
) -> None:
    """required_n / predict_min_n may exceed the exact answer by one at exact ties
    (the package's CERTIFY and PREDICT round toward safety), never fall below it."""
    _, summary, _ = quick_report
    by_name = {r["name"]: r for r in summary["planning"]}
    for name in ("required_n", "predict_min_n", "threshold_count"):
        assert by_name[name]["unsound"] == 0
        for example in by_name[name]["examples"]:
            got, twin = (int(v) for v in re.findall(r"got (\d+), twin (\d+)", example)[0])
            assert got == twin + 1, example
    assert by_name["threshold_count"]["mismatches"] == 0
    # the radius_distribution row checks the mass outside the window (sound-only)
    assert by_name["radius_distribution"]["sound_only"] > 0


def test_timing_rows(quick_report: tuple[Path, dict[str, Any], float]) -> None:
    _, summary, _ = quick_report
    assert summary["timing_error"] is None
    others = [row["other"] for row in summary["timings"]]
    assert "scipy.special.betaincinv" in others
    assert any("statsmodels" in o for o in others)
    for row in summary["timings"]:
        assert row["ratio"] is None or row["ratio"] > 0


def test_grid_is_deterministic_and_reaches_the_tails() -> None:
    twin, only = report._count_grid(quick=True)
    assert (twin, only) == report._count_grid(quick=True)
    ns = {n for _, n, _ in twin + only}
    assert min(ns) == 1 and 10**9 in ns and 2**53 in ns
    alphas = {a for _, _, a in twin}
    assert min(alphas) == 1e-300
    for n in (1000, 2**53):
        ks = {k for k, m, _ in twin + only if m == n}
        assert {0, 1, n // 2, n - 1, n} <= ks
    full_twin, full_only = report._count_grid(quick=False)
    assert set(twin) <= set(full_twin) | set(full_only)
    assert len(full_twin) > len(twin)


def test_kernel_check_directions_and_special_values() -> None:
    check = KernelCheck("x", "lower")
    check.compare(0.5, mpmath.mpf("0.5"), "equal")
    check.compare(0.25, mpmath.mpf("0.3"), "below")  # sound, 1/6 relative error
    assert check.unsound == 0
    assert check.max_rel_err == pytest.approx(1 / 6) and check.worst == "below"
    check.compare(0.3, mpmath.mpf("0.25"), "above")
    assert check.unsound == 1 and "above" in check.examples[0]
    check.compare(math.inf, mpmath.inf, "inf")
    check.compare(-math.inf, -mpmath.inf, "-inf")
    check.compare(0.0, mpmath.mpf(0), "zero")
    assert check.unsound == 1
    check.compare(math.nan, mpmath.mpf(1), "nan")
    assert check.nan == 1 and check.failed()
    up = KernelCheck("y", "upper")
    up.compare(0.3, mpmath.mpf("0.25"), "above")
    assert up.unsound == 0
    up.compare(0.2, mpmath.mpf("0.25"), "below")
    assert up.unsound == 1
    up.sound(True, 0.1, "ok")
    up.sound(False, 0.1, "bad")
    assert up.unsound == 2 and up.sound_only == 2 and up.points == 4


def _no_simulation(quick: bool) -> Any:
    raise RuntimeError("simulation left out")


def test_failure_is_loud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kernel that answers on the unsafe side (or raises) turns the report into a FAIL."""

    def unsound(quick: bool) -> Any:
        def body(check: KernelCheck) -> None:
            check.compare(0.6, mpmath.mpf("0.5"), "fake point")

        return body

    def broken(quick: bool) -> Any:
        def body(check: KernelCheck) -> None:
            raise RuntimeError("boom")

        return body

    monkeypatch.setattr(report, "KERNELS", ("fake_unsound", "fake_broken"))
    monkeypatch.setattr(report, "PLANNING_KERNELS", ())
    monkeypatch.setattr(report, "LEVELS_KERNELS", ())
    monkeypatch.setattr(report, "SORM_KERNELS", ())
    monkeypatch.setitem(report._CHECKS, "fake_unsound", unsound)
    monkeypatch.setitem(report._CHECKS, "fake_broken", broken)
    monkeypatch.setattr(report, "_timings", lambda quick: [])
    monkeypatch.setattr(report, "_figures", lambda out, simulation=None, digits=None: [])
    monkeypatch.setattr(report._report_simulate, "simulate_study", _no_simulation)
    path = write_report(tmp_path, quick=True, workers=1)  # patches stay in this process
    text = path.read_text()
    assert re.search(r"FAIL: 1 UNSOUND RESULTS, 0 NaN RESULTS, 1 ERROR\(S\)", text)
    assert "FAIL `fake_unsound`" in text and "fake point" in text
    assert "RuntimeError: boom" in text
    summary = read_summary(tmp_path)
    assert summary["passed"] is False and summary["unsound"] == 1 and summary["errors"] == 1


@pytest.mark.parametrize("section", ["PLANNING_KERNELS", "LEVELS_KERNELS"])
def test_failure_in_planning_or_levels_is_loud(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, section: str
) -> None:
    """An unsound planning or levels row fails the whole report, and is named in it."""

    def unsound(quick: bool) -> Any:
        def body(check: KernelCheck) -> None:
            check.compare(101.0, mpmath.mpf(100), "radius=1, sigma=0.25, alpha=0.001")
            check.compare(0.5, mpmath.mpf("0.5"), "fine")

        return body

    monkeypatch.setattr(report, "KERNELS", ())
    monkeypatch.setattr(report, "PLANNING_KERNELS", ())
    monkeypatch.setattr(report, "LEVELS_KERNELS", ())
    monkeypatch.setattr(report, "SORM_KERNELS", ())
    monkeypatch.setattr(report, section, ("fake_required_n",))
    monkeypatch.setitem(report._CHECKS, "fake_required_n", unsound)
    monkeypatch.setitem(report._DIRECTIONS, "fake_required_n", "lower")
    monkeypatch.setattr(report, "_timings", lambda quick: [])
    monkeypatch.setattr(report, "_figures", lambda out, simulation=None, digits=None: [])
    monkeypatch.setattr(report._report_simulate, "simulate_study", _no_simulation)
    path = write_report(tmp_path, quick=True, workers=1)
    text = path.read_text()
    assert "FAIL: 1 UNSOUND RESULTS, 0 NaN RESULTS, 0 ERROR(S)" in text
    assert "FAIL `fake_required_n`" in text
    summary = read_summary(tmp_path)
    assert summary["passed"] is False and summary["unsound"] == 1 and summary["points"] == 2
    key = "planning" if section == "PLANNING_KERNELS" else "levels"
    assert [r["name"] for r in summary[key]] == ["fake_required_n"]
    assert summary[key][0]["failed"] is True


def test_compare_with_scale() -> None:
    check = KernelCheck("d", "lower")
    check.compare(0.9, mpmath.mpf(1), "scaled", scale=mpmath.mpf(10))
    assert check.max_rel_err == pytest.approx(0.01) and check.unsound == 0
    check.compare(2.0, mpmath.mpf(1), "none side", direction="none")
    assert check.unsound == 0 and check.max_rel_err == pytest.approx(1.0)


# --------------------------------------------------------------------------- simulation


def _keys(value: Any) -> set[str]:
    """Every dict key in a nested structure of dicts and lists."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_simulation_section_numbers(quick_report: tuple[Path, dict[str, Any], float]) -> None:
    path, summary, _ = quick_report
    assert summary["simulation_error"] is None
    sim = summary["simulation"]
    assert "objects" not in _keys(sim)  # numbers only in report.json
    assert sim["setup"]["dim"] == 3 * 224 * 224 and sim["setup"]["ns"] == [1, 10, 50, 200]
    text = path.read_text()
    section = text[text.index("## 5. Simulation") : text.index("## 6. Digits")]
    # the direction scan: one row per n, the certified radius far inside g_sigma's frontier
    rows = sim["scan"]["rows"]
    assert [r["n"] for r in rows] == [1, 10, 50, 200]
    for r in rows:
        assert r["radius"] == pytest.approx(4.2287, abs=1e-3)  # sigma Phi^-1(pi_0(x_o))
        assert r["smoothed_frontier"] == pytest.approx(24.332, abs=1e-3)
        assert r["base_frontier"] == pytest.approx(100.0)
        assert r["radius"] <= r["level_bounds"][0] <= r["level_bounds"][1]  # eq. (6)
        # P = 1/2 where g_sigma's frontier is for odd n, a little beyond for even n
        assert 0.0 <= r["half_distance"] - r["smoothed_frontier"] < 0.1
        assert r["misses"] <= 2 and r["intervals"] == sim["scan"]["distances"]
        assert f"| {r['n']} | 4.229 |" in section
    assert rows[0]["half_distance"] == pytest.approx(rows[0]["smoothed_frontier"], abs=1e-6)
    bounds = [r["level_bounds"][1] for r in rows]
    assert bounds == sorted(bounds, reverse=True)  # towards the radius as n grows
    # the binary search: agrees with its exact law, spread ~ 1/sqrt(n)
    spread = sim["spread"]["rows"]
    for r in spread:
        assert r["ks"] < r["ks_critical"]
        assert abs(r["median"] - r["frontier"]) < 3 * r["exact_sd"] + sim["spread"]["resolution"]
        assert r["sd"] == pytest.approx(r["exact_sd"], rel=0.5)
    sds = [r["exact_sd"] for r in spread]
    assert sds == sorted(sds, reverse=True) and sds[0] > 5 * sds[-1]
    # the slices: f differs from g_sigma on most of the slice; g_sigma,n only near the
    # frontier, as often as the exact probabilities say
    slices = sim["slices"]
    assert slices["grid_agreement"] == slices["grid_points"]
    f_row, *g_rows = slices["rows"]
    assert f_row["n"] is None and f_row["fraction"] > 0.5
    assert g_rows[-1]["differ"] < g_rows[0]["differ"]
    for r in g_rows:
        assert abs(r["differ"] - r["expected"]) <= 4 * math.sqrt(r["expected"]) + 2
    sectors = [r["differ"] for r in slices["sectors_rows"]]
    assert sectors == sorted(sectors, reverse=True) and sectors[-1] < sectors[0]
    # the 2-D toy: f's frontier at t = 1 (= g_sigma's), searches end near it, tighter with n
    toy = sim["toy"]["rows"]
    for r in toy:
        assert r["base_frontier"] == pytest.approx(1.0, rel=1e-12)
        assert 0.0 < r["radius"] < r["base_frontier"]
        assert abs(r["median"] - 1.0) < 0.1
    assert toy[-1]["iqr"] < toy[0]["iqr"] / 3
    # the normal estimate: mean cosines within a few standard errors of the theory
    normal = sim["normal"]
    assert normal["max_z"] < 5
    for r in normal["rows"]:
        assert len(r["mean"]) == len(normal["ratios"]) == len(r["theory"])
    assert "linear_normal_cosine" in section and "KS" in section
    for name in ("direction_scan.png", "search_spread.png", "slices.png", "normal_cosine.png"):
        assert f"`{name}`" in section


def test_simulation_failure_is_reported_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A simulation that raises is named in its section; the verdict stays PASS."""
    for section in ("KERNELS", "PLANNING_KERNELS", "LEVELS_KERNELS", "SORM_KERNELS"):
        monkeypatch.setattr(report, section, ())
    monkeypatch.setattr(report, "_timings", lambda quick: [])
    seen: list[Any] = []

    def figures(out: Path, simulation: Any = None, digits: Any = None) -> list[tuple[str, str]]:
        seen.append((simulation, digits))
        return []

    def no_digits(quick: bool, progress: bool = False) -> dict[str, Any]:
        raise RuntimeError("digits left out")

    monkeypatch.setattr(report, "_figures", figures)
    monkeypatch.setattr(report._report_simulate, "simulate_study", _no_simulation)
    monkeypatch.setattr(report._report_digits, "available", lambda: None)
    monkeypatch.setattr(report._report_digits, "digits_study", no_digits)
    path = write_report(tmp_path, quick=True, workers=1)
    text = path.read_text()
    section = text[text.index("## 5. Simulation") : text.index("## 6. Digits")]
    assert "The simulation failed: RuntimeError: simulation left out" in section
    assert "**PASS**" in text
    summary = read_summary(tmp_path)
    assert summary["passed"] is True and summary["simulation"] is None
    assert summary["simulation_error"] == "RuntimeError: simulation left out"
    assert seen == [(None, None)]  # no simulation or digits figures without a study
    digits = text[text.index("## 6. Digits") : text.index("## 7. Timing")]
    assert "did not run: RuntimeError: digits left out" in digits
    assert summary["digits_error"] == "RuntimeError: digits left out"


def test_digits_section(quick_report: tuple[Path, dict[str, Any], float]) -> None:
    """With torch: a table row per (sigma, n); without: the reason, and no failure."""
    path, summary, _ = quick_report
    text = path.read_text()
    section = text[text.index("## 6. Digits") : text.index("## 7. Timing")]
    if not DIGITS:
        assert summary["digits"] is None and "not installed" in summary["digits_error"]
        assert "not installed" in section
        return
    assert summary["digits_error"] is None
    rows = summary["digits"]["rows"]
    assert [(r["sigma"], r["n"]) for r in rows] == [(0.25, 10)]
    cell = rows[0]["attacks"]["hsja@0.5"]
    assert cell["base_calls"] == 10 * cell["queries"] and cell["queries"] <= 400
    assert "| 0.25 | 10 |" in section and "rstheory experiment digits" in section
