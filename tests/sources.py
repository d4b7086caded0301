"""The project's own Python files as the tests that check the code itself read them (tests/test_architecture.py,
tests/packaging/): parsed with Python's cyclic collector paused, walked statement by statement, and the top-level
names a file imports kept once per process, keyed by its path, size and modification time (an edited file is read
again).

Why the collector is paused: a syntax tree holds no reference cycles, and parsing the ~260 files of db/, desktop/
and ui/ makes ~400,000 objects; the collector's passes over the growing heap while they are made were two thirds
of the parse (about 1.5 s of CPU for all of them, 0.45 s paused; more in a test worker, whose heap is bigger).
`parsed` keeps it paused while the caller walks each tree, so a tree dropped before the next is never scanned.
Whole trees are not kept: ~100 MB per worker, which every later full collection of that worker would walk again.

Why statements only: an import, a class or a function definition is a statement, and a statement sits only in a
block of another statement (or an ``except``/``case`` clause, or the module), never inside an expression; the
expressions are four fifths of a tree's nodes.
"""

from __future__ import annotations

import ast
import gc
import os
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

#: The nodes that hold blocks of statements or are statements: what `walk_statements` visits.
_BLOCK_NODES = (ast.stmt, ast.excepthandler, ast.match_case)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's automatic cyclic collector off for the block, then as it was (`ui.collector` may keep it off)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def parse(path: Path) -> ast.Module:
    """The syntax tree of one source file (UTF-8), named by its path in a SyntaxError."""
    with collector_paused():
        return _parse(path)


def parsed(paths: Iterable[Path]) -> Iterator[tuple[Path, ast.Module]]:
    """Each file with its syntax tree, in order, the collector paused until the caller asks for the next one."""
    with collector_paused():
        for path in paths:
            yield path, _parse(path)


def statement_children(node: ast.AST) -> Iterator[ast.AST]:
    """The statements (and ``except``/``case`` clauses) directly inside `node`, in field order."""
    for _name, value in ast.iter_fields(node):
        if isinstance(value, list):
            for item in value:
                if isinstance(item, _BLOCK_NODES):
                    yield item


def walk_statements(tree: ast.AST) -> Iterator[ast.AST]:
    """`tree` and every statement (and ``except``/``case`` clause) under it, breadth first: the nodes `ast.walk`
    yields that are not part of an expression, in the same order."""
    pending = deque([tree])
    while pending:
        node = pending.popleft()
        pending.extend(statement_children(node))
        yield node


def _top_level_names(tree: ast.AST) -> frozenset[str]:
    names: set[str] = set()
    for node in walk_statements(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return frozenset(names)


@lru_cache(maxsize=None)
def _imported_top_names(path: Path, size: int, mtime_ns: int) -> frozenset[str]:
    with collector_paused():
        return _top_level_names(_parse(path))


def imported_top_names(path: Path) -> frozenset[str]:
    """Top-level names of every module a source file imports, function-local and conditional imports included
    (``import a.b`` and ``from a.b import c`` name ``a``; relative imports name nothing)."""
    status = os.stat(path)
    return _imported_top_names(path, status.st_size, status.st_mtime_ns)
