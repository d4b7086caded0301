"""The desk's backups as the GUI and `mustafid-admin` use them: how many are kept, the automatic ones (at close
and daily, skipped when nothing changed since the newest), a backup now to a chosen folder, a restore's preview.

The copying itself is `desktop.backup`; this module adds the workspace (its data directory and the kept-number
setting, `desk_setting` «backup_keep»).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from db.models import DeskSetting
from desktop.backup import (
    BACKUPS_DIR,
    DEFAULT_KEEP,
    MANIFEST_FILE,
    BackupError,
    BackupInfo,
    BackupKind,
    Progress,
    VerifyResult,
    create_backup,
    known_erasures,
    list_backups,
    prune_backups,
    verify_backup,
)
from desktop.errors import InputError
from desktop.logbook import get_logger
from desktop.permissions import Action, Guarded, guarded
from desktop.startup import DATABASE_FILE

if TYPE_CHECKING:
    from desktop.workspace import Workspace

__all__ = ["KEEP_KEY", "MAX_KEEP", "BackupDesk"]

#: The `desk_setting` row holding how many automatic backups are kept: {"keep": N}.
KEEP_KEY = "backup_keep"
MAX_KEEP = 60
#: An automatic daily backup is due when the newest automatic one is older than this.
DAILY = dt.timedelta(hours=24)

_log = get_logger("backup")


class BackupDesk(Guarded):
    """Backups of one workspace: the kept number, automatic and manual backups, the list and a preview.

    The automatic backups run for whoever is at the desk; choosing the kept number, a backup to a removable
    drive and a restore's preview are the settings' (`Action.ACCOUNTS_SETTINGS`: a restore replaces the data).
    """

    def __init__(self, workspace: Workspace) -> None:
        """Backups of `workspace`'s data directory."""
        self.workspace = workspace
        self._workspace = workspace

    @property
    def folder(self) -> Path:
        """Where the automatic backups go: ``<data dir>/backups``."""
        return Path(self.workspace.data_dir) / BACKUPS_DIR

    def keep(self) -> int:
        """How many automatic backups are kept (`DEFAULT_KEEP` when never set)."""
        with self.workspace.db.session(read_only=True) as session:
            value = session.scalar(
                select(DeskSetting.value).where(DeskSetting.key == KEEP_KEY, DeskSetting.deleted_at.is_(None))
            )
        keep = value.get("keep") if isinstance(value, dict) else None
        return keep if isinstance(keep, int) and 1 <= keep <= MAX_KEEP else DEFAULT_KEEP

    @guarded(Action.ACCOUNTS_SETTINGS)
    def set_keep(self, keep: int) -> int:
        """Store how many automatic backups are kept (1 to `MAX_KEEP`); `InputError` otherwise."""
        if not 1 <= keep <= MAX_KEEP:
            raise InputError(f"عدد النسخ الاحتياطية المحفوظة بين ١ و{MAX_KEEP}", field="backup_keep")
        with self.workspace.db.session() as session:
            row = session.scalars(
                select(DeskSetting).where(DeskSetting.key == KEEP_KEY, DeskSetting.deleted_at.is_(None))
            ).first()
            if row is None:
                session.add(DeskSetting(key=KEEP_KEY, value={"keep": keep}))
            else:
                row.value = {"keep": keep}
        return keep

    def backups(self) -> list[BackupInfo]:
        """The desk's own backups, newest first."""
        return list_backups(self.folder)

    def _changed_since(self, moment: dt.datetime) -> bool:
        """True when the database file or its log was written after `moment`."""
        data_dir = Path(self.workspace.data_dir)
        times = [path.stat().st_mtime for path in (data_dir / DATABASE_FILE, data_dir / f"{DATABASE_FILE}-wal")
                 if path.exists()]
        return not times or max(times) > moment.timestamp()

    def automatic(self, kind: BackupKind, *, progress: Progress | None = None,
                  now: dt.datetime | None = None) -> BackupInfo | None:
        """An automatic backup (at close, or daily when the newest automatic one is a day old), then the oldest
        beyond the kept number removed; None when it is not due or nothing changed since the newest backup."""
        moment = now or dt.datetime.now(dt.UTC)
        newest = next((info for info in self.backups() if info.kind.automatic), None)
        if newest is not None:
            if kind is BackupKind.DAILY and moment - newest.created_at < DAILY:
                return None
            if not self._changed_since(newest.created_at):
                return None
        info = create_backup(self.workspace.data_dir, self.folder, kind=kind, progress=progress, now=now,
                             key=self.workspace.db.data_key)
        removed = prune_backups(self.folder, self.keep())
        _log.info("automatic backup (%s) made; %d old ones removed", kind.value, len(removed))
        return info

    @guarded(Action.ACCOUNTS_SETTINGS)
    def backup_to(self, folder: Path, *, progress: Progress | None = None) -> BackupInfo:
        """«نسخة احتياطية الآن»: a manual backup into `folder` (a USB drive), never pruned."""
        info = create_backup(self.workspace.data_dir, Path(folder), kind=BackupKind.MANUAL, progress=progress,
                             key=self.workspace.db.data_key)
        _log.info("manual backup made")
        return info

    @guarded(Action.ACCOUNTS_SETTINGS)
    def preview(self, folder: Path, *, progress: Progress | None = None) -> VerifyResult:
        """The backup in `folder` checked (hashes, quick check) for a restore's preview, with how many of its cases
        the restore would erase again (erased here after it was taken); `BackupError` if bad.

        A folder holding backups (a USB drive's folder chosen instead of one backup in it) means its newest.
        """
        folder = Path(folder)
        if not (folder / MANIFEST_FILE).exists():
            inside = list_backups(folder)
            if inside:
                folder = inside[0].path
        key = self.workspace.db.data_key
        result = verify_backup(folder, progress=progress, full=False, key=key,
                               known=known_erasures(self.workspace.data_dir, key))
        if not result.ok:
            raise BackupError("لا يمكن الاستعادة من هذه النسخة: " + "؛ ".join(result.problems))
        return result
