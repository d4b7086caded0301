"""Hypothesis stateful test: several desks, random edits, rounds and network partitions; heal; check the invariants."""

from __future__ import annotations

import itertools
import uuid

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test
import pytest

from desktop.sync.client import SyncError
from tests.desktop.sync.conftest import Desk, assert_converged

_names = itertools.count()
FIELDS = ("summary", "location", "branch")
VALUES = ("أ", "ب", "ج", "د")


@pytest.mark.slow
def test_random_operations_and_partitions_converge(make_desk, sync_server) -> None:
    """Invariants after healing: no pending change, every desk equal to the server, every case everywhere,
    every field holding a value some desk wrote, each conflict recorded once."""

    runs: list[tuple[int, int]] = []

    class Desks(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.desks: list[Desk] = []
            self.cases: list[uuid.UUID] = []
            self.written: dict[tuple[uuid.UUID, str], set[str | None]] = {}

        @initialize()
        def three_desks(self) -> None:
            for _ in range(3):
                self.desks.append(make_desk(f"h{next(_names)}"))

        @rule(i=st.integers(0, 2))
        def open_case(self, i: int) -> None:
            self.cases.append(self.desks[i].new_case())

        @precondition(lambda self: bool(self.cases))
        @rule(i=st.integers(0, 2), c=st.integers(0, 50), f=st.sampled_from(FIELDS), v=st.sampled_from(VALUES))
        def edit(self, i: int, c: int, f: str, v: str) -> None:
            desk, case_id = self.desks[i], self.cases[c % len(self.cases)]
            if desk.scalar('SELECT count(*) FROM "case" WHERE id = :i', i=case_id.hex):
                desk.edit_case(case_id, **{f: v})
                self.written.setdefault((case_id, f), set()).add(v)

        @rule(i=st.integers(0, 2))
        def sync(self, i: int) -> None:
            try:
                self.desks[i].round()
            except SyncError as exc:
                assert exc.kind == "offline"

        @rule(i=st.integers(0, 2))
        def partition(self, i: int) -> None:
            self.desks[i].transport.offline = not self.desks[i].transport.offline

        @invariant()
        def switch_never_left_on(self) -> None:
            for desk in self.desks:
                assert desk.scalar("SELECT suppressed FROM sync_switch") == 0

        def teardown(self) -> None:
            if not self.desks:
                return
            for desk in self.desks:
                desk.transport.offline = False
            for _ in range(2):
                for desk in self.desks:
                    desk.settle(1)
            for desk in self.desks:
                desk.settle(1)
            assert_converged(sync_server, *self.desks)
            runs.append((len(self.cases), len(self.written)))
            for desk in self.desks:
                for case_id in self.cases:
                    assert desk.scalar('SELECT count(*) FROM "case" WHERE id = :i', i=case_id.hex) == 1
                for (case_id, f), values in self.written.items():
                    now = desk.scalar(f'SELECT {f} FROM "case" WHERE id = :i', i=case_id.hex)
                    assert now in values or f == "branch" and now is None, (f, now, values)
                keys = desk.scalar("SELECT count(*) - count(DISTINCT row_id || field || hlc_a || hlc_b) FROM sync_conflict")
                assert keys == 0

    run_state_machine_as_test(
        Desks,
        settings=settings(max_examples=4, stateful_step_count=12, deadline=None,
                          suppress_health_check=list(HealthCheck)),
    )
    assert len(runs) >= 2 and any(cases for cases, _ in runs)
