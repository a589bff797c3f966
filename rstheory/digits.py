"""Small real models for the torch adapter: scikit-learn's 8x8 digits, an MLP and a CNN.

The optical-digits data set that ships with scikit-learn
(:func:`sklearn.datasets.load_digits`: 1797 grey images of 8x8 pixels, 10
classes, no download) is small enough to train a model with Gaussian noise
augmentation in seconds on a CPU, and real enough that its smoothed
classifier has a non-trivial certified-accuracy curve.  This module gives
the data (pixels scaled to :math:`[0, 1]`), two small architectures, a
deterministic training recipe with a weight cache outside the repository,
and the clean accuracy of a model.

Training with noise :math:`\\varepsilon \\sim \\mathcal N(0, \\sigma^2 I)` added
to every training input is what Cohen et al. (2019, section 4) do, so that
the base classifier is accurate under the noise of the smoothed classifier.

This module imports torch and scikit-learn; ``import rstheory`` does not.

References
----------
J. Cohen, E. Rosenfeld and J. Z. Kolter, "Certified adversarial robustness
via randomized smoothing", ICML 2019, arXiv:1902.02918.
E. Alpaydin and C. Kaynak, "Optical recognition of handwritten digits", UCI
Machine Learning Repository, 1998 (the data of ``load_digits``).
"""

from __future__ import annotations

import math
import os
from typing import Any, NamedTuple

import numpy as np
import torch

__all__ = [
    "DigitsSplit",
    "KINDS",
    "TRAINING_VERSION",
    "DEFAULT_EPOCHS",
    "load_digits_split",
    "make_model",
    "train_model",
    "cache_dir",
    "cache_path",
    "accuracy",
]

#: the architectures of :func:`make_model`
KINDS = ("mlp", "cnn")
#: part of the cache key: bump it when the recipe (data, model, optimiser) changes
TRAINING_VERSION = "digits-v1"
#: epochs of :func:`train_model` by default
DEFAULT_EPOCHS = {"mlp": 40, "cnn": 30}
_BATCH = 64
_LR = 3e-3


class DigitsSplit(NamedTuple):
    """A stratified train/test split of the digits: images (N, 1, 8, 8) in [0, 1], labels."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor


def load_digits_split(test_size: Any = 0.3, seed: Any = 0) -> DigitsSplit:
    """The 8x8 digits, pixels divided by 16 (to :math:`[0, 1]`), split in a stratified way.

    Parameters
    ----------
    test_size : float, optional
        Fraction of the 1797 images in the test set, in ``(0, 1)`` (default 0.3:
        1257 training and 540 test images).
    seed : int, optional
        Seed of the split (``random_state`` of
        :func:`sklearn.model_selection.train_test_split`), ``>= 0``.

    Returns
    -------
    DigitsSplit
        ``x_train``, ``x_test``: ``float32`` tensors of shape ``(N, 1, 8, 8)``;
        ``y_train``, ``y_test``: ``int64`` tensors of shape ``(N,)``.

    Raises
    ------
    ValueError
        If ``test_size`` or ``seed`` is invalid.

    Examples
    --------
    >>> from rstheory.digits import load_digits_split
    >>> d = load_digits_split()
    >>> tuple(d.x_train.shape), tuple(d.x_test.shape), float(d.x_train.max())
    ((1257, 1, 8, 8), (540, 1, 8, 8), 1.0)
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if isinstance(test_size, (bool, np.bool_)) or not isinstance(
        test_size, (float, int, np.floating, np.integer)
    ):
        raise ValueError(f"test_size must be a number in (0, 1), got {test_size!r}")
    if not 0.0 < float(test_size) < 1.0:
        raise ValueError(f"test_size must be in (0, 1), got {test_size!r}")
    s = _seed(seed)
    data = load_digits()
    x = (data.images / 16.0).astype(np.float32)[:, None, :, :]
    y = data.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=float(test_size), random_state=s, stratify=y
    )
    return DigitsSplit(
        torch.from_numpy(np.ascontiguousarray(x_tr)),
        torch.from_numpy(np.ascontiguousarray(y_tr)),
        torch.from_numpy(np.ascontiguousarray(x_te)),
        torch.from_numpy(np.ascontiguousarray(y_te)),
    )


def _seed(value: Any) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"seed must be an integer >= 0, got {value!r}")
    if value < 0:
        raise ValueError(f"seed must be an integer >= 0, got {value!r}")
    return int(value)


def _kind(value: Any) -> str:
    if value not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {value!r}")
    return str(value)


def make_model(kind: Any) -> torch.nn.Module:
    """A small network for 1x8x8 inputs and 10 classes (fresh weights from torch's RNG).

    * ``"mlp"``: flatten, 64 -> 256 -> 128 -> 10 with ReLU (50k parameters);
    * ``"cnn"``: two 3x3 convolutions (16 and 32 channels, padding 1, ReLU),
      2x2 max-pooling, 512 -> 128 -> 10 (71k parameters).

    Parameters
    ----------
    kind : {"mlp", "cnn"}

    Returns
    -------
    torch.nn.Module
        Maps ``(m, 1, 8, 8)`` to logits ``(m, 10)``.

    Examples
    --------
    >>> import torch
    >>> from rstheory.digits import make_model
    >>> make_model("cnn")(torch.zeros(2, 1, 8, 8)).shape
    torch.Size([2, 10])
    """
    k = _kind(kind)
    nn = torch.nn
    if k == "mlp":
        return nn.Sequential(
            nn.Flatten(),
            nn.Linear(64, 256),
            nn.ReLU(),
            nn.Linear(256, 128),
            nn.ReLU(),
            nn.Linear(128, 10),
        )
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 4 * 4, 128),
        nn.ReLU(),
        nn.Linear(128, 10),
    )


def cache_dir() -> str:
    """The weight cache: ``$RSTHEORY_CACHE`` if set, else ``~/.cache/rstheory``."""
    env = os.environ.get("RSTHEORY_CACHE")
    return env if env else os.path.join(os.path.expanduser("~"), ".cache", "rstheory")


def _sigma(value: Any) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"sigma must be a finite number >= 0, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"sigma must be a finite number >= 0, got {value!r}") from exc
    if not (math.isfinite(v) and v >= 0.0):
        raise ValueError(f"sigma must be a finite number >= 0, got {value!r}")
    return v


def _epochs(kind: str, value: Any) -> int:
    if value is None:
        return DEFAULT_EPOCHS[kind]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"epochs must be an integer >= 1, got {value!r}")
    if value < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {value!r}")
    return int(value)


def cache_path(kind: Any, sigma: Any, *, epochs: Any = None, seed: Any = 0) -> str:
    """Where :func:`train_model` caches the weights of ``(kind, sigma, epochs, seed)``.

    The file name holds the kind, ``sigma`` (its ``repr``), the epochs, the
    seed and :data:`TRAINING_VERSION`.
    """
    k = _kind(kind)
    name = (
        f"{TRAINING_VERSION}-{k}-sigma{_sigma(sigma)!r}-epochs{_epochs(k, epochs)}"
        f"-seed{_seed(seed)}.pt"
    )
    return os.path.join(cache_dir(), name)


def train_model(
    kind: Any, sigma: Any, *, epochs: Any = None, seed: Any = 0, cache: bool = True
) -> torch.nn.Module:
    """Train a digits model with Gaussian noise augmentation, deterministically; cache it.

    Adam (learning rate ``3e-3``) on the cross-entropy, mini-batches of 64
    of the training split of :func:`load_digits_split` (default arguments),
    each input :math:`x` replaced by :math:`x + \\varepsilon`,
    :math:`\\varepsilon \\sim \\mathcal N(0, \\sigma^2 I)` on the
    :math:`[0, 1]` pixels when ``sigma > 0`` (Cohen et al. 2019, section 4).
    The initial weights, the shuffling and the noise come from ``seed``
    (a forked torch RNG, so the caller's global RNG state is left as it
    was), with deterministic algorithms on and on one CPU thread: the same
    arguments give the same weights with the same torch build, whatever the
    number of cores (a thread count changes how sums are split).  One thread
    is also the fast choice for these tiny models: on a loaded 2-core machine
    two threads made the CNN's training 20 to 100 times slower (each
    parallel region waits for a descheduled thread).  Training takes about
    0.1 s (MLP) to 0.5 s (CNN) per 10 epochs.

    Parameters
    ----------
    kind : {"mlp", "cnn"}
    sigma : float
        Noise level of the augmentation, finite and ``>= 0`` (0: none); the
        project uses 0, 0.05, 0.15 and 0.25.
    epochs : int, optional
        Passes over the training set, ``>= 1`` (default :data:`DEFAULT_EPOCHS`).
    seed : int, optional
        Seed, ``>= 0`` (default 0).
    cache : bool, optional
        Load the weights from :func:`cache_path` when the file exists, and
        save them there after training (default True).  The cache lives in
        ``$RSTHEORY_CACHE`` or ``~/.cache/rstheory``, never in the repository.

    Returns
    -------
    torch.nn.Module
        On the CPU, in eval mode.

    Raises
    ------
    ValueError
        On a bad argument (named in the message).

    Examples
    --------
    >>> from rstheory.digits import accuracy, load_digits_split, train_model
    >>> d = load_digits_split()
    >>> model = train_model("mlp", 0.25, epochs=5, cache=False)
    >>> accuracy(model, d.x_test, d.y_test) > 0.8
    True
    """
    k = _kind(kind)
    s = _sigma(sigma)
    n_epochs = _epochs(k, epochs)
    sd = _seed(seed)
    if not isinstance(cache, (bool, np.bool_)):
        raise ValueError(f"cache must be True or False, got {cache!r}")
    path = cache_path(k, s, epochs=n_epochs, seed=sd)
    if cache and os.path.exists(path):
        model = make_model(k)
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        return model.eval()
    model = _train(k, s, n_epochs, sd)
    if cache:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        torch.save(model.state_dict(), tmp)
        os.replace(tmp, path)  # atomic: a reader never sees a partial file
    return model.eval()


def _train(kind: str, sigma: float, epochs: int, seed: int) -> torch.nn.Module:
    data = load_digits_split()
    x, y = data.x_train, data.y_train
    was_deterministic = torch.are_deterministic_algorithms_enabled()
    threads = torch.get_num_threads()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = make_model(kind)
            gen = torch.Generator().manual_seed(seed + 1)
            opt = torch.optim.Adam(model.parameters(), lr=_LR)
            loss_fn = torch.nn.CrossEntropyLoss()
            model.train()
            for _ in range(epochs):
                order = torch.randperm(x.shape[0], generator=gen)
                for start in range(0, x.shape[0], _BATCH):
                    idx = order[start : start + _BATCH]
                    xb = x[idx]
                    if sigma > 0.0:
                        xb = xb + sigma * torch.randn(xb.shape, generator=gen)
                    opt.zero_grad()
                    loss = loss_fn(model(xb), y[idx])
                    loss.backward()
                    opt.step()
    finally:
        torch.use_deterministic_algorithms(was_deterministic)
        torch.set_num_threads(threads)
    return model.eval()


def accuracy(model: Any, x: Any, y: Any, *, batch_size: Any = 1000) -> float:
    """Clean accuracy: the fraction of inputs whose ``argmax`` logit is the label.

    Parameters
    ----------
    model : torch.nn.Module
        Evaluated in eval mode, under :func:`torch.inference_mode`.
    x : torch.Tensor, shape (N, ...)
    y : torch.Tensor or array_like of int, shape (N,)
    batch_size : int, optional
        Inputs per forward pass (default 1000).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the shapes disagree or there is no input.
    """
    xt = torch.as_tensor(x)
    yt = torch.as_tensor(y)
    if xt.ndim < 1 or xt.shape[0] == 0:
        raise ValueError(f"x must hold at least one input, got shape {tuple(xt.shape)}")
    if tuple(yt.shape) != (xt.shape[0],):
        raise ValueError(f"y must have shape ({xt.shape[0]},), got {tuple(yt.shape)}")
    if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, (int, np.integer)):
        raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    model.eval()
    params = list(model.parameters())
    device = params[0].device if params else torch.device("cpu")
    dtype = params[0].dtype if params else xt.dtype
    right = 0
    with torch.inference_mode():
        for start in range(0, xt.shape[0], int(batch_size)):
            xb = xt[start : start + int(batch_size)].to(device=device, dtype=dtype)
            pred = model(xb).argmax(dim=1).cpu()
            right += int((pred == yt[start : start + int(batch_size)].cpu()).sum())
    return right / xt.shape[0]
