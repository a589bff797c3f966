"""Tests of rstheory.certify: PREDICT / CERTIFY against the mpmath twin and Cohen's code."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.special
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numba import njit
from scipy.stats import binomtest, norm
from statsmodels.stats.proportion import proportion_confint

from rstheory import reference as ref
from rstheory.bounds import clopper_pearson_lower
from rstheory.certify import (
    ABSTAIN,
    PARALLEL_MIN_ROWS_CERTIFY,
    Certificate,
    binomial_test_pvalue,
    binomial_test_pvalue_kernel,
    certified_accuracy,
    certified_accuracy_kernel,
    certify,
    certify_array,
    certify_array_parallel,
    certify_kernel,
    predict,
    predict_array,
    predict_array_parallel,
    predict_kernel,
)
from rstheory.radius import gaussian_radius

SETTINGS = settings(
    deadline=None,
    derandomize=True,
    max_examples=120,
    suppress_health_check=[HealthCheck.too_slow],
)


# ---------------------------------------------------------------- Cohen's code, transcribed


def cohen_predict(counts: np.ndarray, alpha: float) -> int:
    """``Smooth.predict`` of locuslab/smoothing, from counts (``binom_test`` -> ``binomtest``)."""
    top2 = counts.argsort()[::-1][:2]
    count1 = counts[top2[0]]
    count2 = counts[top2[1]]
    if binomtest(int(count1), int(count1 + count2), p=0.5).pvalue > alpha:
        return ABSTAIN
    return int(top2[0])


def cohen_certify(sel: np.ndarray, est: np.ndarray, sigma: float, alpha: float):
    """``Smooth.certify`` of locuslab/smoothing, from counts."""
    c_a_hat = int(sel.argmax())
    n_a = int(est[c_a_hat])
    n = int(est.sum())
    p_a_bar = proportion_confint(n_a, n, alpha=2 * alpha, method="beta")[0]
    if n_a == 0 or math.isnan(p_a_bar):
        p_a_bar = 0.0
    if p_a_bar < 0.5:
        return ABSTAIN, 0.0, p_a_bar
    return c_a_hat, sigma * norm.ppf(p_a_bar), p_a_bar


def _random_counts(rng: np.random.Generator, rows: int, classes: int, n: int) -> np.ndarray:
    """Multinomial counts from Dirichlet class distributions skewed toward one class."""
    out = np.empty((rows, classes), dtype=np.int64)
    for i in range(rows):
        w = rng.dirichlet(np.full(classes, 0.3))
        out[i] = rng.multinomial(n, w)
    return out


# ---------------------------------------------------------------- the p-value


@SETTINGS
@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_pvalue_upper_bound_vs_mpmath(a, b):
    p = binomial_test_pvalue(a, b)
    exact = ref.binomial_test_pvalue(a, b)
    assert p >= exact, (a, b, p, exact)
    if exact > 1e-300:
        # the margin is 128 eps sqrt(n + 1) relative, at most 3e-11 here
        assert p <= exact * (1 + 1e-10), (a, b, p, exact)


@SETTINGS
@given(st.integers(0, 3000), st.integers(0, 3000))
def test_pvalue_matches_scipy_binomtest(a, b):
    p = binomial_test_pvalue(a, b)
    want = binomtest(max(a, b), a + b, 0.5).pvalue if a + b > 0 else 1.0
    if want > 1e-290:
        assert p == pytest.approx(want, rel=1e-9)
    assert 0.0 < p <= 1.0


def test_pvalue_special_values():
    assert binomial_test_pvalue(0, 0) == 1.0
    assert binomial_test_pvalue(7, 7) == 1.0
    assert binomial_test_pvalue(3, 4) == 1.0  # 2 P[Bin(7, 1/2) <= 3] = 1
    assert binomial_test_pvalue(1, 0) == 1.0
    assert binomial_test_pvalue(10, 0) >= 2.0**-9
    assert binomial_test_pvalue(10, 0) == pytest.approx(2.0**-9, rel=1e-12)
    assert binomial_test_pvalue(3, 9) == binomial_test_pvalue(9, 3)
    # beyond the normal range: the smallest normal double, never 0
    assert binomial_test_pvalue(10**6, 0) == 2.2250738585072014e-308
    out = binomial_test_pvalue([5, 6], [[5], [0]])
    assert out.shape == (2, 2) and out[0, 0] == 1.0


# ---------------------------------------------------------------- PREDICT


def test_predict_vs_cohen_code_and_reference():
    rng = np.random.default_rng(1902)
    rows = [
        *_random_counts(rng, 150, 10, 100),
        *_random_counts(rng, 100, 3, 1000),
        *_random_counts(rng, 50, 2, 20),
    ]
    for alpha in (0.001, 0.05):
        mismatches = []
        for row in rows:
            ours = predict(row, alpha)
            theirs = cohen_predict(row, alpha)
            if ours != theirs:
                mismatches.append((row.tolist(), ours, theirs))
        assert mismatches == []
    # the reference twin on a subset
    for row in rows[::7]:
        assert predict(row, 0.01) == ref.predict(row, 0.01)


@SETTINGS
@given(
    st.lists(st.integers(0, 5000), min_size=1, max_size=6),
    st.floats(-12.0, math.log10(0.5)).map(lambda e: 10.0**e),
)
def test_predict_sound_vs_reference(counts, alpha):
    ours = predict(counts, alpha)
    exact = ref.predict(counts, alpha)
    # err toward ABSTAIN: never a label where the exact test abstains
    assert ours == exact or ours == ABSTAIN, (counts, alpha, ours, exact)
    if ours == ABSTAIN and exact != ABSTAIN:
        # only inside the margin band just below alpha
        a, b = sorted(counts, reverse=True)[:2] if len(counts) > 1 else (counts[0], 0)
        assert ref.binomial_test_pvalue(a, b) > alpha * (1 - 1e-8)


def test_predict_boundary_errs_toward_abstain():
    # p-value of (60, 40) is 0.0568879...; alpha a hair above it: the exact test
    # rejects, the margin makes PREDICT abstain -- the safe side
    exact = float(ref.binomial_test_pvalue(60, 40))
    assert predict([60, 40], exact * (1 + 1e-15)) == ABSTAIN
    assert predict([60, 40], exact * (1 + 1e-9)) == 0
    assert predict([40, 60], exact * 0.999) == ABSTAIN


def test_abstain_matches_reference():
    assert ABSTAIN == ref.ABSTAIN == -1


def test_predict_ties_and_edge_cases():
    assert predict([5, 5, 0], 0.5) == ABSTAIN  # tie between the top two
    assert predict([0, 0, 0], 0.5) == ABSTAIN
    assert predict([9, 9, 9], 0.999) == ABSTAIN
    assert predict([20], 1e-3) == 0  # one class: nB = 0, p-value 2**-19
    assert predict([0, 20, 1], 1e-3) == 1
    assert predict([1, 0], 0.99) == ABSTAIN  # p-value 1
    assert predict([1e9, 0], 2.2e-308) == ABSTAIN  # below the resolved range
    assert type(predict([0, 20, 1], 1e-3)) is int


def test_predict_batch():
    rng = np.random.default_rng(7)
    counts = _random_counts(rng, 60, 4, 50)
    alphas = rng.uniform(1e-4, 0.2, 60)
    out = predict(counts, alphas)
    assert out.dtype == np.int64 and out.shape == (60,)
    np.testing.assert_array_equal(out, [predict(c, a) for c, a in zip(counts, alphas, strict=True)])
    np.testing.assert_array_equal(predict(counts, 0.01), [predict(c, 0.01) for c in counts])
    assert predict(np.zeros((0, 3)), 0.1).shape == (0,)


# ---------------------------------------------------------------- CERTIFY


def test_certify_vs_cohen_code():
    rng = np.random.default_rng(2019)
    for n0, n, classes in [(100, 1000, 10), (50, 200, 3), (10, 100_000, 5)]:
        sel = _random_counts(rng, 80, classes, n0)
        est = _random_counts(rng, 80, classes, n)
        for sigma, alpha in [(0.25, 0.001), (1.0, 0.05)]:
            cert = certify(sel, est, sigma, alpha)
            for i in range(sel.shape[0]):
                label, radius, p_bar = cohen_certify(sel[i], est[i], sigma, alpha)
                if abs(p_bar - 0.5) < 1e-9:
                    continue
                assert cert.label[i] == label
                if label == ABSTAIN:
                    assert cert.radius[i] == 0.0
                else:
                    assert cert.radius[i] == pytest.approx(radius, rel=1e-9, abs=1e-12)


def test_certify_sound_vs_reference():
    rng = np.random.default_rng(3)
    sel = _random_counts(rng, 40, 4, 100)
    est = _random_counts(rng, 40, 4, 1000)
    unsound = []
    for i in range(40):
        label, radius = certify(sel[i], est[i], 0.5, 0.001)
        ref_label, ref_radius = ref.certify(sel[i], est[i], 0.5, 0.001)
        if label != ABSTAIN:
            if label != ref_label or not radius <= ref_radius:
                unsound.append((i, label, radius, ref_label, ref_radius))
            elif ref_radius != 0:
                assert abs(float((radius - ref_radius) / ref_radius)) <= 1e-12
        elif ref_label != ABSTAIN:
            # abstaining where the twin certifies: only at the 1/2 boundary
            nA = est[i][int(sel[i].argmax())]
            assert float(ref.clopper_pearson_lower(int(nA), int(est[i].sum()), 0.001)) < 0.5 + 1e-12
    assert unsound == []


def test_certify_formula_and_types():
    cert = certify([0, 100, 0], [2, 990, 8], 0.25, 0.001)
    assert isinstance(cert, Certificate)
    assert type(cert.label) is int and type(cert.radius) is float
    assert cert.label == 1
    assert cert.radius == gaussian_radius(clopper_pearson_lower(990, 1000, 0.001), 0.25)
    assert certify([10, 0], [400, 600], 0.25, 0.001) == (ABSTAIN, 0.0)
    # ties in the selection: lowest index, as numpy.argmax
    assert certify([5, 5], [1000, 0], 1.0, 0.01).label == 0
    assert certify([5, 5], [0, 1000], 1.0, 0.01) == (ABSTAIN, 0.0)
    # all-zero selection counts select label 0
    assert certify([0, 0], [1000, 0], 1.0, 0.01).label == 0
    # single class: nA = n, p_lower = alpha**(1/n); the radius comes from log p
    # (tighter than through the rounded double p_lower, and still sound)
    one = certify([3], [100], 1.0, 0.01)
    assert one.label == 0
    via_p = gaussian_radius(clopper_pearson_lower(100, 100, 0.01), 1.0)
    assert via_p <= one.radius <= float(ref.certify([3], [100], 1.0, 0.01)[1])
    assert one.radius == pytest.approx(via_p, rel=1e-12)


def test_certify_batch_matches_rows():
    rng = np.random.default_rng(11)
    sel = _random_counts(rng, 30, 5, 100)
    est = _random_counts(rng, 30, 5, 500)
    sigmas = rng.uniform(0.1, 1.0, 30)
    cert = certify(sel, est, sigmas, 0.01)
    assert cert.label.dtype == np.int64 and cert.radius.dtype == np.float64
    for i in range(30):
        assert certify(sel[i], est[i], sigmas[i], 0.01) == (cert.label[i], cert.radius[i])
    empty = certify(np.zeros((0, 3)), np.zeros((0, 3)), 1.0, 0.1)
    assert empty.label.shape == (0,) and empty.radius.shape == (0,)


def test_certify_simulation_coverage():
    """Counts from a known distribution: radius <= the true radius w.p. >= 1 - alpha.

    A certificate ``(label, R)`` is wrong when ``R`` exceeds
    ``sigma * Phi^-1(p_true[label])``, the radius that the true probability of
    the certified label gives (if that probability is below 1/2, any
    non-abstention is wrong).
    """
    rng = np.random.default_rng(20190208)
    sigma = 0.5
    trials = 4000
    for p_true, n0, n, alpha in [
        (np.array([0.62, 0.3, 0.08]), 20, 100, 0.1),
        (np.array([0.55, 0.45]), 10, 1000, 0.1),
        (np.array([0.9, 0.05, 0.05]), 50, 300, 0.05),
        (np.array([0.4, 0.35, 0.25]), 10, 200, 0.1),
    ]:
        sel = rng.multinomial(n0, p_true, size=trials)
        est = rng.multinomial(n, p_true, size=trials)
        cert = certify(sel, est, sigma, alpha)
        certified = cert.label != ABSTAIN
        true_radius = sigma * scipy.special.ndtri(p_true[np.where(certified, cert.label, 0)])
        wrong = certified & (cert.radius > true_radius)
        rate = wrong.mean()
        slack = 3 * math.sqrt(alpha * (1 - alpha) / trials)
        assert rate <= alpha + slack, (p_true, rate)
        assert certified.any() or p_true.max() < 0.5


# ---------------------------------------------------------------- certified accuracy


def test_certified_accuracy_vs_brute_force():
    rng = np.random.default_rng(5)
    radii = rng.choice([-np.inf, 0.0, 0.25, 0.5, 1.0, np.inf], size=500)
    radii = np.where(rng.random(500) < 0.5, rng.exponential(0.5, 500), radii)
    correct = rng.random(500) < 0.7
    thresholds = np.array([-np.inf, -1.0, 0.0, 0.25, 0.3, 0.5, 1.0, 2.0, np.inf])
    want = [np.mean(correct & (radii >= t)) for t in thresholds]
    np.testing.assert_allclose(certified_accuracy(radii, correct, thresholds), want, rtol=0)


def test_certified_accuracy_inclusive_and_denominator():
    labels = np.array([1, ABSTAIN, 0, 2])
    truth = np.array([1, 0, 0, 1])
    radii = np.array([0.5, 0.0, 0.25, 3.0])
    correct = labels == truth
    assert certified_accuracy(radii, correct, 0.5) == 0.25  # inclusive: 0.5 >= 0.5
    assert certified_accuracy(radii, correct, 0.0) == 0.5  # the abstention is in N
    assert certified_accuracy(radii, correct, 0.25) == 0.5
    assert certified_accuracy(radii, correct, math.nextafter(0.5, 1.0)) == 0.0
    out = certified_accuracy(radii, correct, [[0.0, 0.5], [1.0, 2.0]])
    assert out.shape == (2, 2)
    assert type(certified_accuracy(radii, correct, 0.0)) is float
    assert certified_accuracy(radii, [1, 0, 1, 0], 0.0) == 0.5
    ca = certified_accuracy(radii.reshape(2, 2), correct.reshape(2, 2), 0.0)
    assert ca == 0.5


# ---------------------------------------------------------------- kernels


@njit
def _user_code(sel, est, sigma, alpha):
    total = 0.0
    for i in range(sel.shape[0]):
        label, radius = certify_kernel(sel[i], est[i], sigma, alpha)
        total += label + radius + predict_kernel(est[i], alpha)
        total += binomial_test_pvalue_kernel(est[i, 0], est[i, 1])
    return total


def test_kernels_inside_user_njit():
    sel = np.array([[0.0, 10.0, 0.0], [5.0, 3.0, 2.0], [1.0, 1.0, 8.0]])
    est = np.array([[3.0, 95.0, 2.0], [50.0, 40.0, 10.0], [0.0, 0.0, 100.0]])
    expect = 0.0
    for s, e in zip(sel, est, strict=True):
        label, radius = certify(s, e, 0.5, 0.01)
        expect += label + radius + predict(e, 0.01) + binomial_test_pvalue(e[0], e[1])
    assert _user_code(sel, est, 0.5, 0.01) == pytest.approx(expect, rel=1e-15)
    # integer arrays work too
    assert _user_code(sel.astype(np.int64), est.astype(np.int64), 0.5, 0.01) == pytest.approx(
        expect, rel=1e-15
    )
    labels, radii = certify_array(sel, est, np.full(3, 0.5), np.full(3, 0.01))
    np.testing.assert_array_equal(labels, certify(sel, est, 0.5, 0.01).label)
    np.testing.assert_array_equal(predict_array(est, np.full(3, 0.01)), predict(est, 0.01))
    ca = certified_accuracy_kernel(radii, labels == 1, np.array([0.0, 1.0]))
    np.testing.assert_array_equal(ca, certified_accuracy(radii, labels == 1, [0.0, 1.0]))


def test_parallel_kernels_match_serial():
    rng = np.random.default_rng(13)
    m = PARALLEL_MIN_ROWS_CERTIFY + 5
    sel = rng.multinomial(20, [0.6, 0.3, 0.1], size=m).astype(np.float64)
    est = rng.multinomial(200, [0.6, 0.3, 0.1], size=m).astype(np.float64)
    s = rng.uniform(0.1, 1.0, m)
    a = np.full(m, 0.01)
    labels, radii = certify_array(sel, est, s, a)
    plabels, pradii = certify_array_parallel(sel, est, s, a)
    np.testing.assert_array_equal(plabels, labels)
    np.testing.assert_array_equal(pradii, radii)
    cert = certify(sel, est, s, 0.01)  # the wrapper goes parallel
    np.testing.assert_array_equal(cert.label, labels)
    np.testing.assert_array_equal(cert.radius, radii)
    np.testing.assert_array_equal(predict_array_parallel(est, a), predict_array(est, a))


CASES = [
    ([0, 100, 0], [2, 990, 8], 0.25, 0.001),
    ([10, 0], [400, 600], 0.25, 0.001),
    ([3], [100], 1.0, 0.01),
    ([1, 9], [1, 999_999], 0.5, 1e-10),
]


def _all_values() -> list[float]:
    out: list[float] = []
    for sel, est, sigma, alpha in CASES:
        label, radius = certify(sel, est, sigma, alpha)
        out += [label, radius, predict(est, alpha), binomial_test_pvalue(est[0], est[-1])]
    out += certified_accuracy([0.5, 0.0, 2.0], [True, False, True], [0.0, 1.0]).tolist()
    return out


def test_disable_jit_gives_same_results():
    code = (
        "import json, numba\n"
        "assert numba.config.DISABLE_JIT\n"
        "from tests.test_certify import _all_values\n"
        "print(json.dumps([repr(float(v)) for v in _all_values()]))\n"
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=root
    )
    got = [float(v) for v in json.loads(out.stdout)]
    assert got == pytest.approx(_all_values(), rel=1e-15)


# ---------------------------------------------------------------- bad input


NAN = float("nan")


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: predict([1, -2], 0.1), "counts"),
        (lambda: predict([1.5, 2], 0.1), "counts"),
        (lambda: predict([NAN, 2], 0.1), "counts"),
        (lambda: predict([], 0.1), "counts"),
        (lambda: predict(5, 0.1), "counts"),
        (lambda: predict(np.ones((2, 2, 2)), 0.1), "counts"),
        (lambda: predict([2.0**53, 2.0**53], 0.1), "counts"),
        (lambda: predict([1, 2], 0.0), "alpha"),
        (lambda: predict([1, 2], 1.0), "alpha"),
        (lambda: predict([1, 2], NAN), "alpha"),
        (lambda: predict([1, 2], [0.1, 0.2]), "alpha"),
        (lambda: predict([[1, 2], [3, 4]], [0.1, 0.2, 0.3]), "alpha"),
        (lambda: certify([1, -1], [1, 2], 1.0, 0.1), "counts_selection"),
        (lambda: certify([1, 1], [1, 2.5], 1.0, 0.1), "counts_estimation"),
        (lambda: certify([1, 1], [0, 0], 1.0, 0.1), "counts_estimation"),
        (lambda: certify([1, 1], [1, 2, 3], 1.0, 0.1), "counts_estimation"),
        (lambda: certify([[1, 1]], [[1, 2], [3, 4]], 1.0, 0.1), "counts_estimation"),
        (lambda: certify([], [], 1.0, 0.1), "counts_selection"),
        (lambda: certify([1, 1], [1, 2], 0.0, 0.1), "sigma"),
        (lambda: certify([1, 1], [1, 2], -1.0, 0.1), "sigma"),
        (lambda: certify([1, 1], [1, 2], math.inf, 0.1), "sigma"),
        (lambda: certify([1, 1], [1, 2], [1.0, 2.0], 0.1), "sigma"),
        (lambda: certify([1, 1], [1, 2], 1.0, 0.0), "alpha"),
        (lambda: certify([1, 1], [1, 2], 1.0, 1.5), "alpha"),
        (lambda: certify([[1, 1]], [[1, 2]], 1.0, [0.1, 0.2]), "alpha"),
        (lambda: binomial_test_pvalue(-1, 3), "k1"),
        (lambda: binomial_test_pvalue(1, 3.5), "k2"),
        (lambda: binomial_test_pvalue([1, 2], [1, 2, 3]), "k1"),
        (lambda: certify([[1, 1], [2, 2]], [[1, 2], [3, 4]], [1.0, 2.0, 3.0], 0.1), "sigma"),
        (lambda: certify([[1, 1]], [[1, 2]], NAN, 0.1), "sigma"),
        (lambda: predict([[1, 2], [3, -4]], 0.1), "counts"),
        (lambda: certified_accuracy(["x", 1.0], [True, True], 0.0), "radii"),
        (lambda: certified_accuracy([NAN, 1.0], [True, True], 0.0), "radii"),
        (lambda: certified_accuracy([], [], 0.0), "radii"),
        (lambda: certified_accuracy([1.0, 2.0], [True], 0.0), "correct"),
        (lambda: certified_accuracy([1.0, 2.0], [0.5, 1.0], 0.0), "correct"),
        (lambda: certified_accuracy([1.0, 2.0], ["a", "b"], 0.0), "correct"),
        (lambda: certified_accuracy([1.0, 2.0], [True, False], NAN), "thresholds"),
    ],
)
def test_bad_input_raises_naming_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@pytest.mark.parametrize("n", [10**3, 10**6, 10**9, 10**12, 2**53])
@pytest.mark.parametrize("alpha", [1e-3, 1e-12])
def test_unanimous_votes_radius_accurate_near_p_one(n, alpha):
    """All n votes for the top class: p_lower = alpha**(1/n) is 1 - tiny, and the
    radius is computed from log p = log(alpha)/n, so it keeps ~1e-15 relative accuracy
    where going through the double p_lower would lose up to 1e-8 (n = 1e9)."""
    cert = certify([0, 3, 0], [0, n, 0], 0.25, alpha)
    label, exact = ref.certify([0, 3, 0], [0, n, 0], 0.25, alpha)
    assert cert.label == label == 1
    assert cert.radius <= exact
    assert float((exact - cert.radius) / exact) <= 1e-13


def test_certified_accuracy_vs_twin():
    rng = np.random.default_rng(99)
    radii = np.where(rng.uniform(size=200) < 0.1, -np.inf, rng.uniform(0, 2, 200))
    correct = (rng.uniform(size=200) < 0.8) & np.isfinite(radii)
    thresholds = np.concatenate([[0.0], np.sort(rng.choice(radii[np.isfinite(radii)], 5)), [3.0]])
    got = certified_accuracy(radii, correct, thresholds)
    want = ref.certified_accuracy(list(radii), list(correct), list(thresholds))
    assert [float(w) for w in want] == list(got)
