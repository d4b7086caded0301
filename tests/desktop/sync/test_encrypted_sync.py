"""Sync between an encrypted desk and a plaintext one (issue 14), on the real server.

Attachments stay addressed by the SHA-256 of their plaintext: the encrypted desk keeps its files sealed, decrypts
before upload (the server receives the plaintext its hash names) and seals what it downloads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from desktop.attachments import is_sealed
from desktop.encryption import encrypt_desk
from desktop.keystore import KdfCost
from desktop.reception import ReceptionService
from desktop.staff import HashParameters
from desktop.sync.service import SyncService
from desktop.workspace import Workspace
from db.models import UserRole
from tests.desktop.reception.conftest import png_file
from tests.desktop.sync.conftest import Desk, FaultyTransport

PASSWORD = "كلمة-سر-مكتب-مشفر-7"


def _encrypted(make_desk: Callable[..., Desk], name: str) -> Desk:
    """A desk enrolled like every other, then encrypted in place and signed in again."""
    desk = make_desk(name)
    desk.ws.hash_parameters = HashParameters(time_cost=1, memory_kib=8192)
    desk.ws.staff().create_first_administrator("amal", "أمل بنت خالد", PASSWORD)
    directory = desk.ws.data_dir
    desk.sync.close()
    desk.transport.close()
    desk.ws.close()
    encrypt_desk(directory, "amal", PASSWORD, cost=KdfCost(time_cost=1, memory_kib=8192))
    ws = Workspace.open(directory)
    admin = ws.sign_in_with_password("amal", PASSWORD)
    # She receives at this desk too (issue 13: receiving is an officer's, not an administrator's).
    ws.staff().update_account(admin, "amal", roles=[UserRole.ADMIN.value, UserRole.OFFICER.value])
    transport = FaultyTransport()
    desk.ws, desk.transport = ws, transport
    desk.sync = SyncService(ws, transport=transport)
    desk.reception = ReceptionService(ws)
    return desk


def _stored(desk: Desk, sha: str) -> Path:
    return desk.ws.data_dir / str(desk.scalar("SELECT stored_path FROM attachment WHERE sha256 = :s", s=sha))


def test_an_encrypted_desk_syncs_files_by_their_plaintext_hash(make_desk, sync_server, tmp_path: Path) -> None:
    plain = make_desk("plain")
    locked = _encrypted(make_desk, "locked")
    plain.settle()
    locked.settle()

    from_plain = plain.reception.import_attachment(png_file(tmp_path / "one.png"))
    plain.settle()
    locked.settle()
    arrived = _stored(locked, from_plain)
    assert is_sealed(arrived.read_bytes())  # sealed on arrival
    assert hashlib.sha256(locked.ws.attachments.read(
        arrived.relative_to(locked.ws.data_dir).as_posix(), from_plain)).hexdigest() == from_plain

    from_locked = locked.reception.import_attachment(png_file(tmp_path / "two.png", (320, 240)))
    assert is_sealed(_stored(locked, from_locked).read_bytes())
    locked.settle()
    plain.settle()
    received = _stored(plain, from_locked).read_bytes()  # the server held the plaintext; this desk keeps it so
    assert not is_sealed(received) and hashlib.sha256(received).hexdigest() == from_locked


def test_a_revoked_encrypted_desk_is_refused_at_sign_in(make_desk, sync_server) -> None:
    """An encrypted desk's closed state is unreadable before its keys: it opens locked, and the sign-in that
    opens the keys refuses it with the revocation's reason, leaving the database locked again."""
    import uuid

    import pytest

    from desktop.server.store import ServerStore
    from desktop.sync.outcome import SyncError
    from desktop.sync.service import REVOKED_AR
    from desktop.workspace import WorkspaceError

    locked = _encrypted(make_desk, "revoked")
    locked.settle()
    store = ServerStore(sync_server.db_url)
    try:
        store.revoke_device(uuid.UUID(hex=str(locked.scalar("SELECT device_id FROM sync_state WHERE id = 1"))))
    finally:
        store.dispose()
    with pytest.raises(SyncError):
        locked.round()
    directory = locked.ws.data_dir
    locked.sync.close()
    locked.ws.close()
    again = Workspace.open(directory)
    try:
        assert again.is_locked
        with pytest.raises(WorkspaceError) as refused:
            again.sign_in_with_password("amal", PASSWORD)
        assert REVOKED_AR in refused.value.message_ar
        assert again.is_locked and again.signed_in is None
    finally:
        again.close()
    locked.ws = Workspace.open(directory)  # closed again by the fixture's teardown
