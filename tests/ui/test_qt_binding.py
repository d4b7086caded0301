"""The Qt binding itself: a long session must not corrupt the interpreter (PySide6 6.12 on Python 3.11 did)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel


def test_qt_calls_keep_the_reference_count_of_none(qapp: QApplication) -> None:
    """Calls returning nothing must not lower None's reference count; 6.12 did, and aborted after hours."""
    label = QLabel()
    before = sys.getrefcount(None)
    for number in range(20_000):
        qapp.processEvents()
        label.setText(str(number))
    after = sys.getrefcount(None)
    assert after >= before - 100, f"None lost {before - after} references in 40,000 Qt calls"
