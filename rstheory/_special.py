"""SciPy's compiled special functions, callable from Numba ``@njit`` code.

``scipy.special.cython_special`` exports C entry points for its special
functions through ``__pyx_capi__`` capsules.  This module takes the address of
each capsule, registers it with LLVM under a stable symbol name
(``llvmlite.binding.add_symbol``) and declares it as a
``numba.types.ExternalFunction``.  Compiled code refers to the symbol by name,
not by address, so ``cache=True`` keeps working across interpreter sessions
(the symbol is registered again when this module is imported).

The capsule names differ per function (fused-type specialisations are called
``__pyx_fuse_<i><name>``) and every function takes a trailing
``int skip_dispatch`` argument, which is passed as 0.  :data:`BINDINGS` lists
the capsule, the expected C signature and the symbol of each function; the
test-suite asserts that every capsule exists with a ``double (double, ...``
signature so that a SciPy release that renames one fails loudly.

With ``NUMBA_DISABLE_JIT=1`` the public names of this module are plain Python
functions calling :mod:`scipy.special`, so kernels stay correct (slowly).

Notes
-----
SciPy's ``betaincinv`` returns NaN at ``a = 0`` and loses accuracy at extreme
levels; :mod:`rstheory.bounds` uses it only as a starting point for its own
log-space Newton iteration.
"""

from __future__ import annotations

import ctypes
from typing import Any

import llvmlite.binding as llvm
import numba
import scipy.special
import scipy.special.cython_special as _cs
from numba import types

from rstheory._jit import jit

__all__ = [
    "BINDINGS",
    "capsule_signature",
    "ndtri",
    "ndtr",
    "log_ndtr",
    "ndtri_exp",
    "betainc",
    "betaincc",
    "betaincinv",
    "betainccinv",
    "betaln",
    "erfcx",
    "gammainc",
    "gammaincc",
    "chndtr",
]

#: public name -> (capsule name in cython_special.__pyx_capi__, expected C signature)
BINDINGS: dict[str, tuple[str, str]] = {
    "ndtri": ("ndtri", "double (double, int __pyx_skip_dispatch)"),
    "ndtr": ("__pyx_fuse_1ndtr", "double (double, int __pyx_skip_dispatch)"),
    "log_ndtr": ("__pyx_fuse_1log_ndtr", "double (double, int __pyx_skip_dispatch)"),
    "ndtri_exp": ("ndtri_exp", "double (double, int __pyx_skip_dispatch)"),
    "betainc": ("__pyx_fuse_0betainc", "double (double, double, double, int __pyx_skip_dispatch)"),
    "betaincc": (
        "__pyx_fuse_0betaincc",
        "double (double, double, double, int __pyx_skip_dispatch)",
    ),
    "betaincinv": (
        "__pyx_fuse_0betaincinv",
        "double (double, double, double, int __pyx_skip_dispatch)",
    ),
    "betainccinv": (
        "__pyx_fuse_0betainccinv",
        "double (double, double, double, int __pyx_skip_dispatch)",
    ),
    "betaln": ("betaln", "double (double, double, int __pyx_skip_dispatch)"),
    "erfcx": ("__pyx_fuse_1erfcx", "double (double, int __pyx_skip_dispatch)"),
    "gammainc": ("gammainc", "double (double, double, int __pyx_skip_dispatch)"),
    "gammaincc": ("gammaincc", "double (double, double, int __pyx_skip_dispatch)"),
    "chndtr": ("__pyx_fuse_0chndtr", "double (double, double, double, int __pyx_skip_dispatch)"),
}

_PyCapsule_GetName = ctypes.pythonapi.PyCapsule_GetName
_PyCapsule_GetName.restype = ctypes.c_char_p
_PyCapsule_GetName.argtypes = [ctypes.py_object]
_PyCapsule_GetPointer = ctypes.pythonapi.PyCapsule_GetPointer
_PyCapsule_GetPointer.restype = ctypes.c_void_p
_PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


def capsule_signature(capsule_name: str) -> str:
    """Return the C signature stored in a ``cython_special`` capsule.

    Raises
    ------
    KeyError
        If SciPy does not export ``capsule_name``.
    """
    capsule = _cs.__pyx_capi__[capsule_name]
    name = _PyCapsule_GetName(capsule)
    return name.decode() if name is not None else ""


def _bind(public: str) -> Any:
    """Register one capsule as an LLVM symbol and return its ExternalFunction."""
    capsule_name, signature = BINDINGS[public]
    found = capsule_signature(capsule_name)
    if found != signature:  # pragma: no cover - only on an incompatible SciPy
        raise ImportError(
            f"scipy.special.cython_special.{capsule_name} has signature {found!r}, "
            f"rstheory expects {signature!r}"
        )
    capsule = _cs.__pyx_capi__[capsule_name]
    address = _PyCapsule_GetPointer(capsule, found.encode())
    symbol = f"rstheory_scipy_{public}"
    llvm.add_symbol(symbol, address)
    nargs = signature.count(",")  # the doubles, skip_dispatch excluded
    return types.ExternalFunction(symbol, types.float64(*([types.float64] * nargs), types.intc))


if numba.config.DISABLE_JIT:  # type: ignore[attr-defined]
    # Plain-Python twins with the same semantics (NUMBA_DISABLE_JIT=1).

    def ndtri(p: float) -> float:
        """Inverse of the standard normal CDF, :math:`\\Phi^{-1}(p)`."""
        return float(scipy.special.ndtri(p))

    def ndtr(x: float) -> float:
        """Standard normal CDF :math:`\\Phi(x)`."""
        return float(scipy.special.ndtr(x))

    def log_ndtr(x: float) -> float:
        """:math:`\\log \\Phi(x)`, accurate in the far left tail."""
        return float(scipy.special.log_ndtr(x))

    def ndtri_exp(y: float) -> float:
        """:math:`\\Phi^{-1}(e^y)` for ``y <= 0``, accurate for tiny and near-one ``e^y``."""
        return float(scipy.special.ndtri_exp(y))

    def betainc(a: float, b: float, x: float) -> float:
        """Regularized incomplete beta function :math:`I_x(a, b)`."""
        return float(scipy.special.betainc(a, b, x))

    def betaincc(a: float, b: float, x: float) -> float:
        """Complement :math:`1 - I_x(a, b)`, computed without cancellation."""
        return float(scipy.special.betaincc(a, b, x))

    def betaincinv(a: float, b: float, y: float) -> float:
        """Inverse of :math:`I_x(a, b)` in ``x``."""
        return float(scipy.special.betaincinv(a, b, y))

    def betainccinv(a: float, b: float, y: float) -> float:
        """Inverse of :math:`1 - I_x(a, b)` in ``x``."""
        return float(scipy.special.betainccinv(a, b, y))

    def betaln(a: float, b: float) -> float:
        """:math:`\\log |B(a, b)|`."""
        return float(scipy.special.betaln(a, b))

    def erfcx(x: float) -> float:
        """Scaled complementary error function :math:`e^{x^2} \\operatorname{erfc}(x)`."""
        return float(scipy.special.erfcx(x))

    def gammainc(a: float, x: float) -> float:
        """Regularized lower incomplete gamma function :math:`P(a, x)`."""
        return float(scipy.special.gammainc(a, x))

    def gammaincc(a: float, x: float) -> float:
        """Regularized upper incomplete gamma function :math:`Q(a, x) = 1 - P(a, x)`."""
        return float(scipy.special.gammaincc(a, x))

    def chndtr(x: float, df: float, nc: float) -> float:
        """Noncentral chi-square CDF :math:`P[\\chi'^2_{df}(nc) \\le x]`."""
        return float(scipy.special.chndtr(x, df, nc))

else:
    _ndtri = _bind("ndtri")
    _ndtr = _bind("ndtr")
    _log_ndtr = _bind("log_ndtr")
    _ndtri_exp = _bind("ndtri_exp")
    _betainc = _bind("betainc")
    _betaincc = _bind("betaincc")
    _betaincinv = _bind("betaincinv")
    _betainccinv = _bind("betainccinv")
    _betaln = _bind("betaln")
    _erfcx = _bind("erfcx")
    _gammainc = _bind("gammainc")
    _gammaincc = _bind("gammaincc")
    _chndtr = _bind("chndtr")

    @jit
    def ndtri(p: float) -> float:
        """Inverse of the standard normal CDF, :math:`\\Phi^{-1}(p)`."""
        return _ndtri(p, 0)

    @jit
    def ndtr(x: float) -> float:
        """Standard normal CDF :math:`\\Phi(x)`."""
        return _ndtr(x, 0)

    @jit
    def log_ndtr(x: float) -> float:
        """:math:`\\log \\Phi(x)`, accurate in the far left tail."""
        return _log_ndtr(x, 0)

    @jit
    def ndtri_exp(y: float) -> float:
        """:math:`\\Phi^{-1}(e^y)` for ``y <= 0``, accurate for tiny and near-one ``e^y``."""
        return _ndtri_exp(y, 0)

    @jit
    def betainc(a: float, b: float, x: float) -> float:
        """Regularized incomplete beta function :math:`I_x(a, b)`."""
        return _betainc(a, b, x, 0)

    @jit
    def betaincc(a: float, b: float, x: float) -> float:
        """Complement :math:`1 - I_x(a, b)`, computed without cancellation."""
        return _betaincc(a, b, x, 0)

    @jit
    def betaincinv(a: float, b: float, y: float) -> float:
        """Inverse of :math:`I_x(a, b)` in ``x``."""
        return _betaincinv(a, b, y, 0)

    @jit
    def betainccinv(a: float, b: float, y: float) -> float:
        """Inverse of :math:`1 - I_x(a, b)` in ``x``."""
        return _betainccinv(a, b, y, 0)

    @jit
    def betaln(a: float, b: float) -> float:
        """:math:`\\log |B(a, b)|`."""
        return _betaln(a, b, 0)

    @jit
    def erfcx(x: float) -> float:
        """Scaled complementary error function :math:`e^{x^2} \\operatorname{erfc}(x)`."""
        return _erfcx(x, 0)

    @jit
    def gammainc(a: float, x: float) -> float:
        """Regularized lower incomplete gamma function :math:`P(a, x)`."""
        return _gammainc(a, x, 0)

    @jit
    def gammaincc(a: float, x: float) -> float:
        """Regularized upper incomplete gamma function :math:`Q(a, x) = 1 - P(a, x)`."""
        return _gammaincc(a, x, 0)

    @jit
    def chndtr(x: float, df: float, nc: float) -> float:
        """Noncentral chi-square CDF :math:`P[\\chi'^2_{df}(nc) \\le x]`."""
        return _chndtr(x, df, nc, 0)
