"""Tests of rstheory.digits: the 8x8 digits split, the two models, training and its cache.

Every test that trains points ``RSTHEORY_CACHE`` at a temporary folder, so
that the user's cache is never touched, and trains for few epochs.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the digits models need torch (the 'torch' extra)")
pytest.importorskip("sklearn", reason="the digits data need scikit-learn (the 'torch' extra)")

from rstheory import digits  # noqa: E402
from rstheory.digits import (  # noqa: E402
    accuracy,
    cache_dir,
    cache_path,
    load_digits_split,
    make_model,
    train_model,
)
from rstheory.torch_adapter import TorchClassifier  # noqa: E402

_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """One intra-op thread: as fast for these tiny models, and robust on a shared machine
    (with two threads, a busy second core made each parallel region wait: 20-100x slower)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("RSTHEORY_CACHE", str(folder))
    return folder


def same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


# --------------------------------------------------------------------------- data


def test_split_shapes_scaling_and_stratification() -> None:
    d = load_digits_split()
    assert tuple(d.x_train.shape) == (1257, 1, 8, 8) and tuple(d.x_test.shape) == (540, 1, 8, 8)
    assert d.x_train.dtype == torch.float32 and d.y_train.dtype == torch.int64
    everything = torch.cat([d.x_train, d.x_test])
    assert float(everything.min()) == 0.0 and float(everything.max()) == 1.0
    assert torch.equal(everything * 16, torch.round(everything * 16))  # pixels were 0..16 / 16
    # stratified: each class's share of the test set is its share of the data, to one image
    y_all = torch.cat([d.y_train, d.y_test]).numpy()
    share = np.bincount(y_all, minlength=10) * 540 / 1797
    assert np.abs(np.bincount(d.y_test.numpy(), minlength=10) - share).max() <= 1.0


def test_split_is_deterministic_in_its_seed() -> None:
    a, b, c = load_digits_split(seed=0), load_digits_split(seed=0), load_digits_split(seed=1)
    assert all(torch.equal(u, v) for u, v in zip(a, b, strict=True))
    assert not torch.equal(a.y_test, c.y_test)
    assert tuple(load_digits_split(test_size=0.5).x_test.shape)[0] in (898, 899)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: load_digits_split(test_size=1.5), "test_size"),
        (lambda: load_digits_split(test_size="a"), "test_size"),
        (lambda: load_digits_split(seed=-1), "seed"),
        (lambda: make_model("resnet"), "kind"),
        (lambda: train_model("mlp", -0.1), "sigma"),
        (lambda: train_model("mlp", float("nan")), "sigma"),
        (lambda: train_model("mlp", 0.1, epochs=0), "epochs"),
        (lambda: train_model("mlp", 0.1, seed=1.5), "seed"),
        (lambda: train_model("mlp", 0.1, cache="yes"), "cache"),
        (lambda: accuracy(make_model("mlp"), torch.zeros(3, 1, 8, 8), torch.zeros(2)), "y"),
        (lambda: accuracy(make_model("mlp"), torch.zeros(0, 1, 8, 8), torch.zeros(0)), "x"),
    ],
)
def test_bad_arguments_name_themselves(call, name: str) -> None:
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        call()


# --------------------------------------------------------------------------- models


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_models_map_digits_to_ten_logits(kind: str) -> None:
    model = make_model(kind)
    assert tuple(model(torch.zeros(5, 1, 8, 8)).shape) == (5, 10)
    f = TorchClassifier(model, (1, 8, 8))
    assert (f.dim, f.n_classes) == (64, 10)


def test_training_is_reproducible_and_leaves_the_global_state_alone() -> None:
    threads = torch.get_num_threads()
    torch.manual_seed(123)
    state = torch.get_rng_state()
    a = train_model("cnn", 0.25, epochs=2, seed=3, cache=False)
    assert torch.equal(torch.get_rng_state(), state)
    b = train_model("cnn", 0.25, epochs=2, seed=3, cache=False)
    c = train_model("cnn", 0.25, epochs=2, seed=4, cache=False)
    assert same_weights(a, b) and not same_weights(a, c)
    assert not a.training
    assert not torch.are_deterministic_algorithms_enabled()  # restored
    assert torch.get_num_threads() == threads  # restored


@pytest.mark.parametrize(("kind", "epochs"), [("cnn", 10), ("mlp", 20)])
def test_noise_augmented_models_are_accurate(kind: str, epochs: int) -> None:
    """Trained at sigma = 0.25: clean test accuracy (measured 0.98 for both) and under noise."""
    d = load_digits_split()
    model = train_model(kind, 0.25, epochs=epochs, cache=False)
    assert accuracy(model, d.x_test, d.y_test) > 0.9
    gen = torch.Generator().manual_seed(0)
    noisy = d.x_test + 0.25 * torch.randn(d.x_test.shape, generator=gen)
    assert accuracy(model, noisy, d.y_test) > 0.85


def test_cache_hit_returns_identical_weights_without_training(
    private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = cache_path("mlp", 0.15, epochs=3, seed=2)
    assert Path(path).parent == private_cache and not os.path.exists(path)
    trained = train_model("mlp", 0.15, epochs=3, seed=2)
    assert os.path.exists(path)
    assert [p.name for p in private_cache.iterdir()] == [Path(path).name]  # no temporary left

    def no_training(*args: object) -> None:
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(digits, "_train", no_training)
    loaded = train_model("mlp", 0.15, epochs=3, seed=2)
    assert same_weights(trained, loaded) and not loaded.training
    with pytest.raises(AssertionError, match="cache"):  # another key: a miss
        train_model("mlp", 0.15, epochs=4, seed=2)
    with pytest.raises(AssertionError, match="cache"):
        train_model("mlp", 0.15, epochs=3, seed=2, cache=False)


def test_cache_keys_and_location(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = {
        cache_path("mlp", 0.25),
        cache_path("cnn", 0.25),
        cache_path("mlp", 0.05),
        cache_path("mlp", 0.25, epochs=7),
        cache_path("mlp", 0.25, seed=1),
    }
    assert len(keys) == 5
    assert all(digits.TRAINING_VERSION in os.path.basename(k) for k in keys)
    monkeypatch.delenv("RSTHEORY_CACHE")
    home = os.path.join(os.path.expanduser("~"), ".cache", "rstheory")
    assert cache_dir() == home
    assert not cache_path("cnn", 0.25).startswith(str(_ROOT))  # never in the repository


def test_accuracy_is_the_fraction_of_argmax_hits() -> None:
    model = make_model("mlp")
    gen = torch.Generator().manual_seed(0)
    x = torch.rand((37, 1, 8, 8), generator=gen)
    y = torch.randint(0, 10, (37,), generator=gen)
    with torch.no_grad():
        hits = int((model(x).argmax(1) == y).sum())
    assert accuracy(model, x, y, batch_size=5) == hits / 37
