"""`mustafid-admin devices …`: enrolment codes, the device list and revocation on the sync server's database;
`mustafid-admin rows inspect|repair`: the stored rows push validation refuses, and their repair
(`desktop.server.repair`), run by the server's administrator on the server's database;
`mustafid-admin rows restamps`: the rows whose claimed author the server replaced (`desktop.server.restamps`);
`mustafid-admin server make-cert`: a self-signed TLS certificate for a LAN."""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Sequence
from typing import Any

from desktop.cli_args import ArabicArgumentParser
EXIT_OK = 0
EXIT_FAILURE = 1


class DevicesCliError(Exception):
    """A failure shown as one Arabic line."""

    def __init__(self, message_ar: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message_ar)
        self.message_ar = message_ar
        self.code = code


def _store(url: str) -> Any:
    """The server store at `url`, migrated (one Arabic line when it cannot be opened)."""
    from desktop.server.store import ServerStore

    try:
        store = ServerStore(url)
        store.upgrade()
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DevicesCliError(f"تعذر فتح قاعدة بيانات الخادم {url}: {first}") from None
    return store


def _run(func: Any) -> Any:
    from desktop.server.store import ServerError

    try:
        return func()
    except ServerError as exc:
        raise DevicesCliError(exc.message_ar) from None


def _cmd_enroll_code(args: argparse.Namespace) -> int:
    """Print a new one-time enrolment code for the association."""
    store = _store(args.server_db)
    try:
        code = _run(lambda: store.create_enrollment_code(args.association, args.branch, args.expires_hours))
    finally:
        store.dispose()
    print(code)
    return EXIT_OK


def _cmd_list(args: argparse.Namespace) -> int:
    """One tab-separated line per device: id, association, name, branch, prefix, enrolled, state."""
    store = _store(args.server_db)
    try:
        devices = store.list_devices()
    finally:
        store.dispose()
    for d in devices:
        state = f"ملغى {d.revoked_at:%Y-%m-%d %H:%M}" if d.revoked_at else "فعّال"
        seen = f"{d.last_seen_at:%Y-%m-%d %H:%M}" if d.last_seen_at else "-"
        print("\t".join([str(d.device_id), d.association_name, d.name, d.branch or "-", d.case_number_prefix,
                         f"{d.enrolled_at:%Y-%m-%d %H:%M}", seen, state]))
    return EXIT_OK


def _cmd_revoke(args: argparse.Namespace) -> int:
    """Revoke a device's credential."""
    try:
        device_id = uuid.UUID(args.device_id)
    except ValueError:
        raise DevicesCliError("معرّف الجهاز غير صحيح", 2) from None
    store = _store(args.server_db)
    try:
        _run(lambda: store.revoke_device(device_id))
    finally:
        store.dispose()
    print(f"أُلغي تسجيل الجهاز {device_id}")
    return EXIT_OK


def _cmd_rows_inspect(args: argparse.Namespace) -> int:
    """One tab-separated line per refused row: table, row id, sequence, deleted, reason; exit 1 when any."""
    from desktop.server.repair import inspect_rows

    store = _store(args.server_db)
    try:
        problems = _run(lambda: inspect_rows(store, args.association, args.table))
    finally:
        store.dispose()
    if not problems:
        print("كل سجلات الجمعية على الخادم سليمة")
        return EXIT_OK
    for item in problems:
        print("\t".join([item.table, str(item.row_id), str(item.server_seq), "محذوف" if item.deleted else "-",
                         item.reason_ar]))
    return EXIT_FAILURE


def _cmd_rows_repair(args: argparse.Namespace) -> int:
    """Set fields of one row (``--set column=JSON``) or remove it (``--remove``)."""
    import json

    from desktop.server.repair import repair_row

    try:
        row_id = uuid.UUID(args.row_id)
    except ValueError:
        raise DevicesCliError("معرّف السجل غير صحيح", 2) from None
    if bool(args.set) == bool(args.remove):
        raise DevicesCliError("اختر إما --set لتصحيح حقول السجل أو --remove لإزالته", 2)
    values: dict[str, Any] = {}
    for item in args.set or []:
        name, sep, raw = item.partition("=")
        if not sep or not name:
            raise DevicesCliError(f"صيغة --set هي اسم_الحقل=قيمة_JSON، لا «{item}»", 2)
        try:
            values[name.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            values[name.strip()] = raw  # a bare text value
    store = _store(args.server_db)
    try:
        print(_run(lambda: repair_row(store, args.association, row_id, set_fields=values, remove=args.remove)))
    finally:
        store.dispose()
    return EXIT_OK


def _cmd_rows_restamps(args: argparse.Namespace) -> int:
    """An Arabic header, then one tab-separated line per re-stamped row: when (Hijri beside Gregorian, Riyadh
    time), [association,] table, row, claimed author, stamped author, reason; exit 0 (none is said in a line)."""
    from desktop import arabic_text
    from desktop.errors import InputError
    from desktop.hijri import format_dual, format_time, local_date, parse_date_either
    from desktop.server.restamps import list_restamps

    since = None
    if args.since is not None:
        try:
            since = parse_date_either(args.since, field="since")
        except InputError as exc:
            raise DevicesCliError(f"تاريخ --since غير صحيح: {exc.message_ar}", 2) from None
    store = _store(args.server_db)
    try:
        found = _run(lambda: list_restamps(store, args.association, since))
    finally:
        store.dispose()
    if not found:
        print("لم يُعِد الخادم ختم كاتب أي سجل" + (" منذ التاريخ المذكور" if since is not None else ""))
        return EXIT_OK
    every = args.association is None
    print("\t".join(["الوقت"] + (["الجمعية"] if every else [])
                    + ["الجدول", "السجل", "الكاتب المذكور", "الكاتب المختوم", "السبب"]))
    for item in found:
        when = f"{format_dual(local_date(item.at))} {arabic_text.isolate(format_time(item.at))}"
        print("\t".join([when] + ([item.association] if every else [])
                        + [item.table, arabic_text.ltr(str(item.row_id)), arabic_text.ltr(item.claimed),
                           arabic_text.ltr(item.stamped), item.reason_ar]))
    return EXIT_OK


def _cmd_make_cert(args: argparse.Namespace) -> int:
    """Create a self-signed certificate for the server and print its fingerprint to compare on each desk."""
    from pathlib import Path

    from desktop.server.tls import fingerprint_text, make_self_signed

    try:
        made = make_self_signed(Path(args.out), list(args.host or []), days=args.days)
    except OSError as exc:
        raise DevicesCliError(f"تعذر كتابة ملفات الشهادة في {args.out}: {exc.strerror or exc}") from None
    print(f"الشهادة: {made.cert}")
    print(f"المفتاح الخاص: {made.key}")
    print(f"بصمة الشهادة (SHA-256) — قارنها بما يعرضه كل مكتب عند تسجيله: {fingerprint_text(made.fingerprint)}")
    # The database is named by $MUSTAFID_SERVER_DB or --config (its password never on a command line).
    print(f"شغّل الخادم: mustafid-server --host 0.0.0.0 --cert {made.cert} --key {made.key}"
          " (وعنوان قاعدة البيانات في المتغير MUSTAFID_SERVER_DB أو في ملف --config، وكلمة مرورها في"
          " MUSTAFID_SERVER_DB_PASSWORD، لا في سطر الأوامر)")
    return EXIT_OK


def add_commands(subparsers: Any) -> None:
    """Add ``devices enroll-code | list | revoke``, ``rows inspect | repair | restamps`` and ``server make-cert`` to
    `mustafid-admin`."""
    rows = subparsers.add_parser("rows", help="سجلات الجمعية المخزنة على خادم المزامنة: فحصها وتصحيحها")
    rows_sub = rows.add_subparsers(dest="rows_command", required=True, metavar="ACTION")
    inspect = rows_sub.add_parser("inspect", help="السجلات التي لا يقبلها التحقق اليوم، وسبب كل منها")
    inspect.add_argument("--server-db", required=True, metavar="URL", help="قاعدة بيانات الخادم")
    inspect.add_argument("--association", required=True, metavar="NAME", help="اسم الجمعية")
    inspect.add_argument("--table", default=None, metavar="TABLE", help="جدول واحد فقط")
    inspect.set_defaults(func=_wrap(_cmd_rows_inspect))
    repair = rows_sub.add_parser("repair", help="تصحيح حقول سجل أو إزالته؛ تستلمه الأجهزة في مزامنتها التالية")
    repair.add_argument("row_id", metavar="ROW_ID")
    repair.add_argument("--server-db", required=True, metavar="URL", help="قاعدة بيانات الخادم")
    repair.add_argument("--association", required=True, metavar="NAME", help="اسم الجمعية")
    repair.add_argument("--set", action="append", metavar="COLUMN=JSON", help="قيمة حقل (تكرر لكل حقل)")
    repair.add_argument("--remove", action="store_true", help="إزالة السجل من الخادم")
    repair.set_defaults(func=_wrap(_cmd_rows_repair))
    restamps = rows_sub.add_parser("restamps", help="السجلات التي أعاد الخادم ختم كاتبها بالحساب الذي دفعها، وسبب كل منها")
    restamps.add_argument("--server-db", required=True, metavar="URL", help="قاعدة بيانات الخادم")
    restamps.add_argument("--association", default=None, metavar="NAME", help="اسم الجمعية (كل الجمعيات إن لم يُذكر)")
    restamps.add_argument("--since", default=None, metavar="DATE", help="من هذا اليوم (هجري أو ميلادي، بتوقيت الرياض)")
    restamps.set_defaults(func=_wrap(_cmd_rows_restamps))
    server = subparsers.add_parser("server", help="إعداد خادم المزامنة")
    server_sub = server.add_subparsers(dest="server_command", required=True, metavar="ACTION")
    cert = server_sub.add_parser("make-cert", help="إنشاء شهادة TLS موقّعة ذاتيًا لخادم المزامنة في الشبكة المحلية")
    cert.add_argument("--out", required=True, metavar="DIR", help="المجلد الذي تُكتب فيه الشهادة ومفتاحها")
    cert.add_argument("--host", action="append", metavar="NAME",
                      help="اسم الخادم أو عنوانه كما تكتبه المكاتب (يتكرر)")
    cert.add_argument("--days", type=int, default=825, metavar="N", help="مدة صلاحية الشهادة بالأيام")
    cert.set_defaults(func=_wrap(_cmd_make_cert))
    devices = subparsers.add_parser("devices", help="أجهزة المكاتب المسجلة لدى خادم المزامنة")
    sub = devices.add_subparsers(dest="devices_command", required=True, metavar="ACTION")
    code = sub.add_parser("enroll-code", help="إنشاء رمز تسجيل لمرة واحدة لجهاز جديد")
    code.add_argument("--server-db", required=True, metavar="URL", help="قاعدة بيانات الخادم")
    code.add_argument("--association", required=True, metavar="NAME", help="اسم الجمعية")
    code.add_argument("--branch", default=None, metavar="B", help="الفرع")
    code.add_argument("--expires-hours", type=float, default=72, metavar="H", help="مدة صلاحية الرمز بالساعات")
    code.set_defaults(func=_wrap(_cmd_enroll_code))
    listing = sub.add_parser("list", help="قائمة الأجهزة المسجلة")
    listing.add_argument("--server-db", required=True, metavar="URL")
    listing.set_defaults(func=_wrap(_cmd_list))
    revoke = sub.add_parser("revoke", help="إلغاء تسجيل جهاز")
    revoke.add_argument("device_id", metavar="DEVICE_ID")
    revoke.add_argument("--server-db", required=True, metavar="URL")
    revoke.set_defaults(func=_wrap(_cmd_revoke))


def _wrap(func: Any) -> Any:
    """Turn a `DevicesCliError` into one Arabic line on stderr and its exit code."""

    def run(args: argparse.Namespace) -> int:
        try:
            return int(func(args))
        except DevicesCliError as exc:
            print(f"خطأ: {exc.message_ar}", file=sys.stderr)
            return exc.code

    return run


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``devices`` commands alone (what `mustafid-admin devices …` does)."""
    parser = ArabicArgumentParser(prog="mustafid-admin")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))
