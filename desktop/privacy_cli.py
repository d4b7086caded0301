"""`mustafid-admin retention run [--apply]` and `mustafid-admin privacy export CASE_NUMBER --out FILE` (PDPL).

* ``retention run``: a dry run by default — it says how many closed cases (and people, and stored files) are past
  their profile's retention period and changes nothing; ``--apply`` anonymises them (`desktop.retention`). The
  report counts the automatic backups taken before the newest erasure (`desktop.backup.backups_before_erasure`);
  ``--apply --remove-old-backups`` removes them (a restore of any backup erases again in any case).
* ``privacy export``: everything held about the beneficiary of a case, as a PDF (`desktop.subject_access`).
  The case number, not the person's ID, names them on the command line (a command line is seen by others).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_commands"]


def _cmd_retention(args: argparse.Namespace) -> int:
    """Count (or with --apply, anonymise) the closed cases past their retention period."""
    from desktop.counting import BENEFICIARIES, CASES, count_phrase, number_text
    from desktop.retention import run_retention
    from desktop.workspace import Workspace

    from desktop.errors import InputError
    from desktop.staff_cli import StaffCliError, sign_in_command

    if args.remove_old_backups and not args.apply:
        print("خطأ: إزالة النسخ التلقائية السابقة للحذف تكون مع --apply فقط", file=sys.stderr)
        return 2
    ws = Workspace.open(args.data_dir)
    try:
        try:
            sign_in_command(args, ws)
        except StaffCliError as exc:
            print(f"خطأ: {exc.message}", file=sys.stderr)
            return exc.code
        identity = ws.signed_in
        try:
            report = run_retention(ws.db, ws.data_dir, apply=args.apply,
                                   actor_id=identity.account_id if identity is not None else None)
        except InputError as exc:
            print(f"خطأ: {exc.message_ar}", file=sys.stderr)
            return 1
    finally:
        ws.close()
    counts = (f"{count_phrase(report.cases, CASES, grouped=True)} مغلقة، "
              f"{count_phrase(report.beneficiaries, BENEFICIARIES, grouped=True)}، "
              f"ملفات محفوظة: {number_text(report.files, grouped=True)}")
    if report.applied:
        print(f"حُذفت البيانات الشخصية لما انقضت مدة الاحتفاظ به: {counts}")
    else:
        print(f"تجربة دون تغيير: انقضت مدة الاحتفاظ بـ {counts}. للتنفيذ أعد الأمر مع --apply")
    _old_backups(Path(ws.data_dir), remove=args.remove_old_backups)
    return 0


def _old_backups(data_dir: Path, *, remove: bool) -> None:
    """The report's line on the automatic backups taken before the newest erasure, removed with `remove`."""
    from desktop.backup import backups_before_erasure, remove_backups
    from desktop.counting import number_text

    old = backups_before_erasure(data_dir)
    if not old:
        return
    if remove:
        print(f"أُزيلت النسخ الاحتياطية التلقائية المأخوذة قبل الحذف: {number_text(remove_backups(old), grouped=True)}")
        return
    print(f"نسخ احتياطية تلقائية أُخذت قبل الحذف: {number_text(len(old), grouped=True)}. ما فيها من بيانات محذوفة لا "
          "يعود إذا استُعيدت (يُحذف من جديد)؛ لإزالتها أعد الأمر مع --apply --remove-old-backups")


def _cmd_export(args: argparse.Namespace) -> int:
    """Write everything held about a case's beneficiary to a PDF."""
    from desktop.casedesk import CaseFileService
    from desktop.reception import find_case
    from desktop.workspace import Workspace

    ws = Workspace.open(args.data_dir)
    try:
        with ws.db.session(read_only=True) as session:
            case_id = find_case(session, args.case_number).id
        pdf = CaseFileService(ws).subject_access_pdf(case_id)
    finally:
        ws.close()
    try:
        args.out.write_bytes(pdf)
    except OSError as error:
        print(f"خطأ: تعذرت كتابة الملف {args.out}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"{args.out}")
    return 0


def add_commands(subparsers: Any) -> None:
    """Add `retention run` and `privacy export` to `mustafid-admin`."""
    from desktop.staff_cli import add_sign_in_option

    retention = subparsers.add_parser("retention", help="مدة الاحتفاظ بالبيانات الشخصية (نظام حماية البيانات)")
    retention_sub = retention.add_subparsers(dest="retention_command", required=True, metavar="ACTION")
    run = retention_sub.add_parser("run", help="حذف البيانات الشخصية من الطلبات المغلقة التي انقضت مدة الاحتفاظ بها "
                                               "(تجربة دون تغيير ما لم يُمرَّر --apply)")
    run.add_argument("--apply", action="store_true", help="نفّذ الحذف (بدونه يُعرض العدد فقط)")
    run.add_argument("--remove-old-backups", action="store_true",
                     help="مع --apply: أزل النسخ الاحتياطية التلقائية المأخوذة قبل الحذف (النسخ اليدوية على أقراص "
                          "خارجية يتلفها الموظف المسؤول عنها؛ وأي نسخة تُستعاد تُحذف منها البيانات من جديد)")
    add_sign_in_option(run)
    run.set_defaults(func=_cmd_retention)
    privacy = subparsers.add_parser("privacy", help="حقوق أصحاب البيانات")
    privacy_sub = privacy.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    export = privacy_sub.add_parser("export", help="كل ما تحفظه الجمعية عن مستفيد طلبٍ ما، ملفَّ PDF (حق الاطلاع)")
    export.add_argument("case_number", metavar="CASE_NUMBER", help="رقم طلب من طلبات المستفيد")
    export.add_argument("--out", required=True, type=Path, metavar="FILE", help="ملف PDF الناتج")
    export.set_defaults(func=_cmd_export)
