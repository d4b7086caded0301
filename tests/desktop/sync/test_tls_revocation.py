"""TLS on the desk (a pinned self-signed certificate, a different one refused in its own words, a plain-HTTP
warning), device tokens rotated through a real round, and a revoked desk closing its data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop.server.tls import make_self_signed
from desktop.sync.link import CERTIFICATE_AR, PINNED_MISMATCH_AR
from desktop.sync.outcome import SyncError
from desktop.sync.service import INSECURE_AR, REVOKED_AR, SyncService, load_token
from desktop.workspace import Workspace, WorkspaceError
from tests.desktop.sync.conftest import Desk
from tests.postgres import PostgresCluster, SyncServerProcess


@pytest.fixture
def tls_server(postgres_cluster: PostgresCluster, tmp_path: Path) -> Iterator[SyncServerProcess]:
    """The real server over HTTPS with a self-signed certificate made by `make-cert`'s function."""
    made = make_self_signed(tmp_path / "cert-a", ["127.0.0.1"])
    server = SyncServerProcess(postgres_cluster.create_database(),
                               extra_args=("--cert", str(made.cert), "--key", str(made.key))).start()
    server.fingerprint = made.fingerprint  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        server.stop()


def _tls_desk(make_desk: Callable[..., Desk], server: SyncServerProcess) -> tuple[Desk, SyncService, str]:
    """A desk (not enrolled) with a sync service speaking real TLS (no test transport), and a fresh code."""
    desk = make_desk("tls", enroll=False)
    profile = desk.ws.active_profile()
    assert profile is not None
    return desk, SyncService(desk.ws), server.enroll_code(profile.association.name)


@pytest.mark.slow
def test_pinned_certificate_enrolment_then_another_certificate_is_refused_in_its_own_words(
        make_desk: Callable[..., Desk], tls_server: SyncServerProcess, tmp_path: Path) -> None:
    desk, service, code = _tls_desk(make_desk, tls_server)
    with pytest.raises(SyncError) as untrusted:  # the system does not trust a self-signed certificate: named so
        service.enroll(tls_server.url, code)
    assert untrusted.value.kind == "certificate" and untrusted.value.message_ar == CERTIFICATE_AR
    shown = service.server_certificate(tls_server.url)
    assert shown.fingerprint == tls_server.fingerprint  # type: ignore[attr-defined]
    assert "\u202d" in shown.text_ar or "\u2068" in shown.text_ar  # the fingerprint is isolated in the Arabic line
    with pytest.raises(SyncError) as wrong:
        service.enroll(tls_server.url, code, pinned_fingerprint="00" * 32)
    assert wrong.value.kind == "certificate" and wrong.value.message_ar == PINNED_MISMATCH_AR
    result = service.enroll(tls_server.url, code, pinned_fingerprint=shown.fingerprint)
    assert result.warning_ar is None
    desk.new_case()
    assert service.run_round().acknowledged >= 1
    # the server now presents another certificate (an impostor, or a new one nobody compared): refused, nothing sent
    other = make_self_signed(tmp_path / "cert-b", ["127.0.0.1"])
    tls_server.extra_args = ("--cert", str(other.cert), "--key", str(other.key))
    service.close()
    tls_server.restart()
    desk.new_case()
    with pytest.raises(SyncError) as refused:
        service.run_round()
    assert refused.value.kind == "certificate" and refused.value.message_ar == PINNED_MISMATCH_AR
    assert "تعذر الوصول" not in refused.value.message_ar
    assert desk.pending() > 0
    service.close()


def test_plain_http_to_another_machine_is_warned_about(make_desk: Callable[..., Desk]) -> None:
    desk = make_desk("plain")
    assert desk.sync.status().security_warning_ar is None  # loopback: nothing crosses a network
    with desk.ws.db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE sync_state SET server_url = 'http://192.168.1.20:8765' WHERE id = 1")
    status = desk.sync.status()
    assert status.security_warning_ar == INSECURE_AR and "غير مشفّر" in status.label_ar


def test_tokens_rotate_through_real_rounds(make_desk: Callable[..., Desk], postgres_cluster: PostgresCluster) -> None:
    server = SyncServerProcess(postgres_cluster.create_database(), extra_args=("--token-rotate-minutes", "0")).start()
    try:
        desk = make_desk("rotating", enroll=False)
        profile = desk.ws.active_profile()
        assert profile is not None
        desk.sync.enroll(server.url, server.enroll_code(profile.association.name))
        first = load_token(desk.ws.data_dir)
        desk.new_case()
        desk.settle()
        second = load_token(desk.ws.data_dir)
        assert second != first
        desk.sync.close()
        reopened = SyncService(desk.ws, transport=desk.transport)  # the stored credential is the rotated one
        desk.new_case()
        assert reopened.run_round().acknowledged >= 1
        reopened.close()
    finally:
        server.stop()


def test_a_revoked_desk_closes_its_data_and_keeps_its_unsynced_changes(
        make_desk: Callable[..., Desk], sync_server: SyncServerProcess) -> None:
    from desktop.server.store import ServerStore

    desk = make_desk("revoked")
    desk.new_case()
    desk.settle()
    desk.new_case()  # never synced
    pending = desk.pending()
    assert pending > 0
    device_id = desk.scalar("SELECT device_id FROM sync_state WHERE id = 1")
    store = ServerStore(sync_server.db_url)
    try:
        import uuid

        store.revoke_device(uuid.UUID(hex=str(device_id)))
    finally:
        store.dispose()
    with pytest.raises(SyncError) as closed:
        desk.round()
    assert closed.value.kind == "closed" and closed.value.message_ar == REVOKED_AR
    assert load_token(desk.ws.data_dir) is None  # the revoked credential is gone: nothing pushes with it again
    assert desk.pending() == pending  # the changes it never synced stay, for an administrator to recover
    with pytest.raises(WorkspaceError) as refused:  # the next start of the desk (the data directory opened again)
        Workspace.open(desk.ws.data_dir)
    assert REVOKED_AR in refused.value.message_ar
