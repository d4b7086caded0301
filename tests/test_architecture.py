"""The dependency direction ui -> desktop -> db holds: the core never imports Qt, db never imports desktop or ui."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imported_modules(path: Path) -> set[str]:
    """Top-level names of every module a source file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_core_and_storage_import_no_qt() -> None:
    """No file of desktop/ (but the composition root) or db/ imports PySide6 or ui."""
    offenders = []
    for package in ("desktop", "db"):
        for path in _sources(package):
            if path == ROOT / "desktop" / "__main__.py":
                continue
            bad = _imported_modules(path) & {"PySide6", "shiboken6", "ui"}
            if bad:
                offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offenders == []


def test_storage_does_not_import_desktop() -> None:
    """db/ stands below desktop/: it never imports it."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in _sources("db")
        if "desktop" in _imported_modules(path)
    ]
    assert offenders == []


def test_importing_every_core_module_loads_no_qt() -> None:
    """Importing all of desktop/ and db/ for real leaves PySide6 out of sys.modules."""
    modules = []
    for package in ("desktop", "db"):
        for path in _sources(package):
            rel = path.relative_to(ROOT).with_suffix("")
            if rel.name == "__main__" or "migrations" in rel.parts:
                continue
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules.append(".".join(parts))
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'PySide6', 'shiboken6', 'ui'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
