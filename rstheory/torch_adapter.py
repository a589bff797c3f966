"""A torch ``nn.Module`` as a base classifier: noisy votes on its device, CERTIFY a data set.

Randomized smoothing (Cohen, Rosenfeld & Kolter 2019) certifies the smoothed
classifier

.. math::

    g(x) = \\arg\\max_c \\pi_c(x), \\qquad
    \\pi_c(x) = P[f(x + \\varepsilon) = c], \\quad
    \\varepsilon \\sim \\mathcal N(0, \\sigma^2 I),

from Monte Carlo class counts of the base classifier :math:`f`, here the
``argmax`` of a network's logits.  This module draws those counts and hands
them to the toolkit's sound formulas (:func:`rstheory.certify.predict`,
:func:`rstheory.certify.certify`, :func:`rstheory.bounds.clopper_pearson_lower`);
it contains no formula of its own.

* :class:`TorchClassifier` wraps a model as a base classifier of the protocol
  of :mod:`rstheory.classifiers` (``dim``, ``n_classes``, ``decide``,
  ``sample_counts``) and of the ``vote_counts_batch`` hook of
  :class:`rstheory.simulate.SmoothedClassifier`, so that every experiment of
  :mod:`rstheory.simulate` runs on a real network; and it has a tensor-level
  API (:meth:`~TorchClassifier.counts`, :meth:`~TorchClassifier.predict`,
  :meth:`~TorchClassifier.certify`).
* :func:`certify_dataset` runs CERTIFY over a data set, one row per input
  written (and ``fsync``-ed) as it goes, and resumes after a crash without a
  lost or duplicated row; :func:`read_certifications`,
  :func:`certified_accuracy_curve` and :func:`plot_certified_accuracy` read
  the results back.

How the votes are drawn
-----------------------
The noise is drawn on the model's device with a :class:`torch.Generator`
(seeded from the caller's NumPy generator, so NumPy seeds make runs
reproducible), ``batch_size`` noisy copies per forward pass, into a
buffer allocated once (per thread) in the layout that ``memory_format``
asks for (``normal_``, then an in-place ``add_`` of the input), under
:func:`torch.inference_mode` with the model in eval mode.  Each batch's
``argmax`` is added into an ``int64`` count tensor on the device
(``counts.index_add_(0, labels, ones)``, deterministic also on a GPU): no
host synchronisation per batch (``torch.bincount`` would read the largest
label back on a GPU), and one host copy per call (per input for CERTIFY).  With
``n`` below ``batch_size`` several inputs share a batch.  Counts are
reproducible for a given seed, ``batch_size``, device, dtype and layout
(the generator's stream is consumed per batch).

This module imports torch; ``import rstheory`` does not import it.

References
----------
J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial robustness
via randomized smoothing", ICML 2019, arXiv:1902.02918 (Algorithms PREDICT
and CERTIFY; the reference code's ``core.py`` and ``certify.py``).
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from rstheory._validate import as_int, as_real
from rstheory.bounds import clopper_pearson_lower
from rstheory.certify import Certificate
from rstheory.certify import certified_accuracy as _certified_accuracy
from rstheory.certify import certify as _certify
from rstheory.certify import predict as _predict
from rstheory.classifiers import _as_rng

__all__ = [
    "TorchClassifier",
    "Certifications",
    "certify_dataset",
    "read_certifications",
    "certified_accuracy_curve",
    "plot_certified_accuracy",
    "COLUMNS",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: The columns of a :func:`certify_dataset` file, in order.
COLUMNS = ("index", "label", "prediction", "p_lower", "radius", "correct", "time")
_FORMAT = "rstheory.certify_dataset"
_FORMAT_VERSION = 1
#: the run's parameters that a resumed run must repeat exactly
_META_KEYS = ("sigma", "n0", "n", "alpha", "seed", "skip", "inputs", "n_classes", "input_shape")


# --------------------------------------------------------------------------- validation


def _shape(value: Any) -> tuple[int, ...]:
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        value = (value,)
    try:
        dims = tuple(value)
    except TypeError as exc:
        raise ValueError(
            f"input_shape must be a tuple of positive integers, got {value!r}"
        ) from exc
    if not dims or any(
        isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)) or d < 1
        for d in dims
    ):
        raise ValueError(f"input_shape must be a tuple of positive integers, got {value!r}")
    return tuple(int(d) for d in dims)


def _seed_from(rng: np.random.Generator) -> int:
    """A torch seed (``0 <= s < 2**63``) drawn from a NumPy generator."""
    return int(rng.integers(2**63))


def _seed_for(seed: int, index: int) -> int:
    """The torch seed of input ``index`` of a run seeded ``seed`` (independent of the others)."""
    state = np.random.SeedSequence([seed, index]).generate_state(1, dtype=np.uint64)
    return int(state[0]) >> 1


# --------------------------------------------------------------------------- the classifier


class TorchClassifier:
    """A torch model returning logits, as a base classifier :math:`f(z) = \\arg\\max_c` logit.

    The smoothed classifier of Cohen et al. (2019) is estimated from the
    counts :math:`n_c = \\#\\{i \\le n : f(x + \\sigma N_i) = c\\}`,
    :math:`N_i \\sim \\mathcal N(0, I)`; this class draws them on the model's
    device (see the module notes) and exposes them both to the toolkit (NumPy
    in, NumPy out: ``decide``, ``sample_counts``, ``vote_counts_batch``) and
    to torch users (tensors: :meth:`counts`, :meth:`predict`, :meth:`certify`).

    Parameters
    ----------
    model : torch.nn.Module
        Maps a batch of shape ``(m, *input_shape)`` to logits of shape
        ``(m, n_classes)``.  It is put in eval mode (``model.eval()``), and
        moved to ``device`` when one is given (``nn.Module.to`` moves it in
        place).
    input_shape : tuple of int
        Shape of one input, e.g. ``(1, 8, 8)`` or ``(3, 224, 224)``; the
        protocol's points are flattened, ``dim = prod(input_shape)``.
    n_classes : int, optional
        Number of classes; by default the width of the logits of one forward
        pass on a zero input.
    device : str or torch.device, optional
        Where the model runs and the noise is drawn; default the device of
        the model's first parameter (or buffer), else the CPU.
    dtype : torch.dtype, optional
        Floating dtype of the inputs and the noise (default ``torch.float32``);
        it must be the dtype of the model's floating parameters.
    batch_size : int, optional
        Noisy copies per forward pass (default 1000), ``>= 1``.
    memory_format : torch.memory_format, optional
        Layout of the batches handed to the model: ``torch.contiguous_format``
        (default, NCHW) or ``torch.channels_last`` (NHWC strides, for
        ``input_shape = (C, H, W)``): the noise buffer is allocated in that
        layout, so no copy is made.  Convolutional networks often run faster
        channels-last (oneDNN on CPUs, tensor cores on GPUs): the digits CNN
        of :mod:`rstheory.digits` took 13.5 instead of 26.5 ms per batch of
        1000 on one CPU thread.  The layout changes the order of
        floating-point sums inside the model, not the mathematics.

    Attributes
    ----------
    dim, n_classes, input_shape, device, dtype, batch_size, memory_format, model

    Raises
    ------
    ValueError
        If an argument is invalid (the message names it), the model's
        parameters have another dtype than ``dtype``, or its output is not a
        2-D batch of logits.

    See Also
    --------
    rstheory.simulate.SmoothedClassifier, certify_dataset

    Notes
    -----
    ``decide`` and the counts take :math:`f` as the *first* index of the
    largest logit (``torch.argmax``), the convention of ``numpy.argmax`` and
    of :func:`rstheory.certify.certify`'s selection.

    The classifier keeps one noise buffer of ``batch_size`` inputs per
    thread that draws votes (``batch_size * dim`` numbers of ``dtype``, on
    the device): choose ``batch_size`` with the device's memory in mind.
    On a CPU shared with other jobs, one intra-op thread
    (``torch.set_num_threads(1)``) is often faster than several: a parallel
    region waits for its slowest, possibly descheduled, thread.

    References
    ----------
    .. [1] J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial
       robustness via randomized smoothing", ICML 2019, arXiv:1902.02918.

    Examples
    --------
    >>> import torch
    >>> from rstheory.torch_adapter import TorchClassifier
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 3))
    >>> f = TorchClassifier(model, (1, 2, 2))
    >>> f.dim, f.n_classes
    (4, 3)
    >>> int(f.sample_counts([0.0, 0.0, 0.0, 0.0], 0.5, 1000, rng=0).sum())
    1000
    """

    def __init__(
        self,
        model: Any,
        input_shape: Any,
        n_classes: Any = None,
        *,
        device: Any = None,
        dtype: Any = torch.float32,
        batch_size: Any = 1000,
        memory_format: Any = None,
    ) -> None:
        if not isinstance(model, torch.nn.Module):
            raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
        self.input_shape = _shape(input_shape)
        self.dim = math.prod(self.input_shape)
        if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
            raise ValueError(f"dtype must be a floating torch.dtype, got {dtype!r}")
        self.dtype = dtype
        self.batch_size = as_int("batch_size", batch_size, 1)
        if memory_format is None:
            memory_format = torch.contiguous_format
        if not isinstance(memory_format, torch.memory_format) or memory_format not in (
            torch.contiguous_format,
            torch.channels_last,
        ):
            raise ValueError(
                "memory_format must be None, torch.contiguous_format or torch.channels_last, "
                f"got {memory_format!r}"
            )
        if memory_format == torch.channels_last and len(self.input_shape) != 3:
            raise ValueError(
                f"memory_format torch.channels_last needs input_shape (C, H, W), "
                f"got {self.input_shape}"
            )
        self.memory_format = memory_format
        self._local = threading.local()  # the noise buffer of each thread
        if device is None:
            tensors = [*model.parameters(), *model.buffers()]
            self.device = tensors[0].device if tensors else torch.device("cpu")
        else:
            try:
                self.device = torch.device(device)
            except (TypeError, RuntimeError) as exc:
                raise ValueError(f"device must name a torch device, got {device!r}") from exc
            model.to(self.device)
        for name, p in model.named_parameters():
            if p.is_floating_point() and p.dtype != dtype:
                raise ValueError(
                    f"dtype is {dtype} but the model's parameter {name!r} is {p.dtype}: "
                    f"pass dtype={p.dtype} or convert the model (model.to({dtype}))"
                )
        self.model = model.eval()
        if n_classes is None:
            with torch.inference_mode():
                zero = torch.zeros((1, *self.input_shape), dtype=dtype, device=self.device)
                logits = self.model(zero)
            if not isinstance(logits, torch.Tensor) or logits.ndim != 2 or logits.shape[0] != 1:
                shape = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits)
                raise ValueError(
                    f"model must return logits of shape (batch, n_classes), got {shape} "
                    f"for a batch of one"
                )
            n_classes = int(logits.shape[1])
        self.n_classes = as_int("n_classes", n_classes, 1)

    def __repr__(self) -> str:
        return (
            f"TorchClassifier({type(self.model).__name__}, input_shape={self.input_shape}, "
            f"n_classes={self.n_classes}, device={str(self.device)!r}, dtype={self.dtype}, "
            f"batch_size={self.batch_size}, memory_format={self.memory_format})"
        )

    # ----------------------------------------------------------------- internals

    def generator(self, seed: Any) -> torch.Generator:
        """A :class:`torch.Generator` on the model's device, seeded with ``seed`` (int >= 0)."""
        s = as_int("seed", seed, 0)
        gen = torch.Generator(device=self.device)
        gen.manual_seed(s)
        return gen

    def _check_generator(self, generator: Any) -> Any:
        if generator is None:
            return None
        if not isinstance(generator, torch.Generator):
            raise ValueError(f"generator must be a torch.Generator or None, got {generator!r}")
        if generator.device.type != self.device.type:
            raise ValueError(
                f"generator must live on the model's device ({self.device}), "
                f"got one on {generator.device}"
            )
        return generator

    def _input(self, name: str, x: Any) -> Any:
        """One input (a tensor or array of ``input_shape`` or ``(dim,)``): (1, *input_shape)."""
        t = torch.as_tensor(x)
        if t.is_complex() or t.dtype == torch.bool:
            raise ValueError(f"{name} must be real, got dtype {t.dtype}")
        if tuple(t.shape) not in (self.input_shape, (self.dim,)):
            raise ValueError(
                f"{name} must have shape {self.input_shape} (or ({self.dim},)), "
                f"got {tuple(t.shape)}"
            )
        t = t.to(device=self.device, dtype=self.dtype).reshape(1, *self.input_shape)
        if not bool(torch.isfinite(t).all()):
            raise ValueError(f"{name} must be finite")
        return t

    def _logits(self, batch: Any) -> Any:
        logits = self.model(batch)
        if (
            not isinstance(logits, torch.Tensor)
            or logits.ndim != 2
            or logits.shape[0] != batch.shape[0]
            or logits.shape[1] != self.n_classes
        ):
            shape = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits)
            raise ValueError(
                f"model must return logits of shape ({batch.shape[0]}, {self.n_classes}), "
                f"got {shape}"
            )
        return logits

    def _buffer(self, rows: int) -> Any:
        """A batch of ``rows <= batch_size`` inputs: a view of this thread's noise buffer.

        The buffer (``batch_size`` inputs in the classifier's dtype, device
        and layout) is allocated on first use in each thread and kept, so that
        a call allocates nothing of the size of a batch.
        """
        buf = getattr(self._local, "buffer", None)
        if buf is None:
            with torch.inference_mode():
                buf = torch.empty(
                    (self.batch_size, *self.input_shape),
                    dtype=self.dtype,
                    device=self.device,
                    memory_format=self.memory_format,
                )
            self._local.buffer = buf
        return buf[:rows]

    def _votes(self, base: Any, sigma: float, n: int, gen: Any) -> Any:
        """Counts of ``n`` votes at each of the G inputs ``base`` (G, *input_shape): (G, C) int64.

        Runs under inference mode; the counts stay on the device (no host
        synchronisation).  With ``n >= batch_size`` each batch holds copies
        of one input; otherwise ``batch_size // n`` inputs share a batch.
        """
        g_total = base.shape[0]
        c = self.n_classes
        out = torch.zeros((g_total, c), dtype=torch.int64, device=self.device)
        if g_total == 0 or n == 0:
            return out
        if self.model.training:
            self.model.eval()
        bs = self.batch_size
        ones = torch.ones(min(bs, g_total * n), dtype=torch.int64, device=self.device)
        if n >= bs:
            buf = self._buffer(bs)
            for g in range(g_total):
                x = base[g]
                for start in range(0, n, bs):
                    m = min(bs, n - start)
                    noise = buf[:m]
                    noise.normal_(0.0, sigma, generator=gen).add_(x)
                    labels = self._logits(noise).argmax(dim=1)
                    out[g].index_add_(0, labels, ones[:m])
        else:
            k = min(g_total, max(1, bs // n))
            buf = self._buffer(k * n)
            # flat position of row i's group in out[g0:g1].view(-1), before the label
            offset = torch.arange(k * n, device=self.device).div_(n, rounding_mode="floor")
            offset.mul_(c)
            for g0 in range(0, g_total, k):
                g1 = min(g_total, g0 + k)
                rows = (g1 - g0) * n
                noise = buf[:rows]
                noise.normal_(0.0, sigma, generator=gen)
                noise.unflatten(0, (g1 - g0, n)).add_(base[g0:g1, None])
                labels = self._logits(noise).argmax(dim=1)
                out[g0:g1].view(-1).index_add_(0, labels.add_(offset[:rows]), ones[:rows])
        return out

    # ----------------------------------------------------------------- tensor API

    def counts(self, x: Any, sigma: Any, n: Any, *, generator: Any = None) -> Any:
        """Class counts of ``n`` noisy votes at one input, as a tensor on the model's device.

        .. math::

            n_c = \\#\\{i \\le n : \\arg\\max f_\\theta(x + \\sigma N_i) = c\\},
            \\qquad N_i \\sim \\mathcal N(0, I).

        Parameters
        ----------
        x : torch.Tensor or array_like
            One input, of shape ``input_shape`` (or ``(dim,)``), finite.
        sigma : float
            Noise level, finite and > 0.
        n : int
            Number of votes, ``>= 0``.
        generator : torch.Generator, optional
            Source of the noise, on the model's device (see :meth:`generator`);
            default torch's global generator of that device.

        Returns
        -------
        torch.Tensor
            ``int64``, shape ``(n_classes,)``, on the model's device; sums to ``n``.

        Raises
        ------
        ValueError
            On a bad argument (named in the message).
        """
        s = as_real("sigma", sigma, 0.0)
        count = as_int("n", n, 0)
        gen = self._check_generator(generator)
        with torch.inference_mode():
            return self._votes(self._input("x", x), s, count, gen)[0]

    def predict(self, x: Any, sigma: Any, n: Any, alpha: Any, *, generator: Any = None) -> int:
        """Cohen et al.'s PREDICT at one input: a label, or :data:`~rstheory.certify.ABSTAIN`.

        Draws ``n`` votes (:meth:`counts`) and returns
        :func:`rstheory.certify.predict` of them: the top class if the
        two-sided binomial test of the top two counts rejects a tie at level
        ``alpha``, else ``ABSTAIN`` (-1); a returned class differs from
        :math:`g(x)` with probability at most ``alpha`` (Cohen et al. 2019,
        Proposition 1).

        Parameters
        ----------
        x : torch.Tensor or array_like
            One input of shape ``input_shape``.
        sigma : float
            Noise level, > 0.
        n : int
            Number of votes, ``>= 1``.
        alpha : float
            Level in ``(0, 1)``.
        generator : torch.Generator, optional
            As in :meth:`counts`.

        Returns
        -------
        int
        """
        a = as_real("alpha", alpha, 0.0, 1.0)
        count = as_int("n", n, 1)
        c = self.counts(x, sigma, count, generator=generator)
        return int(_predict(c.cpu().numpy(), a))

    def certify(
        self, x: Any, sigma: Any, n0: Any, n: Any, alpha: Any, *, generator: Any = None
    ) -> Certificate:
        """Cohen et al.'s CERTIFY at one input: a label and a certified L2 radius.

        Draws a selection sample of ``n0`` votes and an independent
        estimation sample of ``n`` votes (both from ``generator``, in that
        order) and returns :func:`rstheory.certify.certify` of their counts:
        :math:`\\hat c_A` the top selection class,
        :math:`\\underline{p_A} = \\mathrm{CP}_{\\text{lower}}(n_{\\hat c_A}, n, \\alpha)`
        and radius :math:`\\sigma\\Phi^{-1}(\\underline{p_A})`, or
        ``(ABSTAIN, 0.0)`` when :math:`\\underline{p_A} < 1/2`.  With
        probability at least :math:`1 - \\alpha` a returned label is
        :math:`g` on the whole ball of that radius (Cohen et al. 2019,
        Proposition 2).

        Parameters
        ----------
        x : torch.Tensor or array_like
            One input of shape ``input_shape``.
        sigma : float
            Noise level, > 0.
        n0 : int
            Selection votes, ``>= 1``.
        n : int
            Estimation votes, ``>= 1``.
        alpha : float
            Level in ``(0, 1)``.
        generator : torch.Generator, optional
            As in :meth:`counts`.

        Returns
        -------
        rstheory.certify.Certificate
            ``(label, radius)`` as a Python int and float.
        """
        counts0, counts = self._certify_counts(x, sigma, n0, n, alpha, generator)
        return _certify(counts0, counts, sigma, alpha)

    def _certify_counts(
        self, x: Any, sigma: Any, n0: Any, n: Any, alpha: Any, generator: Any
    ) -> tuple[IntArray, IntArray]:
        """The selection and estimation counts of CERTIFY (one host copy)."""
        s = as_real("sigma", sigma, 0.0)
        k0 = as_int("n0", n0, 1)
        k = as_int("n", n, 1)
        as_real("alpha", alpha, 0.0, 1.0)
        gen = self._check_generator(generator)
        with torch.inference_mode():
            xt = self._input("x", x)
            both = torch.stack((self._votes(xt, s, k0, gen)[0], self._votes(xt, s, k, gen)[0]))
        host = both.cpu().numpy()
        return host[0], host[1]

    # ----------------------------------------------------------------- protocol (NumPy)

    def decide(self, points: Any) -> IntArray:
        """Labels of ``points`` (no noise): ``argmax`` of the logits.

        Parameters
        ----------
        points : array_like, shape (..., dim)
            Finite points (flattened inputs).

        Returns
        -------
        ndarray of int64, shape (...)
        """
        z = np.asarray(points, dtype=np.float64)
        if z.ndim == 0 or z.shape[-1] != self.dim:
            raise ValueError(f"points must have shape (..., {self.dim}), got shape {z.shape}")
        if not np.isfinite(z).all():
            raise ValueError("points must be finite")
        flat = z.reshape(-1, self.dim)
        out = np.empty(flat.shape[0], dtype=np.int64)
        if self.model.training:
            self.model.eval()
        with torch.inference_mode():
            for start in range(0, flat.shape[0], self.batch_size):
                part = torch.as_tensor(flat[start : start + self.batch_size])
                part = part.to(device=self.device, dtype=self.dtype)
                part = part.reshape(-1, *self.input_shape).contiguous(
                    memory_format=self.memory_format
                )
                out[start : start + part.shape[0]] = self._logits(part).argmax(dim=1).cpu().numpy()
        return out.reshape(z.shape[:-1])

    def sample_counts(self, x: Any, sigma: Any, n: Any, rng: Any = None) -> IntArray:
        """Counts per class of ``n`` noisy votes at ``x`` (NumPy ``int64``, shape ``(n_classes,)``).

        The noise is drawn on the model's device from a :class:`torch.Generator`
        seeded by ``rng`` (a NumPy generator, a seed or None): the same seed
        gives the same counts (for the same ``batch_size``, device and dtype).
        """
        gen = self.generator(_seed_from(_as_rng(rng)))
        return np.asarray(self.counts(self._point("x", x), sigma, n, generator=gen).cpu().numpy())

    def _point(self, name: str, x: Any) -> Any:
        arr = np.asarray(x, dtype=np.float64)
        if arr.shape not in ((self.dim,), self.input_shape):
            raise ValueError(f"{name} must have shape ({self.dim},), got shape {arr.shape}")
        return arr

    def vote_counts_batch(self, points: Any, sigma: Any, n: Any, draws: Any, rng: Any) -> IntArray:
        """Counts of ``draws`` independent sets of ``n`` votes at each point (simulate's hook).

        The hook of :class:`rstheory.simulate.SmoothedClassifier`: one
        :class:`torch.Generator` per call, seeded from ``rng``; the votes of
        several points (and draws) share a forward pass when ``n <
        batch_size``.

        Parameters
        ----------
        points : array_like, shape (m, dim)
            Finite points.
        sigma : float
            Noise level, > 0.
        n : int
            Votes per draw, ``>= 0``.
        draws : int
            Independent draws per point, ``>= 0``.
        rng : numpy.random.Generator, int or None
            Seeds the torch generator.

        Returns
        -------
        ndarray of int64, shape (m, draws, n_classes)
        """
        z = np.asarray(points, dtype=np.float64)
        if z.ndim != 2 or z.shape[1] != self.dim:
            raise ValueError(f"points must have shape (m, {self.dim}), got shape {z.shape}")
        if not np.isfinite(z).all():
            raise ValueError("points must be finite")
        s = as_real("sigma", sigma, 0.0)
        count = as_int("n", n, 0)
        r = as_int("draws", draws, 0)
        gen = self.generator(_seed_from(_as_rng(rng)))
        with torch.inference_mode():
            base = torch.as_tensor(z).to(device=self.device, dtype=self.dtype)
            base = base.reshape(-1, *self.input_shape).repeat_interleave(r, dim=0)
            # group = point * draws + draw
            out = self._votes(base, s, count, gen)
        return np.asarray(out.cpu().numpy()).reshape(z.shape[0], r, self.n_classes)


# --------------------------------------------------------------------------- data sets


@dataclass(frozen=True, eq=False)
class Certifications:
    """The columns of a :func:`certify_dataset` file (one entry per certified input).

    A frozen dataclass (not a named tuple: a tuple's ``index`` method would
    hide the ``index`` column).
    """

    #: position of the input in the data set
    index: IntArray
    #: true label
    label: IntArray
    #: CERTIFY's label, or ABSTAIN (-1)
    prediction: IntArray
    #: Clopper-Pearson lower bound on the selected class's probability
    p_lower: FloatArray
    #: certified L2 radius (0 for an abstention)
    radius: FloatArray
    #: prediction == label
    correct: npt.NDArray[np.bool_]
    #: seconds spent on the input
    time: FloatArray
    #: the run's parameters (sigma, n0, n, alpha, seed, skip, ...)
    meta: dict[str, Any]


def _format_of(out: Any) -> str:
    try:
        path = os.fspath(out)
    except TypeError as exc:
        raise ValueError(f"out must be a path ending in .jsonl or .tsv, got {out!r}") from exc
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if path.endswith(".jsonl"):
        return "jsonl"
    if path.endswith(".tsv"):
        return "tsv"
    raise ValueError(f"out must be a path ending in .jsonl or .tsv, got {out!r}")


def _header(fmt: str, meta: dict[str, Any]) -> bytes:
    if fmt == "jsonl":
        return (json.dumps({"meta": meta}) + "\n").encode()
    return ("# " + json.dumps(meta) + "\n" + "\t".join(COLUMNS) + "\n").encode()


def _format_row(fmt: str, row: dict[str, Any]) -> bytes:
    if fmt == "jsonl":
        return (json.dumps(row) + "\n").encode()
    cells = [
        str(row["index"]),
        str(row["label"]),
        str(row["prediction"]),
        repr(row["p_lower"]),
        repr(row["radius"]),
        "1" if row["correct"] else "0",
        repr(row["time"]),
    ]
    return ("\t".join(cells) + "\n").encode()


def _parse_row(fmt: str, line: str) -> dict[str, Any]:
    """One data row; raises ValueError (or a subclass) if it is not a complete row."""
    if fmt == "jsonl":
        row = json.loads(line)
        if not isinstance(row, dict) or set(row) != set(COLUMNS):
            raise ValueError("not a row")
    else:
        cells = line.split("\t")
        if len(cells) != len(COLUMNS):
            raise ValueError("not a row")
        row = dict(zip(COLUMNS, cells, strict=True))
        if row["correct"] not in ("0", "1"):
            raise ValueError("not a row")
    return {
        "index": int(row["index"]),
        "label": int(row["label"]),
        "prediction": int(row["prediction"]),
        "p_lower": float(row["p_lower"]),
        "radius": float(row["radius"]),
        "correct": row["correct"] in (True, "1"),
        "time": float(row["time"]),
    }


def _parse_file(
    path: Any, fmt: str, name: str
) -> tuple[dict[str, Any] | None, list[dict[str, Any]], int]:
    """The file's parameters, its complete rows and the byte length they occupy.

    A last line that is incomplete (no newline) or does not parse (a torn
    write) is not counted; a bad line before the last raises ValueError.  A
    file whose header is incomplete gives ``(None, [], 0)``.
    """
    with open(path, "rb") as fh:
        data = fh.read()
    lines = data.split(b"\n")  # the last entry is b"" or an unterminated (torn) line
    complete = lines[:-1]
    n_header = 1 if fmt == "jsonl" else 2
    if len(complete) < n_header:
        return None, [], 0
    try:
        first = complete[0].decode()
        if fmt == "jsonl":
            meta = json.loads(first)["meta"]
        else:
            if not first.startswith("# "):
                raise ValueError("no parameter line")
            meta = json.loads(first[2:])
            if complete[1].decode() != "\t".join(COLUMNS):
                raise ValueError("bad column header")
        if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
            raise ValueError("not a certify_dataset file")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ValueError(
            f"{name} ({os.fspath(path)!r}) exists but is not a certify_dataset "
            f"{fmt} file ({exc}); remove it or choose another path"
        ) from exc
    rows = []
    end = sum(len(line) + 1 for line in complete[:n_header])
    body = complete[n_header:]
    for i, raw in enumerate(body):
        try:
            rows.append(_parse_row(fmt, raw.decode()))
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            if i == len(body) - 1:
                break  # a torn last line (e.g. zero-filled by a crash): dropped
            raise ValueError(
                f"{os.fspath(path)!r}: line {n_header + i + 1} is not a valid row ({exc})"
            ) from exc
        end += len(raw) + 1
    return meta, rows, end


def read_certifications(path: Any) -> Certifications:
    """Read a :func:`certify_dataset` file (JSONL or TSV) into NumPy columns.

    A torn last line (an interrupted write) is ignored; the file is not
    modified.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`certify_dataset` (name ending in ``.jsonl``
        or ``.tsv``).

    Returns
    -------
    Certifications
        ``index``, ``label``, ``prediction`` (``int64``), ``p_lower``,
        ``radius``, ``time`` (``float64``), ``correct`` (``bool``) and the
        run's parameters ``meta``; ready for
        ``rstheory.certify.certified_accuracy(c.radius, c.correct, thresholds)``.

    Raises
    ------
    ValueError
        If the name has another suffix, or the file is not such a file or
        has a bad line before the last.
    """
    fmt = _format_of(path)
    meta, rows, _ = _parse_file(path, fmt, "path")
    if meta is None:
        raise ValueError(f"path ({os.fspath(path)!r}) has no complete header")

    def column(name: str, dtype: Any) -> Any:
        return np.array([r[name] for r in rows], dtype=dtype)

    return Certifications(
        index=column("index", np.int64),
        label=column("label", np.int64),
        prediction=column("prediction", np.int64),
        p_lower=column("p_lower", np.float64),
        radius=column("radius", np.float64),
        correct=column("correct", np.bool_),
        time=column("time", np.float64),
        meta=meta,
    )


class _Progress:
    """A one-line progress bar on stderr (at most ten updates a second)."""

    def __init__(self, total: int, done: int, enabled: bool) -> None:
        self.total, self.done, self.enabled = total, done, enabled
        self.start = time.perf_counter()
        self.first = done
        self.last = -1.0
        self.shown = False
        self.show(force=True)

    def show(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self.last < 0.1 and self.done < self.total:
            return
        self.last = now
        width = 30
        frac = self.done / self.total if self.total else 1.0
        bar = "#" * int(width * frac) + "-" * (width - int(width * frac))
        elapsed = now - self.start
        rate = (self.done - self.first) / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else math.nan
        eta_s = f"{eta:6.0f}s" if math.isfinite(eta) else "     ?s"
        sys.stderr.write(
            f"\rcertify [{bar}] {self.done}/{self.total} {rate:7.2f} inputs/s ETA {eta_s}"
        )
        sys.stderr.flush()
        self.shown = True

    def step(self) -> None:
        self.done += 1
        self.show()

    def close(self) -> None:
        if self.enabled and self.shown:
            self.show(force=True)
            sys.stderr.write("\n")
            sys.stderr.flush()


def _write_all(fh: Any, data: bytes) -> None:
    """Write all of ``data`` to an unbuffered file (a raw write may be partial)."""
    view = memoryview(data)
    while view:
        written = fh.write(view)
        view = view[written:]


def _fsync_dir(path: str) -> None:
    """Make a new file's directory entry durable (POSIX; a no-op where unsupported)."""
    try:
        fd = os.open(os.path.dirname(os.path.abspath(path)) or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _dataset(classifier: TorchClassifier, inputs: Any, labels: Any) -> tuple[Any, IntArray]:
    x = inputs if isinstance(inputs, torch.Tensor) else torch.as_tensor(np.asarray(inputs))
    if x.ndim < 1 or tuple(x.shape[1:]) not in (classifier.input_shape, (classifier.dim,)):
        raise ValueError(
            f"inputs must have shape (N, *{classifier.input_shape}), got {tuple(x.shape)}"
        )
    y_raw = labels.cpu().numpy() if isinstance(labels, torch.Tensor) else np.asarray(labels)
    if y_raw.dtype == np.bool_ or not np.issubdtype(y_raw.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {y_raw.dtype}")
    if y_raw.shape != (x.shape[0],):
        raise ValueError(f"labels must have shape ({x.shape[0]},), got {y_raw.shape}")
    y = y_raw.astype(np.int64)
    if y.size and (y.min() < 0 or y.max() >= classifier.n_classes):
        raise ValueError(f"labels must be in 0..{classifier.n_classes - 1}")
    return x, y


def certify_dataset(
    classifier: Any,
    inputs: Any,
    labels: Any,
    sigma: Any,
    n0: Any,
    n: Any,
    alpha: Any,
    out: Any,
    *,
    seed: Any = 0,
    progress: bool = True,
    skip: Any = 1,
) -> Certifications:
    """CERTIFY every ``skip``-th input of a data set, one durable row per input, resumable.

    For each index :math:`i \\in \\{0, \\text{skip}, 2\\,\\text{skip}, \\dots\\} < N`
    this runs Cohen et al.'s CERTIFY (:meth:`TorchClassifier.certify`: ``n0``
    selection votes, ``n`` estimation votes, :func:`rstheory.certify.certify`)
    and appends the row

    ``index, label, prediction, p_lower, radius, correct, time``

    where ``prediction`` is CERTIFY's label (``ABSTAIN`` = -1),
    ``p_lower`` :math:`= \\mathrm{CP}_{\\text{lower}}(n_{\\hat c_A}, n, \\alpha)`
    (:func:`rstheory.bounds.clopper_pearson_lower`) for the selected class
    :math:`\\hat c_A` (also when CERTIFY abstains, which it does exactly when
    ``p_lower < 1/2``), ``radius`` :math:`= \\sigma\\Phi^{-1}(\\underline{p_A})`
    (0 for an abstention, as Cohen et al.'s code writes it), ``correct`` is
    ``prediction == label`` and ``time`` the seconds the input took.

    Parameters
    ----------
    classifier : TorchClassifier
        The base classifier.
    inputs : torch.Tensor or array_like, shape (N, *input_shape)
        The data set (moved to the model's device one input at a time).
    labels : torch.Tensor or array_like of int, shape (N,)
        True labels, in ``0 .. n_classes - 1``.
    sigma : float
        Noise level, > 0.
    n0, n : int
        Selection and estimation votes, ``>= 1`` (Cohen et al. use 100 and 100000).
    alpha : float
        Failure probability in ``(0, 1)`` (Cohen et al. use 0.001).
    out : str or os.PathLike
        Output file: JSON lines if the name ends in ``.jsonl``, tab-separated
        if it ends in ``.tsv``.  The first line (JSONL: ``{"meta": {...}}``;
        TSV: ``# {...}``, then a line of column names) records the run's
        parameters.  Read TSV with ``pandas.read_csv(out, sep="\\t", comment="#")``.
    seed : int, optional
        Seed of the run (default 0), ``>= 0``.  The noise of input ``i`` comes
        from a :class:`torch.Generator` seeded by
        ``numpy.random.SeedSequence([seed, i])`` only, so every row is
        independent of which other rows were computed (and when).
    progress : bool, optional
        Show a progress bar on stderr (default True).
    skip : int, optional
        Certify the inputs whose index is a multiple of ``skip`` (default 1, all).

    Returns
    -------
    Certifications
        The whole file, as :func:`read_certifications` reads it.

    Raises
    ------
    ValueError
        On a bad argument (named in the message); if ``out`` exists but was
        written with other parameters (the message names them), is not such
        a file, or holds rows out of order.

    See Also
    --------
    read_certifications, certified_accuracy_curve, rstheory.certify.certify

    Notes
    -----
    **Crash safety.**  Each row is written with one ``write``, then flushed
    and ``os.fsync``-ed before the next input starts; the file's header is
    synced (and its directory) when the file is created.  On start, an
    existing ``out`` is read: its complete rows are kept, a torn last line
    (interrupted write) is truncated away, and the run continues after the
    last complete row, appending.  Because each row's randomness depends on
    ``(seed, index)`` only, a run killed at any point and restarted with the
    same arguments writes exactly the rows of an uninterrupted run (the
    ``time`` column aside), each index once and in order.  Two processes
    must not write the same file at once.

    References
    ----------
    .. [1] J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial
       robustness via randomized smoothing", ICML 2019, arXiv:1902.02918
       (``certify.py``: one row per input, ``--skip``).
    """
    if not isinstance(classifier, TorchClassifier):
        raise ValueError(f"classifier must be a TorchClassifier, got {type(classifier).__name__}")
    fmt = _format_of(out)
    path = os.fspath(out)
    x, y = _dataset(classifier, inputs, labels)
    s = as_real("sigma", sigma, 0.0)
    k0 = as_int("n0", n0, 1)
    k = as_int("n", n, 1)
    a = as_real("alpha", alpha, 0.0, 1.0)
    sd = as_int("seed", seed, 0)
    step = as_int("skip", skip, 1)
    if not isinstance(progress, (bool, np.bool_)):
        raise ValueError(f"progress must be True or False, got {progress!r}")
    meta = {
        "format": _FORMAT,
        "version": _FORMAT_VERSION,
        "sigma": s,
        "n0": k0,
        "n": k,
        "alpha": a,
        "seed": sd,
        "skip": step,
        "inputs": int(x.shape[0]),
        "n_classes": classifier.n_classes,
        "input_shape": list(classifier.input_shape),
    }
    todo = list(range(0, int(x.shape[0]), step))

    rows: list[dict[str, Any]] = []
    old_meta = None
    end = 0
    if os.path.exists(path):
        old_meta, rows, end = _parse_file(path, fmt, "out")
        if old_meta is None:  # no complete header: a crash while creating the file?
            with open(path, "rb") as fh:
                start = fh.read()
            if not _header(fmt, meta).startswith(start):
                raise ValueError(
                    f"out ({path!r}) exists but is neither a certify_dataset {fmt} file nor "
                    f"the start of this run's header; remove it or choose another path"
                )
    if old_meta is not None:
        differ = [key for key in _META_KEYS if old_meta.get(key) != meta[key]]
        if differ:
            shown = ", ".join(f"{key}={old_meta.get(key)!r} (now {meta[key]!r})" for key in differ)
            raise ValueError(
                f"out ({path!r}) holds a run with other parameters: {shown}; "
                f"use the same arguments to resume, or another file"
            )
        done = [r["index"] for r in rows]
        if done != todo[: len(done)] or any(r["label"] != int(y[r["index"]]) for r in rows):
            raise ValueError(
                f"out ({path!r}) holds rows that this run would not write (indices out of "
                f"order or other labels); remove it or choose another path"
            )
        with open(path, "r+b") as fh:  # drop a torn last line
            fh.truncate(end)
            fh.flush()
            os.fsync(fh.fileno())
    else:
        rows = []
        with open(path, "wb") as fh:
            fh.write(_header(fmt, meta))
            fh.flush()
            os.fsync(fh.fileno())
        _fsync_dir(path)

    bar = _Progress(len(todo), len(rows), bool(progress))
    try:
        with open(path, "ab", buffering=0) as fh:
            for index in todo[len(rows) :]:
                t0 = time.perf_counter()
                gen = classifier.generator(_seed_for(sd, index))
                counts0, counts = classifier._certify_counts(x[index], s, k0, k, a, gen)
                cert = _certify(counts0, counts, s, a)
                selected = int(np.argmax(counts0))
                p_lower = float(clopper_pearson_lower(int(counts[selected]), k, a))
                label = int(y[index])
                row = {
                    "index": index,
                    "label": label,
                    "prediction": int(cert.label),
                    "p_lower": p_lower,
                    "radius": float(cert.radius),
                    "correct": bool(int(cert.label) == label),
                    "time": time.perf_counter() - t0,
                }
                _write_all(fh, _format_row(fmt, row))
                fh.flush()
                os.fsync(fh.fileno())
                bar.step()
    finally:
        bar.close()
    return read_certifications(path)


# --------------------------------------------------------------------------- curves


def _as_results(results: Any) -> Certifications:
    if isinstance(results, Certifications):
        return results
    return read_certifications(results)


def certified_accuracy_curve(results: Any, thresholds: Any = None) -> tuple[FloatArray, FloatArray]:
    """Certified accuracy against the radius, from :func:`certify_dataset`'s results.

    .. math::

        \\mathrm{CA}(r) = \\frac1N \\sum_i \\mathbf 1[\\hat y_i = y_i]\\,\\mathbf 1[R_i \\ge r]

    over the :math:`N` certified inputs, by
    :func:`rstheory.certify.certified_accuracy` (abstentions count in
    :math:`N` and are never correct).

    Parameters
    ----------
    results : Certifications or path
        What :func:`certify_dataset` or :func:`read_certifications` returned,
        or the file.
    thresholds : array_like, optional
        Radii :math:`r`; default 201 points from 0 to 1.05 times the largest
        correct radius (or 1).

    Returns
    -------
    (ndarray, ndarray)
        The thresholds and :math:`\\mathrm{CA}` at each.

    Raises
    ------
    ValueError
        If there is no row, or a bad threshold.
    """
    res = _as_results(results)
    if res.radius.size == 0:
        raise ValueError("results must hold at least one certified input, got none")
    if thresholds is None:
        good = res.radius[res.correct & np.isfinite(res.radius)]
        top = float(good.max()) * 1.05 if good.size and good.max() > 0 else 1.0
        t = np.linspace(0.0, top, 201)
    else:
        t = np.atleast_1d(np.asarray(thresholds, dtype=np.float64))
    acc = np.atleast_1d(np.asarray(_certified_accuracy(res.radius, res.correct, t)))
    return t, acc


def plot_certified_accuracy(
    results: Any, ax: Any = None, *, thresholds: Any = None, label: Any = None, **kwargs: Any
) -> Any:
    """Plot the certified-accuracy curve (Cohen et al. 2019, Figure 6 style) on ``ax``.

    Parameters
    ----------
    results : Certifications, path, or a sequence of them
        One curve per entry.
    ax : matplotlib.axes.Axes, optional
        Default: a new figure's axes.
    thresholds : array_like, optional
        As in :func:`certified_accuracy_curve`.
    label : str or sequence of str, optional
        Legend entries; default ``sigma = <sigma>`` from each run's parameters.
    **kwargs
        Passed to ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    many = isinstance(results, Sequence) and not isinstance(results, (str, bytes))
    items = list(results) if many else [results]
    if label is None or isinstance(label, str):
        labels: list[Any] = [label] * len(items)
    else:
        labels = list(label)
        if len(labels) != len(items):
            raise ValueError(f"label must have one entry per result ({len(items)}), got {label!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 3.5))
    for item, name in zip(items, labels, strict=True):
        res = _as_results(item)
        t, acc = certified_accuracy_curve(res, thresholds)
        if name is None:
            name = f"sigma = {res.meta.get('sigma')}"
        ax.plot(t, acc, label=name, **kwargs)
    ax.set_xlabel("radius (L2)")
    ax.set_ylabel("certified accuracy")
    ax.set_ylim(0.0, 1.0)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax
