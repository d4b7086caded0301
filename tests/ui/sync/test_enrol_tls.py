"""The enrolment dialog against a real HTTPS server with a self-signed certificate: the refusal names the
certificate, the fingerprint is shown to compare, and enrolling again pins it (the first sync then runs)."""

from __future__ import annotations

from typing import Any

from desktop.sync.link import CERTIFICATE_AR
from tests.desktop.sync.test_tls_revocation import tls_server  # noqa: F401 - the fixture
from tests.ui.sync.test_sync_desk import WAIT, shot
from ui.sync.enrol import EnrolDialog

__all__ = ["tls_server"]


def test_a_self_signed_server_is_enrolled_after_its_fingerprint_is_shown(
        qtbot: Any, tls_server: Any, sync_desk: Any) -> None:  # noqa: F811 - the fixture imported above
    desk = sync_desk("tls-window", enrolled=False)
    window = desk.window
    dialog = window.show_enrolment()
    assert isinstance(dialog, EnrolDialog)
    qtbot.waitExposed(dialog)
    profile = desk.ws.active_profile()
    assert profile is not None
    dialog.address_edit.setText(tls_server.url)
    dialog.code_edit.setText(tls_server.enroll_code(profile.association.name))
    dialog.name_edit.setText("استقبال الفرع الرئيسي")
    dialog.enrol_button.click()
    qtbot.waitUntil(lambda: dialog.fingerprint_label.isVisible(), timeout=WAIT)
    assert dialog.message.text() == CERTIFICATE_AR
    shown = "".join(ch for ch in dialog.fingerprint_label.text() if ch in "0123456789ABCDEF")
    assert tls_server.fingerprint.upper() in shown  # on two left-to-right lines of 16 pairs
    shot(dialog, "enrol_certificate")
    with qtbot.waitSignal(window.sync.sig_first_sync, timeout=WAIT):
        dialog.enrol_button.click()
    assert desk.scalar("SELECT server_cert_sha256 FROM sync_state WHERE id = 1") == tls_server.fingerprint
    assert desk.service.gui_thread_calls() == []
