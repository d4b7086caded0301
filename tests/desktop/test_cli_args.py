"""A refused command line is one Arabic line naming the command's help, with exit code 2 (issue 12)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["bogus"], "القيمة «bogus» غير معروفة"),
        (["init"], "ناقص في الأمر: «--policy»"),
        (["demo-data", "--beneficiaries", "abc"], "ليست عددًا صحيحًا"),
        (["policy", "list", "--extra"], "معاملات غير معروفة: «--extra»"),
        (["pdf", "declaration"], "ناقص في الأمر"),
    ],
)
def test_refused_command_line_is_one_arabic_line(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """argparse's English refusal (and its usage dump) is replaced by one Arabic line; exit code 2."""
    with pytest.raises(SystemExit) as exited:
        main(["--data-dir", str(tmp_path), *argv])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("خطأ: ") and expected in err
    assert "usage" not in err and "error" not in err and "-h" in err


def test_help_is_headed_in_arabic(capsys: pytest.CaptureFixture[str]) -> None:
    """The help's usage line, its sections and the help option read in Arabic."""
    with pytest.raises(SystemExit) as exited:
        main(["policy", "-h"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("الاستعمال: mustafid-admin policy")
    assert "المعاملات" in out and "اعرض هذه المساعدة واخرج" in out
    assert "usage:" not in out and "show this help" not in out


def test_server_command_line_refusal_is_arabic() -> None:
    """`mustafid-server --port abc` refuses in one Arabic line, exit 2, before anything starts."""
    done = subprocess.run([sys.executable, "-m", "desktop.server", "--port", "abc"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == "خطأ: القيمة «abc» لـ --port ليست عددًا صحيحًا. للمساعدة: mustafid-server -h"
