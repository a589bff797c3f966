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

Numba keys a cached kernel on its own source file only: a kernel in
``bounds.py`` that inlines a kernel of ``_beta.py`` would survive an edit of
``_beta.py`` with stale machine code.  :func:`_invalidate_stale_cache`
therefore stamps the package's cache folder with a hash of all of the
package's sources and drops the package's cached kernels when it changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numba

__all__ = ["jit", "jit_parallel", "JIT_OPTIONS"]

F = TypeVar("F", bound=Callable[..., Any])

#: Options shared by every kernel (no ``fastmath``: see the module docstring).
JIT_OPTIONS: dict[str, Any] = {"nopython": True, "cache": True, "error_model": "numpy"}


def _invalidate_stale_cache() -> None:
    """Delete this package's Numba cache files when any of its sources changed."""
    package = Path(__file__).resolve().parent
    cache = package / "__pycache__"
    try:
        digest = hashlib.sha256()
        for source in sorted(package.glob("*.py")):
            digest.update(source.name.encode())
            digest.update(source.read_bytes())
        stamp = cache / "rstheory-numba-sources.sha256"
        current = digest.hexdigest()
        if stamp.exists() and stamp.read_text() == current:
            return
        cache.mkdir(exist_ok=True)
        for stale in list(cache.glob("*.nbi")) + list(cache.glob("*.nbc")):
            stale.unlink(missing_ok=True)
        stamp.write_text(current)
    except OSError:  # read-only installation: Numba then uses its own cache locator
        return


_invalidate_stale_cache()


def jit(func: F) -> F:
    """Compile ``func`` with the package-wide options (serial)."""
    return numba.jit(**JIT_OPTIONS)(func)


def jit_parallel(func: F) -> F:
    """Compile ``func`` with the package-wide options and ``parallel=True``."""
    return numba.jit(parallel=True, **JIT_OPTIONS)(func)
