"""The one version number of Mustafid Desk: ``pyproject.toml``'s, read at run time.

Installed (pip, the venv, the frozen build that carries the project's metadata) it is
``importlib.metadata.version("mustafid-desk")``. A frozen build without the metadata reads the ``VERSION`` file the
spec writes beside its libraries; a source tree never installed reads ``pyproject.toml`` itself. Every command
(`mustafid`, `mustafid-admin`, `mustafid-server`) answers ``--version`` from here, and so do the About box, the
diagnostics, the log and the sync handshake. Standard library only (the server and the desk both load it).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["PACKAGE", "UNKNOWN", "add_version_argument", "app_version", "version_line"]

#: The distribution name in pyproject.toml.
PACKAGE = "mustafid-desk"
#: Answered when no source of the version is found (never expected in a build or an installed copy).
UNKNOWN = "unknown"

_ROOT = Path(__file__).resolve().parent.parent


def _frozen_version() -> str | None:
    """The ``VERSION`` file of a PyInstaller build (beside its libraries), if this is one."""
    bundle = getattr(sys, "_MEIPASS", None)
    if not getattr(sys, "frozen", False) or bundle is None:
        return None
    try:
        return (Path(bundle) / "VERSION").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _source_tree_version() -> str | None:
    """``project.version`` of the checkout's pyproject.toml, when run from a tree never installed."""
    import tomllib

    try:
        data = tomllib.loads((_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    version = data.get("project", {}).get("version")
    return str(version) if version else None


@lru_cache(maxsize=1)
def app_version() -> str:
    """This copy's version ("0.1.0"), or `UNKNOWN` when nothing says it."""
    # Imported here: importlib.metadata costs ~20 ms of imports, which the desk's first window must not wait for.
    from importlib import metadata

    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        pass
    return _frozen_version() or _source_tree_version() or UNKNOWN


def version_line(program: str) -> str:
    """What ``PROGRAM --version`` prints: the program and its version (held left to right), in Arabic."""
    return f"مكتب المستفيد — الإصدار \u2066{program} {app_version()}\u2069"


class _VersionAction(argparse.Action):
    """``--version``: print `version_line` and exit 0 (the version is read only when asked for)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(version_line(parser.prog), flush=True)
        parser.exit(0)


def add_version_argument(parser: argparse.ArgumentParser) -> None:
    """Give a command line ``--version`` (the version of this copy of Mustafid Desk)."""
    parser.add_argument("--version", action=_VersionAction, help="إصدار البرنامج")
