"""`mustafid-admin`: the administrator's command line (policies, set-up, demo data, documents). No Qt here."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.cli_args import ArabicArgumentParser
from desktop.version import add_version_argument
from desktop.errors import InputError

if TYPE_CHECKING:
    from desktop.counting import Noun
    from desktop.policy import PolicyProfile

#: Modules that add their own sub-commands with ``add_commands(subparsers)`` (sync, devices, reports...).
COMMAND_MODULES: tuple[str, ...] = (
    "desktop.staff_cli", "desktop.server.admin_cli", "desktop.sync.cli", "desktop.reports.cli", "desktop.diagnostics",
    "desktop.audit_verify", "desktop.backup_cli", "desktop.privacy_cli", "desktop.encryption",
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


#: Said when `init` would encrypt and SQLCipher is missing here: nothing is made.
NO_SQLCIPHER_INIT = ("وحدة التشفير (SQLCipher) غير مثبّتة على هذا الجهاز، والمكتب الجديد يُشفَّر افتراضيًا: ثبّت الحزمة "
                     "sqlcipher3 ثم أعد الأمر، أو أعده مع ‎--plain‎ لمكتب غير مشفّر")


def _init_encrypts(args: argparse.Namespace) -> bool:
    """Whether `init` encrypts: ``--encrypt`` always; else unless ``--plain`` or ``MUSTAFID_ENCRYPT=0`` (as the
    gate's first administrator)."""
    from desktop.workspace import encrypt_on_first_run

    return bool(args.encrypt) or (not args.plain and encrypt_on_first_run())


def _cmd_init(args: argparse.Namespace) -> int:
    """Create (or open) the data directory's database, adopt a policy profile, make the first administrator and,
    by default, encrypt the new desk for them (``--plain`` or ``MUSTAFID_ENCRYPT=0``: left plaintext).

    The administrator's login and name come from options, environment variables or a prompt; the password
    from ``MUSTAFID_ADMIN_PASSWORD`` or a prompt only (`desktop.staff_cli`). Without a login and nobody at a
    terminal to ask, the policy is adopted and a line says how to make the administrator (the one made on screen
    then encrypts the desk, as the gate does). SQLCipher missing while encryption is wanted: one Arabic line, exit
    2, nothing made. ``--encrypt`` also encrypts an existing plaintext desk (its administrator signing in).
    """
    from desktop.encryption_core import encryption_available
    from desktop.policy import ProfileError
    from desktop.workspace import Workspace

    encrypt = _init_encrypts(args)
    if encrypt and not encryption_available():
        raise CliError(NO_SQLCIPHER_INIT, EXIT_INVALID)
    ws = Workspace.open(args.data_dir)
    made: tuple[str, str] | None = None
    try:
        target = Path(args.policy)
        try:
            profile = ws.import_profile(target) if target.suffix == ".toml" else ws.adopt_builtin_profile(args.policy)
        except ProfileError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return EXIT_INVALID
        print(f"تمت التهيئة في {ws.data_dir}: سياسة {profile.association.name} (الإصدار {profile.version})")
        from desktop.staff_cli import StaffCliError, ensure_first_administrator

        try:
            line, made = ensure_first_administrator(ws, args.admin_login, args.admin_name)
            print(line)
        except StaffCliError as exc:
            raise CliError(exc.message, exc.code) from None
    finally:
        ws.close()
    if not encrypt or ws.is_encrypted:
        if made is not None:
            print("تُركت قاعدة البيانات دون تشفير (‎--plain‎ أو المتغير ‎MUSTAFID_ENCRYPT=0‎)؛ "
                  "يشفّرها الأمر encrypt متى شئت")
        return EXIT_OK
    if made is not None:
        from desktop.encryption import encrypt_and_report

        return encrypt_and_report(ws.data_dir, *made)
    if args.encrypt:
        from desktop.encryption import encrypt_from_command_line

        return encrypt_from_command_line(ws.data_dir, args.admin_login)
    return EXIT_OK  # no administrator made here: the first one made at the desk's gate encrypts it


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
        from desktop.counting import (
            BENEFICIARIES,
            CASES,
            DECISIONS,
            MEMBERS,
            REFERRALS,
            REPORTS,
            RESPONSES,
            STEPS,
            count_phrase,
            number_text,
        )
        from desktop.policy import is_rescue_profile

        def counted(count: int, noun: Noun) -> str:
            return count_phrase(count, noun, grouped=True)

        if is_rescue_profile(profile):  # a policy of reports: no committee, no referral
            middle = (f"{counted(summary.reports, REPORTS)}، {counted(summary.rescue_members, MEMBERS)} في فرق "
                      f"الإنقاذ، خطوات منجزة: {counted(summary.step_completions, STEPS)}")
        else:
            middle = (f"{counted(summary.cases, CASES)}، خطوات منجزة: {counted(summary.step_completions, STEPS)}، "
                      f"قرارات اللجنة: {counted(summary.committee_decisions, DECISIONS)}، "
                      f"{counted(summary.referrals, REFERRALS)}")
        print(
            f"أُنشئت بيانات تجريبية في {elapsed:.1f} ث: {counted(summary.beneficiaries, BENEFICIARIES)}، {middle}، "
            f"تقييمات الرضا: {counted(summary.survey_responses, RESPONSES)}، "
            f"الاقتراحات والشكاوى: {number_text(summary.suggestions, grouped=True)}"
        )
        from db.models import CaseStatus

        for status, count in sorted(summary.cases_by_status.items(), key=lambda item: -item[1]):
            print(f"  {CaseStatus(status).label_ar}: {count:,}")
    finally:
        ws.close()
    return EXIT_OK


def _cmd_pdf(args: argparse.Namespace) -> int:
    """Write one of a case's printed documents (from `desktop.documents.catalogue`) to a file."""
    from desktop.casedesk import CaseFileService
    from desktop.documents import catalogue
    from desktop.reception import ReceptionError, find_case
    from desktop.workspace import Workspace

    from desktop.staff_cli import StaffCliError, sign_in_command

    entry = catalogue.by_cli_name(args.kind)
    ws = Workspace.open(args.data_dir)
    try:
        try:
            sign_in_command(args, ws)
        except StaffCliError as exc:
            raise CliError(exc.message, exc.code) from None
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
    parser = ArabicArgumentParser(
        prog="mustafid-admin",
        description="أداة مسؤول النظام في مكتب المستفيد: السياسات، التهيئة، البيانات التجريبية، المستندات",
    )
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="مجلد البيانات (الافتراضي: مجلد بيانات المستخدم)")
    add_version_argument(parser)
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
    init.add_argument("--admin-login", default=None, metavar="LOGIN",
                      help="اسم دخول أول مسؤول نظام (أو المتغير MUSTAFID_ADMIN_LOGIN)؛ كلمة مروره عند الطلب "
                           "أو في المتغير MUSTAFID_ADMIN_PASSWORD، لا في سطر الأمر")
    init.add_argument("--admin-name", default=None, metavar="NAME",
                      help="الاسم الكامل لأول مسؤول نظام (أو المتغير MUSTAFID_ADMIN_NAME)")
    choice = init.add_mutually_exclusive_group()
    choice.add_argument("--plain", action="store_true",
                        help="اترك قاعدة البيانات دون تشفير (الافتراضي تشفيرها لأول مسؤول نظام، "
                             "ويفعل المتغير MUSTAFID_ENCRYPT=0 مثله)")
    choice.add_argument("--encrypt", action="store_true",
                        help="شفّر ولو كان للمكتب مسؤول نظام من قبل (كما يفعل الأمر encrypt)")
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
    from desktop.staff_cli import add_sign_in_option

    add_sign_in_option(pdf)
    pdf.set_defaults(func=_cmd_pdf)

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
    from desktop.staff_cli import refuses_secret_arguments

    refusal = refuses_secret_arguments(list(sys.argv[1:] if argv is None else argv))
    if refusal is not None:  # before parsing, logging or opening anything: the secret is not kept anywhere
        print(f"خطأ: {refusal}", file=sys.stderr)
        return EXIT_INVALID
    args = build_parser().parse_args(argv)
    from db.engine import ignore_file_size_signal

    ignore_file_size_signal()  # a write past `ulimit -f` fails as "disk full", the unit of work rolled back
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
