"""`mustafid-admin`: the administrator's command line (policies, set-up, demo data, documents). No Qt here."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.errors import InputError

if TYPE_CHECKING:
    from desktop.policy import PolicyProfile

#: Modules that add their own sub-commands with ``add_commands(subparsers)`` (sync, devices, reports...).
COMMAND_MODULES: tuple[str, ...] = (
    "desktop.server.admin_cli", "desktop.sync.cli", "desktop.reports.cli", "desktop.diagnostics",
)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INVALID = 2


class CliError(Exception):
    """A failure reported to the administrator as one clear line and a non-zero exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _cmd_policy_list(args: argparse.Namespace) -> int:
    """One line per built-in profile: id, association, decision period."""
    from desktop.policy import load_builtin_profiles
    from desktop.policy_text import decision_text

    for profile in load_builtin_profiles():
        print(f"{profile.id}\t{profile.association.name}\t{decision_text(profile)}")
    return EXIT_OK


def _cmd_policy_show(args: argparse.Namespace) -> int:
    """Print a profile's essentials: association, approval, channels, tools, steps, period."""
    from desktop.policy import ProfileError, load_builtin_profile, load_profile

    target = Path(args.profile)
    try:
        profile = load_profile(target) if target.suffix == ".toml" else load_builtin_profile(args.profile)
    except ProfileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_INVALID
    print(describe_profile(profile))
    return EXIT_OK


def describe_profile(profile: PolicyProfile) -> str:
    """A plain multi-line Arabic description of a policy profile, for `policy show`."""
    from desktop.policy_text import approval_text, decision_text

    association = profile.association
    lines = [f"المعرّف: {profile.id}", f"الجمعية: {association.name}"]
    if association.licence:
        lines.append(f"رقم الترخيص: {association.licence}")
    lines.append(f"إصدار السياسة: {profile.version}")
    lines.append(f"الاعتماد: {approval_text(profile)}")
    if profile.approval is not None and profile.approval.replaces is not None:
        lines.append(f"تحل محل: {profile.approval.replaces.meeting}")
    lines.append(f"مدة البت في الطلب: {decision_text(profile)}")
    lines.append("القنوات:")
    lines += [f"  - {channel.name}" for channel in profile.channels]
    lines.append("الأدوات:")
    lines += [f"  - {tool.name}" for tool in profile.tools]
    lines.append("خطوات الاستقبال:")
    lines += [
        f"  {number}. [{step.kind}] {step.title}{'' if step.mandatory else ' (اختيارية)'}"
        for number, step in enumerate(profile.steps, start=1)
    ]
    return "\n".join(lines)


def _cmd_policy_validate(args: argparse.Namespace) -> int:
    """Exit 0 when the file is a valid profile; otherwise exit 2 with one line per problem."""
    from desktop.policy import check_profile_file

    problems = check_profile_file(Path(args.file))
    if not problems:
        print(f"{args.file}: ملف السياسة صالح")
        return EXIT_OK
    for problem in problems:
        print(problem)
    return EXIT_INVALID


def _cmd_init(args: argparse.Namespace) -> int:
    """Create (or open) the data directory's database and adopt a policy profile."""
    from desktop.policy import ProfileError
    from desktop.workspace import Workspace

    ws = Workspace.open(args.data_dir)
    try:
        target = Path(args.policy)
        try:
            profile = ws.import_profile(target) if target.suffix == ".toml" else ws.adopt_builtin_profile(args.policy)
        except ProfileError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return EXIT_INVALID
        print(f"تمت التهيئة في {ws.data_dir}: سياسة {profile.association.name} (الإصدار {profile.version})")
    finally:
        ws.close()
    return EXIT_OK


def _cmd_demo_data(args: argparse.Namespace) -> int:
    """Fill the database with synthetic Arabic beneficiaries and cases for trials and benchmarks."""
    from desktop.demo_data import generate_demo_data
    from desktop.workspace import Workspace

    if args.beneficiaries < 1:
        raise CliError("عدد المستفيدين يجب أن يكون 1 أو أكثر", EXIT_INVALID)
    ws = Workspace.open(args.data_dir)
    try:
        profile = ws.active_profile()
        if profile is None:
            raise CliError("لم تُختر سياسة الجمعية بعد: شغّل أولًا  mustafid-admin init --policy ID", EXIT_FAILURE)
        started = time.perf_counter()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.perf_counter()
            if now - last[0] >= 2 or done == total:
                last[0] = now
                print(f"\r{done:,}/{total:,}", end="", file=sys.stderr, flush=True)

        summary = generate_demo_data(ws.db, beneficiaries=args.beneficiaries, profile=profile,
                                     seed=args.seed, progress=progress)
        print(file=sys.stderr)
        elapsed = time.perf_counter() - started
        from desktop.arabic_text import to_arabic_digits
        from desktop.counting import BENEFICIARIES, CASES, DECISIONS, REFERRALS, RESPONSES, STEPS, count_phrase

        print(
            f"أُنشئت بيانات تجريبية في {elapsed:.1f} ث: {count_phrase(summary.beneficiaries, BENEFICIARIES, grouped=True)}، "
            f"{count_phrase(summary.cases, CASES, grouped=True)}، "
            f"خطوات منجزة: {count_phrase(summary.step_completions, STEPS, grouped=True)}، "
            f"قرارات اللجنة: {count_phrase(summary.committee_decisions, DECISIONS, grouped=True)}، "
            f"{count_phrase(summary.referrals, REFERRALS, grouped=True)}، "
            f"تقييمات الرضا: {count_phrase(summary.survey_responses, RESPONSES, grouped=True)}، "
            f"الاقتراحات والشكاوى: {to_arabic_digits(f'{summary.suggestions:,}').replace(',', '٬')}"
        )
        from db.models import CaseStatus

        for status, count in sorted(summary.cases_by_status.items(), key=lambda item: -item[1]):
            print(f"  {CaseStatus(status).label_ar}: {count:,}")
    finally:
        ws.close()
    return EXIT_OK


def _cmd_users_list(args: argparse.Namespace) -> int:
    """One line per user of the association: login, name, role."""
    from sqlalchemy import select

    from db.models import AppUser, UserRole
    from desktop.workspace import Workspace

    ws = Workspace.open(args.data_dir)
    try:
        with ws.db.session(read_only=True) as session:
            users = session.execute(
                select(AppUser.username, AppUser.full_name, AppUser.role)
                .where(AppUser.deleted_at.is_(None))
                .order_by(AppUser.username)
            ).all()
    finally:
        ws.close()
    for username, full_name, role in users:
        label = UserRole(role).label_ar if role in UserRole._value2member_map_ else role
        print(f"{username}\t{full_name}\t{label}")
    return EXIT_OK


def _cmd_users_set(args: argparse.Namespace) -> int:
    """Add a user (login of the PC, full name, role) or change an existing user's name or role."""
    from sqlalchemy import select

    from db.models import AppUser, Association
    from desktop.arabic_text import clean_text
    from desktop.workspace import Workspace

    username = args.username.strip()
    if not username or len(username) > 64:
        raise CliError("اسم الدخول مطلوب (حتى 64 حرفًا)", EXIT_INVALID)
    ws = Workspace.open(args.data_dir)
    try:
        with ws.db.session() as session:
            user = session.scalar(
                select(AppUser).where(AppUser.username == username, AppUser.deleted_at.is_(None))
            )
            if user is None:
                if args.command_name == "set-role":
                    raise CliError(f"لا يوجد مستخدم باسم الدخول {username}: أضفه بالأمر users add", EXIT_INVALID)
                association = session.scalar(select(Association).where(Association.deleted_at.is_(None)))
                if association is None:
                    raise CliError("لم تُختر سياسة الجمعية بعد: شغّل أولًا  mustafid-admin init --policy ID")
                user = AppUser(association_id=association.id, username=username,
                               full_name=clean_text(args.name or username, max_length=200), role=args.role)
                session.add(user)
            else:
                user.role = args.role
                if getattr(args, "name", None):
                    user.full_name = clean_text(args.name, max_length=200)
            line = f"{user.username}\t{user.full_name}\t{args.role}"
    finally:
        ws.close()
    print(line)
    return EXIT_OK


def _cmd_pdf(args: argparse.Namespace) -> int:
    """Write one of a case's printed documents (from `desktop.documents.catalogue`) to a file."""
    from desktop.casedesk import CaseFileService
    from desktop.documents import catalogue
    from desktop.reception import ReceptionError, find_case
    from desktop.workspace import Workspace

    entry = catalogue.by_cli_name(args.kind)
    ws = Workspace.open(args.data_dir)
    try:
        try:
            with ws.db.session(read_only=True) as session:
                case_id = find_case(session, args.case_number).id
            # The document as stored at the time (a declaration as signed, a letter as decided), rendered from
            # the stored records only when it was never stored or its file is lost.
            pdf = CaseFileService(ws).document_pdf(case_id, entry.kind)
        except ReceptionError as exc:
            raise CliError(exc.message_ar, EXIT_INVALID) from None
    finally:
        ws.close()
    out = Path(args.out)
    try:
        out.write_bytes(pdf)
    except OSError as exc:
        raise CliError(f"تعذرت كتابة الملف {out}: {exc.strerror or exc}", EXIT_FAILURE) from None
    from desktop.documents.arabic_pdf import sha256_hex

    print(f"{out}\t{sha256_hex(pdf)}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `mustafid-admin` with its sub-commands."""
    parser = argparse.ArgumentParser(
        prog="mustafid-admin",
        description="أداة مسؤول النظام في مكتب المستفيد: السياسات، التهيئة، البيانات التجريبية، المستندات",
    )
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="مجلد البيانات (الافتراضي: مجلد بيانات المستخدم)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    policy = sub.add_parser("policy", help="سياسات الجمعيات")
    policy_sub = policy.add_subparsers(dest="policy_command", required=True, metavar="ACTION")
    p_list = policy_sub.add_parser("list", help="سطر لكل سياسة: المعرّف، الجمعية، مدة البت")
    p_list.set_defaults(func=_cmd_policy_list)
    p_show = policy_sub.add_parser("show", help="عرض سياسة")
    p_show.add_argument("profile", metavar="ID", help="معرّف السياسة أو مسار ملف TOML")
    p_show.set_defaults(func=_cmd_policy_show)
    p_validate = policy_sub.add_parser("validate", help="التحقق من ملف سياسة")
    p_validate.add_argument("file", metavar="FILE")
    p_validate.set_defaults(func=_cmd_policy_validate)

    init = sub.add_parser("init", help="تهيئة قاعدة البيانات واعتماد سياسة الجمعية")
    init.add_argument("--policy", required=True, metavar="ID", help="معرّف سياسة مضمّنة أو مسار ملف TOML")
    init.set_defaults(func=_cmd_init)

    demo = sub.add_parser("demo-data", help="بيانات تجريبية واقعية للتجربة وقياس الأداء")
    demo.add_argument("--beneficiaries", type=int, required=True, metavar="N")
    demo.add_argument("--seed", type=int, default=7)
    demo.set_defaults(func=_cmd_demo_data)

    pdf = sub.add_parser("pdf", help="إعادة إخراج مستند حالة محفوظة ملفَّ PDF")
    from desktop.documents import catalogue  # the names only (SQLAlchemy's enums): not on `policy list`'s path

    pdf.add_argument("kind", choices=catalogue.cli_names(), metavar="KIND",
                     help="declaration | receipt | blank-declaration | missing-documents | letter")
    pdf.add_argument("case_number", metavar="CASE_NUMBER", help="رقم الحالة، مثل A1F3-1447-000123")
    pdf.add_argument("--out", required=True, type=Path, metavar="FILE", help="ملف PDF الناتج")
    pdf.set_defaults(func=_cmd_pdf)

    from db.models import UserRole

    roles = [role.value for role in UserRole]
    users = sub.add_parser("users", help="مستخدمو المكتب وأدوارهم (اسم الدخول في الجهاز، الاسم، الدور)")
    users_sub = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    u_list = users_sub.add_parser("list", help="سطر لكل مستخدم")
    u_list.set_defaults(func=_cmd_users_list)
    u_add = users_sub.add_parser("add", help="إضافة مستخدم أو تعديل اسمه ودوره")
    u_add.add_argument("username", metavar="LOGIN", help="اسم الدخول في نظام التشغيل")
    u_add.add_argument("--name", required=True, help="الاسم الكامل كما يظهر في السجلات والخطابات")
    u_add.add_argument("--role", required=True, choices=roles, metavar="ROLE", help=" | ".join(roles))
    u_add.set_defaults(func=_cmd_users_set, command_name="add")
    u_role = users_sub.add_parser("set-role", help="تغيير دور مستخدم")
    u_role.add_argument("username", metavar="LOGIN")
    u_role.add_argument("role", choices=roles, metavar="ROLE", help=" | ".join(roles))
    u_role.set_defaults(func=_cmd_users_set, command_name="set-role")

    for module_name in COMMAND_MODULES:
        module = importlib.import_module(module_name)
        module.add_commands(sub)
    return parser


def _command_words(args: argparse.Namespace) -> str:
    """The command and its action (``users add``), for the log; never the arguments (paths, names)."""
    words = [str(args.command)]
    words += [str(value) for key, value in sorted(vars(args).items())
              if key.endswith("_command") and isinstance(value, str)]
    return " ".join(words)


def _start_log(data_dir: Path | None, *, create: bool = False) -> None:
    """Log to ``<data dir>/logs/admin.log`` (the given data directory, or the default one).

    A data directory that does not exist yet is not created for the log (unless `create`): the records are
    kept in memory and written there if the command creates it (`init`). A log that cannot be opened never
    stops a command.
    """
    from desktop import logbook

    directory = _log_directory(data_dir)
    if not create and not directory.is_dir():
        logbook.buffer_until_configured()
        return
    try:
        logbook.configure(directory, file_name=logbook.ADMIN_LOG)
    except OSError:
        logbook.buffer_until_configured()


def _log_directory(data_dir: Path | None) -> Path:
    from desktop.startup import default_data_dir

    return data_dir if data_dir is not None else default_data_dir()


def _finish_log(data_dir: Path | None, previous: Path | None) -> None:
    """Write what was kept in memory if the command made the data directory; give back the caller's log."""
    from desktop import logbook

    if logbook.current_log_file() is None and _log_directory(data_dir).is_dir():
        _start_log(data_dir)
    if previous is None:
        logbook.close()
        return
    try:
        logbook.configure(previous.parent.parent, file_name=previous.name)
    except OSError:
        logbook.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `mustafid-admin` command; errors become one clear line on stderr and a non-zero exit.

    The command is logged to ``<data dir>/logs/admin.log`` (see `desktop.logbook`); an unexpected error is
    written there with its traceback under an incident number, and the line on stderr names that number.
    A log the caller had already configured (tests, an embedding program) is given back at the end.
    """
    from desktop import logbook
    from desktop.errors import describe

    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    previous = logbook.current_log_file()
    command = _command_words(args)
    _start_log(args.data_dir)
    log = logbook.get_logger("admin")
    log.info("mustafid-admin %s (version %s)", command, logbook.app_version())
    try:
        code = func(args)
        log.info("mustafid-admin %s finished with exit code %s", command, code)
        return code
    except CliError as exc:
        log.info("mustafid-admin %s refused (exit code %s)", command, exc.code)
        print(f"خطأ: {exc.message}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        log.info("mustafid-admin %s interrupted", command)
        print("أُوقف بطلب المستخدم", file=sys.stderr)
        return 130
    except Exception as exc:
        # An officer's error (InputError, WorkspaceError, DatabaseError...) is its own Arabic sentence;
        # anything else is an incident: its traceback goes to the log, its number to the administrator.
        if logbook.current_log_file() is None and not isinstance(exc, InputError) and not hasattr(exc, "message_ar"):
            _start_log(args.data_dir, create=True)  # the incident number must point at a file
        print(f"خطأ: {describe(exc, f'mustafid-admin {command}')}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        _finish_log(args.data_dir, previous)


if __name__ == "__main__":
    raise SystemExit(main())
