"""The README's test command: three workers on the two cores unless the caller says how to distribute the tests."""

from __future__ import annotations

import pytest

from desktop.bootstrap import TEST_WORKERS, pytest_arguments


@pytest.mark.parametrize("args", [[], ["-k", "policy"], ["-x", "tests/db"], ["--", "-n"]])
def test_three_workers_are_added_when_the_caller_does_not_choose(args: list[str]) -> None:
    assert pytest_arguments(args) == ["-n", str(TEST_WORKERS), *args]
    assert TEST_WORKERS == 3


@pytest.mark.parametrize("args", [
    ["-n", "4"], ["-n4"], ["-nauto"], ["--numprocesses", "3"], ["--numprocesses=1"],
    ["-p", "no:xdist"], ["-pno:xdist"], ["-k", "policy", "-n", "0"],
])
def test_the_callers_choice_is_kept(args: list[str]) -> None:
    assert pytest_arguments(args) == args


def test_the_readme_commands_install_the_lock_then_the_project_without_deps() -> None:
    """bootstrap installs requirements/dev.lock's exact versions, then the checkout with --no-deps (editable)."""
    from pathlib import Path

    from desktop import bootstrap

    commands = bootstrap.install_commands(Path("/venv/bin/python"))
    assert commands == [
        ["/venv/bin/python", "-m", "pip", "install", "-q", "-r", str(bootstrap.LOCK)],
        ["/venv/bin/python", "-m", "pip", "install", "-q", "--no-deps", "-e", str(bootstrap.ROOT)],
    ]
    assert bootstrap.LOCK.is_file()


def test_a_changed_lock_reinstalls() -> None:
    """The venv's stamp covers the lock as well as pyproject.toml."""
    import hashlib

    from desktop import bootstrap

    only_pyproject = hashlib.sha256((bootstrap.ROOT / "pyproject.toml").read_bytes()).hexdigest()
    assert bootstrap._pyproject_hash() != only_pyproject


def test_the_suite_runs_offscreen_and_keeps_compiled_modules() -> None:
    """The README's test command: Qt offscreen, and PYTHONDONTWRITEBYTECODE dropped (the tests' processes reuse the
    compiled desk instead of each compiling it again); everything else passed as it is."""
    from desktop.bootstrap import suite_environment

    given = {"PATH": "/usr/bin", "PYTHONDONTWRITEBYTECODE": "1", "QT_QPA_PLATFORM": "xcb", "LANG": "C.UTF-8"}
    assert suite_environment(given) == {"PATH": "/usr/bin", "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8"}
    assert given["PYTHONDONTWRITEBYTECODE"] == "1"  # the caller's own environment is not changed
