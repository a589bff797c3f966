"""Shared fixtures of the rstheory tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable

import pytest

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _values_without_jit(expr: str, prelude: str = "") -> list[float]:
    """Evaluate ``expr`` (an iterable of numbers) in a subprocess with ``NUMBA_DISABLE_JIT=1``.

    ``prelude`` runs first (imports from ``tests.*``, case lists); the values
    come back through ``repr``, so they are bit-exact.
    """
    code = (
        "import json, numba\n"
        "assert numba.config.DISABLE_JIT\n"
        + prelude
        + f"print(json.dumps([repr(float(v)) for v in {expr}]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=dict(os.environ, NUMBA_DISABLE_JIT="1"),
        capture_output=True,
        text=True,
        check=True,
        cwd=_ROOT,
    )
    return [float(v) for v in json.loads(out.stdout)]


@pytest.fixture
def values_without_jit() -> Callable[..., list[float]]:
    """The pure-Python (``NUMBA_DISABLE_JIT=1``) values of an expression, from a subprocess."""
    return _values_without_jit
