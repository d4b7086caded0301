"""What the first screen needs before the database is open: the data directory and a small snapshot of the desk.

Opening the database means importing SQLAlchemy and the policy schema, which costs most of a second; the
window is shown at once from this snapshot (association, policy version: nothing personal, since it is read
before anybody has signed in) and filled when the
workspace has opened in the background. Standard library only, so importing this module is instant.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

APP_NAME = "MustafidDesk"
APP_AUTHOR = "Mustafid"
SNAPSHOT_FILE = "desk-snapshot.json"
#: The desk's database file in its data directory.
DATABASE_FILE = "mustafid.sqlite3"
#: 2: the officer's name is no longer kept (it was shown before sign-in); a format-1 file reads as None.
_SNAPSHOT_FORMAT = 2


def default_data_dir() -> Path:
    """The user's data directory for the application (platform dependent), or $MUSTAFID_DATA_DIR."""
    override = os.environ.get("MUSTAFID_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, APP_AUTHOR, roaming=False)


@dataclass(frozen=True)
class DeskSnapshot:
    """The few facts the first screen shows, saved by the workspace whenever they change (no personal data)."""

    association_name: str
    profile_id: str
    policy_version: str


def snapshot_path(data_dir: Path) -> Path:
    """Where a data directory keeps its desk snapshot."""
    return Path(data_dir) / SNAPSHOT_FILE


def read_snapshot(data_dir: Path) -> DeskSnapshot | None:
    """The saved snapshot, or None when there is none or it cannot be read (the app then opens the slow way)."""
    try:
        raw = json.loads(snapshot_path(data_dir).read_text(encoding="utf-8"))
        if raw.pop("format", None) != _SNAPSHOT_FORMAT:
            return None
        return DeskSnapshot(**{key: str(raw[key]) for key in DeskSnapshot.__dataclass_fields__})
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def write_snapshot(data_dir: Path, snapshot: DeskSnapshot) -> None:
    """Save the snapshot atomically (a crash leaves the old file or the new one, never half of one)."""
    path = snapshot_path(data_dir)
    if read_snapshot(data_dir) == snapshot:
        return
    temporary = path.with_suffix(".tmp")
    body = json.dumps({"format": _SNAPSHOT_FORMAT, **asdict(snapshot)}, ensure_ascii=False).encode("utf-8")
    # Owner-only like every file of the data directory (issue 14): it names the association and its policy.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(descriptor, body)
    finally:
        os.close(descriptor)
    os.chmod(temporary, 0o600)  # a temporary left by an older version keeps its mode through O_TRUNC
    os.replace(temporary, path)
