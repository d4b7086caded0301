"""The database in trouble (issue 14, item 5): locked by another process, a full disk, the file-size limit, an
empty or foreign file — each an Arabic line, no traceback, nothing lost, nothing overwritten."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models import Association, Beneficiary
from desktop.errors import DATABASE_LOCKED_AR, DISK_FULL_AR, DISK_WRITE_AR, describe
from desktop.workspace import DATABASE_FILE, Workspace, WorkspaceError
from tests.templates import seed_data_dir

ROOT = Path(__file__).resolve().parents[2]


def _desk(data_dir: Path) -> Path:
    seed_data_dir(data_dir)
    ws = Workspace.open(data_dir)
    try:
        ws.adopt_builtin_profile("mafateeh-alkhair")
        _add_people(ws, 3)
    finally:
        ws.close()
    return data_dir


def _add_people(ws: Workspace, count: int, *, note_size: int = 10) -> None:
    with ws.db.session() as session:
        association = session.scalars(select(Association.id)).first()
        assert association is not None
        for number in range(count):
            session.add(Beneficiary(
                association_id=association, full_name="محمد " + "ا" * note_size, name_key=uuid.uuid4().hex,
                id_number=f"1{number:09d}"[-10:] if note_size < 100 else str(uuid.uuid4().int)[:10],
                id_kind="national", city="ا" * note_size,
            ))


def _people(data_dir: Path) -> int:
    ws = Workspace.open(data_dir)
    try:
        with ws.db.session(read_only=True) as session:
            return int(session.scalar(select(func.count()).select_from(Beneficiary)) or 0)
    finally:
        ws.close()


HOLD_LOCK = textwrap.dedent("""
    import sqlite3, sys, time
    connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
    if sys.argv[2] == "exclusive":  # the whole file, readers too (nobody else may have it open)
        connection.execute("PRAGMA locking_mode=EXCLUSIVE")
        connection.execute("BEGIN EXCLUSIVE")
    else:  # the write lock, as another program writing would hold it
        connection.execute("BEGIN IMMEDIATE")
    connection.execute("UPDATE association SET city = city")
    print("LOCKED", flush=True)
    sys.stdin.read()
    connection.execute("ROLLBACK")
""")


@pytest.fixture
def locker(tmp_path: Path, short_busy_wait: None) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """A desk whose database another process holds with an exclusive lock (released at the end)."""
    data_dir = _desk(tmp_path / "desk")
    process = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(data_dir / DATABASE_FILE), "exclusive"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "LOCKED"
    try:
        yield data_dir, process
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


def test_a_database_locked_by_another_process_is_refused_with_a_retry(
    locker: tuple[Path, subprocess.Popen[str]],
) -> None:
    data_dir, process = locker
    with pytest.raises(WorkspaceError) as raised:
        Workspace.open(data_dir)
    assert raised.value.retry and raised.value.restore_from is None
    assert "مقفلة" in raised.value.message_ar and "أعد المحاولة" in raised.value.message_ar
    if Path("/proc").is_dir():  # the program holding it is named where the system tells
        assert f"({process.pid})" in raised.value.message_ar


def test_a_write_while_another_process_holds_the_lock_says_so_and_loses_nothing(
        tmp_path: Path, short_busy_wait: None) -> None:
    data_dir = _desk(tmp_path / "desk")
    ws = Workspace.open(data_dir)
    process = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(data_dir / DATABASE_FILE), "write"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "LOCKED"
        with pytest.raises(Exception) as raised:
            _add_people(ws, 1)
        assert describe(raised.value) == DATABASE_LOCKED_AR
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)
        ws.close()
    assert _people(data_dir) == 3


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MiB tmpfs (root only: skipped with the reason where mounting is refused)."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command here")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount_point)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"a small tmpfs cannot be mounted here: {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_full_disk_rolls_the_unit_of_work_back_and_loses_nothing(small_disk: Path) -> None:
    data_dir = _desk(small_disk / "desk")
    ws = Workspace.open(data_dir)
    filler = small_disk / "filler.bin"
    try:
        free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
        with filler.open("wb") as handle:
            handle.write(b"\0" * max(free - 256 * 1024, 0))
        with pytest.raises(Exception) as raised:
            _add_people(ws, 400, note_size=2000)  # ~1.6 MB of rows: more than the room left
        assert describe(raised.value) == DISK_FULL_AR
    finally:
        ws.close()
        filler.unlink(missing_ok=True)
    assert _people(data_dir) == 3  # the three kept, none of the four hundred half-written
    with sqlite3.connect(data_dir / DATABASE_FILE) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


FILE_SIZE_LIMITED = textwrap.dedent("""
    import resource, sys
    from pathlib import Path
    from db.engine import ignore_file_size_signal
    from desktop.errors import describe
    from desktop.workspace import Workspace
    from tests.desktop.test_database_trouble import _add_people

    ignore_file_size_signal()
    ws = Workspace.open(Path(sys.argv[1]))
    wal = Path(sys.argv[1]) / "mustafid.sqlite3-wal"
    limit = max(Path(sys.argv[1], "mustafid.sqlite3").stat().st_size, wal.stat().st_size if wal.exists() else 0)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit + 100_001, resource.RLIM_INFINITY))
    try:
        _add_people(ws, 400, note_size=2000)
        print("WRITTEN")
    except Exception as error:
        print(describe(error))
    finally:
        ws.close()
""")


def test_the_file_size_limit_gives_the_arabic_line_and_loses_nothing(tmp_path: Path) -> None:
    data_dir = _desk(tmp_path / "desk")
    result = subprocess.run(
        [sys.executable, "-c", FILE_SIZE_LIMITED, str(data_dir)], capture_output=True, text=True, timeout=120,
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "MUSTAFID_DATA_DIR": str(data_dir)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() in (DISK_FULL_AR, DISK_WRITE_AR), result.stdout + result.stderr[-2000:]
    assert "Traceback" not in result.stdout + result.stderr
    assert _people(data_dir) == 3


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 a zip file, not a database" * 50])
def test_an_empty_or_foreign_file_is_refused_and_left_as_it_is(tmp_path: Path, content: bytes) -> None:
    data_dir = tmp_path / "desk"
    data_dir.mkdir()
    (data_dir / DATABASE_FILE).write_bytes(content)
    with pytest.raises(WorkspaceError) as raised:
        Workspace.open(data_dir)
    assert raised.value.message_ar and not raised.value.retry
    assert (data_dir / DATABASE_FILE).read_bytes() == content
    assert sorted(p.name for p in data_dir.iterdir()) == [DATABASE_FILE]  # no -wal, no new database beside it


def test_a_damaged_database_names_the_latest_backup_to_restore(tmp_path: Path) -> None:
    from desktop.backup import BACKUPS_DIR, BackupKind, create_backup

    data_dir = _desk(tmp_path / "desk")
    info = create_backup(data_dir, data_dir / BACKUPS_DIR, kind=BackupKind.CLOSE)
    live = data_dir / DATABASE_FILE
    live.write_bytes(b"\0" * 4096 + live.read_bytes()[4096:])  # its header wiped
    damaged = live.read_bytes()
    with pytest.raises(WorkspaceError) as raised:
        Workspace.open(data_dir)
    assert raised.value.restore_from == info.path
    assert "آخر نسخة احتياطية سليمة" in raised.value.message_ar
    assert live.read_bytes() == damaged
