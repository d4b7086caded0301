"""`mustafid-admin diagnostics` and the command line's log: a support zip with no personal data, and an
unexpected error as one Arabic line naming an incident number whose traceback is in ``admin.log``."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest

from db.engine import HEAD_REVISION
from desktop import cli, logbook
from desktop.arabic_text import isolate
from desktop.workspace import Workspace
from tests.desktop.reception.conftest import ID_NUMBER, NAME

INCIDENT = re.compile(r"M-[0-9A-F]{6}")
TOKEN = "device-token-7d1f0c2a9b"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `mustafid-admin` in-process; return exit code, stdout and stderr."""
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _enrolled_workspace(data_dir: Path) -> None:
    """A workspace with a policy, enrolled as the sync service records it (state row + credential file)."""
    ws = Workspace.open(data_dir)
    try:
        ws.adopt_builtin_profile("baraah")
    finally:
        ws.close()
    credential = data_dir / "sync" / "device.credential"
    credential.parent.mkdir()
    credential.write_text(TOKEN, encoding="utf-8")
    connection = sqlite3.connect(data_dir / "mustafid.sqlite3")
    with connection:
        connection.execute(
            "UPDATE sync_state SET server_url = ?, token_sha256 = ?, device_id = ?, last_error_ar = ? WHERE id = 1",
            ("https://admin:secret-password@sync.example.org:8443/api?key=1",
             hashlib.sha256(TOKEN.encode()).hexdigest(), "0190f1a27b3c7def8123456789abcdef",
             "تعذر الاتصال بخادم المزامنة"),
        )
    connection.close()


def test_diagnostics_writes_a_zip_of_non_personal_facts(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    """Version, platform, schema revision, policy, enrolment (no token), row counts, the last log lines."""
    _enrolled_workspace(data_dir)
    database = data_dir / "mustafid.sqlite3"
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    out = tmp_path / "support.zip"

    code, stdout, stderr = run_cli(capsys, "--data-dir", str(data_dir), "diagnostics", "--out", str(out))

    assert code == 0, stderr
    lines = stdout.strip().splitlines()
    assert len(lines) == 1 and str(out) in lines[0] and "التشخيص" in lines[0]
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before  # read, never written
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["diagnostics.json", "log-tail.txt"]
        facts_text = archive.read("diagnostics.json").decode("utf-8")
        tail_text = archive.read("log-tail.txt").decode("utf-8")
    facts: dict[str, Any] = json.loads(facts_text)
    assert facts["app_version"] == logbook.app_version()
    assert facts["platform"]["python"] and "SQLAlchemy" in facts["platform"]["packages"]
    database_facts = facts["database"]
    assert database_facts["schema_revision"] == database_facts["code_revision"] == HEAD_REVISION
    assert database_facts["policy"]["profile_id"] == "baraah"
    assert database_facts["policy"]["version_label"]
    assert database_facts["row_counts"]["association"] == 1 and database_facts["row_counts"]["case"] == 0
    enrolment = database_facts["enrolment"]
    assert enrolment["enrolled"] is True
    assert enrolment["server"] == "https://sync.example.org:8443"
    assert enrolment["last_error"] == "تعذر الاتصال بخادم المزامنة"
    assert facts["data_directory"]["device_credential_present"] is True
    for secret in (TOKEN, hashlib.sha256(TOKEN.encode()).hexdigest(), "secret-password", "admin:", str(data_dir)):
        assert secret not in facts_text and secret not in tail_text
    # The log tail: the commands run on this data directory, with the version.
    assert "===== admin.log" in tail_text
    assert f"mustafid-admin diagnostics (version {logbook.app_version()})" in tail_text


def test_diagnostics_of_a_missing_data_directory_still_writes_the_zip(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    """No data directory yet: version and platform are still worth sending; nothing is created."""
    out = tmp_path / "support.zip"
    code, stdout, stderr = run_cli(capsys, "--data-dir", str(data_dir), "diagnostics", "--out", str(out))
    assert code == 0, stderr
    assert not data_dir.exists()
    with zipfile.ZipFile(out) as archive:
        facts = json.loads(archive.read("diagnostics.json"))
        assert archive.read("log-tail.txt").decode("utf-8") == "(no log file)\n"
    assert facts["data_directory"] == {"exists": False}
    assert facts["database"]["present"] is False


def test_diagnostics_that_cannot_write_is_one_arabic_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    """An output folder that does not exist: exit 1, one Arabic line, no traceback, no half file."""
    out = tmp_path / "no-such-folder" / "support.zip"
    code, stdout, stderr = run_cli(capsys, "--data-dir", str(data_dir), "diagnostics", "--out", str(out))
    assert code == 1
    assert stdout == ""
    assert len(stderr.strip().splitlines()) == 1 and stderr.startswith("خطأ:") and "التشخيص" in stderr
    assert "Traceback" not in stderr
    assert not out.parent.exists()


# ------------------------------------------------------------------------------------------ unexpected errors


def _explode(args: argparse.Namespace) -> int:
    """A command with a bug: its message carries personal data, as a careless one might."""
    raise RuntimeError(f"cannot handle {NAME} {ID_NUMBER}")


def add_commands(subparsers: Any) -> None:
    """Registered through `desktop.cli.COMMAND_MODULES` by the test below (the CLI's own extension point)."""
    subparsers.add_parser("explode", help="اختبار").set_defaults(func=_explode)


def test_an_unexpected_error_is_one_arabic_line_with_the_incident_number(
    capsys: pytest.CaptureFixture[str], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exit 1, one line naming the incident; ``admin.log`` holds the traceback under that number, redacted."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, __name__))
    data_dir.mkdir()

    code, stdout, stderr = run_cli(capsys, "--data-dir", str(data_dir), "explode")

    assert code == cli.EXIT_FAILURE
    assert stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("خطأ:") and "Traceback" not in stderr
    match = INCIDENT.search(stderr)
    assert match is not None and f"رقم البلاغ {isolate(match.group(0))}" in stderr
    assert NAME not in stderr and ID_NUMBER not in stderr
    content = (data_dir / "logs" / "admin.log").read_text(encoding="utf-8")
    block = content[content.index(f"incident {match.group(0)} in mustafid-admin explode: RuntimeError"):]
    assert "Traceback (most recent call last):" in block and "in _explode" in block
    assert "RuntimeError: cannot handle <ar> <digits>" in block
    assert NAME.split()[-1] not in content and ID_NUMBER not in content
    assert logbook.current_log_file() is None  # the command closes the log it opened


def test_an_init_into_a_new_data_directory_is_logged_there(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    """The data directory does not exist when `init` starts: its records are kept and written once it does."""
    code, _, stderr = run_cli(capsys, "--data-dir", str(data_dir), "init", "--policy", "baraah")
    assert code == 0, stderr
    content = (data_dir / "logs" / "admin.log").read_text(encoding="utf-8")
    assert "mustafid-admin init (version" in content
    assert "database migrated from revision (new)" in content and "policy adopted: baraah" in content
    assert "finished with exit code 0" in content


def test_a_log_the_caller_configured_is_given_back(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    """A program (or test) that configured the log keeps it after running a command in-process."""
    mine = logbook.configure(tmp_path / "mine", level="DEBUG")
    try:
        code, _, stderr = run_cli(capsys, "--data-dir", str(data_dir), "init", "--policy", "baraah")
        assert code == 0, stderr
        assert logbook.current_log_file() == mine
    finally:
        logbook.close()
