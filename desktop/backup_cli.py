"""`mustafid-admin backup create|list|verify|restore`: the desk's backups from the command line.

* ``create [--to FOLDER]``: a manual backup into FOLDER (default: the desk's own ``backups`` folder); progress
  on stderr, the backup's folder on stdout.
* ``list [--in FOLDER]``: one line per backup, newest first: folder, date (Hijri beside Gregorian), kind, counts.
* ``verify FOLDER [--quick]``: every part's SHA-256, ``PRAGMA integrity_check`` (``quick_check`` with --quick),
  the counts; exit 0 sound, 1 with one line per problem; a line says how many of its cases a restore would erase
  again (erased on this desk after the backup was taken: `desktop.backup_erasures`).
* ``restore FOLDER --yes``: the desk must be closed; a safety copy of the current data first, then the backup's
  database in its place (the erasures it lacks applied again) and its attachments added. Without ``--yes`` it only
  shows what would be restored, and how many cases would be erased again.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["add_commands"]

EXIT_OK = 0
EXIT_FAILURE = 1


def _data_dir(args: argparse.Namespace) -> Path:
    from desktop.startup import default_data_dir

    return Path(args.data_dir) if args.data_dir is not None else default_data_dir()


def _progress() -> Any:
    """A progress callback printing a percentage on stderr at most twice a second."""
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= 0.5 or done == total:
            last[0] = now
            print(f"\r{100 * done // max(total, 1)}٪", end="", file=sys.stderr, flush=True)
            if done == total:
                print(file=sys.stderr)

    return report


def _cmd_create(args: argparse.Namespace) -> int:
    """A manual backup of the data directory into --to (or its own backups folder)."""
    from desktop.backup import BACKUPS_DIR, BackupKind, backup_summary, create_backup

    data_dir = _data_dir(args)
    target = args.to if args.to is not None else data_dir / BACKUPS_DIR
    info = create_backup(data_dir, target, kind=BackupKind.MANUAL, progress=_progress())
    print(f"{info.path}\t{backup_summary(info)}")
    return EXIT_OK


def _cmd_list(args: argparse.Namespace) -> int:
    """One line per backup in --in (or the desk's backups folder), newest first."""
    from desktop.backup import BACKUPS_DIR, backup_summary, list_backups

    folder = args.folder if args.folder is not None else _data_dir(args) / BACKUPS_DIR
    backups = list_backups(folder)
    if not backups:
        print(f"لا توجد نسخ احتياطية في {folder}")
        return EXIT_OK
    for info in backups:
        print(f"{info.path}\t{backup_summary(info)}")
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace) -> int:
    """Verify a backup: exit 0 when sound, 1 with its problems; says how many cases a restore erases again."""
    from desktop.backup import backup_summary, erase_again_text, known_erasures, verify_backup

    result = verify_backup(args.backup, progress=_progress(), full=not args.quick,
                           known=known_erasures(_data_dir(args)))
    if not result.ok:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        return EXIT_FAILURE
    print(f"النسخة سليمة: {backup_summary(result.info)}")
    if line := erase_again_text(result.erase_again):
        print(line)
    return EXIT_OK


def _cmd_restore(args: argparse.Namespace) -> int:
    """Restore a backup into the data directory (after a safety copy); without --yes only show it."""
    from desktop.backup import (
        backup_summary,
        erase_again_count,
        erase_again_text,
        erased_again_text,
        known_erasures,
        read_backup,
        restore_backup,
    )

    data_dir = _data_dir(args)
    info = read_backup(args.backup)
    if not args.yes:
        print(f"ستُستعاد: {backup_summary(info)}")
        if line := erase_again_text(erase_again_count(args.backup, known_erasures(data_dir))):
            print(line)
        print("تُحفظ أولًا نسخة أمان من البيانات الحالية. أغلق مكتب المستفيد ثم أعد الأمر مع --yes للاستعادة.")
        return EXIT_OK
    result = restore_backup(args.backup, data_dir, progress=_progress())
    print(f"استُعيدت النسخة: {backup_summary(result.info)}")
    if result.erased_again:
        print(erased_again_text(result.erased_again))
    if result.safety_copy is not None:
        print(f"البيانات السابقة محفوظة في: {result.safety_copy}")
    return EXIT_OK


def add_commands(subparsers: Any) -> None:
    """Add `backup create|list|verify|restore` to `mustafid-admin`."""
    backup = subparsers.add_parser("backup", help="النسخ الاحتياطية: إنشاء، عرض، تحقق، استعادة")
    sub = backup.add_subparsers(dest="backup_command", required=True, metavar="ACTION")
    create = sub.add_parser("create", help="نسخة احتياطية الآن")
    create.add_argument("--to", type=Path, default=None, metavar="FOLDER",
                        help="مجلد النسخة (الافتراضي: مجلد النسخ في مجلد البيانات)")
    create.set_defaults(func=_cmd_create)
    listing = sub.add_parser("list", help="النسخ الاحتياطية، الأحدث أولًا")
    listing.add_argument("--in", dest="folder", type=Path, default=None, metavar="FOLDER",
                         help="مجلد النسخ (الافتراضي: مجلد النسخ في مجلد البيانات)")
    listing.set_defaults(func=_cmd_list)
    verify = sub.add_parser("verify", help="التحقق من نسخة: البصمات وسلامة قاعدة البيانات والأعداد")
    verify.add_argument("backup", type=Path, metavar="BACKUP", help="مجلد النسخة")
    verify.add_argument("--quick", action="store_true", help="فحص سريع بدل الفحص الكامل لقاعدة البيانات")
    verify.set_defaults(func=_cmd_verify)
    restore = sub.add_parser("restore", help="استعادة نسخة بعد حفظ نسخة أمان من البيانات الحالية")
    restore.add_argument("backup", type=Path, metavar="BACKUP", help="مجلد النسخة")
    restore.add_argument("--yes", action="store_true", help="نفّذ الاستعادة (بدونه يُعرض ما سيُستعاد فقط)")
    restore.set_defaults(func=_cmd_restore)
