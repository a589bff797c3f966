"""The SciPy special functions bound for Numba: names, signatures, values, caching."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.special as sc
from numba import njit

from rstheory import _special
from rstheory._special import BINDINGS, capsule_signature


@pytest.mark.parametrize("public", sorted(BINDINGS))
def test_capsule_exists_with_double_signature(public):
    """A SciPy release that renames or retypes a capsule must fail here, loudly."""
    capsule, expected = BINDINGS[public]
    found = capsule_signature(capsule)
    assert found == expected
    assert found.startswith("double (double")
    assert found.endswith("int __pyx_skip_dispatch)")


ARGS = {
    "ndtri": [(1e-300,), (0.025,), (0.5,), (1 - 2**-53,)],
    "ndtr": [(-40.0,), (0.0,), (1.96,), (9.0,)],
    "log_ndtr": [(-40.0,), (0.0,), (3.0,)],
    "ndtri_exp": [(-700.0,), (-1e-20,), (-0.5,)],
    "betainc": [(2.0, 3.0, 0.4), (100.0, 5.0, 0.9)],
    "betaincc": [(2.0, 3.0, 0.4), (100.0, 5.0, 0.9)],
    "betaincinv": [(2.0, 3.0, 0.5), (10.0, 20.0, 1e-5)],
    "betainccinv": [(2.0, 3.0, 0.5), (10.0, 20.0, 1e-5)],
    "betaln": [(3.0, 4.0), (1e6, 2.5)],
    "erfcx": [(-3.0,), (0.5,), (30.0,), (1e5,)],
    "gammainc": [(0.5, 0.2), (75263.5, 75000.0)],
    "gammaincc": [(0.5, 0.2), (75263.5, 76000.0)],
    "chndtr": [(3.0, 2.0, 1.0), (150528.0, 150527.0, 4.0)],
}


@pytest.mark.parametrize("public", sorted(BINDINGS))
def test_bound_function_matches_scipy(public):
    fn = getattr(_special, public)
    ref = getattr(sc, public)
    for args in ARGS[public]:
        assert fn(*args) == ref(*args)


@njit
def _user(p):
    return _special.ndtri(p) + _special.betainc(2.0, 3.0, p)


def test_callable_inside_user_njit():
    assert _user(0.3) == pytest.approx(sc.ndtri(0.3) + sc.betainc(2.0, 3.0, 0.3), rel=1e-15)


def test_cache_true_survives_a_new_interpreter(tmp_path):
    """A kernel calling a bound function compiles, caches and reloads in a new process."""
    code = (
        "from rstheory.bounds import cp_lower_kernel as f;"
        "import numba; f(3.0, 10.0, 0.05);"
        "print(len(f.stats.cache_hits), len(f.stats.cache_misses))"
    )
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    hits, misses = map(int, second.stdout.split())
    assert hits >= 1 and misses == 0
    assert any(tmp_path.rglob("*.nbi"))


def test_disable_jit_fallback():
    code = (
        "import numba; assert numba.config.DISABLE_JIT;"
        "from rstheory import _special as s;"
        "print(repr(s.ndtri(0.025)), repr(s.betaincc(2.0, 3.0, 0.4)))"
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    a, b = map(float, out.stdout.split())
    assert a == sc.ndtri(0.025) and b == sc.betaincc(2.0, 3.0, 0.4)
    assert np.isfinite(a)
