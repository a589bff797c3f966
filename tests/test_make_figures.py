"""Tests of docs/make_figures.py: its table matches the pages' images, and it writes PNGs."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SCRIPT = DOCS / "make_figures.py"
PNG = b"\x89PNG\r\n\x1a\n"
#: ![caption](figures/name.png) in a page
IMAGE = re.compile(r"!\[[^\]]*\]\(figures/([^)\s]+)\)")


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_figures", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _references() -> dict[str, set[str]]:
    """figure file -> the pages whose text shows it."""
    found: dict[str, set[str]] = {}
    for page in sorted(DOCS.glob("*.md")):
        for name in IMAGE.findall(page.read_text(encoding="utf-8")):
            found.setdefault(name, set()).add(page.name)
    return found


def test_every_image_of_the_pages_is_in_the_table_and_committed() -> None:
    table = _script().FIGURES
    references = _references()
    assert references, "no page shows a figure"
    for name, pages in references.items():
        assert name in table, f"{sorted(pages)} show figures/{name}, which make_figures.py lacks"
        assert pages == {table[name][0]}, f"figures/{name}: table says {table[name][0]}"
        path = DOCS / "figures" / name
        assert path.is_file(), f"docs/figures/{name} is missing"
        assert path.read_bytes()[:8] == PNG


def test_every_committed_figure_is_shown_by_a_page() -> None:
    references = _references()
    files = sorted(p.name for p in (DOCS / "figures").iterdir())
    stale = [name for name in files if name not in references]
    assert not stale, f"docs/figures holds files that no page shows: {stale}"
    for name in files:
        assert (DOCS / "figures" / name).stat().st_size < 160_000, f"{name} is too large"


def test_the_table_names_pages_and_callables() -> None:
    module = _script()
    for name, (page, make) in module.FIGURES.items():
        assert name.endswith(".png")
        assert (DOCS / page).is_file(), f"{name}: no page {page}"
        assert callable(make)
    assert set(module.REQUIRES) <= set(module.FIGURES)


def test_script_writes_the_chosen_figures(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path), "--only", "level_checks",
         "frontier_offset.png"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frontier_offset.png", "level_checks.png"]
    for path in tmp_path.iterdir():
        data = path.read_bytes()
        assert data[:8] == PNG and len(data) > 10_000
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("level_checks.png") and lines[0].endswith(" s")
    assert "levels.md" in lines[0] and "sorm.md" in lines[1]
    assert lines[-1].startswith("2 figure(s) made, 0 skipped, in")


def test_script_is_deterministic(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        subprocess.run(
            [sys.executable, str(SCRIPT), "--out", str(tmp_path / folder), "--only",
             "level_checks"],
            cwd=ROOT, capture_output=True, text=True, timeout=600, check=True,
        )  # fmt: skip
    assert (tmp_path / "a" / "level_checks.png").read_bytes() == (
        tmp_path / "b" / "level_checks.png"
    ).read_bytes()


def test_unknown_figure_is_an_error(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path), "--only", "nope"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert out.returncode == 2
    assert "unknown figure" in out.stderr
    assert not list(tmp_path.iterdir())


def test_missing_dependency_is_reported_not_fatal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    module = _script()
    monkeypatch.setitem(module.REQUIRES, "level_checks.png", ("no_such_module_here",))
    reason = module.missing("level_checks.png")
    assert reason is not None and reason.startswith("needs no_such_module_here")
    assert module.missing("frontier_offset.png") is None
    assert module.main(["--out", str(tmp_path), "--only", "level_checks"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (
        lines[0].startswith("level_checks.png") and "skipped (needs no_such_module_here" in lines[0]
    )
    assert lines[-1].startswith("0 figure(s) made, 1 skipped")
    assert not list(tmp_path.iterdir())
