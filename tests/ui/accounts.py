"""Signing in on the window's gate, as a person does (the accounts themselves: `tests/accounts.py`)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from tests.accounts import (
    ADMIN_LOGIN,
    ADMIN_NAME,
    ADMIN_PIN,
    ALL_ROLES,
    PASSWORD,
    TEST_HASH,
    add_account,
    sign_in_desk,
)
from ui.main_window import MainWindow

__all__ = [
    "ADMIN_LOGIN", "ADMIN_NAME", "ADMIN_PIN", "ALL_ROLES", "PASSWORD", "TEST_HASH", "add_account",
    "create_first_administrator_at_gate", "sign_in_at_gate", "sign_in_desk", "tick_member_account",
]


def sign_in_at_gate(qtbot: Any, window: MainWindow, login: str = ADMIN_LOGIN, password: str = PASSWORD) -> None:
    """Type the login and password on the window's sign-in screen, press Enter, and wait for the desk."""
    gate = window.gate
    qtbot.waitUntil(gate.is_ready, timeout=20_000)
    gate.login_edit.setText(login)
    gate.password_edit.setText(password)
    qtbot.keyClick(gate.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_covered(), timeout=20_000)


def create_first_administrator_at_gate(qtbot: Any, window: MainWindow) -> None:
    """Fill the gate's first-administrator form (first run) and wait for the desk."""
    gate = window.gate
    qtbot.waitUntil(lambda: gate.is_ready() and gate.mode == "first_admin", timeout=20_000)
    gate.first_name_edit.setText(ADMIN_NAME)
    gate.first_login_edit.setText(ADMIN_LOGIN)
    gate.first_password_edit.setText(PASSWORD)
    gate.first_again_edit.setText(PASSWORD)
    gate.first_pin_edit.setText(ADMIN_PIN)
    qtbot.keyClick(gate.first_pin_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_covered(), timeout=20_000)


def tick_member_account(qtbot: Any, dialog: Any, name: str = ADMIN_NAME) -> None:
    """Tick the committee account `name` as present in a decision dialog, once its accounts are listed: on a
    desk with accounts the members are ticked from the committee's accounts, never typed (issue 13). The
    signed-in administrator of the tests holds every committee role, so by default it is the member present."""
    qtbot.waitUntil(lambda: any(box.text().startswith(name) for box in dialog.account_boxes.values()),
                    timeout=10_000)
    next(box for box in dialog.account_boxes.values() if box.text().startswith(name)).setChecked(True)
