"""The sync wording: relative times, the state words, the enrolment address check (no server needed)."""

from __future__ import annotations

import datetime as dt

from desktop.sync.service import SyncStatus
from desktop.workspace import ConnectionState
from ui.sync.enrol import ADDRESS_HOST, ADDRESS_MISSING, ADDRESS_SCHEME, check_address
from ui.sync.text import (
    STATE_NOT_CONFIGURED,
    STATE_OFFLINE,
    STATE_ONLINE,
    STATE_REFUSED,
    STATE_RUNNING,
    SyncState,
    last_sync_text,
    pending_text,
    relative_time,
    state_text,
)

NOW = dt.datetime(2025, 5, 18, 9, 0, tzinfo=dt.UTC)


def _status(**values: object) -> SyncStatus:
    base: dict[str, object] = dict(configured=True, online=True, server_url="http://127.0.0.1:1", last_success_at=None,
                                   pending_changes=0, open_conflicts=0, rejected_changes=0, blocked_changes=0,
                                   first_sync_pending=False, last_error_ar=None)
    base.update(values)
    return SyncStatus(**base)  # type: ignore[arg-type]


def test_relative_time_in_arabic() -> None:
    ago = lambda **kw: relative_time(NOW - dt.timedelta(**kw), NOW)  # noqa: E731
    assert ago(seconds=20) == "الآن"
    assert ago(minutes=1) == "قبل دقيقة"
    assert ago(minutes=2) == "قبل دقيقتين"
    assert ago(minutes=5) == "قبل ٥ دقائق"
    assert ago(minutes=11) == "قبل ١١ دقيقةً"
    assert ago(hours=2) == "قبل ساعتين"
    assert ago(hours=3) == "قبل ٣ ساعات"
    older = ago(days=3)
    assert "هـ" in older and "م" in older  # both calendars


def test_state_words() -> None:
    assert STATE_NOT_CONFIGURED == ConnectionState.NOT_CONFIGURED.label_ar
    assert state_text(SyncState(_status(configured=False, online=False))) == STATE_NOT_CONFIGURED
    assert state_text(SyncState(_status())) == STATE_ONLINE
    assert state_text(SyncState(_status(), running=True)) == STATE_RUNNING
    assert state_text(SyncState(_status(online=False), error_kind="offline")) == STATE_OFFLINE
    assert state_text(SyncState(_status(online=False, last_error_ar="…"))) == STATE_OFFLINE
    assert state_text(SyncState(_status(online=False), error_kind="refused")) == STATE_REFUSED
    assert pending_text(SyncState(_status(pending_changes=3))) == "بانتظار الإرسال: ٣"
    assert pending_text(SyncState(_status())) == "كل التغييرات أُرسلت"
    assert last_sync_text(SyncState(_status())) == "لم تتم مزامنة بعد"


def test_server_address_check() -> None:
    assert check_address("  ") == ADDRESS_MISSING
    assert check_address("sync.example.org") == ADDRESS_SCHEME
    assert check_address("ftp://sync.example.org") == ADDRESS_SCHEME
    assert check_address("https://") == ADDRESS_HOST
    assert check_address("https://sync.example.org:8443") is None
    assert check_address("http://127.0.0.1:8765/") is None
