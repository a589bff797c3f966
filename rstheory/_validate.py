"""Input validation shared by the public wrappers (tier 3).

Every public function validates its arguments with these helpers, so that bad
input raises a :class:`ValueError` that names the argument and shows the bad
value, never a silent NaN, 0 or clipped result.  The helpers return float64
NumPy arrays; :func:`broadcast` broadcasts several of them and
:func:`finish` turns a result back into a Python float when every input was a
scalar.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "as_array",
    "as_count",
    "check_k_le_n",
    "as_alpha",
    "as_probability",
    "as_positive",
    "broadcast",
    "finish",
    "is_scalar",
    "fast_counts_alpha",
]

FloatArray = npt.NDArray[np.float64]


def _show(values: FloatArray, mask: npt.NDArray[np.bool_]) -> str:
    bad = values[mask].ravel()
    shown = ", ".join(repr(float(v)) for v in bad[:3])
    more = f" (and {bad.size - 3} more)" if bad.size > 3 else ""
    return shown + more


def as_array(name: str, value: Any) -> FloatArray:
    """Convert ``value`` to a float64 array, rejecting NaN and non-numbers."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real number or array of them, got {value!r}") from exc
    nan = np.isnan(arr)
    if nan.any():
        raise ValueError(f"{name} must not be NaN, got {_show(arr, nan)}")
    return arr


def as_finite(name: str, value: Any) -> FloatArray:
    """``value`` as a float64 array; NaN (as in :func:`as_array`) or +-inf raise.

    One pass over valid input (at ``d = 150528`` the validation is part of
    the cost of every classifier call).
    """
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        arr = as_array(name, value)  # raises, naming the argument
    if not np.isfinite(arr).all():
        as_array(name, arr)  # NaN: the usual message
        raise ValueError(f"{name} must be finite, got {_show(arr, np.isinf(arr))}")
    return arr


def as_vector(name: str, value: Any, dim: int | None = None) -> FloatArray:
    """A finite, contiguous 1-D float64 array of length ``dim`` (any length >= 1 if None)."""
    arr = as_finite(name, value)
    if arr.ndim != 1 or arr.size == 0:
        want = f"({dim},)" if dim is not None else "(d,) with d >= 1"
        raise ValueError(
            f"{name} must have shape {want}, got shape {arr.shape} "
            f"({name} must be a non-empty 1-D array)"
        )
    if dim is not None and arr.size != dim:
        raise ValueError(
            f"{name} must have shape ({dim},): {name} must have {dim} coordinates, got {arr.size}"
        )
    return np.ascontiguousarray(arr)


def as_count(name: str, value: Any, minimum: int = 0) -> FloatArray:
    """Validate non-negative integer counts (``minimum`` or more), stored as float64.

    Counts up to ``2**53`` are exact in double precision.
    """
    arr = as_array(name, value)
    bad = ~np.isfinite(arr) | (arr != np.floor(arr))
    if bad.any():
        raise ValueError(f"{name} must be an integer count, got {_show(arr, bad)}")
    low = arr < minimum
    if low.any():
        raise ValueError(f"{name} must be >= {minimum}, got {_show(arr, low)}")
    big = arr > 2.0**53
    if big.any():
        raise ValueError(
            f"{name} must be <= 2**53 (exact in double precision), got {_show(arr, big)}"
        )
    return arr


def check_k_le_n(k: FloatArray, n: FloatArray, k_name: str = "k", n_name: str = "n") -> None:
    """Raise if any count ``k`` exceeds its total ``n`` (after broadcasting)."""
    kb, nb = np.broadcast_arrays(k, n)
    bad = kb > nb
    if bad.any():
        i = np.flatnonzero(bad.ravel())[0]
        raise ValueError(
            f"{k_name} must be <= {n_name}, got {k_name}={float(kb.ravel()[i])!r} > "
            f"{n_name}={float(nb.ravel()[i])!r}"
        )


def as_alpha(name: str, value: Any) -> FloatArray:
    """Validate a significance level in the open interval (0, 1)."""
    arr = as_array(name, value)
    bad = ~((arr > 0.0) & (arr < 1.0))
    if bad.any():
        raise ValueError(f"{name} must lie in the open interval (0, 1), got {_show(arr, bad)}")
    return arr


def as_probability(name: str, value: Any) -> FloatArray:
    """Validate a probability in the closed interval [0, 1]."""
    arr = as_array(name, value)
    bad = ~((arr >= 0.0) & (arr <= 1.0))
    if bad.any():
        raise ValueError(f"{name} must lie in [0, 1], got {_show(arr, bad)}")
    return arr


def as_positive(name: str, value: Any) -> FloatArray:
    """Validate a finite, strictly positive scale (a noise level ``sigma``, say)."""
    arr = as_array(name, value)
    bad = ~(np.isfinite(arr) & (arr > 0.0))
    if bad.any():
        raise ValueError(f"{name} must be finite and > 0, got {_show(arr, bad)}")
    return arr


def broadcast(**arrays: FloatArray) -> tuple[tuple[int, ...], list[FloatArray]]:
    """Broadcast named arrays together; return the shape and contiguous 1-D copies.

    Raises
    ------
    ValueError
        If the shapes do not broadcast; the message names the arguments.
    """
    try:
        shape = np.broadcast_shapes(*(np.shape(v) for v in arrays.values()))
    except ValueError as exc:
        shapes = ", ".join(f"{k}{np.shape(v)}" for k, v in arrays.items())
        raise ValueError(f"arguments do not broadcast together: {shapes}") from exc
    out = [np.broadcast_to(v, shape) for v in arrays.values()]
    flat = [np.ascontiguousarray(a, dtype=np.float64).ravel() for a in out]
    # a size-1 broadcast view is "contiguous" and comes back read-only: Numba warns on those
    return shape, [a if a.flags.writeable else a.copy() for a in flat]


def is_scalar(*values: Any) -> bool:
    """True when every value is a Python or NumPy scalar (0-d)."""
    return all(np.ndim(v) == 0 for v in values)


def finish(result: FloatArray, shape: tuple[int, ...], scalar: bool) -> Any:
    """Reshape a flat kernel result; return a Python float for scalar input."""
    if scalar:
        return float(result[0])
    return result.reshape(shape)


_MAX_COUNT = 2.0**53


def fast_counts_alpha(k: Any, n: Any, alpha: Any) -> tuple[float, float, float] | None:
    """Validate scalar ``(k, n, alpha)`` cheaply; ``None`` means "use the array path".

    The scalar fast path of the bound wrappers (about 0.3 us instead of tens
    of microseconds of NumPy validation).  It accepts only valid Python or
    NumPy real scalars; anything else, valid or not, returns ``None`` so
    that the array path validates it and raises the usual error.
    """
    if not (
        isinstance(k, (int, float, np.integer, np.floating))
        and isinstance(n, (int, float, np.integer, np.floating))
        and isinstance(alpha, (float, int, np.floating))
    ):
        return None
    kf = float(k)
    nf = float(n)
    af = float(alpha)
    if (
        0.0 <= kf <= nf <= _MAX_COUNT
        and nf >= 1.0
        and kf.is_integer()
        and nf.is_integer()
        and 0.0 < af < 1.0
    ):
        return kf, nf, af
    return None


def as_int(name: str, value: Any, minimum: int) -> int:
    """A Python int ``>= minimum`` from an integer (bools and floats are refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(value)


def as_real(name: str, value: Any, low: float = -math.inf, high: float = math.inf) -> float:
    """A finite Python float in the open interval ``(low, high)`` (bools are refused)."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real number, got {value!r}") from exc
    if not (math.isfinite(v) and low < v < high):
        span = (
            f"> {low:g}"
            if high == math.inf
            else f"< {high:g}"
            if low == -math.inf
            else f"in ({low:g}, {high:g})"
        )
        raise ValueError(f"{name} must be finite and {span}, got {value!r}")
    return v
