"""The house rules a newcomer relies on: layers that import only downward, and functions short enough
to read in one screen. Both fail the suite, not just a lint run, because a wrong-way import or a
200-line loop is how the old structure came back last time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("rehab", "games", "devices", "progress", "clinic")
MAX_FUNCTION_LINES = 60


def _functions() -> list[tuple[str, int]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = (node.end_lineno or node.lineno) - node.lineno + 1
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno} {node.name}", length))
    return found


def test_no_function_is_longer_than_one_screen() -> None:
    functions = _functions()
    assert len(functions) > 300  # the walk really saw the code
    too_long = sorted((f"{name} ({n} lines)" for name, n in functions if n > MAX_FUNCTION_LINES))
    assert too_long == [], "split these: " + "; ".join(too_long)


def test_layers_import_only_downward() -> None:
    """The contract in pyproject.toml ([tool.importlinter]): app > sim > games | devices | progress >
    engine > core. lint-imports exits non-zero when any import goes the wrong way."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
