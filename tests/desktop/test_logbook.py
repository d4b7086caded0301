"""The desk's log: a private rotating file, redaction of personal data, incident numbers and `describe`.

The last test walks a whole reception through the services with the log at DEBUG, forces incidents that
carry the beneficiary's particulars, and proves that none of them reaches a log file or the support zip.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError, StatementError

from desktop import logbook
from desktop.arabic_text import isolate, to_arabic_digits
from desktop.errors import DATABASE_LOCKED_AR, InputError, describe, is_database_locked
from desktop.reception import ReceptionError, ReceptionService
from desktop.workspace import Workspace
from tests.desktop.reception.conftest import (
    ID_NUMBER,
    MOBILE,
    NAME,
    committee_decides,
    documents,
    particulars,
    signature_png,
)
from tests.templates import seed_data_dir

INCIDENT = re.compile(r"M-[0-9A-F]{6}")
NOTE = "يعاني من دين متراكم بسبب علاج ابنته في المستشفى"
EMAIL = "abdullah.alqahtani@example.com"


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """The desk's log configured at DEBUG in a fresh data directory; closed after the test."""
    path = logbook.configure(tmp_path / "data", level="DEBUG")
    yield path
    logbook.close()


def _all_log_text(data_dir: Path) -> str:
    """Every file under the log folder, read back whole."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(logbook.log_dir(data_dir).rglob("*")) if p.is_file())


def _personal_data() -> list[str]:
    """The beneficiary's particulars in every form they may take: name parts, ID, phone, note, e-mail."""
    values = [*NAME.split(), ID_NUMBER, to_arabic_digits(ID_NUMBER), MOBILE, MOBILE[1:], "+966" + MOBILE[1:],
              to_arabic_digits(MOBILE), EMAIL, *NOTE.split()]
    return [value for value in values if len(value) >= 3]


def _assert_private(content: str) -> None:
    leaked = [value for value in _personal_data() if value in content]
    assert leaked == [], leaked


# ------------------------------------------------------------------------------------------ the file


def test_configure_creates_a_private_rotating_utf8_file(log_file: Path, tmp_path: Path) -> None:
    """``<data dir>/logs/desk.log``, owner-only, 1 MiB × 5, UTF-8."""
    assert log_file == tmp_path / "data" / "logs" / "desk.log"
    logbook.get_logger("test").info("démarrage café")
    assert "démarrage café" in log_file.read_text(encoding="utf-8")
    if os.name == "posix":
        assert log_file.stat().st_mode & 0o777 == 0o600
        assert log_file.parent.stat().st_mode & 0o777 == 0o700
    handlers = [h for h in logging.getLogger("mustafid").handlers if isinstance(h, logging.FileHandler)]
    assert len(handlers) == 1
    assert handlers[0].maxBytes == logbook.MAX_BYTES == 1 << 20  # type: ignore[attr-defined]
    assert handlers[0].backupCount == logbook.BACKUP_COUNT == 5  # type: ignore[attr-defined]


def test_rotation_keeps_five_older_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past its size the file rotates; never more than five older files, all owner-only."""
    monkeypatch.setattr(logbook, "MAX_BYTES", 20_000)  # the real 1 MiB is checked above; this keeps the test quick
    log_file = logbook.configure(tmp_path / "data")
    line = "x" * 1000
    try:
        for _ in range(7 * 22):
            logbook.get_logger("test").info(line)
    finally:
        logbook.close()
    names = sorted(p.name for p in log_file.parent.iterdir())
    assert names == ["desk.log", *(f"desk.log.{n}" for n in range(1, 6))]
    if os.name == "posix":
        assert all(p.stat().st_mode & 0o777 == 0o600 for p in log_file.parent.iterdir())


def test_configure_is_idempotent_and_moves_to_another_data_dir(tmp_path: Path) -> None:
    """Configured twice for one directory: one handler. For another: the records go there, not to the old file."""
    try:
        first = logbook.configure(tmp_path / "one")
        assert logbook.configure(tmp_path / "one") == first
        assert len([h for h in logging.getLogger("mustafid").handlers if isinstance(h, logging.FileHandler)]) == 1
        logbook.get_logger("test").warning("to the first")
        second = logbook.configure(tmp_path / "two")
        logbook.get_logger("test").warning("to the second")
        assert len([h for h in logging.getLogger("mustafid").handlers if isinstance(h, logging.FileHandler)]) == 1
        assert logbook.current_log_file() == second
    finally:
        logbook.close()
    assert "to the first" in first.read_text(encoding="utf-8")
    assert "to the second" not in first.read_text(encoding="utf-8")
    assert "to the second" in second.read_text(encoding="utf-8")


def test_records_kept_in_memory_reach_the_file_once_configured(tmp_path: Path) -> None:
    """`buffer_until_configured` keeps (redacted) records until the file can be opened."""
    try:
        logbook.buffer_until_configured("DEBUG")
        logbook.get_logger("test").info("before the file for %s", ID_NUMBER)
        path = logbook.configure(tmp_path / "data")
        logbook.get_logger("test").info("after the file")
    finally:
        logbook.close()
    content = path.read_text(encoding="utf-8")
    assert "before the file for <digits>" in content and "after the file" in content
    assert ID_NUMBER not in content


def test_configure_raises_oserror_when_the_folder_cannot_be_made(tmp_path: Path) -> None:
    """A data directory that is a file: OSError, and nothing is configured."""
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    with pytest.raises(OSError):
        logbook.configure(not_a_folder)
    assert logbook.current_log_file() is None


# ------------------------------------------------------------------------------------------ redaction


@pytest.mark.parametrize(
    ("secret", "marker"),
    [
        (NAME, "<ar>"),
        ("عبدالله بن محمد القحطاني", "<ar>"),
        (ID_NUMBER, "<digits>"),
        (to_arabic_digits(ID_NUMBER), "<digits>"),
        ("۱۰۰۰۰۰۰۰۱۶", "<digits>"),  # Eastern Arabic-Indic (Persian) digits
        (MOBILE, "<digits>"),
        ("+966 50 123 4567", "<digits>"),
        ("050-123-4567", "<digits>"),
        ("٠٥٠١٢٣٤٥٦٧", "<digits>"),
        ("14/03/1985", "<digits>"),
        (EMAIL, "<email>"),
        (NOTE, "<ar>"),
    ],
)
def test_personal_data_in_a_message_is_redacted(log_file: Path, secret: str, marker: str) -> None:
    """Names, IDs in Latin and Arabic-Indic digits, phones, dates, e-mail addresses and notes never reach the file."""
    logbook.get_logger("test").warning("careless line: %s (end)", secret)
    content = log_file.read_text(encoding="utf-8")
    assert secret not in content
    assert f"careless line: {marker} (end)" in content


def test_short_numbers_counts_and_incident_numbers_stay_readable() -> None:
    """What support needs is kept: line numbers, counts with separators, durations, incident numbers."""
    line = 'File "service.py", line 1234, in complete_verify; pulled 12,345 rows in 1.52 s; incident M-4F7A2C'
    assert logbook.redact(line) == line


def test_user_names_in_paths_are_redacted() -> None:
    """A Windows profile path or a home folder names the user: it is replaced."""
    windows = r'File "C:\Users\Abdullah Alqahtani\AppData\Local\Programs\Mustafid\desktop\cli.py", line 3'
    assert logbook.redact(windows) == r'File "C:\Users\<user>\AppData\Local\Programs\Mustafid\desktop\cli.py", line 3'
    assert logbook.redact("/home/abdullah/.local/share/x") == "/home/<user>/.local/share/x"
    home = str(Path.home())
    if home not in ("", "/"):
        assert home not in logbook.redact(f"{home}/MustafidDesk/desk.log")


def test_the_value_in_a_pydantic_error_is_hidden(log_file: Path) -> None:
    """pydantic quotes the refused value: a Latin name or a phone there is hidden too."""
    from pydantic import BaseModel, ValidationError

    class Household(BaseModel):
        size: int

    typed: Any = "Abdullah Alqahtani"  # not on the line the traceback quotes
    with pytest.raises(ValidationError) as info:
        Household(size=typed)
    logbook.record_incident(info.value, "test")
    content = log_file.read_text(encoding="utf-8")
    assert "input_value=<hidden>" in content and "Abdullah" not in content


def test_sqlalchemy_parameters_never_reach_the_log(log_file: Path, tmp_path: Path) -> None:
    """An error from an engine that shows its parameters: the ``[parameters: ...]`` block is hidden."""
    engine = create_engine(f"sqlite:///{tmp_path / 'plain.sqlite3'}")  # parameters shown, as by default
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE person (id_number TEXT UNIQUE, name TEXT)"))
            connection.execute(text("INSERT INTO person VALUES (:id, :name)"), {"id": ID_NUMBER, "name": NAME})
        with pytest.raises(StatementError) as info, engine.begin() as connection:
            connection.execute(text("INSERT INTO person VALUES (:id, :name)"),
                               {"id": ID_NUMBER, "name": "Abdullah Alqahtani"})
    finally:
        engine.dispose()
    assert "Abdullah Alqahtani" in str(info.value)  # the danger is real
    number = logbook.record_incident(info.value, "test")
    content = log_file.read_text(encoding="utf-8")
    assert f"incident {number} in test" in content
    assert "[parameters: <hidden>]" in content and "UNIQUE constraint failed" in content
    assert "Abdullah Alqahtani" not in content
    _assert_private(content)


def test_the_desks_engine_hides_parameters_from_error_messages(data_dir: Path) -> None:
    """`db.engine.Database` creates its engine with ``hide_parameters=True``."""
    ws = Workspace.open(seed_data_dir(data_dir))  # the engine, not the migration, is the subject
    try:
        with pytest.raises(OperationalError) as info, ws.db.session() as session:
            session.execute(text("SELECT :name, :id FROM no_such_table"), {"name": NAME, "id": ID_NUMBER})
    finally:
        ws.close()
    assert NAME not in str(info.value) and ID_NUMBER not in str(info.value)
    assert "hidden" in str(info.value)


def test_a_traceback_keeps_its_file_line_and_function(log_file: Path) -> None:
    """Redaction hides the message, not where the error happened."""

    def verify_particulars() -> None:
        raise ValueError(f"بيانات {NAME} رقم {ID_NUMBER}")

    try:
        verify_particulars()
    except ValueError as error:
        number = logbook.record_incident(error, "reception.verify")
    content = log_file.read_text(encoding="utf-8")
    block = content[content.index(f"incident {number}"):]
    assert "Traceback (most recent call last):" in block
    assert re.search(r'File ".*test_logbook\.py", line \d+, in verify_particulars', block)
    assert "ValueError: <ar> <digits>" in block
    _assert_private(content)


def test_incident_numbers_are_short_and_never_six_digits() -> None:
    """``M-`` and six hexadecimal characters, at least one a letter (it must survive the digit redaction)."""
    numbers = {logbook.new_incident_number() for _ in range(3000)}
    assert all(INCIDENT.fullmatch(n) and not n[2:].isdigit() for n in numbers)
    assert len(numbers) > 2900


# ------------------------------------------------------------------------------------------ describe


def test_describe_an_input_error_is_its_own_message_and_logs_nothing(log_file: Path) -> None:
    """InputError and its subclasses are the officer's own Arabic message."""
    assert describe(InputError("رقم الهوية غير صحيح", field="id_number")) == "رقم الهوية غير صحيح"
    assert describe(ReceptionError("الحالة مغلقة")) == "الحالة مغلقة"
    assert describe(LookupError("الطلب غير موجود: 12")) == "الطلب غير موجود: 12"
    assert "incident" not in log_file.read_text(encoding="utf-8")


def test_describe_a_locked_database(log_file: Path, tmp_path: Path) -> None:
    """SQLite's "database is locked" (raw or wrapped by SQLAlchemy): another program uses it, retry soon."""
    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    try:
        with pytest.raises(OperationalError) as info, engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
        waiting = sqlite3.connect(path, timeout=0)
        with pytest.raises(sqlite3.OperationalError) as raw:
            waiting.execute("INSERT INTO t VALUES (1)")
        waiting.close()
    finally:
        engine.dispose()
        holder.execute("ROLLBACK")
        holder.close()
    for error in (info.value, raw.value):
        assert is_database_locked(error)
        text_ar = describe(error)
        assert text_ar == DATABASE_LOCKED_AR
        assert "برنامج آخر" in text_ar and "أعد المحاولة" in text_ar
    assert "incident" not in log_file.read_text(encoding="utf-8")


def test_describe_an_unexpected_error_records_an_incident(log_file: Path) -> None:
    """The text names the incident number (bidi-isolated); the log holds the traceback under that number."""

    def compute_eligibility() -> None:
        raise ZeroDivisionError(f"division by zero for {NAME}")

    try:
        compute_eligibility()
    except ZeroDivisionError as error:
        text_ar = describe(error, "casedesk.eligibility")
    match = INCIDENT.search(text_ar)
    assert match is not None
    number = match.group(0)
    assert f"رقم البلاغ {isolate(number)}" in text_ar
    assert "غير متوقع" in text_ar and "لم يُحفظ" in text_ar and "أعد المحاولة" in text_ar and "مسؤول النظام" in text_ar
    assert "Traceback" not in text_ar and "ZeroDivisionError" not in text_ar
    content = log_file.read_text(encoding="utf-8")
    block = content[content.index(f"incident {number} in casedesk.eligibility: ZeroDivisionError"):]
    assert "Traceback (most recent call last):" in block and "in compute_eligibility" in block
    _assert_private(content)


# ------------------------------------------------------------------------------------------ a whole reception


def test_a_whole_reception_at_debug_leaves_no_personal_data_in_the_log_or_the_support_zip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Contact, look-up, verify, refer, declare with a signature, committee notice and acceptance, register, serve,
    print;
    incidents forced with the particulars in their messages and SQL parameters; then every log file and the
    diagnostics zip are searched for the name parts, the ID, the phone and the notes: none is there."""
    from desktop.cli import main

    data_dir = tmp_path / "data"
    log_path = logbook.configure(data_dir, level="DEBUG")
    ws = Workspace.open(data_dir)
    try:
        profile = ws.adopt_builtin_profile("mafateeh-alkhair")
        service = ReceptionService(ws)
        channel = next(c for c in profile.channels if c.kind.value == "in_person")
        view = service.start_contact(channel.id, profile.case_kinds[0].id)
        view = service.complete_greet(view.case_id, NOTE)
        view = service.complete_verify(view.case_id, particulars(), documents())
        view = service.refer(view.case_id, NOTE, "هند")
        view = service.answer_referral(view.case_id, "شُرحت له الشروط")
        view = service.sign_declaration(view.case_id, signature_png())
        view = service.notify_committee(view.case_id)
        committee_decides(service, view.case_id, "accept", NOTE)  # the decision gate: accepted before registering
        view = service.complete_register(view.case_id, NOTE)
        view = service.complete_serve(view.case_id, "دعم نقدي", "1,500.50", "", NOTE)
        assert view.current_step_id is None
        service.document_pdf(view.case_id, "receipt")
        service.document_pdf(view.case_id, "declaration")

        # The beneficiary comes back: looked up by ID, phone and name, attached to a new contact.
        again = service.start_contact(channel.id, profile.case_kinds[0].id)
        for typed in (ID_NUMBER, MOBILE, NAME):
            matches = service.lookup(typed)
            assert matches and matches[0].full_name == NAME
        # The served case is not closed, so the second case states its reason (issue 11).
        service.attach_beneficiary(again.case_id, matches[0].beneficiary_id, second_case_reason="طلب جديد بعد الخدمة")

        # An officer's error (not logged) and incidents that carry the particulars.
        with pytest.raises(ReceptionError) as refused:
            service.complete_verify(again.case_id, particulars(id_number="1234567890"), documents())
        assert describe(refused.value) == refused.value.message_ar
        try:
            raise RuntimeError(f"unexpected for {NAME} {ID_NUMBER} {MOBILE} {EMAIL}: {NOTE}")
        except RuntimeError as error:
            first = INCIDENT.search(describe(error, "reception.test"))
        try:
            with ws.db.session() as session:
                session.execute(text("UPDATE beneficiary SET full_name = :name WHERE id_number = :id AND nope = 1"),
                                {"name": NAME, "id": ID_NUMBER})
        except Exception as error:
            second = INCIDENT.search(describe(error, "reception.sql"))
        plain = create_engine(f"sqlite:///{ws.db.path}")  # an engine that would show its parameters
        try:
            with plain.begin() as connection:
                connection.execute(text("INSERT INTO beneficiary (id) VALUES (:id)"), {"id": NAME + ID_NUMBER})
        except Exception as error:
            third = INCIDENT.search(describe(error, "reception.plain_engine"))
        finally:
            plain.dispose()
        logbook.get_logger("reception").debug("careless %s %s %s %s", NAME, ID_NUMBER, MOBILE, NOTE)
    finally:
        ws.close()
    assert first and second and third

    content = _all_log_text(data_dir)
    assert log_path.is_file() and " DEBUG " in content and "mustafid.cases" in content
    assert "document for printing: receipt" in content and "database opened" in content
    for match in (first, second, third):
        assert f"incident {match.group(0)}" in content
    assert content.count("Traceback (most recent call last):") >= 3
    _assert_private(content)

    # The support zip: the version and the last log lines, still no personal data.
    out = tmp_path / "support.zip"
    code = main(["--data-dir", str(data_dir), "diagnostics", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    logbook.close()
    assert str(out) in captured.out and len(captured.out.strip().splitlines()) == 1
    with zipfile.ZipFile(out) as archive:
        facts_text = archive.read("diagnostics.json").decode("utf-8")
        tail_text = archive.read("log-tail.txt").decode("utf-8")
    facts = json.loads(facts_text)
    assert facts["app_version"] == logbook.app_version() != ""
    assert facts["database"]["policy"]["profile_id"] == "mafateeh-alkhair"
    assert facts["database"]["row_counts"]["beneficiary"] == 1
    assert f"incident {third.group(0)}" in tail_text and "desk.log" in tail_text
    assert logbook.app_version() in tail_text or logbook.app_version() in facts_text
    _assert_private(facts_text)
    _assert_private(tail_text)
    assert str(tmp_path) not in facts_text
