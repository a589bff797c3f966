"""Griffe extension: rstheory's RST docstrings as Markdown for mkdocstrings.

Loaded from ``mkdocs.yml`` (``plugins.mkdocstrings.handlers.python.options.extensions``).
Once a package is loaded, every docstring in it goes through
:func:`rst_markdown.rst_to_markdown`, with a resolver that turns a role's target into
the full path of an ``rstheory`` object (rendered as an optional autorefs link).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import griffe


def _load_rewriter() -> Any:
    # griffe loads this file by path, so its folder is not importable: load the sibling
    spec = importlib.util.spec_from_file_location(
        "rst_markdown", Path(__file__).with_name("rst_markdown.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rst_to_markdown = _load_rewriter().rst_to_markdown


def _resolver(obj: griffe.Object, package: str) -> Any:
    def resolve(target: str) -> str | None:
        if target == package or target.startswith(package + "."):
            return target
        head, _, tail = target.partition(".")
        try:
            path = obj.resolve(head)
        except (griffe.NameResolutionError, griffe.AliasResolutionError, KeyError):
            return None
        full = f"{path}.{tail}" if tail else path
        return full if full.startswith(package + ".") else None

    return resolve


def _objects(obj: griffe.Object) -> Any:
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _objects(member)  # type: ignore[arg-type]


class RstToMarkdown(griffe.Extension):
    """Rewrite the RST in every docstring of a loaded package as Markdown."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _objects(pkg):
            if obj.docstring is not None:
                obj.docstring.value = rst_to_markdown(obj.docstring.value, _resolver(obj, pkg.name))
