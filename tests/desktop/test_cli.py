"""`mustafid-admin`: policy commands, init, demo data, and one clear line with a non-zero exit on bad input."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.arabic_text import display_digits
from desktop.cli import EXIT_INVALID, EXIT_OK, main
from desktop.policy import builtin_profile_paths
from desktop.workspace import Workspace
from tests.templates import seed_data_dir

BROKEN = Path(__file__).parent / "data"

#: The commands run in-process hash at the tests' cost (the command, not Argon2, is under test).
pytestmark = pytest.mark.usefixtures("cheap_hashing")


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return exit code, stdout and stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_policy_list_has_one_line_per_builtin_profile(capsys: pytest.CaptureFixture[str]) -> None:
    """One line per profile: id, association and decision period, tab separated."""
    code, out, _ = run_cli(capsys, "policy", "list")
    assert code == EXIT_OK
    rows = [line.split("\t") for line in out.splitlines()]
    assert len(rows) == len(builtin_profile_paths()) == 5
    by_id = {row[0]: row for row in rows}
    assert by_id["baraah"][1] == "جمعية براعة التعليمية"
    assert "أسبوعين" in by_id["baraah"][2]
    assert "شهر" in by_id["qader-tabuk"][2]
    assert display_digits("(14)") in by_id["mafateeh-alkhair"][2]  # the desk's digit style
    assert "لا تنص السياسة على قرار لجنة" in by_id["daam-rescue"][2]


def test_policy_show_prints_channels_steps_and_approval(capsys: pytest.CaptureFixture[str]) -> None:
    """`policy show ID` describes the association, licence, approval and the ordered steps."""
    code, out, _ = run_cli(capsys, "policy", "show", "baraah")
    assert code == EXIT_OK
    assert "جمعية براعة التعليمية" in out
    assert "1000651200" in out
    assert "الاجتماع" in out or "اجتماع" in out
    steps = [line for line in out.splitlines() if line.startswith("  ") and ". [" in line]
    assert len(steps) == 7
    assert steps[0].strip().startswith("1. [greet]")


def test_policy_show_without_approval_record(capsys: pytest.CaptureFixture[str]) -> None:
    """The Quran association's policy names no approval meeting: said plainly, no crash."""
    code, out, _ = run_cli(capsys, "policy", "show", "tahfeez-bir-bin-hirmas")
    assert code == EXIT_OK
    assert "لا تذكر السياسة محضر اعتمادها" in out


def test_policy_show_unknown_id_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown profile id exits 2 with a line saying so."""
    code, _, err = run_cli(capsys, "policy", "show", "no-such-association")
    assert code == EXIT_INVALID
    assert "no-such-association" in err


def test_policy_validate_accepts_every_builtin(capsys: pytest.CaptureFixture[str]) -> None:
    """Every shipped profile validates with exit 0."""
    for path in builtin_profile_paths():
        code, out, _ = run_cli(capsys, "policy", "validate", str(path))
        assert code == EXIT_OK, out
        assert "صالح" in out


@pytest.mark.parametrize("broken", sorted(p.name for p in BROKEN.glob("*.toml") if p.name != "valid_minimal.toml"))
def test_policy_validate_reports_one_line_per_problem(capsys: pytest.CaptureFixture[str], broken: str) -> None:
    """A broken file exits 2 and prints `file: key: reason` lines, the reason in Arabic."""
    path = BROKEN / broken
    code, out, _ = run_cli(capsys, "policy", "validate", str(path))
    assert code == EXIT_INVALID
    lines = out.splitlines()
    assert lines
    for line in lines:
        assert line.startswith(str(path))
        assert any("\u0600" <= ch <= "\u06ff" for ch in line), line


def test_policy_validate_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A file that does not exist is one line and exit 2, not a traceback."""
    code, out, _ = run_cli(capsys, "policy", "validate", str(tmp_path / "absent.toml"))
    assert code == EXIT_INVALID
    assert len(out.splitlines()) == 1


def test_init_adopts_a_policy_and_demo_data_fills_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`init --policy ID` adopts the policy; `demo-data` then adds beneficiaries and cases."""
    code, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "init", "--policy", "qader-tabuk")
    assert code == EXIT_OK
    assert "جمعية قادر لتعزيز الصحة النفسية بتبوك" in out
    code, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "demo-data", "--beneficiaries", "50")
    assert code == EXIT_OK
    workspace = Workspace.open(tmp_path)
    try:
        assert workspace.active_profile() is not None
        assert workspace.active_profile().id == "qader-tabuk"  # type: ignore[union-attr]
    finally:
        workspace.close()
    with sqlite3.connect(tmp_path / "mustafid.sqlite3") as connection:
        assert connection.execute("SELECT count(*) FROM beneficiary").fetchone()[0] == 50
        assert connection.execute('SELECT count(*) FROM "case"').fetchone()[0] >= 50


def test_init_twice_is_harmless_but_another_association_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Re-adopting the same policy is idempotent; a second association in the same database is refused."""
    assert run_cli(capsys, "--data-dir", str(tmp_path), "init", "--policy", "baraah")[0] == EXIT_OK
    assert run_cli(capsys, "--data-dir", str(tmp_path), "init", "--policy", "baraah")[0] == EXIT_OK
    code, _, err = run_cli(capsys, "--data-dir", str(tmp_path), "init", "--policy", "qader-tabuk")
    assert code == EXIT_INVALID
    assert "لجمعية أخرى" in err


def test_demo_data_before_init_says_what_to_do(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Demo data needs an adopted policy: the error names the command to run first."""
    code, _, err = run_cli(capsys, "--data-dir", str(tmp_path), "demo-data", "--beneficiaries", "5")
    assert code != EXIT_OK
    assert "init --policy" in err
    assert len(err.strip().splitlines()) == 1


def test_demo_data_rejects_a_non_positive_count(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A count below one is refused before anything is opened."""
    code, _, err = run_cli(capsys, "--data-dir", str(tmp_path), "demo-data", "--beneficiaries", "0")
    assert code == EXIT_INVALID
    assert err.startswith("خطأ:")


def test_unwritable_data_directory_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A data directory under a regular file cannot be created (even as root): a clear Arabic line, exit 1."""
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = run_cli(capsys, "--data-dir", str(blocker / "data"), "init", "--policy", "baraah")
    assert code == 1
    assert err.startswith("خطأ:") and "مجلد البيانات" in err


def test_database_from_a_newer_version_is_refused_untouched(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A database stamped by a newer app version: clear line, exit 1, the file byte-identical."""
    seed_data_dir(tmp_path)  # set-up: `init` on a migrated desk (its own migration: test_init_* above)
    assert run_cli(capsys, "--data-dir", str(tmp_path), "init", "--policy", "baraah")[0] == EXIT_OK
    database = tmp_path / "mustafid.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
        connection.execute("PRAGMA user_version = 9999")  # the header a newer version's migration leaves
    connection.close()
    before = database.read_bytes()
    code, _, err = run_cli(capsys, "--data-dir", str(tmp_path), "init", "--policy", "baraah")
    assert code == 1
    assert "إصدار أحدث" in err
    assert database.read_bytes() == before


def test_console_script_runs_as_a_program(tmp_path: Path) -> None:
    """`python -m desktop.cli` works as the installed `mustafid-admin` does, exit codes included."""
    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "policy", "validate", str(BROKEN / "negative_period.toml")],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == EXIT_INVALID
    assert "negative_period.toml" in done.stdout


def test_users_add_set_role_and_list(
    capsys: pytest.CaptureFixture[str], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An administrator, signed in, gives accounts a name and roles; the workspace reads the role at this PC.

    Behaviour change (issue 13): `users` asks the acting administrator's login and password first.
    """
    from desktop.workspace import os_username

    monkeypatch.setenv("MUSTAFID_ADMIN_LOGIN", "walid")
    monkeypatch.setenv("MUSTAFID_ADMIN_NAME", "وليد العتيبي")
    monkeypatch.setenv("MUSTAFID_ADMIN_PASSWORD", "كلمة-مرور-وليد")
    seed_data_dir(data_dir)  # set-up: `init` on a migrated desk (its own migration: test_init_* above)
    assert run_cli(capsys, "--data-dir", str(data_dir), "init", "--policy", "mafateeh-alkhair")[0] == EXIT_OK
    code, out, _ = run_cli(capsys, "--data-dir", str(data_dir), "users", "add", "sara",
                           "--name", "سارة القحطاني", "--role", "researcher")
    assert code == EXIT_OK and out.strip() == "sara\tسارة القحطاني\tresearcher"
    code, _, _ = run_cli(capsys, "--data-dir", str(data_dir), "users", "set-role", os_username(), "manager")
    assert code == EXIT_OK
    code, out, _ = run_cli(capsys, "--data-dir", str(data_dir), "users", "list")
    rows = {line.split("\t")[0]: line.split("\t") for line in out.splitlines()[1:]}
    assert rows["sara"][1:3] == ["سارة القحطاني", "مسؤول البحث الاجتماعي"]
    assert rows[os_username()][2] == "المدير"
    ws = Workspace.open(data_dir)
    try:
        assert ws.officer_role() == "manager"
    finally:
        ws.close()
    code, _, err = run_cli(capsys, "--data-dir", str(data_dir), "users", "set-role", "nobody", "officer")
    assert code == EXIT_INVALID and "لا يوجد حساب" in err
