"""`mustafid-admin report`: the period report, workbook or evidence pack from the command line (no Qt)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_commands"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INVALID = 2


def _fail(message: str, code: int) -> int:
    print(f"خطأ: {message}", file=sys.stderr)
    return code


def _is_hijri(text: str) -> bool:
    """True when the typed date's year is Hijri (below 1600), as `parse_date_either` decides."""
    import re

    from desktop.arabic_text import to_latin_digits

    match = re.search(r"\d{3,4}", to_latin_digits(text))
    return match is not None and int(match.group(0)) < 1600


def _cmd_report(args: argparse.Namespace) -> int:
    """Write the report for --from..--to to --out (.pdf or .xlsx; --evidence for the evidence pack)."""
    from desktop.errors import InputError
    from desktop.hijri import parse_date_either
    from desktop.reports.views import Period

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        return _fail(f"امتداد الملف الناتج يجب أن يكون ‎.pdf أو ‎.xlsx وليس «{out.suffix or 'بلا امتداد'}»", EXIT_INVALID)
    if args.evidence and suffix != ".pdf":
        return _fail("حزمة الأدلة تُخرج ملف PDF فقط: استخدم امتدادًا ‎.pdf", EXIT_INVALID)
    try:
        start = parse_date_either(args.date_from, field="from")
        end = parse_date_either(args.date_to, field="to")
        hijri = _is_hijri(args.date_from)
        period = Period.custom(start, end, calendar="hijri" if hijri else "gregorian")
    except (InputError, ValueError) as exc:
        return _fail(getattr(exc, "message_ar", str(exc)), EXIT_INVALID)

    from desktop.reports.service import ReportService
    from desktop.workspace import Workspace

    from desktop.staff_cli import StaffCliError, sign_in_command

    ws = Workspace.open(args.data_dir)
    try:
        if ws.active_profile() is None:
            return _fail("لم تُختر سياسة الجمعية بعد: شغّل أولًا  mustafid-admin init --policy ID", EXIT_FAILURE)
        try:
            sign_in_command(args, ws)
        except StaffCliError as exc:
            return _fail(exc.message, exc.code)
        service = ReportService(ws)
        try:
            if args.evidence:
                data = service.evidence_pack_pdf(period)
            elif suffix == ".pdf":
                data = service.period_report_pdf(period)
            else:
                data = service.period_report_xlsx(period)
        except InputError as exc:
            return _fail(exc.message_ar, EXIT_INVALID)
    finally:
        ws.close()
    try:
        out.write_bytes(data)
    except OSError as exc:
        return _fail(f"تعذرت كتابة الملف {out}: {exc.strerror or exc}", EXIT_FAILURE)
    print(f"{out}\t{len(data):,} بايت")
    return EXIT_OK


def add_commands(subparsers: Any) -> None:
    """Add `report` to mustafid-admin's sub-commands."""
    report = subparsers.add_parser("report", help="تقرير الفترة أو حزمة الأدلة ملفَّ PDF أو Excel")
    report.add_argument("--from", dest="date_from", required=True, metavar="DATE",
                        help="بداية الفترة، هجري أو ميلادي (مثل 1447/01/01 أو 2025-06-26)")
    report.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="نهاية الفترة (مشمولة)")
    report.add_argument("--out", required=True, metavar="FILE", help="ملف ناتج ‎.pdf أو ‎.xlsx")
    report.add_argument("--evidence", action="store_true", help="حزمة الأدلة لمجلس الإدارة والمركز الوطني (PDF)")
    from desktop.staff_cli import add_sign_in_option

    add_sign_in_option(report)
    report.set_defaults(func=_cmd_report)
