"""The README's test command: both cores unless the caller says how to distribute the tests."""

from __future__ import annotations

import pytest

from desktop.bootstrap import TEST_WORKERS, pytest_arguments


@pytest.mark.parametrize("args", [[], ["-k", "policy"], ["-x", "tests/db"], ["--", "-n"]])
def test_two_workers_are_added_when_the_caller_does_not_choose(args: list[str]) -> None:
    assert pytest_arguments(args) == ["-n", str(TEST_WORKERS), *args]
    assert TEST_WORKERS == 2


@pytest.mark.parametrize("args", [
    ["-n", "4"], ["-n4"], ["-nauto"], ["--numprocesses", "3"], ["--numprocesses=1"],
    ["-p", "no:xdist"], ["-pno:xdist"], ["-k", "policy", "-n", "0"],
])
def test_the_callers_choice_is_kept(args: list[str]) -> None:
    assert pytest_arguments(args) == args
