"""`mustafid-admin enroll` and `mustafid-admin sync`: enrol this PC on the sync server, run one sync round."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

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


def add_commands(subparsers: Any) -> None:
    """Add `enroll` and `sync` to `mustafid-admin`."""
    enroll = subparsers.add_parser("enroll", help="تسجيل هذا الجهاز لدى خادم المزامنة برمز التسجيل")
    enroll.add_argument("--server", required=True, metavar="URL", help="عنوان الخادم، مثل https://sync.example.org:8443")
    enroll.add_argument("--code", required=True, metavar="CODE", help="رمز التسجيل من مسؤول النظام")
    enroll.add_argument("--name", default=None, metavar="NAME", help="اسم الجهاز (الافتراضي: اسم الحاسب)")
    enroll.add_argument("--branch", default=None, metavar="BRANCH", help="الفرع")
    enroll.add_argument("--fingerprint", default=None, metavar="SHA256",
                        help="بصمة شهادة الخادم كما طبعها «server make-cert»: تُعتمد هذه الشهادة وحدها بعد مطابقتها")
    enroll.set_defaults(func=_cmd_enroll)
    sync = subparsers.add_parser("sync", help="جولة مزامنة واحدة مع الخادم")
    sync.add_argument("--progress", action="store_true", help="عرض التقدم (لأول مزامنة)")
    sync.set_defaults(func=_cmd_sync)
