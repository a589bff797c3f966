"""The digits experiment (rstheory.experiments) and `rstheory experiment digits`."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the digits experiment needs torch (extra 'torch')")
pytest.importorskip("sklearn", reason="the digits experiment needs scikit-learn")

from rstheory.cli import main  # noqa: E402
from rstheory.experiments import Undefended, run_digits  # noqa: E402

SMALL = {
    "sigmas": (0.0, 0.25),
    "ns": (1, 10),
    "pas": (0.5,),
    "attacks": ("hsja", "surfree"),
    "inputs": 2,
    "max_queries": 300,
    "check_repeats": 50,
    "certify_n": 1000,
    "certify_inputs": 6,
}


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rstheory-cache")


@pytest.fixture(scope="module")
def result(cache: Path) -> dict:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RSTHEORY_CACHE", str(cache))
        return run_digits(SMALL, quick=True)


def test_grid_and_bookkeeping(result: dict) -> None:
    rows = result["rows"]
    assert [(r["sigma"], r["n"]) for r in rows] == [(0.0, 1), (0.25, 1), (0.25, 10)]
    for r in rows:
        assert 0.8 < r["accuracy"] <= 1.0  # small models, but they do learn the digits
        assert set(r["attacks"]) == {"hsja@0.5", "surfree@0.5"}
        for cell in r["attacks"].values():
            assert 0 < cell["queries"] <= SMALL["max_queries"] * r["inputs"]
            assert cell["base_calls"] == r["n"] * cell["queries"]
            assert 0.0 <= cell["success"] <= 1.0
            assert cell["median_distortion"] > 0.0
    undefended = rows[0]
    assert undefended["certified"] is None and undefended["median_radius"] is None
    for cell in undefended["attacks"].values():
        assert cell["success"] == 1.0 and math.isfinite(cell["median_distortion"])
        assert cell["median_ratio"] is None  # no certificate without smoothing
    smoothed = rows[1]
    assert 0.0 < smoothed["certified"] <= 1.0 and smoothed["median_radius"] > 0.0


def test_certified_accuracy_curve(result: dict) -> None:
    """CERTIFY on test inputs: a non-increasing curve that starts at the correct fraction."""
    assert set(result["certification"]) == {"0.25"}
    cert = result["certification"]["0.25"]
    acc = np.asarray(cert["accuracy"])
    assert cert["inputs"] == 6 and cert["thresholds"][0] == 0.0
    assert (np.diff(acc) <= 0).all() and 0.0 <= acc[-1] <= acc[0] <= 1.0
    assert acc[0] <= cert["clean"]  # radius >= 0 only for the correct, certified inputs
    # the largest radius CERTIFY can give with N = 1000 at alpha = 1e-3 bounds the curve
    from rstheory import max_radius

    top = max_radius(1000, 0.25, 0.001)
    beyond = np.asarray(cert["thresholds"]) > top
    assert (acc[beyond] == 0.0).all() and beyond.any()


def test_distortions_exceed_the_certified_radius(result: dict) -> None:
    """A level-1/2 adversarial example of g_sigma,n is never inside the certified ball.

    CERTIFY's radius R certifies that g_sigma keeps the label within R, so a
    point where P[g_sigma,n != y] >= 1/2 (odd n, or n = 1) has pi_y <= 1/2 and
    lies beyond R, up to the alpha-probability failures of both bounds.
    """
    ratios = [
        cell["median_ratio"]
        for r in result["rows"][1:]
        for cell in r["attacks"].values()
        if cell["median_ratio"] is not None
    ]
    assert ratios and min(ratios) > 1.0


def test_reproducible(result: dict, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cell's numbers depend on its own key only, not on the rest of the grid."""
    monkeypatch.setenv("RSTHEORY_CACHE", str(cache))
    again = run_digits(
        {**SMALL, "sigmas": (0.25,), "ns": (10,), "attacks": ("surfree",)}, quick=True
    )
    assert again["rows"][0]["attacks"]["surfree@0.5"] == result["rows"][2]["attacks"]["surfree@0.5"]
    assert again["rows"][0]["accuracy"] == result["rows"][2]["accuracy"]


def test_undefended_counts_queries() -> None:
    class Base:
        dim, n_classes = 3, 2

        def decide(self, points: np.ndarray) -> np.ndarray:
            return (np.asarray(points)[..., 0] > 0).astype(np.int64)

    g = Undefended(Base())
    assert g(np.array([[1.0, 0, 0], [-1.0, 0, 0]])).tolist() == [1, 0]
    assert (g.queries, g.base_calls, g.n) == (2, 2, 1)


def test_bad_settings_are_named() -> None:
    with pytest.raises(ValueError, match="unknown keys"):
        run_digits({"budget": 10}, quick=True)
    with pytest.raises(ValueError, match="attacks"):
        run_digits({"attacks": ("fgsm",)}, quick=True)
    with pytest.raises(ValueError, match="sigmas"):
        run_digits({"sigmas": (-0.1,)}, quick=True)


def test_cli_matches_the_library(
    result: dict, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("RSTHEORY_CACHE", str(cache))
    argv = [
        "experiment", "digits", "--quick", "--json", "--sigmas", "0.25", "--n", "10",
        "--pa", "0.5", "--attacks", "hsja,surfree", "--inputs", "2", "--max-queries", "300",
        "--certify-n", "1000", "--out", str(tmp_path),
    ]  # fmt: skip
    # check_repeats is not a CLI option: the quick settings' 50 is what SMALL uses too
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    row = data["rows"][0]
    expected = result["rows"][2]
    assert row["accuracy"] == expected["accuracy"]
    for key, cell in expected["attacks"].items():
        got = row["attacks"][key]
        assert got["queries"] == cell["queries"]
        assert float(got["median_distortion"]) == pytest.approx(cell["median_distortion"])
    assert (tmp_path / "digits.json").exists()
    assert (tmp_path / "distortion_vs_accuracy_pa0.5.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "certified_accuracy.png").read_bytes()[:4] == b"\x89PNG"
    rows = (tmp_path / "certify_cnn_sigma0.25.jsonl").read_text().splitlines()
    assert len(rows) == 1 + 10  # the parameters, then one row per certified input (quick: 10)
    assert main(["experiment", "digits", "--quick", "--pa", "1.5", "--inputs", "1"]) == 2
    assert "pa" in capsys.readouterr().err


def test_foolbox_crosscheck(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Our HopSkipJump matches foolbox's on the undefended model at equal query budgets."""
    pytest.importorskip("foolbox", reason="the cross-check needs the extra 'attacks'")
    from rstheory.experiments import foolbox_crosscheck

    monkeypatch.setenv("RSTHEORY_CACHE", str(cache))
    check = foolbox_crosscheck(inputs=3, steps=5)
    assert len(check["rows"]) == 3
    for r in check["rows"]:
        assert r["foolbox_success"] and r["rstheory_success"]
        assert r["rstheory_queries"] <= r["queries"]
        assert 0.0 < r["rstheory"] < 8.0 and 0.0 < r["foolbox"] < 8.0
    assert 0.5 < check["median_ratio"] < 2.0
