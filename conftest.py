"""Root conftest: the optional torch modules are not collected (doctests) without torch.

``pytest`` collects the doctests of ``rstheory/`` (``--doctest-modules``);
importing :mod:`rstheory.torch_adapter` or :mod:`rstheory.digits` needs torch
(and the digits also scikit-learn), which are optional extras.  Their tests
in ``tests/`` skip themselves with a reason (``pytest.importorskip``).
"""

from __future__ import annotations

import importlib.util

collect_ignore: list[str] = []
if importlib.util.find_spec("torch") is None:
    collect_ignore += ["rstheory/torch_adapter.py", "rstheory/digits.py"]
elif importlib.util.find_spec("sklearn") is None:
    collect_ignore += ["rstheory/digits.py"]
