"""The package layers (pyproject's [tool.importlinter]) hold, and the check bites.

`lint-imports` runs against a copy of the package with one forbidden import planted in
it, in a process of its own (the package it reads is the one PYTHONPATH names).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src"
CONFIG = ROOT / "pyproject.toml"
# The `lint-imports` console script, run by this interpreter (wherever its venv is).
_LINT_IMPORTS = (
    "import sys; from importlinter.cli import lint_imports_command; "
    "sys.exit(lint_imports_command())"
)


def _lint_imports(source: Path, cwd: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the package under `source` with the project's contracts."""
    selected = [arg for contract in contracts for arg in ("--contract", contract)]
    # COLUMNS: rich wraps its report at 80 columns otherwise, splitting the import lines.
    env = {**os.environ, "PYTHONPATH": str(source), "COLUMNS": "250", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-c", _LINT_IMPORTS, "--no-cache", "--no-logo", *selected, str(CONFIG)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of src/ (the capacity_exit package) to plant imports in."""
    target = tmp_path / "src"
    shutil.copytree(
        SOURCE / "capacity_exit",
        target / "capacity_exit",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return target


def _plant(copy: Path, module: str, line: str) -> None:
    path = copy.joinpath(*module.split(".")).with_suffix(".py")
    path.write_text(f'"""Planted by tests/test_layers.py."""\n\n{line}\n')


def test_an_import_of_a_higher_layer_is_refused(copy: Path) -> None:
    _plant(copy, "capacity_exit.org.planted", "from capacity_exit.api import case")
    result = _lint_imports(copy, copy.parent, "layers")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "capacity_exit.org is not allowed to import capacity_exit.api" in result.stdout
    assert "capacity_exit.org.planted -> capacity_exit.api.case (l.3)" in result.stdout


def test_an_import_between_independent_siblings_is_refused(copy: Path) -> None:
    _plant(copy, "capacity_exit.disclosure.planted", "from capacity_exit.credit import records")
    result = _lint_imports(copy, copy.parent, "layers")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "capacity_exit.disclosure is not allowed to import capacity_exit.credit" in result.stdout
    assert "capacity_exit.disclosure.planted -> capacity_exit.credit.records (l.3)" in result.stdout


def test_a_package_no_layer_names_is_refused(copy: Path) -> None:
    (copy / "capacity_exit" / "reports").mkdir()
    _plant(copy, "capacity_exit.reports.__init__", "")
    result = _lint_imports(copy, copy.parent, "layers")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "The following modules are not listed as layers" in result.stdout
    assert "- capacity_exit.reports" in result.stdout


def test_the_package_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint_imports(SOURCE, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
