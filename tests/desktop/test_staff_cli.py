"""`mustafid-admin init` makes the first administrator and `users …` acts only as a signed-in administrator."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from desktop import staff_cli
from desktop.cli import EXIT_INVALID, EXIT_OK, main
from desktop.staff import SIGN_IN_REFUSED
from desktop.workspace import Workspace
from tests.templates import seed_data_dir

#: The commands run in-process hash at the tests' cost (the command, not Argon2, is under test).
pytestmark = pytest.mark.usefixtures("cheap_hashing")

ADMIN_PASSWORD = "كلمة-مرور-وليد"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_arabic_line(err: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("خطأ:"), err
    assert "Traceback" not in err


@pytest.fixture
def admin_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSTAFID_ADMIN_LOGIN", "walid")
    monkeypatch.setenv("MUSTAFID_ADMIN_NAME", "وليد العتيبي")
    monkeypatch.setenv("MUSTAFID_ADMIN_PASSWORD", ADMIN_PASSWORD)


def _signs_in(data_dir: Path, login: str, password: str) -> bool:
    ws = Workspace.open(data_dir)
    try:
        ws.staff().verify_sign_in(login, password)  # at the workspace's cost (`cheap_hashing`)
        return True
    except Exception:  # noqa: BLE001 - the refusal is the answer here
        return False
    finally:
        ws.close()


def test_init_takes_the_administrator_password_from_the_environment(
    capsys: pytest.CaptureFixture[str], data_dir: Path, admin_env: None
) -> None:
    code, out, err = run_cli(capsys, "--data-dir", str(data_dir), "init", "--policy", "baraah", "--plain")
    assert code == EXIT_OK, err
    assert "أُنشئ حساب مسؤول النظام: walid" in out
    assert _signs_in(data_dir, "walid", ADMIN_PASSWORD)
    code, out, _ = run_cli(capsys, "--data-dir", str(data_dir), "init", "--policy", "baraah", "--plain")
    assert code == EXIT_OK and "بالفعل" in out  # a second init leaves the administrator as it is
    log = (data_dir / "logs" / "admin.log").read_text(encoding="utf-8")
    assert ADMIN_PASSWORD not in log and "argon2" not in log and "وليد" not in log


def test_init_asks_the_administrator_at_a_prompt(
    capsys: pytest.CaptureFixture[str], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["Noura", "نورة السبيعي"])
    secrets = iter([ADMIN_PASSWORD, ADMIN_PASSWORD])
    monkeypatch.setattr(staff_cli, "can_prompt", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(secrets))
    code, out, err = run_cli(capsys, "--data-dir", str(data_dir), "init", "--policy", "baraah", "--plain")
    assert code == EXIT_OK, err
    assert "noura" in out
    assert _signs_in(data_dir, "noura", ADMIN_PASSWORD)


def test_init_refuses_two_different_answers_at_the_prompt(
    capsys: pytest.CaptureFixture[str], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = iter([ADMIN_PASSWORD, "كلمة-أخرى-مختلفة"])
    monkeypatch.setattr(staff_cli, "can_prompt", lambda: True)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(secrets))
    code, _, err = run_cli(capsys, "--data-dir", str(data_dir), "init", "--policy", "baraah",
                           "--admin-login", "noura", "--admin-name", "نورة")
    assert code == EXIT_INVALID and "لم تتطابق" in err
    _one_arabic_line(err)
    assert not _signs_in(data_dir, "noura", ADMIN_PASSWORD)


@pytest.mark.parametrize("argv", [
    ["init", "--policy", "baraah", "--admin-login", "walid", "--admin-password", "سر-مكشوف-1"],
    ["init", "--policy", "baraah", "--password=سر-مكشوف-1"],
    ["users", "list", "--as", "walid", "--password", "سر-مكشوف-1"],
    ["users", "set-password", "sara", "--new-password", "سر-مكشوف-1"],
    # misspelt or abbreviated: refused the same way, never echoed by argparse's «unknown argument» line
    ["users", "list", "--as", "walid", "--passwd=سر-مكشوف-1"],
    ["users", "list", "--as", "walid", "--PASSWORD", "سر-مكشوف-1"],
    ["sync", "run", "--as", "walid", "--pass", "سر-مكشوف-1"],
])
def test_a_password_on_the_command_line_is_refused(
    capsys: pytest.CaptureFixture[str], data_dir: Path, argv: list[str]
) -> None:
    code, out, err = run_cli(capsys, "--data-dir", str(data_dir), *argv)
    assert code == EXIT_INVALID and out == ""
    _one_arabic_line(err)
    assert "سطر الأمر" in err and "سر-مكشوف-1" not in err
    assert not (data_dir / "mustafid.sqlite3").exists()  # refused before anything was opened


def test_without_a_login_and_nobody_to_ask_init_says_how_to_make_the_administrator(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, out, _ = run_cli(capsys, "--data-dir", str(data_dir), "init", "--policy", "baraah", "--plain")
    assert code == EXIT_OK and "--admin-login" in out and "MUSTAFID_ADMIN_PASSWORD" in out
    code, _, err = run_cli(capsys, "--data-dir", str(data_dir), "users", "list", "--as", "root")
    assert code == EXIT_INVALID and "MUSTAFID_ADMIN_PASSWORD" in err  # no prompt possible, no password given
    _one_arabic_line(err)


def rows_of(lines: list[str]) -> dict[str, list[str]]:
    """The `users list` rows by login."""
    return {line.split("\t")[0]: line.split("\t") for line in lines[1:]}


@pytest.mark.slow
def test_users_commands_need_an_administrator_who_signs_in(
    capsys: pytest.CaptureFixture[str], data_dir: Path, admin_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_data_dir(data_dir)  # set-up: `init` on a migrated desk (its own migration: test_init_* above)
    assert run_cli(capsys, "--data-dir", str(data_dir), "init", "--policy", "mafateeh-alkhair", "--plain")[0] == EXIT_OK
    monkeypatch.setenv("MUSTAFID_NEW_PASSWORD", "كلمة-مرور-سارة")
    code, out, err = run_cli(capsys, "--data-dir", str(data_dir), "users", "add", "sara", "--name", "سارة القحطاني",
                             "--role", "officer", "--role", "committee_secretary", "--branch", "الرياض")
    assert code == EXIT_OK, err
    assert out.strip() == "sara\tسارة القحطاني\tofficer,committee_secretary"
    assert _signs_in(data_dir, "sara", "كلمة-مرور-سارة")

    # A wrong administrator password, and an account that is not an administrator: refused, nothing changed.
    monkeypatch.setenv("MUSTAFID_ADMIN_PASSWORD", "كلمة-خطأ-تمامًا")
    code, _, err = run_cli(capsys, "--data-dir", str(data_dir), "users", "disable", "sara")
    assert code == staff_cli.EXIT_REFUSED and SIGN_IN_REFUSED in err
    _one_arabic_line(err)
    monkeypatch.setenv("MUSTAFID_ADMIN_PASSWORD", "كلمة-مرور-سارة")
    code, _, err = run_cli(capsys, "--data-dir", str(data_dir), "users", "disable", "walid", "--as", "sara")
    assert code == staff_cli.EXIT_REFUSED and "لمسؤول النظام وحده" in err
    _one_arabic_line(err)
    assert _signs_in(data_dir, "walid", ADMIN_PASSWORD)

    monkeypatch.setenv("MUSTAFID_ADMIN_PASSWORD", ADMIN_PASSWORD)
    assert run_cli(capsys, "--data-dir", str(data_dir), "users", "disable", "sara")[0] == EXIT_OK
    assert not _signs_in(data_dir, "sara", "كلمة-مرور-سارة")
    code, out, _ = run_cli(capsys, "--data-dir", str(data_dir), "users", "list")
    assert code == EXIT_OK
    lines = out.splitlines()
    assert lines[0].startswith("حسابات الجمعية: ٣ حسابات؛ النشطة حسابان، الموقوفة حساب واحد"), lines[0]
    import getpass

    # Behaviour change (issue 13): the OS login's account that `init` adopted before sign-in existed loses the
    # administrator role once the first administrator exists (it has no password: nobody signs in as it).
    assert rows_of(lines)[getpass.getuser()][2:] == ["موظف علاقات المستفيدين", "—", "نشط"]
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
    assert rows["sara"][1:] == ["سارة القحطاني", "موظف علاقات المستفيدين، أمين سر اللجنة", "الرياض", "موقوف"]
    assert rows["walid"][2:] == ["مسؤول النظام", "—", "نشط"]
    assert run_cli(capsys, "--data-dir", str(data_dir), "users", "enable", "sara")[0] == EXIT_OK
    monkeypatch.setenv("MUSTAFID_NEW_PASSWORD", "كلمة-مرور-جديدة")
    assert run_cli(capsys, "--data-dir", str(data_dir), "users", "set-password", "sara")[0] == EXIT_OK
    assert _signs_in(data_dir, "sara", "كلمة-مرور-جديدة") and not _signs_in(data_dir, "sara", "كلمة-مرور-سارة")
    monkeypatch.setenv("MUSTAFID_NEW_PIN", "4817")
    assert run_cli(capsys, "--data-dir", str(data_dir), "users", "set-pin", "sara")[0] == EXIT_OK
    code, _, err = run_cli(capsys, "--data-dir", str(data_dir), "users", "set-role", "sara", "wizard")
    assert code == EXIT_INVALID and "غير معروف" in err
    log = (data_dir / "logs" / "admin.log").read_text(encoding="utf-8")
    for secret in (ADMIN_PASSWORD, "كلمة-مرور-سارة", "كلمة-مرور-جديدة", "4817", "سارة", "argon2"):
        assert secret not in log


def test_a_report_command_acts_as_a_signed_in_account_once_the_desk_has_accounts(
    capsys: pytest.CaptureFixture[str], data_dir: Path, admin_env: None, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """`report` (like `pdf`, `enroll`, `sync`) signs in: login from --as or MUSTAFID_LOGIN, password from
    MUSTAFID_PASSWORD; an account whose roles may not make the report is refused in one Arabic line."""
    seed_data_dir(data_dir)  # set-up: `init` on a migrated desk (its own migration: test_init_* above)
    assert run_cli(capsys, "--data-dir", str(data_dir), "init", "--policy", "baraah", "--plain")[0] == EXIT_OK
    ws = Workspace.open(data_dir)
    try:
        staff = ws.staff()  # at the workspace's cost (`cheap_hashing`)
        admin = staff.verify_sign_in("walid", ADMIN_PASSWORD)
        staff.create_account(admin, "salman", "سلمان الحربي", ["manager"], password="كلمة-مرور-سلمان")
        staff.create_account(admin, "mona", "منى القحطاني", ["officer"], password="كلمة-مرور-منى")
    finally:
        ws.close()
    monkeypatch.setattr(staff_cli, "can_prompt", lambda: False)
    report = ["--data-dir", str(data_dir), "report", "--from", "2025-01-01", "--to", "2025-01-31",
              "--out", str(tmp_path / "r.pdf")]
    code, _, err = run_cli(capsys, *report)
    assert code != EXIT_OK and "يلزم الدخول بحسابك" in err and "Traceback" not in err
    monkeypatch.setenv("MUSTAFID_PASSWORD", "كلمة-مرور-منى")
    code, _, err = run_cli(capsys, *report, "--as", "mona")
    assert code != EXIT_OK and "لا يملك حسابك صلاحية لوحة المؤشرات والتقارير الدورية" in err
    monkeypatch.setenv("MUSTAFID_LOGIN", "salman")
    monkeypatch.setenv("MUSTAFID_PASSWORD", "كلمة-مرور-سلمان")
    code, out, err = run_cli(capsys, *report)
    assert code == EXIT_OK, err
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
