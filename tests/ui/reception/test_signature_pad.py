"""The signature pad: drawn with the mouse, undo and clear, PNG out; empty and one-dot signatures refused."""

from __future__ import annotations

import threading
from io import BytesIO

from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.reception.driver import draw_signature
from ui.widgets.signature_pad import EMPTY_SIGNATURE, TOO_SMALL_SIGNATURE, SignaturePad


def _pad(qtbot) -> SignaturePad:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(560, 190)
    pad.show()
    qtbot.waitExposed(pad)
    return pad


def test_empty_and_one_dot_are_refused(qtbot) -> None:
    """Nothing drawn, a click, or a tiny tick: refused with an Arabic reason."""
    pad = _pad(qtbot)
    assert pad.is_empty() and pad.refusal() == EMPTY_SIGNATURE
    QTest.mouseClick(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(200, 100))
    assert not pad.is_empty() and pad.refusal() == TOO_SMALL_SIGNATURE
    pad.clear()
    draw_signature(pad, [(0.5, 0.5), (0.51, 0.51), (0.52, 0.5)])
    assert pad.refusal() == TOO_SMALL_SIGNATURE


def test_a_real_signature_is_accepted_and_exported_as_png(qtbot) -> None:
    """A signature drawn with mouse events is accepted; the PNG has dark ink on transparent background."""
    pad = _pad(qtbot)
    with qtbot.waitSignal(pad.sig_changed):
        draw_signature(pad)
    assert pad.refusal() is None
    png = pad.to_png()
    image = Image.open(BytesIO(png)).convert("RGBA")
    assert image.getpixel((0, 0))[3] == 0
    pixels = image.load()
    inked = sum(
        1 for x in range(image.width) for y in range(image.height)
        if pixels[x, y][3] > 40 and sum(pixels[x, y][:3]) < 300
    )
    assert inked > 200


def test_the_png_is_drawn_later_on_a_worker_thread_from_the_strokes_of_the_moment(qtbot) -> None:
    """`png_maker()` copies the strokes when asked: drawn later on another thread (an operation's worker), the PNG
    is the pad's `to_png()` of that moment, whatever the pad is drawn or cleared meanwhile."""
    pad = _pad(qtbot)
    draw_signature(pad)
    expected = pad.to_png()
    maker = pad.png_maker()
    pad.clear()
    made: list[bytes] = []
    worker = threading.Thread(target=lambda: made.append(maker()))
    worker.start()
    worker.join()
    assert made == [expected]


def test_undo_and_clear(qtbot) -> None:
    """Undo removes the last stroke; clear removes all."""
    pad = _pad(qtbot)
    draw_signature(pad)
    draw_signature(pad, [(0.2, 0.8), (0.6, 0.8), (0.8, 0.7)])
    assert len(pad.strokes()) == 2
    pad.undo()
    assert len(pad.strokes()) == 1
    pad.clear()
    assert pad.is_empty()
    pad.undo()
    assert pad.is_empty()


def test_strokes_round_trip_for_drafts(qtbot) -> None:
    """The strokes are plain numbers (JSON) and come back the same, whatever the pad's size."""
    pad = _pad(qtbot)
    draw_signature(pad)
    saved = pad.strokes()
    other = _pad(qtbot)
    other.resize(700, 240)
    other.set_strokes(saved)
    assert other.strokes() == saved
    assert other.refusal() is None


def test_pen_tablet_events_draw_with_pressure(qtbot) -> None:
    """A pen on a tablet draws a stroke (press, moves, release) without doubling it through mouse events."""
    pad = _pad(qtbot)
    device = QPointingDevice.primaryPointingDevice()

    def send(kind: QTabletEvent.Type, x: float, y: float, pressure: float) -> None:
        local = QPointF(x * pad.width(), y * pad.height())
        event = QTabletEvent(kind, device, local, pad.mapToGlobal(local), pressure, 0.0, 0.0, 0.0, 0.0, 0.0,
                             Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton)
        QApplication.sendEvent(pad, event)

    send(QTabletEvent.Type.TabletPress, 0.1, 0.5, 0.4)
    for i in range(1, 12):
        send(QTabletEvent.Type.TabletMove, 0.1 + 0.06 * i, 0.5 + (0.2 if i % 2 else -0.2), 0.8)
    send(QTabletEvent.Type.TabletRelease, 0.8, 0.5, 0.0)
    strokes = pad.strokes()
    assert len(strokes) == 1 and len(strokes[0]) >= 10
    assert {round(p[2], 1) for p in strokes[0][1:-1]} == {0.8}
    assert pad.refusal() is None


def test_the_wizard_refuses_an_empty_or_one_dot_signature(open_reception) -> None:
    """On the declare page, Alt+N with no signature or a dot stays on the page; nothing is recorded."""
    from desktop.identity import make_saudi_id
    from tests.ui.reception.driver import future_hijri

    page, officer = open_reception("qader-tabuk")
    officer.start_contact("interview", None, make_saudi_id("101234567"))
    officer.greet()
    officer.on("verification")
    officer.fill_particulars(full_name="محمد عبدالله أحمد الزهراني", id_expiry=future_hijri(), mobile="0551234567")
    officer.page.full_name.setFocus()
    officer.enter()
    declare = officer.on("declaration")
    assert not declare.mode_later.isVisible()  # in person: the signature cannot wait
    officer.alt_n()
    officer.on("declaration")
    assert declare.pad_error.isVisible() and declare.pad_error.text() == EMPTY_SIGNATURE
    draw_signature(declare.pad, [(0.4, 0.5)])
    officer.alt_n()
    officer.on("declaration")
    assert declare.pad_error.text() == TOO_SMALL_SIGNATURE
    view = page.service.case(page.wizard.case.case_id)
    assert next(s for s in view.steps if s.step_id == "declaration").status == "current"
    QTest.keyClick(declare.clear_button, Qt.Key.Key_Space)
    assert declare.pad.is_empty()
    draw_signature(declare.pad)
    officer.alt_n()
    officer.on("committee_notice")
