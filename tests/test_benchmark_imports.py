"""Every name the benchmarks import exists: they import lazily inside functions, so a module moved in
the library (``open_client`` went from ``rehab.app.cli.sync`` to ``rehab.app.linking``) broke
``make bench`` half way through a run without any test noticing."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _imported_names() -> list[tuple[str, str, str]]:
    """(benchmark file, module, name) for every absolute ``from module import name`` in them."""
    found = []
    for path in sorted(BENCHMARKS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found += [(path.name, node.module, alias.name) for alias in node.names]
    return found


def test_every_name_a_benchmark_imports_from_the_project_exists() -> None:
    ours = [
        row for row in _imported_names() if row[1].split(".")[0] in ("rehab", "devices", "progress", "clinic", "games")
    ]
    assert len(ours) > 50, "the benchmarks' imports were found"
    missing = []
    for file, module, name in ours:
        imported = importlib.import_module(module)
        if not hasattr(imported, name):
            try:
                importlib.import_module(f"{module}.{name}")
            except ModuleNotFoundError:
                missing.append(f"{file}: from {module} import {name}")
    assert not missing, missing
