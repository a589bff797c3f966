"""Root conftest: the optional torch modules are not collected (doctests) without torch.

``pytest`` collects the doctests of ``rstheory/`` (``--doctest-modules``);
importing :mod:`rstheory.torch_adapter`, :mod:`rstheory.digits` or
:mod:`rstheory.experiments` needs torch (and the digits also scikit-learn),
which are optional extras.  Their tests in ``tests/`` skip themselves with a
reason (``pytest.importorskip``).
"""

from __future__ import annotations

import importlib.util


def _installed(name: str) -> bool:
    """Whether ``name`` can be found (without importing it: torch takes a second)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


#: the modules that import torch (and, for the digits, need scikit-learn to run)
_TORCH = ["rstheory/torch_adapter.py"]
_TORCH_SKLEARN = ["rstheory/digits.py", "rstheory/experiments.py"]

collect_ignore: list[str] = []
if not _installed("torch"):
    collect_ignore += _TORCH + _TORCH_SKLEARN
elif not _installed("sklearn"):
    collect_ignore += _TORCH_SKLEARN
