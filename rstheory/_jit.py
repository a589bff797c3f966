"""The one jit decorator of rstheory.

Every kernel in the package is compiled with :func:`jit` (scalar and array
kernels) or :func:`jit_parallel` (array kernels whose loop uses ``prange``).
Both use ``cache=True`` so that compiled code survives interpreter restarts,
``error_model="numpy"`` so that division by zero follows IEEE 754 instead of
raising, and never ``fastmath``: radii are legitimately infinite at ``p = 1``
and the soundness arguments of :mod:`rstheory.bounds` rely on strict IEEE
rounding.

Setting the environment variable ``NUMBA_DISABLE_JIT=1`` turns every kernel
into plain Python, which gives the same results (slowly).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numba

__all__ = ["jit", "jit_parallel", "JIT_OPTIONS"]

F = TypeVar("F", bound=Callable[..., Any])

#: Options shared by every kernel (no ``fastmath``: see the module docstring).
JIT_OPTIONS: dict[str, Any] = {"nopython": True, "cache": True, "error_model": "numpy"}


def jit(func: F) -> F:
    """Compile ``func`` with the package-wide options (serial)."""
    return numba.jit(**JIT_OPTIONS)(func)


def jit_parallel(func: F) -> F:
    """Compile ``func`` with the package-wide options and ``parallel=True``."""
    return numba.jit(parallel=True, **JIT_OPTIONS)(func)
