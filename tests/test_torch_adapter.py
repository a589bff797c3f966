"""Tests of rstheory.torch_adapter: a torch model as a base classifier, CERTIFY over a data set.

The reference model is a ``nn.Linear`` layer that reproduces the analytic
half-space :class:`rstheory.classifiers.Linear` (logits ``(0, w.z + b)``):
its vote frequencies must match the exact probability
:math:`\\Phi((w\\cdot x + b)/(\\sigma\\|w\\|))` (exact two-sided binomial
tests at a false-alarm rate of 1e-4 each, fixed seeds), and the smoothed
classifier built on it must match the exact majority-vote law.  CERTIFY
and PREDICT must equal :mod:`rstheory.certify` applied to the same counts.
Crash safety is tested with a real subprocess killed by SIGKILL.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import scipy.stats

torch = pytest.importorskip("torch", reason="the torch adapter needs torch (the 'torch' extra)")

from rstheory.bounds import clopper_pearson_lower  # noqa: E402
from rstheory.certify import ABSTAIN, certified_accuracy, certify, predict  # noqa: E402
from rstheory.classifiers import Linear  # noqa: E402
from rstheory.simulate import SmoothedClassifier  # noqa: E402
from rstheory.torch_adapter import (  # noqa: E402
    COLUMNS,
    Certifications,
    TorchClassifier,
    certified_accuracy_curve,
    certify_dataset,
    plot_certified_accuracy,
    read_certifications,
)

_ROOT = Path(__file__).resolve().parent.parent
#: false-alarm rate of each binomial test
FALSE_ALARM = 1e-4


def binomial_ok(k: int, n: int, p: float) -> bool:
    """Two-sided exact binomial test of k successes in n at probability p."""
    return bool(scipy.stats.binomtest(int(k), int(n), float(p)).pvalue >= FALSE_ALARM)


def linear_model(w: np.ndarray, b: float, dtype=torch.float64) -> torch.nn.Module:
    """``nn.Linear`` with logits ``(0, w.z + b)``: label 1 where ``w.z + b > 0`` (Linear's)."""
    layer = torch.nn.Linear(w.size, 2, dtype=dtype)
    with torch.no_grad():
        layer.weight.zero_()
        layer.bias.zero_()
        layer.weight[1] = torch.as_tensor(w, dtype=dtype)
        layer.bias[1] = b
    return layer


def small_mlp(seed: int = 0, classes: int = 4) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, classes)
    )


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """One intra-op thread: as fast for these tiny models, and robust on a shared machine
    (with two threads, a busy second core made each parallel region wait: 20-100x slower)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


W = np.array([1.0, -2.0, 0.5, 0.0, 3.0])
B = 0.3


@pytest.fixture
def half_space() -> tuple[Linear, TorchClassifier]:
    return Linear(W, B), TorchClassifier(linear_model(W, B), (5,), dtype=torch.float64)


# --------------------------------------------------------------------------- construction


def test_protocol_attributes_and_inferred_classes() -> None:
    f = TorchClassifier(small_mlp(classes=7), (1, 2, 2))
    assert (f.dim, f.n_classes, f.input_shape) == (4, 7, (1, 2, 2))
    assert f.device == torch.device("cpu") and f.dtype == torch.float32
    assert "TorchClassifier" in repr(f)
    assert TorchClassifier(small_mlp(), (4,), n_classes=4).n_classes == 4


def test_model_is_put_in_eval_mode() -> None:
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Dropout(0.5), torch.nn.Linear(8, 3))
    model.train()
    f = TorchClassifier(model, (3,))
    assert not model.training
    pts = np.random.default_rng(0).standard_normal((50, 3))
    assert np.array_equal(f.decide(pts), f.decide(pts))  # no dropout: deterministic
    model.train()  # a user switches it back: the votes still run in eval mode
    f.sample_counts(np.zeros(3), 0.1, 10, rng=0)
    assert not model.training


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"model": "not a module"}, "model"),
        ({"input_shape": (0, 2)}, "input_shape"),
        ({"input_shape": "ab"}, "input_shape"),
        ({"input_shape": None}, "input_shape"),
        ({"n_classes": 0}, "n_classes"),
        ({"n_classes": 2.5}, "n_classes"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": True}, "batch_size"),
        ({"dtype": torch.int64}, "dtype"),
        ({"dtype": torch.float64}, "dtype"),  # the model's parameters are float32
        ({"device": "no-such-device"}, "device"),
        ({"memory_format": "nhwc"}, "memory_format"),
        ({"memory_format": torch.preserve_format}, "memory_format"),
        ({"memory_format": torch.channels_last, "input_shape": (4,)}, "memory_format"),
    ],
)
def test_bad_construction_names_the_argument(kwargs: dict, name: str) -> None:
    args = {"model": small_mlp(), "input_shape": (1, 2, 2)}
    args.update(kwargs)
    model = args.pop("model")
    shape = args.pop("input_shape")
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        TorchClassifier(model, shape, **args)


def test_a_model_without_batch_logits_is_rejected() -> None:
    class Scalar(torch.nn.Module):
        def forward(self, z: torch.Tensor) -> torch.Tensor:
            return z.sum()

    with pytest.raises(ValueError, match="logits"):
        TorchClassifier(Scalar(), (3,))
    f = TorchClassifier(small_mlp(classes=4), (4,), n_classes=3)  # wrong explicit width
    with pytest.raises(ValueError, match="logits"):
        f.counts(torch.zeros(4), 0.5, 10)


# --------------------------------------------------------------------------- decide and votes


def test_decide_equals_the_analytic_half_space(half_space) -> None:
    lin, f = half_space
    pts = np.random.default_rng(1).standard_normal((3, 400, 5))
    assert np.array_equal(f.decide(pts), lin.decide(pts))
    assert f.decide(pts).dtype == np.int64 and f.decide(pts).shape == (3, 400)
    assert f.decide(pts[0, 0]).shape == ()


@pytest.mark.parametrize("batch_size", [7, 1000])
def test_vote_frequencies_match_the_exact_probability(half_space, batch_size: int) -> None:
    """Counts of n votes ~ Bin(n, Phi(t)) at several margins t (binomial test, 1e-4 each)."""
    lin, _ = half_space
    f = TorchClassifier(linear_model(W, B), (5,), dtype=torch.float64, batch_size=batch_size)
    rng = np.random.default_rng(2)
    n = 20000 if batch_size > 100 else 3001
    for t in (-1.5, -0.2, 0.0, 0.7, 2.0):
        x = rng.standard_normal(5)
        x += (t * 0.5 * lin.norm - (W @ x + B)) * W / lin.norm**2  # margin t at sigma 0.5
        counts = f.sample_counts(x, 0.5, n, rng=rng)
        exact = lin.probability(x, 0.5)
        assert counts.dtype == np.int64 and counts.shape == (2,) and counts.sum() == n
        assert binomial_ok(counts[1], n, exact[1]), (t, counts, exact)


def test_smoothed_classifier_on_the_model_matches_the_exact_majority_law(half_space) -> None:
    """vote_counts_batch (several points and draws per forward) against the exact law."""
    lin, f = half_space
    points = np.array([[0.1, 0.0, 0.0, 0.0, 0.0], [0.0, 0.2, 0.1, 0.0, -0.1]])
    reps = 3000
    g = SmoothedClassifier(f, 0.5, 9, ties="random", rng=8)
    r = g.adversarial_probability(points, [1, 0], reps)
    exact = SmoothedClassifier(lin, 0.5, 9, ties="random").adversarial_probability(
        points, [1, 0], 1
    )
    assert r.exact is None  # the adapter has no exact probabilities
    for k, p in zip(r.successes, exact.exact, strict=True):
        assert binomial_ok(k, reps, p), (k, p)
    assert (g.queries, g.base_calls) == (2 * reps, 2 * reps * 9)


def test_vote_counts_batch_shapes_sums_and_groups(half_space) -> None:
    lin, _ = half_space
    rng = np.random.default_rng(3)
    pts = rng.standard_normal((6, 5))
    for batch_size, n in ((10, 3), (10, 10), (10, 25), (1, 4)):
        f = TorchClassifier(linear_model(W, B), (5,), dtype=torch.float64, batch_size=batch_size)
        out = f.vote_counts_batch(pts, 0.5, n, 4, rng)
        assert out.dtype == np.int64 and out.shape == (6, 4, 2)
        assert (out.sum(axis=-1) == n).all()
    # far from the frontier every vote agrees with f: rows are attributed to their point
    far = np.stack([W * 10.0, -W * 10.0, W * 10.0])
    out = TorchClassifier(
        linear_model(W, B), (5,), dtype=torch.float64, batch_size=8
    ).vote_counts_batch(far, 0.1, 3, 5, rng)
    assert (out[[0, 2], :, 1] == 3).all() and (out[1, :, 0] == 3).all()
    assert f.vote_counts_batch(pts, 0.5, 0, 2, rng).sum() == 0
    assert f.vote_counts_batch(pts[:0], 0.5, 5, 2, rng).shape == (0, 2, 2)


def test_smoothed_classifier_pooled_frequencies_with_one_vote(half_space) -> None:
    """n = 1 (HSJA-style probes): many points per forward, each vote ~ Bernoulli(pi)."""
    lin, f = half_space
    rng = np.random.default_rng(4)
    pts = 0.3 * rng.standard_normal((4000, 5))
    counts = SmoothedClassifier(f, 0.5, 1, rng=5).vote_counts(pts)
    p = lin.probability(pts, 0.5)[:, 1]
    # the sum of independent Bernoulli(p_i): normal approximation, 4.5 standard deviations
    z = (counts[:, 1].sum() - p.sum()) / math.sqrt((p * (1 - p)).sum())
    assert abs(z) < 4.5


def test_channels_last_batches_give_the_same_votes_law() -> None:
    """memory_format=torch.channels_last: the half-space on (C, H, W) = (2, 2, 2) inputs."""
    w8 = np.array([1.0, -2.0, 0.5, 0.0, 3.0, 0.7, -0.4, 1.1])
    lin = Linear(w8, B)
    model = torch.nn.Sequential(torch.nn.Flatten(), linear_model(w8, B))
    f = TorchClassifier(
        model, (2, 2, 2), dtype=torch.float64, batch_size=300, memory_format=torch.channels_last
    )
    assert f.memory_format == torch.channels_last and "channels_last" in repr(f)
    rng = np.random.default_rng(12)
    pts = rng.standard_normal((200, 8))
    assert np.array_equal(f.decide(pts), lin.decide(pts))
    for t in (-0.5, 0.4, 1.5):
        x = rng.standard_normal(8)
        x += (t * 0.5 * lin.norm - (w8 @ x + B)) * w8 / lin.norm**2
        counts = f.sample_counts(x, 0.5, 5000, rng=rng)
        assert binomial_ok(counts[1], 5000, lin.probability(x, 0.5)[1]), (t, counts)
    far = np.stack([w8 * 10.0, -w8 * 10.0, w8 * 10.0])  # grouped batches keep their points
    out = f.vote_counts_batch(far, 0.1, 7, 30, rng)
    assert (out[[0, 2], :, 1] == 7).all() and (out[1, :, 0] == 7).all()


# --------------------------------------------------------------------------- device-side counting


def test_counts_stay_on_the_device_and_sum_to_n() -> None:
    f = TorchClassifier(small_mlp(), (1, 2, 2), batch_size=1000)
    x = torch.zeros(1, 2, 2)
    for n in (2500, 999, 1, 0):  # batch_size does not divide n
        c = f.counts(x, 0.5, n, generator=f.generator(0))
        assert isinstance(c, torch.Tensor)
        assert c.dtype == torch.int64 and c.device == f.device and tuple(c.shape) == (4,)
        assert int(c.sum()) == n


def _ops_during(fn) -> list[str]:
    """The aten operators that ``fn()`` dispatches."""
    from torch.utils._python_dispatch import TorchDispatchMode

    seen: list[str] = []

    class Record(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            seen.append(str(func.overloadpacket.__name__))
            return func(*args, **(kwargs or {}))

    with Record():
        fn()
    return seen


def test_no_host_synchronisation_per_batch() -> None:
    """Host reads (``.item()``, ``bool(t)``: ``_local_scalar_dense``) and copies do not grow
    with the number of batches: the counts are accumulated on the device."""
    f = TorchClassifier(small_mlp(), (1, 2, 2), batch_size=100)
    x = torch.zeros(1, 2, 2)

    def syncs(n: int) -> tuple[int, int, int]:
        ops = _ops_during(lambda: f.counts(x, 0.5, n, generator=f.generator(0)))
        return (
            ops.count("_local_scalar_dense"),
            sum(op in ("_to_copy", "copy_", "bincount") for op in ops),
            ops.count("normal_"),
        )

    few, many = syncs(200), syncs(5000)
    assert few[2] == 2 and many[2] == 50  # one noise draw per batch ...
    assert few[:2] == many[:2]  # ... but no per-batch host read or copy
    assert many[0] <= 1  # the input's finiteness check


def test_threads_draw_into_their_own_buffers() -> None:
    """Concurrent calls (one noise buffer per thread) give the counts of sequential ones."""
    from concurrent.futures import ThreadPoolExecutor

    f = TorchClassifier(small_mlp(5), (1, 2, 2), batch_size=64)
    x = torch.full((1, 2, 2), 0.1)

    def draw(seed: int) -> torch.Tensor:
        return f.counts(x, 0.5, 6000, generator=f.generator(seed))

    expect = [draw(s) for s in range(6)]
    with ThreadPoolExecutor(3) as pool:
        got = list(pool.map(draw, range(6)))
    assert all(torch.equal(a, b) for a, b in zip(expect, got, strict=True))


# --------------------------------------------------------------------------- reproducibility


def test_seeds_make_runs_reproducible(half_space) -> None:
    _, f = half_space
    x = np.full(5, 0.05)
    a = f.sample_counts(x, 0.5, 5000, rng=11)
    assert np.array_equal(a, f.sample_counts(x, 0.5, 5000, rng=11))
    assert not np.array_equal(a, f.sample_counts(x, 0.5, 5000, rng=12))
    pts = np.random.default_rng(0).standard_normal((5, 5))
    v1 = f.vote_counts_batch(pts, 0.5, 7, 3, np.random.default_rng(1))
    assert np.array_equal(v1, f.vote_counts_batch(pts, 0.5, 7, 3, np.random.default_rng(1)))
    t1 = f.counts(torch.as_tensor(x), 0.5, 3000, generator=f.generator(4))
    assert torch.equal(t1, f.counts(torch.as_tensor(x), 0.5, 3000, generator=f.generator(4)))
    g1 = SmoothedClassifier(f, 0.5, 11, rng=3)
    g2 = SmoothedClassifier(f, 0.5, 11, rng=3)
    assert np.array_equal(g1(pts), g2(pts))


# --------------------------------------------------------------------------- PREDICT and CERTIFY


def test_certify_and_predict_equal_the_library_on_the_same_counts(half_space) -> None:
    _, f = half_space
    rng = np.random.default_rng(6)
    for k in range(6):
        x = torch.as_tensor(0.2 * rng.standard_normal(5))
        sigma = [0.25, 0.5, 1.0][k % 3]
        gen = f.generator(100 + k)
        c0 = f.counts(x, sigma, 50, generator=gen).numpy()
        c1 = f.counts(x, sigma, 2000, generator=gen).numpy()
        cert = f.certify(x, sigma, 50, 2000, 0.001, generator=f.generator(100 + k))
        assert cert == certify(c0, c1, sigma, 0.001)
        assert isinstance(cert.label, int) and isinstance(cert.radius, float)
        pred = f.predict(x, sigma, 2000, 0.001, generator=f.generator(200 + k))
        assert pred == predict(
            f.counts(x, sigma, 2000, generator=f.generator(200 + k)).numpy(), 0.001
        )


def test_certified_radius_on_the_half_space_is_below_the_distance(half_space) -> None:
    """g_sigma = f for a half-space: a certificate never exceeds the distance to the plane
    (it does with probability <= alpha; here with these seeds it must not)."""
    lin, f = half_space
    x = np.zeros(5)
    x += (0.4 - B) * W / lin.norm**2  # distance 0.4 / |w|, label 1
    dist = 0.4 / lin.norm
    cert = f.certify(x, 0.25, 100, 20000, 0.001, generator=f.generator(9))
    assert cert.label == 1 and 0.0 < cert.radius <= dist


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda f: f.counts(torch.zeros(4), 0.0, 10), "sigma"),
        (lambda f: f.counts(torch.zeros(4), float("nan"), 10), "sigma"),
        (lambda f: f.counts(torch.zeros(4), 0.5, -1), "n"),
        (lambda f: f.counts(torch.zeros(4), 0.5, 2.0), "n"),
        (lambda f: f.counts(torch.zeros(3), 0.5, 10), "x"),
        (lambda f: f.counts(torch.full((4,), float("nan")), 0.5, 10), "x"),
        (lambda f: f.counts(torch.zeros(4), 0.5, 10, generator=5), "generator"),
        (lambda f: f.predict(torch.zeros(4), 0.5, 10, 1.5), "alpha"),
        (lambda f: f.predict(torch.zeros(4), 0.5, 0, 0.01), "n"),
        (lambda f: f.certify(torch.zeros(4), 0.5, 0, 10, 0.01), "n0"),
        (lambda f: f.certify(torch.zeros(4), 0.5, 10, 0, 0.01), "n"),
        (lambda f: f.certify(torch.zeros(4), 0.5, 10, 10, 0.0), "alpha"),
        (lambda f: f.decide(np.zeros((2, 3))), "points"),
        (lambda f: f.decide(np.full((2, 4), np.inf)), "points"),
        (lambda f: f.sample_counts(np.zeros(5), 0.5, 10), "x"),
        (lambda f: f.sample_counts(np.zeros(4), 0.5, 10, rng=-1), "rng"),
        (lambda f: f.vote_counts_batch(np.zeros(4), 0.5, 3, 1, None), "points"),
        (lambda f: f.vote_counts_batch(np.zeros((2, 4)), 0.5, 3, -1, None), "draws"),
        (lambda f: f.generator(-3), "seed"),
    ],
)
def test_bad_arguments_name_themselves(call, name: str) -> None:
    f = TorchClassifier(small_mlp(), (1, 2, 2))
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        call(f)


# --------------------------------------------------------------------------- data sets


def toy_data(count: int = 12, seed: int = 0) -> tuple[torch.Tensor, np.ndarray]:
    rng = np.random.default_rng(seed)
    return torch.as_tensor(
        rng.standard_normal((count, 1, 2, 2)), dtype=torch.float32
    ), rng.integers(0, 4, count)


def rows_of_certs(c: Certifications) -> list[dict]:
    """The rows without the time column (which differs per run)."""
    keep = [k for k in COLUMNS if k != "time"]
    return [{k: getattr(c, k)[i].item() for k in keep} for i in range(c.index.size)]


def rows_of(path: Path) -> list[dict]:
    return rows_of_certs(read_certifications(path))


@pytest.mark.parametrize("suffix", [".jsonl", ".tsv"])
def test_certify_dataset_rows_are_certify_of_each_input(tmp_path: Path, suffix: str) -> None:
    f = TorchClassifier(small_mlp(1), (1, 2, 2), batch_size=64)
    x, y = toy_data()
    out = tmp_path / f"run{suffix}"
    res = certify_dataset(f, x, y, 0.5, 20, 300, 0.01, out, seed=5, progress=False, skip=2)
    assert isinstance(res, Certifications)
    assert res.index.tolist() == list(range(0, 12, 2))
    assert res.meta["sigma"] == 0.5 and res.meta["skip"] == 2
    for i, idx in enumerate(res.index):
        gen = f.generator(_seed_for_test(5, int(idx)))
        c0 = f.counts(x[idx], 0.5, 20, generator=gen).numpy()
        c1 = f.counts(x[idx], 0.5, 300, generator=gen).numpy()
        cert = certify(c0, c1, 0.5, 0.01)
        assert (res.prediction[i], res.radius[i]) == (cert.label, cert.radius)
        sel = int(np.argmax(c0))
        assert res.p_lower[i] == clopper_pearson_lower(int(c1[sel]), 300, 0.01)
        assert (res.p_lower[i] >= 0.5) == (cert.label != ABSTAIN)
        assert res.correct[i] == (cert.label == y[idx])
        assert res.label[i] == y[idx] and res.time[i] >= 0.0
    lines = out.read_text().splitlines()
    assert len(lines) == (1 if suffix == ".jsonl" else 2) + 6
    if suffix == ".jsonl":
        assert set(json.loads(lines[1])) == set(COLUMNS)
    else:
        assert lines[1].split("\t") == list(COLUMNS)


def _seed_for_test(seed: int, index: int) -> int:
    """The documented per-input seed: SeedSequence([seed, index]) (first 64-bit word, >> 1)."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1, dtype=np.uint64)[0]) >> 1


@pytest.mark.parametrize("suffix", [".jsonl", ".tsv"])
def test_a_torn_last_line_is_repaired_on_resume(tmp_path: Path, suffix: str) -> None:
    f = TorchClassifier(small_mlp(2), (1, 2, 2), batch_size=50)
    x, y = toy_data(10, seed=1)
    full = tmp_path / f"full{suffix}"
    certify_dataset(f, x, y, 0.5, 10, 200, 0.01, full, seed=1, progress=False)
    reference = rows_of(full)
    data = full.read_bytes()
    lines = data.split(b"\n")  # header(s), 10 rows, b""
    head = 1 if suffix == ".jsonl" else 2
    cases = {
        "half a row": b"\n".join(lines[: head + 6]) + b"\n" + lines[head + 6][:9],
        "zeros after a crash": b"\n".join(lines[: head + 4]) + b"\n" + b"\x00" * 40 + b"\n",
        "only a torn header": lines[0][:12],
        "empty": b"",
    }
    for what, content in cases.items():
        part = tmp_path / f"part{suffix}"
        part.write_bytes(content)
        before = read_certifications(part).index.size if len(content) > 20 else 0
        assert before < 10, what
        certify_dataset(f, x, y, 0.5, 10, 200, 0.01, part, seed=1, progress=False)
        assert rows_of(part) == reference, what
        assert part.read_bytes().count(b"\n") == data.count(b"\n"), what
    # a complete file is left alone: nothing recomputed, nothing appended
    stamp = full.read_bytes()
    certify_dataset(f, x, y, 0.5, 10, 200, 0.01, full, seed=1, progress=False)
    assert full.read_bytes() == stamp


def test_resume_refuses_another_run(tmp_path: Path) -> None:
    f = TorchClassifier(small_mlp(3), (1, 2, 2), batch_size=50)
    x, y = toy_data(6)
    out = tmp_path / "run.jsonl"
    certify_dataset(f, x, y, 0.5, 10, 100, 0.01, out, seed=1, progress=False)
    with pytest.raises(ValueError, match="sigma"):
        certify_dataset(f, x, y, 0.25, 10, 100, 0.01, out, seed=1, progress=False)
    with pytest.raises(ValueError, match="seed"):
        certify_dataset(f, x, y, 0.5, 10, 100, 0.01, out, seed=2, progress=False)
    lines = out.read_bytes().split(b"\n")
    swapped = tmp_path / "swapped.jsonl"
    swapped.write_bytes(b"\n".join([lines[0], lines[2], lines[1], *lines[3:]]))
    with pytest.raises(ValueError, match="out"):
        certify_dataset(f, x, y, 0.5, 10, 100, 0.01, swapped, seed=1, progress=False)
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"\n".join([lines[0], b"{not json", *lines[1:]]))
    with pytest.raises(ValueError, match="line 2"):
        read_certifications(bad)
    other = tmp_path / "other.tsv"
    other.write_text("some\tother\tfile\n1\t2\t3\n")
    with pytest.raises(ValueError, match="out"):
        certify_dataset(f, x, y, 0.5, 10, 100, 0.01, other, progress=False)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"out": "run.csv"}, "out"),
        ({"out": 5}, "out"),
        ({"classifier": "model"}, "classifier"),
        ({"labels": np.full(6, 4)}, "labels"),
        ({"labels": np.zeros(5, dtype=int)}, "labels"),
        ({"labels": np.zeros(6)}, "labels"),
        ({"inputs": torch.zeros(6, 3)}, "inputs"),
        ({"sigma": -1.0}, "sigma"),
        ({"n0": 0}, "n0"),
        ({"n": 0}, "n"),
        ({"alpha": 1.0}, "alpha"),
        ({"seed": -1}, "seed"),
        ({"skip": 0}, "skip"),
        ({"progress": "yes"}, "progress"),
    ],
)
def test_certify_dataset_bad_arguments(tmp_path: Path, kwargs: dict, name: str) -> None:
    x, y = toy_data(6)
    args = {
        "classifier": TorchClassifier(small_mlp(), (1, 2, 2)),
        "inputs": x,
        "labels": y,
        "sigma": 0.5,
        "n0": 10,
        "n": 100,
        "alpha": 0.01,
        "out": "run.jsonl",
    }
    args.update(kwargs)
    if isinstance(args["out"], str):
        args["out"] = tmp_path / args["out"]
    extra = {k: args.pop(k) for k in ("seed", "skip", "progress") if k in args}
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        certify_dataset(*args.values(), **extra)
    assert not (tmp_path / "run.jsonl").exists()


def test_progress_bar_on_stderr_only_when_asked(tmp_path: Path, capfd) -> None:
    f = TorchClassifier(small_mlp(), (1, 2, 2))
    x, y = toy_data(3)
    certify_dataset(f, x, y, 0.5, 10, 50, 0.01, tmp_path / "a.jsonl", progress=True)
    captured = capfd.readouterr()
    assert captured.out == "" and "3/3" in captured.err and "inputs/s" in captured.err
    certify_dataset(f, x, y, 0.5, 10, 50, 0.01, tmp_path / "b.jsonl", progress=False)
    assert capfd.readouterr() == ("", "")


def test_certified_accuracy_curve_and_plot(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    f = TorchClassifier(small_mlp(4), (1, 2, 2), batch_size=100)
    x, y = toy_data(12, seed=4)
    y = f.decide(x.reshape(12, 4).numpy().astype(np.float64))  # mostly correct, some abstain
    out = tmp_path / "run.tsv"
    res = certify_dataset(f, x, y, 0.25, 20, 500, 0.01, out, progress=False)
    t, acc = certified_accuracy_curve(out)
    direct = np.array([np.mean(res.correct & (res.radius >= r)) for r in t])
    assert np.array_equal(acc, direct)
    assert np.array_equal(acc, certified_accuracy(res.radius, res.correct, t))
    assert acc[0] == np.mean(res.correct) and acc[-1] == 0.0 and (np.diff(acc) <= 0).all()
    t2, acc2 = certified_accuracy_curve(res, [0.0, 0.1])
    assert t2.tolist() == [0.0, 0.1] and acc2[0] == acc[0]
    ax = plot_certified_accuracy([res, out], label=["a", "b"])
    assert len(ax.lines) == 2 and ax.get_legend() is not None
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="label"):
        plot_certified_accuracy([res, out], label=["a"])


# --------------------------------------------------------------------------- crash and resume


_CHILD = textwrap.dedent(
    """
    import sys, torch
    torch.set_num_threads(1)
    from rstheory.digits import train_model
    from rstheory.torch_adapter import TorchClassifier, certify_dataset
    data = torch.load(sys.argv[2])  # a digits test subset (saves importing scikit-learn)
    f = TorchClassifier(train_model("cnn", 0.25, epochs=3), (1, 8, 8), batch_size=500)
    certify_dataset(f, data["x"], data["y"], 0.25, 50, {n}, 0.001, sys.argv[1],
                    seed=7, progress=False, skip=2)
    """
)


def _complete_rows(path: Path) -> int:
    try:
        return max(0, path.read_bytes().count(b"\n") - 1)  # minus the JSONL header
    except FileNotFoundError:
        return 0


def test_resume_after_sigkill_writes_exactly_the_uninterrupted_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real process killed with SIGKILL mid-run, restarted with the same arguments."""
    pytest.importorskip("sklearn", reason="the digits data need scikit-learn")
    from rstheory.digits import load_digits_split, train_model

    monkeypatch.setenv("RSTHEORY_CACHE", str(tmp_path / "cache"))
    model = train_model("cnn", 0.25, epochs=3)  # cached for the children
    count, n = 24, 1000  # 12 rows of ~30 ms each (one thread)
    d = load_digits_split()
    subset = tmp_path / "subset.pt"
    torch.save({"x": d.x_test[:count], "y": d.y_test[:count]}, subset)
    args = [sys.executable, "-c", _CHILD.format(n=n), str(tmp_path / "run.jsonl"), str(subset)]
    env = dict(os.environ, RSTHEORY_CACHE=str(tmp_path / "cache"))
    out = tmp_path / "run.jsonl"

    child = subprocess.Popen(args, cwd=_ROOT, env=env)
    deadline = time.monotonic() + 120.0
    while _complete_rows(out) < 3 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    child.send_signal(signal.SIGKILL)
    child.wait()
    killed = read_certifications(out)
    assert child.returncode == -signal.SIGKILL
    assert 3 <= killed.index.size < count // 2, "the run was not interrupted mid-way"

    subprocess.run(args, cwd=_ROOT, env=env, check=True)
    resumed = read_certifications(out)
    assert resumed.index.tolist() == list(range(0, count, 2))  # each index once, in order
    assert rows_of(out)[: killed.index.size] == rows_of_certs(killed)

    # the uninterrupted run, in this process (same thread count as the children)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        f = TorchClassifier(model, (1, 8, 8), batch_size=500)
        ref = tmp_path / "ref.jsonl"
        certify_dataset(
            f, d.x_test[:count], d.y_test[:count], 0.25, 50, n, 0.001, ref,
            seed=7, progress=False, skip=2,
        )  # fmt: skip
    finally:
        torch.set_num_threads(threads)
    assert rows_of(out) == rows_of(ref)
    assert resumed.meta == read_certifications(ref).meta
