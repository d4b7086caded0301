"""Opening the database: migrations at start-up, connection pragmas, refusals, sessions."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from db.engine import (
    HEAD_REVISION,
    DataDirectoryError,
    Database,
    DatabaseError,
    DatabaseTooNewError,
    alembic_config,
    autogenerate_include_name,
)
from db.models import Association, Base, Beneficiary, Case, CaseStatus, PolicyVersion

# ----------------------------------------------------------------------------- migrations


def test_head_revision_constant_is_alembics_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [HEAD_REVISION]


def test_upgrade_from_empty_creates_every_table_at_head(data_dir: Path) -> None:
    db = Database.open(data_dir / "new.db")
    assert db.current_revision() is None
    db.upgrade()
    assert db.current_revision() == HEAD_REVISION
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "beneficiary_fts" in tables
    db.close()


def test_migration_matches_the_models(migrated_here: Database) -> None:
    """Autogenerate finds nothing to do: the first revision creates exactly what the models declare."""
    database = migrated_here
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": autogenerate_include_name}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrade_at_head_reads_one_row_and_imports_neither_alembic_nor_sqlalchemy(database: Database) -> None:
    database.close()
    program = (
        "import sys\n"
        "from pathlib import Path\n"
        "from db.engine import Database\n"
        f"db = Database.open(Path({str(database.path)!r}))\n"
        "db.upgrade()\n"
        "print('alembic' in sys.modules, 'sqlalchemy' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_database_from_a_newer_version_is_refused_and_left_byte_identical(data_dir: Path) -> None:
    path = data_dir / "newer.db"
    db = Database.open(path)
    db.upgrade()
    with db.session() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
        session.execute(text("PRAGMA user_version = 9999"))  # the header a newer version's migration leaves
    db.close()
    assert not Path(f"{path}-wal").exists()  # checkpointed on close: the file is the whole database
    before = path.read_bytes()

    again = Database.open(path)
    with pytest.raises(DatabaseTooNewError) as raised:
        again.upgrade()
    again.close()
    assert "أحدث" in raised.value.message_ar
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


def test_revision_is_read_through_a_log_not_yet_checkpointed(data_dir: Path) -> None:
    """After a crash the migration may live only in the -wal file; start-up must still see it."""
    path = data_dir / "crashed.db"
    first = Database.open(path)
    first.upgrade()
    with first.engine.connect():  # a connection stays open, as in a process that died
        assert Path(f"{path}-wal").stat().st_size > 0
        with sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True) as raw:
            tables = raw.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        assert tables == 0  # the file alone does not hold the schema yet
        assert Database.open(path).current_revision() == HEAD_REVISION
    first.close()


def test_paths_with_spaces_hash_and_arabic_work(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "بيانات الجمعية #1" / "قاعدة البيانات.db")
    db.upgrade()
    with db.session() as session:
        session.add(Association(name="جمعية", profile_id="mafateeh-alkhair"))
    db.close()
    again = Database.open(db.path)
    assert again.current_revision() == HEAD_REVISION
    with again.session(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Association)) == 1
    again.close()


def test_a_file_that_is_not_a_database_is_refused(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    path = data_dir / "garbage.db"
    path.write_bytes(b"this is not an SQLite database at all" * 100)
    db = Database.open(path)
    with pytest.raises(DatabaseError) as raised:
        db.upgrade()
    assert raised.value.message_ar
    assert path.read_bytes() == b"this is not an SQLite database at all" * 100


def test_a_database_of_another_program_is_refused(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    path = data_dir / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    before = path.read_bytes()
    with pytest.raises(DatabaseError):
        Database.open(path).upgrade()
    assert path.read_bytes() == before


def test_unwritable_data_directory_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "a-regular-file"
    blocker.write_text("not a directory")
    with pytest.raises(DataDirectoryError) as raised:
        Database.open(blocker / "data" / "mustafid.db")
    assert "مجلد البيانات" in raised.value.message_ar
    assert isinstance(raised.value, DatabaseError)


def test_data_directory_that_is_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a directory")
    with pytest.raises(DataDirectoryError):
        Database.open(blocker / "mustafid.db")


# ----------------------------------------------------------------------------- connections


def test_every_connection_has_wal_foreign_keys_and_busy_timeout(database: Database) -> None:
    for _ in range(2):
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(IntegrityError), database.session() as session:
        session.add(
            PolicyVersion(
                association_id=uuid.uuid4(),  # no such association
                profile_id="x",
                version_label="1",
                content_hash="0" * 64,
                source_text="",
                adopted_at=dt.datetime.now(dt.UTC),
            )
        )


# ----------------------------------------------------------------------------- sessions


def _association(name: str = "جمعية تجريبية") -> Association:
    return Association(name=name, profile_id="mafateeh-alkhair")


def test_session_commits_on_success(database: Database) -> None:
    with database.session() as session:
        association = _association()
        session.add(association)
    with database.session(read_only=True) as session:
        assert session.get(Association, association.id) is not None


def test_session_rolls_back_everything_on_error(database: Database) -> None:
    with pytest.raises(RuntimeError), database.session() as session:
        association = _association()
        policy = PolicyVersion(
            association_id=association.id,
            profile_id="mafateeh-alkhair",
            version_label="2025-10",
            content_hash="a" * 64,
            source_text="نص السياسة",
            adopted_at=dt.datetime.now(dt.UTC),
        )
        beneficiary = Beneficiary(
            association_id=association.id,
            full_name="محمد عبدالله سعد العتيبي",
            name_key="محمد عبدالله سعد العتيبي",
            id_number="1000000008",
            id_kind="national_id",
        )
        case = Case(
            association_id=association.id,
            case_number="PC1-2025-0000001",
            beneficiary_id=beneficiary.id,
            policy_version_id=policy.id,
            channel_id="interview",
            case_kind_id="service_request",
            status=CaseStatus.RECEIVED,
        )
        session.add_all([association, policy, beneficiary])
        session.flush()
        session.add(case)
        session.flush()  # rows are in the database file's transaction now
        raise RuntimeError("the officer's action failed half-way")
    with database.session(read_only=True) as session:
        for model in (Association, PolicyVersion, Beneficiary, Case):
            assert session.scalar(select(func.count()).select_from(model)) == 0
        assert session.execute(text("SELECT count(*) FROM beneficiary_fts")).scalar() == 0


def test_read_only_session_does_not_commit(database: Database) -> None:
    with database.session(read_only=True) as session:
        session.add(_association())
    with database.session(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Association)) == 0


def test_close_then_reuse_reopens_the_engine(database: Database) -> None:
    database.close()
    with database.session() as session:
        session.add(_association())
    with database.session(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Association)) == 1


def test_the_files_header_names_its_revision_after_every_migration_step(data_dir: Path) -> None:
    """Each step, up or down, leaves the revision's number in the header (with the desk's application id), so that
    a file at head is known without its schema being read; a file without it is read from alembic_version."""
    from alembic import command

    from db.engine import APPLICATION_ID, alembic_config, revision_stamp

    def header(path: Path) -> tuple[int, int]:
        connection = sqlite3.connect(path)
        try:
            return (connection.execute("PRAGMA application_id").fetchone()[0],
                    connection.execute("PRAGMA user_version").fetchone()[0])
        finally:
            connection.close()

    path = data_dir / "stamped.db"
    db = Database.open(path)
    db.upgrade()
    db.close()
    assert header(path) == (APPLICATION_ID, int(HEAD_REVISION))
    db = Database.open(path)
    with db.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "-1")
    previous = db.current_revision()
    db.close()
    assert previous is not None and previous != HEAD_REVISION
    assert header(path) == (APPLICATION_ID, revision_stamp(previous))
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 0")  # as a release before the stamp left it
    connection.commit()
    connection.close()
    db = Database.open(path)
    assert db.current_revision() == previous  # read the long way
    db.upgrade()
    db.close()
    assert header(path) == (APPLICATION_ID, int(HEAD_REVISION))
    db = Database.open(path)
    assert db.current_revision() == HEAD_REVISION
    db.close()
