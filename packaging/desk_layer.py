"""The desk's own code in the frozen bundle: db/, desktop/, ui/ and resources/ compiled to ``.pyc`` files under ``_internal/``.

PyInstaller analyses only what the desk's code imports from elsewhere (`outside_imports`: the standard library
and the third-party packages, read from the sources' import statements, function-local and conditional ones
included, as PyInstaller's own module graph reads them); the desk's packages are excluded from that analysis and
laid into the bundle as compiled files instead of PyInstaller's archive (`compiled_modules`). Python finds them
there with its ordinary path finder (``_internal`` is on the frozen program's ``sys.path``); tracebacks name them
by their path in the checkout (``desktop/cli.py``).

Why: a change to the desk's own code then changes only this layer, never the analysis (the minute of a build).
The suite's build (tests/packaging/frozen_build.py) keeps PyInstaller's output under a key of everything else
(this list of outside imports included) and lays this layer afresh with the same function, so the tested bundle
is the one `packaging/mustafid.spec` builds, here and on the Windows runner.

Loaded by file path (``packaging`` is also the name of a PyPI package), by the spec and by the tests.
"""

from __future__ import annotations

import ast
import importlib.util
import py_compile
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The desk's own packages: compiled into the layer, excluded from PyInstaller's analysis (``resources`` is a
#: package too: its ``__init__`` names the data files, which the spec's DATA_FILES lay beside it).
PACKAGES = ("db", "desktop", "ui", "resources")
#: The parts of the server package a desk carries (`mustafid-admin devices …` on a server database); the rest of
#: desktop/server (the web application) is never in a desk.
SERVER_MODULES = ("desktop.server.admin_cli", "desktop.server.store", "desktop.server.models")


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _all_sources(root: Path) -> dict[str, Path]:
    """Every module of the desk's packages by name (``desktop.cli`` → its file)."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "__pycache__" not in path.parts:
                found[_module_name(path, root)] = path
    return found


def _imports(path: Path, name: str, is_package: bool) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every import statement of a file as (absolute module, names imported from it)."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    package_parts = name.split(".") if is_package else name.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield module, tuple(alias.name for alias in node.names)


def desk_modules(root: Path = ROOT) -> dict[str, Path]:
    """The modules laid into the bundle, by name: db/, desktop/ (without the web server) and ui/."""
    sources = _all_sources(root)
    closure: set[str] = set()
    pending = [name for name in SERVER_MODULES if name in sources]
    while pending:
        name = pending.pop()
        if name in closure:
            continue
        closure.add(name)
        path = sources[name]
        for module, names in _imports(path, name, path.name == "__init__.py"):
            for candidate in (module, *(f"{module}.{item}" for item in names)):
                if candidate.startswith("desktop.server.") and candidate in sources:
                    pending.append(candidate)
    return {name: path for name, path in sources.items() if _is_desk_module(name, closure)}


def _is_desk_module(name: str, server_closure: set[str]) -> bool:
    """True for a module of the layer: not the web server (only `SERVER_MODULES` and what they import), not an
    Alembic script (the migrations travel as data files)."""
    if name.startswith("desktop.server."):
        return name in server_closure
    return not (name.startswith("db.migrations.") and not name.endswith(".versions"))


def _is_ours(name: str) -> bool:
    return name.split(".", 1)[0] in PACKAGES


def _excluded(name: str, excludes: Iterable[str]) -> bool:
    return any(name == excluded or name.startswith(excluded + ".") for excluded in excludes)


def _is_module(name: str) -> bool:
    """True when `name` is an importable module (``from PySide6 import QtCore``: QtCore is; a class is not)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError, AttributeError):
        return False


def outside_imports(excludes: Iterable[str] = (), root: Path = ROOT) -> list[str]:
    """The modules outside the desk's packages that the layer's code imports, sorted (PyInstaller's hidden imports:
    it analyses them and what they import in turn). Names under `excludes` are left out."""
    excludes = tuple(excludes)
    wanted: set[str] = set()
    for name, path in desk_modules(root).items():
        for module, names in _imports(path, name, path.name == "__init__.py"):
            if not module or _is_ours(module) or _excluded(module, excludes):
                continue
            wanted.add(module)
            for item in names:
                if item != "*" and not _excluded(f"{module}.{item}", excludes):
                    wanted.add(f"{module}.{item}")
    return sorted(name for name in wanted if "." not in name or _is_module(name))


def compiled_modules(build_dir: Path, root: Path = ROOT) -> list[tuple[str, str]]:
    """Compile the layer into `build_dir`; return (compiled file, folder in the bundle) pairs, PyInstaller's
    ``datas`` form (``desktop/cli.py`` → ``_internal/desktop/cli.pyc``)."""
    if build_dir.exists():
        shutil.rmtree(build_dir)
    pairs: list[tuple[str, str]] = []
    for _name, source in sorted(desk_modules(root).items()):
        relative = source.relative_to(root)
        compiled = build_dir / relative.with_suffix(".pyc")
        compiled.parent.mkdir(parents=True, exist_ok=True)
        py_compile.compile(str(source), cfile=str(compiled), dfile=relative.as_posix(), doraise=True, optimize=0,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        pairs.append((str(compiled), relative.parent.as_posix()))
    return pairs
