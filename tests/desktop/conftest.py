"""Fixtures shared by the desk's service tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def short_busy_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """The desk waits `BUSY_TIMEOUT_MS` (5 s) for a lock before it says the database is locked; these tests hold the
    lock until they end, so the desks they open wait a tenth of a second: the same refusal, five idle seconds less."""
    import db.engine

    monkeypatch.setattr(db.engine, "BUSY_TIMEOUT_MS", 100)
