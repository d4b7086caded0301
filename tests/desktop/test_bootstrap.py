"""The README's test command: four workers on the two cores unless the caller says how to distribute the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.bootstrap import TEST_WORKERS, pytest_arguments


@pytest.mark.parametrize("args", [[], ["-k", "policy"], ["-x", "tests/db"], ["--", "-n"]])
def test_four_workers_are_added_when_the_caller_does_not_choose(args: list[str]) -> None:
    assert pytest_arguments(args) == ["-n", str(TEST_WORKERS), *args]
    assert TEST_WORKERS == 4


@pytest.mark.parametrize("args", [
    ["-n", "4"], ["-n4"], ["-nauto"], ["--numprocesses", "3"], ["--numprocesses=1"],
    ["-p", "no:xdist"], ["-pno:xdist"], ["-k", "policy", "-n", "0"],
])
def test_the_callers_choice_is_kept(args: list[str]) -> None:
    assert pytest_arguments(args) == args


def test_the_readme_commands_install_the_lock_then_the_project_without_deps() -> None:
    """bootstrap installs requirements/dev.lock's exact versions (and the pinned pip), then the checkout with
    --no-deps (editable); by uv, the venv's interpreter named, or by pip when uv could not be installed."""
    from desktop import bootstrap

    uv = ["/venv/bin/python", "-m", "uv", "pip", "install", "-q", "--compile-bytecode", "--python", "/venv/bin/python"]
    assert bootstrap.install_commands(Path("/venv/bin/python")) == [
        [*uv, "pip==26.3", "-r", str(bootstrap.LOCK)],
        [*uv, "--no-deps", "-e", str(bootstrap.ROOT)],
    ]
    pip = ["/venv/bin/python", "-m", "pip", "install", "-q"]
    assert bootstrap.install_commands(Path("/venv/bin/python"), "pip") == [
        [*pip, "pip==26.3", "-r", str(bootstrap.LOCK)],
        [*pip, "--no-deps", "-e", str(bootstrap.ROOT)],
    ]
    assert bootstrap.LOCK.is_file()


def test_the_installers_are_pinned() -> None:
    """uv and pip come at the versions requirements/bootstrap.lock names, and a name it lacks is an error."""
    from desktop import bootstrap

    assert bootstrap._pinned("uv") == "uv==0.13.9"
    assert bootstrap._pinned("pip") == "pip==26.3"
    with pytest.raises(LookupError):
        bootstrap._pinned("setuptools")


def test_a_changed_lock_reinstalls() -> None:
    """The venv's stamp covers the locks (the packages' and the installers') as well as pyproject.toml."""
    import hashlib

    from desktop import bootstrap

    only_pyproject = hashlib.sha256((bootstrap.ROOT / "pyproject.toml").read_bytes()).hexdigest()
    assert bootstrap._pyproject_hash() != only_pyproject


def test_a_changed_installer_pin_reinstalls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Raising uv or pip in requirements/bootstrap.lock installs the packages again (the stamp changes)."""
    from desktop import bootstrap

    before = bootstrap._pyproject_hash()
    raised = tmp_path / "bootstrap.lock"
    raised.write_text(bootstrap.BOOTSTRAP_LOCK.read_text(encoding="utf-8").replace("uv==", "uv==9"), encoding="utf-8")
    monkeypatch.setattr(bootstrap, "BOOTSTRAP_LOCK", raised)
    assert bootstrap._pyproject_hash() != before


def test_the_suite_runs_offscreen_and_keeps_compiled_modules() -> None:
    """The README's test command: Qt offscreen, and PYTHONDONTWRITEBYTECODE dropped (the tests' processes reuse the
    compiled desk instead of each compiling it again); everything else passed as it is."""
    from desktop.bootstrap import suite_environment

    given = {"PATH": "/usr/bin", "PYTHONDONTWRITEBYTECODE": "1", "QT_QPA_PLATFORM": "xcb", "LANG": "C.UTF-8"}
    assert suite_environment(given) == {"PATH": "/usr/bin", "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8"}
    assert given["PYTHONDONTWRITEBYTECODE"] == "1"  # the caller's own environment is not changed
