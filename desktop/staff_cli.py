"""`mustafid-admin users …` and the first administrator of `mustafid-admin init`: staff accounts from the command line.

Every `users` action is done as an administrator who signs in first: the login from ``--as LOGIN`` or
``MUSTAFID_ADMIN_LOGIN``, the password from ``MUSTAFID_ADMIN_PASSWORD`` or a prompt (getpass, never echoed).
A password or PIN is never an argument (a command line stays in the shell's history and in the process list):
`refuses_secret_arguments` is checked by `desktop.cli.main` before anything else. The new password of an
account comes from ``MUSTAFID_NEW_PASSWORD`` (its PIN from ``MUSTAFID_NEW_PIN``) or a prompt asked twice.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from desktop.counting import DIGITS, count_phrase, number_text
from desktop.session_identity import SessionIdentity

if TYPE_CHECKING:
    from desktop.staff import StaffService
    from desktop.workspace import Workspace

__all__ = [
    "ADMIN_LOGIN_ENV",
    "ADMIN_NAME_ENV",
    "ADMIN_PASSWORD_ENV",
    "EXIT_REFUSED",
    "LOGIN_ENV",
    "PASSWORD_ENV",
    "add_sign_in_option",
    "sign_in_command",
    "NEW_PASSWORD_ENV",
    "NEW_PIN_ENV",
    "SECRET_OPTIONS",
    "StaffCliError",
    "add_commands",
    "admin_credentials",
    "can_prompt",
    "read_secret",
    "ensure_first_administrator",
    "refuses_secret_arguments",
]

ADMIN_LOGIN_ENV = "MUSTAFID_ADMIN_LOGIN"
ADMIN_NAME_ENV = "MUSTAFID_ADMIN_NAME"
ADMIN_PASSWORD_ENV = "MUSTAFID_ADMIN_PASSWORD"
NEW_PASSWORD_ENV = "MUSTAFID_NEW_PASSWORD"
NEW_PIN_ENV = "MUSTAFID_NEW_PIN"

#: Options that would put a secret on the command line: refused wherever they appear.
SECRET_OPTIONS: frozenset[str] = frozenset({"--password", "--admin-password", "--new-password", "--pin", "--new-pin",
                                       "--recovery-key"})
#: A sign-in refused or an action an administrator only may do (as `mustafid-admin sync`'s refusals).
EXIT_REFUSED = 4
#: An option that looks like one of those, misspelt or abbreviated (``--passwd``, ``--PASSWORD``, ``--pass``):
#: refused the same way, so argparse's "unknown argument" error never prints the secret typed after it.
_SECRET_LIKE = re.compile(r"pass|pwd|secret|recovery|^-+(new-)?pin", re.IGNORECASE)
SECRET_ON_COMMAND_LINE = (
    "لا تُكتب كلمة المرور ولا رمز الفتح في سطر الأمر (يبقى في سجل الأوامر): "
    f"اكتبها عند الطلب أو ضعها في المتغير {ADMIN_PASSWORD_ENV} أو {NEW_PASSWORD_ENV}"
)


def refuses_secret_arguments(argv: Sequence[str]) -> str | None:
    """The Arabic refusal when `argv` carries a password or PIN option (``--password X``, ``--pin=1234``)."""
    for token in argv:
        if token == "--":
            break
        name = token.split("=", 1)[0]
        if name in SECRET_OPTIONS or (name.startswith("-") and _SECRET_LIKE.search(name)):
            return SECRET_ON_COMMAND_LINE
    return None


def can_prompt() -> bool:
    """True when a person is at the terminal to answer a prompt (stdin is a terminal)."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):
        return False


class StaffCliError(Exception):
    """A refused account command: one Arabic line on stderr and its exit code (`desktop.cli` turns it so)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _cli_error(message: str, code: int) -> StaffCliError:
    return StaffCliError(message, code)


def read_secret(env: str, prompt: str, *, confirm: bool, what: str = "كلمة المرور") -> str:
    """A secret from the environment variable `env`, else from a prompt (twice when `confirm`)."""
    value = os.environ.get(env)
    if value:
        return value
    if not can_prompt():
        raise _cli_error(f"لم تُعطَ {what}: اكتبها عند الطلب في طرفية، أو ضعها في المتغير {env}", 2)
    try:
        value = getpass.getpass(prompt)
        if confirm and getpass.getpass("أعد كتابتها للتأكيد: ") != value:
            raise _cli_error(f"لم تتطابق {what} في المرتين: لم يُحفظ شيء", 2)
    except (EOFError, OSError):
        raise _cli_error(f"لم تُقرأ {what} من الطرفية: ضعها في المتغير {env}", 2) from None
    return value


def _read_text(given: str | None, env: str, prompt: str) -> str | None:
    """A value from its option, else its environment variable, else a prompt at a terminal; None when none."""
    if given:
        return given
    if os.environ.get(env):
        return os.environ[env]
    if not can_prompt():
        return None
    try:
        return input(prompt).strip() or None
    except (EOFError, OSError):
        return None


def ensure_first_administrator(workspace: Workspace, admin_login: str | None, admin_name: str | None
                               ) -> tuple[str, tuple[str, str] | None]:
    """After `init` adopted a policy: make the first administrator unless one exists. Returns the line to print
    and, when this call made the administrator, their login and password (`init` encrypts the new desk for them).
    The password is hashed at the workspace's cost, as every other account's."""
    from desktop.staff import StaffError

    service = workspace.staff()
    if service.has_administrator():
        return "للجمعية مسؤول نظام بالفعل: يُدير الحسابات بالأمر mustafid-admin users", None
    login = _read_text(admin_login, ADMIN_LOGIN_ENV, "اسم دخول مسؤول النظام: ")
    if login is None:
        return ("لم يُنشأ حساب مسؤول النظام بعد: أعد الأمر مع ‎--admin-login‎ و‎--admin-name‎، "
                f"وكلمة المرور عند الطلب أو في المتغير {ADMIN_PASSWORD_ENV}"), None
    name = _read_text(admin_name, ADMIN_NAME_ENV, "الاسم الكامل لمسؤول النظام: ")
    if name is None:
        raise _cli_error(f"يلزم الاسم الكامل لمسؤول النظام: ‎--admin-name‎ أو المتغير {ADMIN_NAME_ENV}", 2)
    password = read_secret(ADMIN_PASSWORD_ENV, "كلمة مرور مسؤول النظام: ", confirm=True)
    try:
        identity = service.create_first_administrator(login, name, password)
    except StaffError as exc:
        raise _cli_error(exc.message_ar, 2) from None
    return f"أُنشئ حساب مسؤول النظام: {identity.login}", (identity.login, password)


def admin_credentials(as_login: str | None) -> tuple[str, str]:
    """The administrator's login (``--as``, the environment or a prompt) and password (environment or prompt)."""
    login = _read_text(as_login, ADMIN_LOGIN_ENV, "اسم دخول مسؤول النظام: ")
    if login is None:
        raise _cli_error(f"يلزم اسم دخول مسؤول النظام: ‎--as LOGIN‎ أو المتغير {ADMIN_LOGIN_ENV}", 2)
    return login, read_secret(ADMIN_PASSWORD_ENV, "كلمة مرور مسؤول النظام: ", confirm=False)


def _signed_in_admin(args: argparse.Namespace, ws: Workspace) -> tuple[StaffService, SessionIdentity]:
    """The service and the acting administrator, signed in with the login and password given.

    Through `Workspace.sign_in_with_password`: on an encrypted desk the password also opens its keys.
    """
    from desktop.staff import StaffError

    login, password = admin_credentials(args.as_login)
    try:
        identity = ws.sign_in_with_password(login, password)
    except StaffError as exc:
        raise _cli_error(exc.message_ar, EXIT_REFUSED) from None
    return ws.staff(), identity


#: The login of the account a case command acts as (`--as LOGIN` wins), and its password (else a prompt).
LOGIN_ENV = "MUSTAFID_LOGIN"
PASSWORD_ENV = "MUSTAFID_PASSWORD"


def add_sign_in_option(parser: argparse.ArgumentParser) -> None:
    """Give a command that acts on cases, reports or sync the `--as LOGIN` of the account it acts as."""
    parser.add_argument("--as", dest="as_login", metavar="LOGIN",
                        help=f"اسم دخول الحساب الذي ينفذ الأمر (أو المتغير {LOGIN_ENV})، "
                             f"وكلمة المرور عند الطلب أو في المتغير {PASSWORD_ENV}")


def sign_in_command(args: argparse.Namespace, workspace: Workspace) -> None:
    """Sign the command's account in on `workspace` (`desktop.permissions`: a desk with accounts needs one).

    A desk without any account with a password (the legacy desk) acts as before, unsigned. The password is
    read from ``MUSTAFID_PASSWORD`` or a prompt, never from the command line; a refusal is a `StaffCliError`.
    """
    from desktop.permissions import sign_in_required
    from desktop.staff import StaffError

    with workspace.db.session(read_only=True) as session:
        if not sign_in_required(session):
            return
    login = _read_text(getattr(args, "as_login", None), LOGIN_ENV, "اسم الدخول: ")
    if login is None:
        raise _cli_error(f"يلزم الدخول بحسابك: ‎--as LOGIN‎ أو المتغير {LOGIN_ENV}، وكلمة المرور عند الطلب "
                         f"أو في المتغير {PASSWORD_ENV}", 2)
    password = read_secret(PASSWORD_ENV, "كلمة المرور: ", confirm=False)
    try:
        workspace.sign_in(workspace.staff().verify_sign_in(login, password))
    except StaffError as exc:
        raise _cli_error(exc.message_ar, EXIT_REFUSED) from None


def _cmd_users(args: argparse.Namespace) -> int:
    """Run one `users` action as the signed-in administrator; one Arabic line on a refusal."""
    try:
        return _users_action(args)
    except StaffCliError as exc:
        print(f"خطأ: {exc.message}", file=sys.stderr)
        return exc.code


def _users_action(args: argparse.Namespace) -> int:
    """One `users` action (`_cmd_users` words its refusals)."""
    from desktop.counting import ACCOUNTS
    from desktop.staff import NOT_ADMIN, StaffError, count_accounts
    from desktop.workspace import Workspace

    ws = Workspace.open(args.data_dir)
    try:
        service, actor = _signed_in_admin(args, ws)
        action: str = args.users_command
        try:
            if action == "list":
                views = service.list_accounts(actor)
                active, disabled = count_accounts(views)
                print(f"حسابات الجمعية: {count_phrase(len(views), ACCOUNTS)}؛ "
                      f"النشطة {count_phrase(active, ACCOUNTS)}، الموقوفة {count_phrase(disabled, ACCOUNTS)}")
                for view in views:
                    state = "نشط" if view.active else "موقوف"
                    print(f"{view.login}\t{view.full_name}\t{view.roles_ar}\t{view.branch or '—'}\t{state}")
                return 0
            if action == "add":
                roles = [r for value in args.role for r in value.split(",") if r.strip()]
                exists = _exists(service, actor, args.username)
                if exists:
                    view = service.update_account(actor, args.username, full_name=args.name, roles=roles,
                                                  branch=args.branch)
                else:
                    password = None
                    if os.environ.get(NEW_PASSWORD_ENV) or can_prompt():
                        password = read_secret(NEW_PASSWORD_ENV, "كلمة مرور الحساب الجديد: ", confirm=True)
                    view = service.create_account(actor, args.username, args.name, roles, branch=args.branch,
                                                  password=password)
                    if password is None:
                        print("لا يدخل هذا الحساب حتى تُضبط كلمة مروره بالأمر users set-password", file=sys.stderr)
            elif action == "set-role":
                roles = [r for value in args.role for r in value.split(",") if r.strip()]
                view = service.update_account(actor, args.username, roles=roles)
            elif action == "disable":
                view = service.disable_account(actor, args.username)
            elif action == "enable":
                view = service.enable_account(actor, args.username)
            elif action == "set-password":
                service.account(actor, args.username)  # an unknown login before asking the new password
                password = read_secret(NEW_PASSWORD_ENV, "كلمة المرور الجديدة: ", confirm=True)
                view = service.set_password(actor, args.username, password)
            else:  # set-pin
                service.account(actor, args.username)
                pin = read_secret(NEW_PIN_ENV, f"رمز الفتح الجديد ({number_text(4)}–{count_phrase(6, DIGITS)}): ", confirm=True, what="رمز الفتح")
                view = service.set_pin(actor, args.username, pin)
        except StaffError as exc:
            raise _cli_error(exc.message_ar, EXIT_REFUSED if exc.message_ar == NOT_ADMIN else 2) from None
        print(f"{view.login}\t{view.full_name}\t{','.join(view.roles)}")
        return 0
    finally:
        ws.close()


def _exists(service: StaffService, actor: SessionIdentity, login: str) -> bool:
    """True when an account of this login exists."""
    from desktop.staff import StaffError

    try:
        service.account(actor, login)
    except StaffError as exc:
        if exc.field == "login":
            return False
        raise
    return True


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `users list|add|set-role|disable|enable|set-password|set-pin` to `mustafid-admin`."""
    from db.models import UserRole

    roles = " | ".join(role.value for role in UserRole)
    users = subparsers.add_parser("users", help="حسابات الموظفين: اسم الدخول، الاسم، الأدوار، الفرع (لمسؤول النظام)")
    users_sub = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")

    def action(name: str, help_ar: str) -> argparse.ArgumentParser:
        parser = users_sub.add_parser(name, help=help_ar)
        parser.add_argument("--as", dest="as_login", metavar="LOGIN",
                            help=f"اسم دخول مسؤول النظام الذي ينفذ الأمر (أو المتغير {ADMIN_LOGIN_ENV})")
        parser.set_defaults(func=_cmd_users)
        return parser

    action("list", "سطر لكل حساب: اسم الدخول، الاسم، الأدوار، الفرع، الحالة")
    add = action("add", "إضافة حساب (أو تعديل اسمه وأدواره إن وُجد)")
    add.add_argument("username", metavar="LOGIN", help="اسم الدخول: حروف لاتينية صغيرة وأرقام")
    add.add_argument("--name", required=True, help="الاسم الكامل كما يظهر في السجلات والخطابات")
    add.add_argument("--role", required=True, action="append", metavar="ROLE",
                     help=f"دور أو أكثر (يُكرر الخيار أو تُفصل بفاصلة): {roles}")
    add.add_argument("--branch", default=None, help="فرع الجمعية")
    set_role = action("set-role", "تغيير أدوار حساب")
    set_role.add_argument("username", metavar="LOGIN")
    set_role.add_argument("role", nargs="+", metavar="ROLE", help=roles)
    for name, help_ar in (("disable", "إيقاف حساب: لا يدخل به أحد"), ("enable", "إعادة تفعيل حساب موقوف"),
                          ("set-password", f"كلمة مرور جديدة لحساب (عند الطلب أو في {NEW_PASSWORD_ENV})"),
                          ("set-pin", f"رمز فتح القفل لحساب (عند الطلب أو في {NEW_PIN_ENV})")):
        parser = action(name, help_ar)
        parser.add_argument("username", metavar="LOGIN")
