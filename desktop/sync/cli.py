"""`mustafid-admin enroll` and `mustafid-admin sync`: enrol this PC on the sync server, run one sync round;
`mustafid-admin sync quarantine list|retry|drop`: the pulled rows this PC set aside (`desktop.sync.quarantine`)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.workspace import Workspace

__all__ = ["add_commands"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_OFFLINE = 3
EXIT_REFUSED = 4


def _exit_code(kind: str) -> int:
    return EXIT_OFFLINE if kind == "offline" else EXIT_REFUSED if kind in ("refused", "upgrade") else EXIT_FAILURE


def _cmd_enroll(args: argparse.Namespace) -> int:
    """Exchange an enrolment code for this PC's device credential."""
    from desktop.sync.service import SyncError, SyncService
    from desktop.workspace import Workspace

    ws = Workspace.open(args.data_dir)
    service = SyncService(ws)
    try:
        if (refused := _sign_in(args, ws)) is not None:
            return refused
        result = service.enroll(args.server, args.code, device_name=args.name, branch=args.branch,
                                pinned_fingerprint=args.fingerprint)
    except SyncError as exc:
        print(exc.message_ar, file=sys.stderr)
        if exc.kind == "certificate" and args.server.strip().startswith("https://"):
            try:  # what the server presents, for the administrator to compare before `--fingerprint`
                print(service.server_certificate(args.server).text_ar, file=sys.stderr)
            except SyncError:
                pass
        return _exit_code(exc.kind)
    finally:
        service.close()
        ws.close()
    from desktop.counting import ROWS, count_phrase

    print(f"سُجّل الجهاز لدى الخادم لجمعية {result.association_name}: بادئة أرقام الحالات {result.case_number_prefix}، "
          f"و{count_phrase(result.queued, ROWS)} بانتظار الإرسال في أول مزامنة")
    if result.warning_ar:
        print(result.warning_ar, file=sys.stderr)
    return EXIT_OK


def _cmd_sync(args: argparse.Namespace) -> int:
    """Run one sync round and print a one-line Arabic summary."""
    from desktop.sync.service import SyncError, SyncService
    from desktop.workspace import Workspace

    ws = Workspace.open(args.data_dir)
    service = SyncService(ws)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= 2 or done == total:
            last[0] = now
            print(f"\r{done:,}/{total:,}", end="", file=sys.stderr, flush=True)

    try:
        if (refused := _sign_in(args, ws)) is not None:
            return refused
        report = service.run_round(progress=progress if args.progress else None)
    except SyncError as exc:
        print(exc.message_ar, file=sys.stderr)
        return _exit_code(exc.kind)
    finally:
        service.close()
        ws.close()
    if args.progress:
        print(file=sys.stderr)
    print(report.summary_ar)
    return EXIT_OK


def _sign_in(args: argparse.Namespace, ws: Workspace) -> int | None:
    """Sign the command's account in (a desk with accounts pushes under one); the exit code of a refusal."""
    from desktop.staff_cli import StaffCliError, sign_in_command

    try:
        sign_in_command(args, ws)
    except StaffCliError as exc:
        print(exc.message, file=sys.stderr)
        return exc.code
    return None
def _cmd_quarantine(args: argparse.Namespace) -> int:
    """List, retry or drop the pulled rows this PC set aside (no network)."""
    import uuid

    from desktop.arabic_text import identifier_text
    from desktop.counting import ROWS, count_phrase
    from desktop.sync.service import SyncService
    from desktop.workspace import Workspace

    row_id: str | None = getattr(args, "row_id", None)
    if row_id is not None:
        try:
            row_id = str(uuid.UUID(row_id))
        except ValueError:
            print("معرّف السجل غير صحيح: اكتبه كما يظهر في القائمة", file=sys.stderr)
            return 2
    ws = Workspace.open(args.data_dir)
    if (refused := _sign_in(args, ws)) is not None:  # the sync supervisor's rows (issue 13)
        ws.close()
        return refused
    service = SyncService(ws)
    try:
        if args.quarantine_command == "list":
            _rejected, kept = service.refused()
            if not kept:
                print("لا توجد سجلات مجنّبة على هذا الجهاز")
            for row in kept:
                print("\t".join([row.table, row.row_id, str(row.server_seq), row.quarantined_at[:19], row.reason_ar]))
            return EXIT_OK
        if args.quarantine_command == "retry":
            tried, left = service.retry_quarantined(row_id)
            print(f"أُعيدت محاولة حفظ {count_phrase(tried, ROWS)}: حُفظ {count_phrase(tried - left, ROWS)} "
                  f"وبقي مجنّبًا {count_phrase(left, ROWS)}")
            return EXIT_OK if left == 0 else EXIT_FAILURE
        assert row_id is not None
        dropped = service.drop_quarantined(row_id)
        if not dropped:
            print(f"لا يوجد سجل مجنّب بالمعرّف {identifier_text(row_id)}", file=sys.stderr)
            return EXIT_FAILURE
        print(f"حُذف من السجلات المجنّبة {count_phrase(dropped, ROWS)}؛ يبقى على الخادم كما هو")
        return EXIT_OK
    finally:
        service.close()
        ws.close()


def add_commands(subparsers: Any) -> None:
    """Add `enroll` and `sync` to `mustafid-admin`."""
    from desktop.staff_cli import add_sign_in_option

    enroll = subparsers.add_parser("enroll", help="تسجيل هذا الجهاز لدى خادم المزامنة برمز التسجيل")
    enroll.add_argument("--server", required=True, metavar="URL", help="عنوان الخادم، مثل https://sync.example.org:8443")
    enroll.add_argument("--code", required=True, metavar="CODE", help="رمز التسجيل من مسؤول النظام")
    enroll.add_argument("--name", default=None, metavar="NAME", help="اسم الجهاز (الافتراضي: اسم الحاسب)")
    enroll.add_argument("--branch", default=None, metavar="BRANCH", help="الفرع")
    add_sign_in_option(enroll)
    enroll.add_argument("--fingerprint", default=None, metavar="SHA256",
                        help="بصمة شهادة الخادم كما طبعها «server make-cert»: تُعتمد هذه الشهادة وحدها بعد مطابقتها")
    enroll.set_defaults(func=_cmd_enroll)
    sync = subparsers.add_parser("sync", help="جولة مزامنة واحدة مع الخادم")
    sync.add_argument("--progress", action="store_true", help="عرض التقدم (لأول مزامنة)")
    add_sign_in_option(sync)
    sync.set_defaults(func=_cmd_sync)
    actions = sync.add_subparsers(dest="sync_command", required=False, metavar="quarantine")
    held = actions.add_parser("quarantine", help="السجلات المستلمة التي جُنّبت لأن هذا الجهاز لا يستطيع حفظها")
    what = held.add_subparsers(dest="quarantine_command", required=True, metavar="ACTION")
    what.add_parser("list", help="عرض السجلات المجنّبة وسبب كل منها").set_defaults(func=_cmd_quarantine)
    retry = what.add_parser("retry", help="إعادة محاولة حفظ السجلات المجنّبة (كلها أو سجل واحد)")
    retry.add_argument("row_id", nargs="?", default=None, metavar="ROW_ID", help="معرّف السجل")
    retry.set_defaults(func=_cmd_quarantine)
    drop = what.add_parser("drop", help="حذف سجل من السجلات المجنّبة (لا يمس الخادم)")
    drop.add_argument("row_id", metavar="ROW_ID", help="معرّف السجل")
    drop.set_defaults(func=_cmd_quarantine)
