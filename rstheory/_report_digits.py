"""The digits section of the verification report: attacks on smoothed digits models.

Runs :func:`rstheory.experiments.run_digits` on a report-sized grid when
torch and scikit-learn are installed (otherwise the section says why it is
empty), and writes the paper's Figure 5 analogue.  The full grid is the
documented command ``rstheory experiment digits --out DIR --progress``.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FIGURES", "available", "report_settings", "digits_study", "study_markdown"]

#: Figure files written by :func:`write_figures`.
FIGURES: tuple[str, ...] = ("distortion_vs_accuracy.png", "certified_accuracy_digits.png")


def available() -> str | None:
    """``None`` when the section can run, else the reason it cannot."""
    missing = [m for m in ("torch", "sklearn") if importlib.util.find_spec(m) is None]
    if missing:
        return f"{' and '.join(missing)} not installed (pip install torch==2.13.0 scikit-learn)"
    return None


def report_settings(quick: bool) -> dict[str, Any]:
    """The grid the report runs: a few seconds with ``quick``, under a minute otherwise."""
    if quick:
        return {
            "sigmas": (0.25,),
            "ns": (10,),
            "pas": (0.5,),
            "attacks": ("hsja",),
            "inputs": 1,
            "max_queries": 400,
            "check_repeats": 50,
            "certify_n": 1000,
            "certify_inputs": 5,
        }
    # two noise levels > 0 so that claim 3 (large vs small sigma) can be judged
    return {
        "sigmas": (0.0, 0.05, 0.25),
        "ns": (1, 10, 50),
        "pas": (0.5, 0.8),
        "attacks": ("hsja", "rays", "surfree"),
        "inputs": 2,
        "max_queries": 400,
        "check_repeats": 50,
        "certify_n": 2000,
        "certify_inputs": 30,
    }


def digits_study(quick: bool, progress: bool = False) -> dict[str, Any]:
    """Run the report's grid (seed 0); the result of :func:`run_digits`.

    ``progress`` prints one line per model and attack cell on stderr.
    """
    from rstheory.experiments import run_digits

    return run_digits(report_settings(quick), quick=True, progress=progress)


def _f(value: Any, fmt: str = ".3g") -> str:
    if value is None:
        return "-"
    v = float(value)
    if math.isinf(v):
        return "inf"
    return format(v, fmt)


def study_markdown(result: dict[str, Any]) -> list[str]:
    """The section's table and notes, as Markdown lines."""
    conf = result["settings"]
    keys = [f"{a}@{pa:g}" for a in conf["attacks"] for pa in conf["pas"]]
    lines = [
        f"`rstheory.experiments.run_digits` ({result['seconds']:.1f} s): the scikit-learn "
        f"8x8 digits, a small {conf['model'].upper()} trained with Gaussian noise of the "
        f"same sigma (sigma = 0: the undefended model), {conf['inputs']} correctly "
        f"classified test inputs per model, {conf['max_queries']} queries of g_sigma,n per "
        "attack (final level check included), distortions in L2 on [0, 1] pixels (an 8x8 "
        "image has norm up to 8).  Certified radius: CERTIFY with n0 = 100, N = "
        f"{conf['certify_n']}, alpha = {conf['alpha']:g}.  Each cell: median distortion "
        "(success rate) and, in brackets, the median ratio distortion / certified radius; a "
        "failed attack counts as inf.  Base-model test accuracy: "
        + ", ".join(f"sigma {k}: {v:.3f}" for k, v in result["models"].items())
        + ".",
        "",
    ]
    for key, cert in result.get("certification", {}).items():
        lines.append(
            f"- sigma = {key}: CERTIFY on the first {cert['inputs']} test inputs: correct "
            f"{cert['clean']:.3f}, certified accuracy at radius 0.25 / 0.5 / 1.0: "
            + " / ".join(
                f"{float(np.interp(r, cert['thresholds'], cert['accuracy'])):.3f}"
                for r in (0.25, 0.5, 1.0)
            )
            + " (`certified_accuracy_digits.png`)."
        )
    lines += [
        "",
        "| sigma | n | accuracy of g_sigma,n | certified | median radius | "
        + " | ".join(keys)
        + " |",
        "|---:|---:|---:|---:|---:|" + "---|" * len(keys),
    ]
    for row in result["rows"]:
        cells = []
        for key in keys:
            c = row["attacks"][key]
            ratio = "" if c["median_ratio"] is None else f" [{_f(c['median_ratio'])}x]"
            cells.append(f"{_f(c['median_distortion'])} ({c['success']:.2f}){ratio}")
        lines.append(
            f"| {row['sigma']:g} | {row['n']} | {row['accuracy']:.3f} | "
            f"{_f(row['certified'], '.2f')} | {_f(row['median_radius'])} | "
            + " | ".join(cells)
            + " |"
        )
    lines += [
        "",
        "This is a small grid (the report must stay fast): read it as a smoke test of the "
        "experiment, not as a measurement.  The full grid (sigma in {0, 0.05, 0.15, 0.25}, "
        "n in {1, 10, 50, 200}, three attacks, Pa in {0.5, 0.8}, 10 inputs, 1000 queries) is "
        "`rstheory experiment digits --out DIR --progress`.",
    ]
    return lines


def write_figures(result: dict[str, Any], out: Path) -> list[tuple[str, str]]:
    """Write :data:`FIGURES` into ``out``; ``(filename, caption)`` of each."""
    from rstheory.experiments import plot_certified_accuracy, plot_distortion_vs_accuracy

    fig = plot_distortion_vs_accuracy(result, pa=float(result["settings"]["pas"][0]))
    fig.savefig(out / "distortion_vs_accuracy.png", dpi=110)
    plot_certified_accuracy(result).savefig(out / "certified_accuracy_digits.png", dpi=110)
    return [
        (
            "distortion_vs_accuracy.png",
            "Median L2 distortion found by each attack vs the clean accuracy of g_sigma,n on "
            "the digits (after Maho et al. Figure 5; labels sigma/n)",
        ),
        (
            "certified_accuracy_digits.png",
            "Certified accuracy vs L2 radius of the smoothed digits models (CERTIFY, "
            "Cohen et al. Figure 6 style)",
        ),
    ]
