"""The claims ledger: the verdict rules on constructed data, and docs/claims.md in sync."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rstheory import claims
from rstheory.claims import (
    CLAIMS,
    VERDICTS,
    check_claims,
    judge,
    ledger_markdown,
    load_digits_result,
    sorm_offsets,
)
from rstheory.cli import main

ROOT = Path(__file__).resolve().parents[1]
DIGITS = "docs/data/digits.json"


def _digits(
    distortion: Any,
    *,
    radius: float = 0.5,
    sigmas: tuple[float, ...] = (0.05, 0.25),
    ns: tuple[int, ...] = (1, 100),
    pas: tuple[float, ...] = (0.5, 0.8),
    accuracy: Any = lambda sigma, n: 0.98,
) -> dict[str, Any]:
    """A digits result whose median distortion of each cell is ``distortion(sigma, n, pa)``."""
    rows = [{"sigma": 0.0, "n": 1, "accuracy": 0.99, "attacks": {}}]
    for s in sigmas:
        for n in ns:
            cells = {}
            for attack in ("hsja", "rays"):
                for pa in pas:
                    d = float(distortion(s, n, pa))
                    cells[f"{attack}@{pa:g}"] = {
                        "attack": attack,
                        "pa": pa,
                        "median_distortion": d,
                        "success": 0.0 if math.isinf(d) else 1.0,
                        "median_ratio": d / radius,
                    }
            rows.append({"sigma": s, "n": n, "accuracy": accuracy(s, n), "attacks": cells})
    settings = {
        "model": "cnn",
        "sigmas": [0.0, *sigmas],
        "ns": list(ns),
        "pas": list(pas),
        "attacks": ["hsja", "rays"],
        "inputs": 3,
        "max_queries": 100,
    }
    models = {f"{s:g}": 0.99 for s in (0.0, *sigmas)}
    return {"settings": settings, "rows": rows, "models": models}


# --------------------------------------------------------------------------- rules, digits


@pytest.mark.parametrize(
    ("ratio", "verdict"),
    [
        (40.0, "holds"),
        (30.0, "holds"),
        (5.0, "holds in part"),
        (0.8, "does not hold at this scale"),
    ],
)
def test_claim_1_compares_the_median_ratio_with_the_papers_factor(ratio: float, verdict: str):
    r = judge(1, digits=_digits(lambda s, n, pa: ratio * 0.5))
    assert r.verdict == verdict
    assert r.figures["median_ratio"] == pytest.approx(ratio)


def test_claim_1_leaves_out_failed_cells_and_needs_a_finite_one():
    data = _digits(lambda s, n, pa: math.inf if n == 1 else 2.0)
    r = judge(1, digits=data)
    assert r.figures["finite"] == r.figures["cells"] // 2
    assert r.figures["median_ratio"] == pytest.approx(4.0)
    assert judge(1, digits=_digits(lambda s, n, pa: math.inf)).verdict == "not measured"


@pytest.mark.parametrize(
    ("factor", "verdict"), [(1.1, "holds"), (0.85, "holds"), (1.6, "does not hold at this scale")]
)
def test_claim_2_measures_the_move_from_pa_05_to_08(factor: float, verdict: str):
    r = judge(2, digits=_digits(lambda s, n, pa: 1.0 * (factor if pa == 0.8 else 1.0)))
    assert r.verdict == verdict
    assert r.figures["median_ratio"] == pytest.approx(factor)


def test_claim_2_is_in_part_when_only_the_median_is_small():
    # n = 1 cells do not move; at n = 100 sigma 0.05 doubles and sigma 0.25 halves:
    # median 1 (in band), but only half the cells within a factor 1.25
    def d(s: float, n: int, pa: float) -> float:
        if pa == 0.5 or n == 1:
            return 1.0
        return 2.0 if s == 0.05 else 0.5

    r = judge(2, digits=_digits(d))
    assert r.figures["median_ratio"] == pytest.approx(1.0)
    assert r.figures["within"] == pytest.approx(0.5)
    assert r.verdict == "holds in part"


@pytest.mark.parametrize(
    ("grow", "drop", "verdict"),
    [
        (1.0, 0.05, "holds"),
        (2.0, 0.0, "does not hold at this scale"),
        (2.0, 0.05, "holds in part"),
        (1.0, 0.0, "holds in part"),
    ],
)
def test_claim_3_needs_both_parts(grow: float, drop: float, verdict: str):
    data = _digits(
        lambda s, n, pa: grow if s == 0.25 else 1.0,
        accuracy=lambda s, n: 0.98 - (drop if s == 0.25 else 0.0),
    )
    r = judge(3, digits=data)
    assert r.verdict == verdict
    assert r.figures["median_distortion_ratio"] == pytest.approx(grow)
    assert r.figures["accuracy_drop"] == pytest.approx(drop)


@pytest.mark.parametrize(
    ("few", "verdict"),
    [(math.inf, "holds"), (2.0, "holds"), (0.5, "does not hold at this scale")],
)
def test_claim_4_compares_the_fewest_and_most_votes(few: float, verdict: str):
    r = judge(4, digits=_digits(lambda s, n, pa: few if n == 1 else 1.0))
    assert r.verdict == verdict
    assert r.figures["defeated_at_few"] == (r.figures["pairs"] if math.isinf(few) else 0)


def test_digits_claims_say_what_is_missing():
    one = _digits(lambda s, n, pa: 1.0, sigmas=(0.25,), ns=(10,), pas=(0.5,))
    for number in (2, 3, 4):
        r = judge(number, digits=one)
        assert r.verdict == "not measured"
        assert r.reason
    assert judge(1, digits=one).verdict == "holds in part"
    assert judge(1).verdict == "not measured"
    assert judge(5).reason == "no simulation study"
    assert judge(8).verdict == "not measured"


# --------------------------------------------------------------------------- rules, analytic


def _simulation(sds: list[float], cosines: list[list[float]]) -> dict[str, Any]:
    ns = [1, 10, 50, 200][: len(sds)]
    spread = [
        {
            "n": n,
            "exact_sd": s,
            "exact_median": 24.3,
            "frontier": 24.3,
            "ks": 0.01,
            "ks_critical": 0.07,
        }
        for n, s in zip(ns, sds, strict=True)
    ]
    ratios = [0.5, 1.0, 2.0]
    normal = {
        "dim": 50,
        "queries": 300,
        "repeats": 5,
        "ratios": ratios,
        "max_z": 1.0,
        "rows": [{"n": n, "mean": c} for n, c in zip(ns, cosines, strict=True)],
    }
    scan = {
        "pa": [0.5, 0.8],
        "rows": [
            {
                "n": 1,
                "radius": 4.2,
                "level_bounds": [4.2, 4.4],
                "half_distance": 24.3,
                "smoothed_frontier": 24.3,
                "base_frontier": 100.0,
            },
        ],
    }
    return {
        "setup": {"dim": 150528, "radius": 100.0, "sigma": 0.25},
        "spread": {"rows": spread, "steps": 14, "repeats": 100},
        "normal": normal,
        "scan": scan,
    }


def test_claim_5_asks_for_the_one_over_sqrt_n_law():
    law = [0.5 / math.sqrt(n) for n in (1, 10, 50, 200)]
    good = _simulation(law, [[0.9] * 3] * 4)
    assert judge(5, simulation=good).verdict == "holds"
    slow = _simulation([0.5, 0.4, 0.3, 0.2], [[0.9] * 3] * 4)
    assert judge(5, simulation=slow).verdict == "holds in part"
    flat = _simulation([0.5, 0.5, 0.5, 0.5], [[0.9] * 3] * 4)
    assert judge(5, simulation=flat).verdict == "does not hold at this scale"


def test_claim_6_compares_with_the_noiseless_limit():
    from rstheory.simulate import linear_normal_cosine

    limit = [linear_normal_cosine(n, 1e4, 50, 300) for n in (1, 10)]
    good = _simulation([0.5, 0.2], [[0.1, 0.95 * v, v] for v in limit])
    r = judge(6, simulation=good)
    assert r.verdict == "holds"
    assert r.figures["min_share_above"][1] == pytest.approx(0.95)
    weak = _simulation([0.5, 0.2], [[0.1, 0.6 * v, v] for v in limit])
    assert judge(6, simulation=weak).verdict == "holds in part"
    bad = _simulation([0.5, 0.2], [[0.1, 0.2 * v, v] for v in limit])
    assert judge(6, simulation=bad).verdict == "does not hold at this scale"


def test_claim_7_eq6_never_below_the_radius():
    r = judge(7, simulation=_simulation([0.5], [[0.9] * 3]))
    assert r.verdict == "holds"
    assert r.figures["min_gap_over_sigma"] >= 0.0
    assert r.figures["min_gap_pa_above_half"] > 0.0
    # n = 1, Pa = 0.8: the bound is R + sigma * Phi^-1(0.8) exactly (q* = 0.2)
    assert r.figures["max_gap_over_sigma"] >= 0.8416


def test_claim_8_offsets_have_the_curvatures_sign():
    data = sorm_offsets()
    offsets = np.asarray(data["offsets"])
    assert offsets.shape == (3, 3, 2)
    assert np.all(offsets[..., 0] > 0) and np.all(offsets[..., 1] < 0)
    # small curvature: s ~ sigma^2/2 * sum(kappa) (heat-equation mean-curvature flow)
    assert offsets[1, 0, 0] == pytest.approx(0.5 * 9 * 0.01, rel=0.05)
    assert judge(8, sorm=data).verdict == "holds"
    flipped = copy.deepcopy(data)
    flipped["offsets"] = (-offsets).tolist()
    assert judge(8, sorm=flipped).verdict == "does not hold at this scale"
    flipped["offsets"] = np.abs(offsets).tolist()
    assert judge(8, sorm=flipped).verdict == "holds in part"


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("number", [0, 9, 1.5, "1"])
def test_judge_rejects_unknown_claims(number: Any):
    with pytest.raises(ValueError, match="number"):
        judge(number)


def test_check_claims_rejects_unknown_claims():
    with pytest.raises(ValueError, match="only"):
        check_claims([0])


def test_load_digits_result_names_the_problem(tmp_path: Path):
    with pytest.raises(ValueError, match="digits: no such file"):
        load_digits_result(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match="not JSON"):
        load_digits_result(bad)
    bad.write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(ValueError, match="not the output"):
        load_digits_result(bad)
    (tmp_path / "digits.json").write_text(
        json.dumps(_digits(lambda s, n, pa: math.inf if n == 1 else 1.0), default=str).replace(
            "Infinity", '"inf"'
        ),
        encoding="utf-8",
    )
    data = load_digits_result(tmp_path)  # a folder is read as folder/digits.json
    assert math.isinf(data["rows"][1]["attacks"]["hsja@0.5"]["median_distortion"])


# --------------------------------------------------------------------------- the ledger


def test_every_claim_has_a_statement_scope_and_command():
    assert [c.number for c in CLAIMS] == list(range(1, 9))
    for c in CLAIMS:
        assert c.scope in ("digits", "analytic", "toy")
        assert c.command().startswith(f"rstheory claims --only {c.number}")
        assert ("--digits" in c.command()) == (c.data == "digits")


def test_docs_claims_md_is_what_its_command_writes():
    """docs/claims.md must be exactly `rstheory claims --digits docs/data/digits.json
    --markdown docs/claims.md` (claims 5-8 recomputed, claims 1-4 from the stored run)."""
    results = check_claims(digits=ROOT / DIGITS)
    assert [r.claim.number for r in results] == list(range(1, 9))
    assert all(r.verdict in VERDICTS[:3] for r in results)
    page = ledger_markdown(results, digits=DIGITS)
    assert (ROOT / "docs" / "claims.md").read_text(encoding="utf-8") == page


def test_cli_claims_matches_the_library(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    assert main(["claims", "--only", "1,4", "--digits", str(ROOT / DIGITS), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)["claims"]
    lib = check_claims([1, 4], digits=ROOT / DIGITS)
    assert [c["verdict"] for c in out] == [r.verdict for r in lib]
    assert [c["number"] for c in out] == [1, 4]
    page = tmp_path / "ledger.md"
    assert main(["claims", "--only", "7", "--quick", "--markdown", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert "## 7." in text and "## 1." not in text
    assert "claim 7 (analytic): holds" in capsys.readouterr().out


@pytest.mark.parametrize("bad", [["--only", "x"], ["--only", "9"], ["--digits", "/no/such"]])
def test_cli_claims_bad_input_exits_2(bad: list[str], capsys: pytest.CaptureFixture[str]):
    assert main(["claims", "--only", "1", *bad] if bad[0] != "--only" else ["claims", *bad]) == 2
    assert "rstheory claims: error:" in capsys.readouterr().err


def test_module_all_is_complete():
    public = {n for n in dir(claims) if not n.startswith("_") and callable(getattr(claims, n))}
    public -= {
        "annotations",
        "Any",
        "Callable",
        "Iterable",
        "Sequence",
        "Path",
        "dataclass",
        "field",
    }
    assert public <= set(claims.__all__) | {"ClaimResult", "Claim"}
