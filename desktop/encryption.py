"""`mustafid-admin encrypt`, the encryption of `init` (the default; ``--plain`` opts out) and `recover` (issue 14): a plaintext desk encrypted in place for an
administrator signing in, with a one-line progress; the steps themselves are `desktop.encryption_core`'s (the
desk's own `Workspace.encrypt` calls them too).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from db.models import UserRole
from desktop.encryption_core import (
    NO_SQLCIPHER,
    EncryptionError,
    EncryptionResult,
    EncryptionStopped,
    Progress,
    ready_to_encrypt,
    encrypt_closed_desk,
    encryption_available,
    seal_attachments,
)
from desktop.errors import InputError
from desktop.keystore import KdfCost

__all__ = ["NO_SQLCIPHER", "EncryptionError", "EncryptionResult", "EncryptionStopped", "Progress", "add_commands",
           "encrypt_and_report", "encrypt_closed_desk", "encrypt_desk", "encrypt_from_command_line",
           "encryption_available",
           "seal_attachments"]

#: The environment variable the recovery key may come from (never a command-line argument).
RECOVERY_KEY_ENV = "MUSTAFID_RECOVERY_KEY"


def encrypt_desk(data_dir: Path, login: str, password: str, *, progress: Progress | None = None,
                 cost: KdfCost | None = None) -> EncryptionResult:
    """Encrypt the plaintext desk in `data_dir` in place, for the administrator `login`; see the module."""
    from desktop.workspace import Workspace, WorkspaceError

    report = progress
    started = time.perf_counter()
    data_dir = Path(data_dir)
    ready_to_encrypt(data_dir)  # refused before the password's Argon2 check, not after it
    try:
        workspace = Workspace.open(data_dir)
    except WorkspaceError as exc:
        raise EncryptionError(exc.message_ar, field="data_dir") from exc
    try:
        if cost is not None:
            workspace.hash_parameters = type(workspace.hash_parameters)(cost.time_cost, cost.memory_kib,
                                                                         cost.parallelism)
        identity = workspace.staff().verify_sign_in(login, password)
        if not identity.holds(UserRole.ADMIN.value):
            raise EncryptionError("تشفير قاعدة البيانات لمسؤول النظام وحده", field="login")
        chosen_cost = workspace.kdf_cost()
    finally:
        workspace.close()  # every connection closed: the last one checkpoints the write-ahead log
    result, _keys, _keystore = encrypt_closed_desk(data_dir, identity.login, identity.account_id.hex, password,
                                                   cost=chosen_cost, progress=report, started=started)
    return result


# ---------------------------------------------------------------------- mustafid-admin encrypt


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `mustafid-admin encrypt` (a plaintext desk encrypted in place, with a one-line progress)."""
    encrypt = subparsers.add_parser(
        "encrypt", help="تشفير قاعدة البيانات والمرفقات في مكانها (يلزم مسؤول النظام؛ يُطبع مفتاح الاسترداد مرة واحدة)")
    encrypt.add_argument("--as", dest="as_login", default=None, metavar="LOGIN",
                         help="اسم دخول مسؤول النظام (أو المتغير MUSTAFID_ADMIN_LOGIN)؛ كلمة مروره عند الطلب "
                              "أو في المتغير MUSTAFID_ADMIN_PASSWORD")
    encrypt.set_defaults(func=_cmd_encrypt)
    recover = subparsers.add_parser(
        "recover", help="فتح قاعدة مشفّرة بمفتاح الاسترداد وتعيين كلمة مرور جديدة لمسؤول نظام (إذا ضاعت كل كلمات المرور)")
    recover.add_argument("--as", dest="as_login", required=True, metavar="LOGIN",
                         help="اسم دخول مسؤول النظام الذي تُعيَّن له كلمة مرور جديدة")
    recover.set_defaults(func=_cmd_recover)


def _cmd_recover(args: argparse.Namespace) -> int:
    """The recovery key (``MUSTAFID_RECOVERY_KEY`` or a prompt) opens the desk; an administrator gets a new password
    (``MUSTAFID_NEW_PASSWORD`` or a prompt asked twice). One Arabic line on a refusal."""
    from desktop.staff_cli import NEW_PASSWORD_ENV, StaffCliError, read_secret
    from desktop.workspace import Workspace, WorkspaceError, default_data_dir

    data_dir = Path(args.data_dir) if args.data_dir is not None else default_data_dir()
    try:
        recovery = read_secret(RECOVERY_KEY_ENV, "مفتاح الاسترداد كما طُبع: ", confirm=False, what="مفتاح الاسترداد")
        workspace = Workspace.open(data_dir)
        try:
            workspace.open_with_recovery_key(recovery)
            password = read_secret(NEW_PASSWORD_ENV, "كلمة المرور الجديدة: ", confirm=True)
            identity = workspace.staff().recover_administrator(args.as_login, password)
        finally:
            workspace.close()
    except StaffCliError as exc:
        print(f"خطأ: {exc.message}", file=sys.stderr)
        return exc.code
    except (InputError, WorkspaceError) as exc:
        print(f"خطأ: {exc.message_ar}", file=sys.stderr)
        return 2
    print(f"عُيّنت كلمة مرور جديدة لمسؤول النظام {identity.login}: يدخل بها الآن، ومفتاح الاسترداد باقٍ كما هو")
    return 0


def _cmd_encrypt(args: argparse.Namespace) -> int:
    """`mustafid-admin encrypt`: see `encrypt_from_command_line`."""
    from desktop.workspace import default_data_dir

    return encrypt_from_command_line(Path(args.data_dir) if args.data_dir is not None else default_data_dir(),
                                     args.as_login)


def encrypt_from_command_line(data_dir: Path, as_login: str | None) -> int:
    """Encrypt the desk for the administrator signing in (``--as``/environment/prompt), a one-line progress on
    stderr, the recovery key printed once; one Arabic line and a non-zero exit on a refusal."""
    from desktop.staff_cli import StaffCliError, admin_credentials

    try:
        login, password = admin_credentials(as_login)
    except StaffCliError as exc:
        print(f"خطأ: {exc.message}", file=sys.stderr)
        return exc.code
    return encrypt_and_report(data_dir, login, password)


def encrypt_and_report(data_dir: Path, login: str, password: str) -> int:
    """Encrypt the desk for the administrator `login` (password checked again), a one-line progress on stderr, the
    counts and the recovery key printed once; one Arabic line and a non-zero exit on a refusal (`init` calls it
    with the administrator it has just made)."""
    from desktop.counting import FILES, ROWS, TABLES, count_phrase
    from desktop.staff_cli import EXIT_REFUSED

    def show(fraction: float, stage: str) -> None:
        print(f"\r{stage}: {round(fraction * 100)}٪   ", end="", file=sys.stderr, flush=True)

    try:
        result = encrypt_desk(data_dir, login, password, progress=show)
    except InputError as exc:
        print(f"\nخطأ: {exc.message_ar}", file=sys.stderr)
        return EXIT_REFUSED if exc.field in ("login", "password") else 2
    print(file=sys.stderr)
    print(f"شُفّرت قاعدة البيانات: {count_phrase(result.tables, TABLES)} و{count_phrase(result.rows, ROWS)} "
          f"طابقت الأصل، و{count_phrase(result.attachments, FILES)} مرفقة شُفّرت")
    print("مفتاح الاسترداد (يُعرض مرة واحدة: اطبعه واحفظه في ظرف مختوم، وبه وحده تُفتح البيانات إذا ضاعت كل "
          f"كلمات المرور): {result.recovery_key}")
    return 0
