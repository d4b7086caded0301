"""The audit trail's hash chain: written by one function, and `mustafid-admin audit verify` on a copy of the database."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from desktop.audit_verify import EXIT_BROKEN, EXIT_OK
from desktop.cli import main
from desktop.workspace import DATABASE_FILE

from .casedesk._factory import Desk, desk  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]


def _copy(desk: Desk, target: Path) -> sqlite3.Connection:  # noqa: F811
    """A copy of the desk's database in `target` (a data directory), open for tampering as an attacker would."""
    target.mkdir()
    source = sqlite3.connect(desk.workspace.db.path)
    copy = sqlite3.connect(target / DATABASE_FILE)
    source.backup(copy)
    source.close()
    copy.isolation_level = None
    copy.execute("DROP TRIGGER audit_event_append_only_update")  # what editing the file by hand amounts to
    copy.execute("DROP TRIGGER audit_event_append_only_delete")
    return copy


def _verify(capsys: pytest.CaptureFixture[str], data_dir: Path) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), "audit", "verify"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _events(conn: sqlite3.Connection) -> list[tuple[str, int, str, str]]:
    return conn.execute("SELECT id, chain_seq, action, hash FROM audit_event ORDER BY chain_seq").fetchall()


def _writer_events(desk: Desk) -> int:  # noqa: F811
    desk.awaiting()
    desk.received(name="فاطمة محمد عبد الله القحطاني")
    conn = sqlite3.connect(desk.workspace.db.path)
    try:
        return int(conn.execute("SELECT count(*) FROM audit_event").fetchone()[0])
    finally:
        conn.close()


def test_events_are_chained_and_a_whole_trail_verifies(desk: Desk, tmp_path: Path,  # noqa: F811
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    count = _writer_events(desk)
    assert count >= 4
    conn = _copy(desk, tmp_path / "copy")
    events = _events(conn)
    assert [seq for _, seq, _, _ in events] == list(range(1, count + 1))
    assert conn.execute("SELECT count(DISTINCT device_id) FROM audit_event").fetchone()[0] == 1
    conn.close()
    code, out, err = _verify(capsys, tmp_path / "copy")
    assert code == EXIT_OK and err == ""
    assert out.startswith("سجل التدقيق سليم") and len(out.strip().splitlines()) == 1


def test_a_deleted_event_is_found(desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    _writer_events(desk)
    conn = _copy(desk, tmp_path / "copy")
    events = _events(conn)
    conn.execute("DELETE FROM audit_event WHERE id = ?", (events[2][0],))
    conn.close()
    code, out, err = _verify(capsys, tmp_path / "copy")
    assert code == EXIT_BROKEN and out == ""
    assert "محذوف" in err and f"«{events[3][2]}»" in err and len(err.strip().splitlines()) == 1


def test_an_inserted_event_is_found(desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    _writer_events(desk)
    conn = _copy(desk, tmp_path / "copy")
    # a backdated event copied from a real one, given a new id and action (the forger cannot make both links match)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(audit_event)")]
    picked = ", ".join("'" + "ab" * 16 + "'" if c == "id" else "'decision_recorded'" if c == "action" else c
                       for c in columns)
    conn.execute(f"INSERT INTO audit_event ({', '.join(columns)}) SELECT {picked} FROM audit_event "
                 "WHERE chain_seq = 2")
    conn.close()
    code, _, err = _verify(capsys, tmp_path / "copy")
    assert code == EXIT_BROKEN and ("مُدرج" in err or "عُدّل" in err)
    assert "decision_recorded" in err


def test_an_inserted_event_without_a_chain_is_found(desk: Desk, tmp_path: Path,  # noqa: F811
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    _writer_events(desk)
    conn = _copy(desk, tmp_path / "copy")
    conn.execute("INSERT INTO audit_event (id, version, action, entity, at, details, device_id, created_at, updated_at) "
                 "SELECT '" + "cd" * 16 + "', 1, 'committee_decided', 'case', '2025-01-01 09:00:00.000000', '{}', "
                 "device_id, created_at, updated_at FROM audit_event WHERE chain_seq = 1")
    conn.close()
    code, _, err = _verify(capsys, tmp_path / "copy")
    assert code == EXIT_BROKEN and "مُدرج" in err and "committee_decided" in err


def test_an_edited_event_is_found_without_showing_its_details(desk: Desk, tmp_path: Path,  # noqa: F811
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    _writer_events(desk)
    conn = _copy(desk, tmp_path / "copy")
    events = _events(conn)
    conn.execute("UPDATE audit_event SET details = json_set(details, '$.case_number', 'X-0000') WHERE id = ?",
                 (events[1][0],))
    actors = conn.execute("SELECT DISTINCT actor_id FROM audit_event").fetchall()
    conn.close()
    code, _, err = _verify(capsys, tmp_path / "copy")
    assert code == EXIT_BROKEN and "عُدّل" in err and f"«{events[1][2]}»" in err
    assert "X-0000" not in err and not any(str(a[0]) in err for a in actors)
    assert not re.search(r"[0-9a-f]{32}", err)


def test_an_edited_author_is_found(desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    _writer_events(desk)
    conn = _copy(desk, tmp_path / "copy")
    conn.execute("UPDATE audit_event SET actor_id = ? WHERE chain_seq = 3", ("ef" * 16,))
    conn.close()
    code, _, err = _verify(capsys, tmp_path / "copy")
    assert code == EXIT_BROKEN and "عُدّل" in err


def test_every_audit_event_is_written_by_record_audit() -> None:
    """No module but `desktop.audit` constructs an AuditEvent: every writer goes through the chain."""
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("desktop", "ui", "db")
        for path in (ROOT / package).rglob("*.py")
        if "AuditEvent(" in path.read_text(encoding="utf-8") and path.name not in ("audit.py", "models.py")
    ]
    assert offenders == []
