"""The dependency direction ui -> desktop -> db holds: the core never imports Qt, db never imports desktop or ui;
no import cycle anywhere (function-local imports included); the sync server loads no desk service."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sources import imported_top_names, parsed, statement_children, walk_statements

ROOT = Path(__file__).resolve().parent.parent


def _imported_modules(path: Path) -> frozenset[str]:
    """Top-level names of every module a source file imports (read once per process, `tests.sources`)."""
    return imported_top_names(path)


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


PACKAGES = ("db", "desktop", "ui")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_type_checking_block(node: ast.AST) -> bool:
    """`if TYPE_CHECKING:` — imports there never run, so they make no cycle."""
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
    )


def _runtime_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: module level, inside functions and classes; not TYPE_CHECKING ones
    (an import is a statement: the blocks of statements are walked, not the expressions, `tests.sources`)."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if _is_type_checking_block(node):
            assert isinstance(node, ast.If)
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        stack.extend(statement_children(node))
    return found


def import_graph() -> dict[str, set[str]]:
    """Our modules and the modules of ours each one loads when it runs (parents' __init__ included)."""
    paths = {_module_name(path): path for package in PACKAGES for path in _sources(package)}

    def known(name: str) -> str | None:
        while name and name not in paths:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, (path, tree) in zip(paths, parsed(paths.values()), strict=True):  # the collector paused
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in _runtime_imports(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = module.split(".") if is_package else module.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in paths else base for alias in node.names]
            for name in names:
                target = known(name)
                while target:
                    targets.add(target)  # importing a.b.c runs a/__init__ and a/b/__init__ too
                    target = target.rpartition(".")[0] or None
        # A module's own packages are always initialised before its body runs: importing them runs nothing.
        ancestors = {".".join(module.split(".")[:depth]) for depth in range(1, module.count(".") + 1)}
        graph[module] = {target for target in targets - ancestors - {module} if target in paths}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The checker itself: a → b → c → a is one group, d alone is none."""
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    """No module of db/, desktop/ or ui/ reaches itself again through imports, function-local ones included."""
    graph = import_graph()
    assert "desktop.casework" in graph["desktop.casedesk.service"]
    assert "ui.main_window" in graph["ui.app"]  # imported inside a function: walked too
    assert import_cycles(graph) == []


def test_sync_server_loads_only_storage_wire_contract_and_state_machine() -> None:
    """Importing the server app loads db, the wire contract and the case state machine — no desk service."""
    code = (
        "import sys\n"
        "import desktop.server.app, desktop.server.__main__, desktop.server.admin_cli\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in {'desktop', 'ui'})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    allowed = {"desktop", "desktop.sync", "desktop.sync.protocol", "desktop.cases", "desktop.cases.states",
               "desktop.errors", "desktop.logbook", "desktop.cli_args", "desktop.version"}
    outside = sorted(m for m in loaded if m not in allowed and not m.startswith("desktop.server"))
    assert outside == [], outside


def test_qt_signals_are_named_sig_and_documented() -> None:
    """Every Qt signal of ui/ is called sig_* and named in its class's docstring (what it carries, when)."""
    offenders = []
    for path, tree in parsed(_sources("ui")):
        for node in walk_statements(tree):  # a class is a statement: `tests.sources`
            if not isinstance(node, ast.ClassDef):
                continue
            doc = ast.get_docstring(node) or ""
            for statement in node.body:
                if not (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call)
                        and getattr(statement.value.func, "id", None) == "Signal"):
                    continue
                for target in statement.targets:
                    if isinstance(target, ast.Name) and (not target.id.startswith("sig_") or target.id not in doc):
                        offenders.append(f"{path.relative_to(ROOT)}: {node.name}.{target.id}")
    assert offenders == []


def _public_definitions(body: list[ast.stmt]) -> list[ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef]:
    """Classes and functions of a module or class body, with the methods of its classes (not nested functions)."""
    found: list[ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef] = []
    for node in body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            found.append(node)
        if isinstance(node, ast.ClassDef):
            found.extend(_public_definitions(node.body))
    return found


@pytest.mark.slow
def test_classes_and_public_functions_have_docstrings() -> None:
    """A short docstring on every class and public function or method of db/, desktop/ and ui/ (migrations aside)."""
    offenders = []
    for package in PACKAGES:
        for path, tree in parsed(path for path in _sources(package) if "migrations" not in path.parts):
            for node in _public_definitions(tree.body):
                if ast.get_docstring(node) is None:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert offenders == [], f"{len(offenders)} without a docstring: {offenders}"
