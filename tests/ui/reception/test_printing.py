"""Printing the stored PDFs: Qt's print preview of the rendered pages, the fallback without a renderer, a failing printer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QImage, QIntValidator
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox

from desktop.arabic_text import display_digits
from desktop.identity import make_saudi_id
from tests.ui.reception.driver import Officer, draw_signature, future_hijri
from ui.printing import (
    NO_RENDERER_MESSAGE,
    PRINT_FAILED_MESSAGE,
    page_counter_in_desk_digits,
    paint_pages,
    pdf_renderer_name,
    render_pdf_pages,
)
from ui.reception.page import ReceptionPage

needs_renderer = pytest.mark.skipif(pdf_renderer_name() is None, reason="no PDF page renderer on this machine")


def _to_receipt(open_reception) -> tuple[ReceptionPage, Officer]:
    """A case taken to the committee notice (the receipt exists)."""
    page, officer = open_reception("qader-tabuk")
    officer.start_contact("interview", None, make_saudi_id("101234567"))
    officer.greet()
    officer.on("verification")
    officer.fill_particulars(full_name="محمد عبدالله أحمد الزهراني", id_expiry=future_hijri(), mobile="0551234567")
    officer.mark_documents()
    officer.page.full_name.setFocus()
    officer.enter()
    draw_signature(officer.on("declaration").pad)
    officer.alt_n()
    officer.alt_n()
    officer.on("committee_notice")
    return page, officer


@needs_renderer
def test_ctrl_p_previews_the_receipt(qtbot, open_reception, tmp_path: Path) -> None:
    """Ctrl+P on the committee page renders the stored receipt in the background and opens Qt's print preview."""
    page, officer = _to_receipt(open_reception)
    printer = page.wizard.printer
    with qtbot.waitSignal(printer.sig_preview_opened, timeout=20000) as opened:
        QTest.keyClick(officer.page.print_receipt, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = opened.args[0]
    assert isinstance(dialog, QPrintPreviewDialog) and dialog.isVisible()
    stored = page.wizard.context.documents_made[-1]
    assert stored.kind == "receipt" and stored.path.is_file()
    assert len(printer.pages) == 1
    width, height = printer.pages[0].width(), printer.pages[0].height()
    assert abs(height / width - 297 / 210) < 0.01  # an A4 page

    target = QPrinter(QPrinter.PrinterMode.HighResolution)
    target.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    target.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert paint_pages(target, printer.pages)
    assert (tmp_path / "printed.pdf").stat().st_size > 10_000
    dialog.close()


@needs_renderer
def test_pages_of_a_stored_pdf(open_reception) -> None:
    """The stored declaration renders to one image per page."""
    page, officer = _to_receipt(open_reception)
    stored = page.service.document_pdf(page.wizard.case.case_id, "declaration")
    images = render_pdf_pages(stored.path, 72)
    assert len(images) >= 1 and not images[0].isNull()
    assert images[0].width() == pytest.approx(595, abs=2)


def test_without_a_renderer_the_officer_is_offered_to_open_the_file(qtbot, open_reception) -> None:
    """No QtPdf, pypdfium2 or pdftoppm: an Arabic message with «فتح الملف», never a lost case."""
    page, officer = _to_receipt(open_reception)
    printer = page.wizard.printer
    printer.renderer = None
    printer.show_boxes = True
    with qtbot.waitSignal(printer.sig_message, timeout=20000) as told:
        officer.page.print_receipt.click()
    assert told.args == [NO_RENDERER_MESSAGE]
    qtbot.waitUntil(lambda: page.findChild(QMessageBox, "print_message") is not None)
    box = page.findChild(QMessageBox, "print_message")
    assert "فتح الملف" in [button.text() for button in box.buttons()]
    box.close()
    assert page.service.case(page.wizard.case.case_id).status == "awaiting_committee"


# The printer here is broken on purpose: Qt's own warning that QPainter.begin failed is the expected outcome.
@pytest.mark.qt_log_ignore(r"^QPainter::begin\(\): Returned false$")
def test_a_failing_printer_is_reported_and_loses_nothing(qtbot, open_reception, tmp_path: Path) -> None:
    """A printer that cannot start the job: painting reports it, the case and its receipt stay stored."""
    page, officer = _to_receipt(open_reception)
    broken = QPrinter(QPrinter.PrinterMode.HighResolution)
    broken.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    broken.setOutputFileName(str(tmp_path / "no-such-folder" / "x.pdf"))
    from PySide6.QtGui import QImage

    page_image = QImage(200, 283, QImage.Format.Format_RGB32)
    assert not paint_pages(broken, [page_image])
    assert "المستند محفوظ" in PRINT_FAILED_MESSAGE
    view = page.service.case(page.wizard.case.case_id)
    assert view.status == "awaiting_committee"
    assert page.service.document_pdf(view.case_id, "receipt").path.is_file()


def test_renderer_choice_follows_what_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """QtPdf first, then pypdfium2, then pdftoppm, else none (the preview is then not offered)."""
    import importlib.util

    import ui.printing as printing

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert printing.pdf_renderer_name() is None
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/pdftoppm" if name == "pdftoppm" else None)
    assert printing.pdf_renderer_name() == "pdftoppm"


def test_pypdfium2_pages_keep_their_size_and_colours(tmp_path: Path) -> None:
    """pypdfium2's page pixels reach the QImage as rendered: the size at the DPI asked, red as red (the channels in
    their order), white as white."""
    pytest.importorskip("pypdfium2")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "colours.pdf"
    sheet = canvas.Canvas(str(pdf), pagesize=A4)
    sheet.setFillColorRGB(1, 0, 0)
    sheet.rect(0, A4[1] - 100, 100, 100, stroke=0, fill=1)  # the top left corner red, the rest white
    sheet.showPage()
    sheet.save()
    [image] = render_pdf_pages(pdf, 144, "pypdfium2")
    assert (image.width(), image.height()) == (round(A4[0] * 2), round(A4[1] * 2))
    assert image.pixelColor(20, 20).getRgb()[:3] == (255, 0, 0)
    assert image.pixelColor(image.width() - 20, image.height() - 20).getRgb()[:3] == (255, 255, 255)


#: The previews' printers, alive as long as the test run (a preview dialog does not own its printer).
_PRINTERS: list[QPrinter] = []


def _two_page_preview(qtbot) -> tuple[QPrintPreviewDialog, QPrintPreviewWidget, QLineEdit, QLabel]:
    """Qt's preview of two blank A4 pages with the desk's page counter, shown; its widget, number and count."""
    page = QImage(420, 594, QImage.Format.Format_RGB32)
    page.fill(Qt.GlobalColor.white)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    _PRINTERS.append(printer)
    dialog = QPrintPreviewDialog(printer)
    qtbot.addWidget(dialog)
    dialog.paintRequested.connect(lambda target: paint_pages(target, [page, page]))
    dialog.show()
    page_counter_in_desk_digits(dialog)
    preview = dialog.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: preview.pageCount() == 2)
    number = next(edit for edit in dialog.findChildren(QLineEdit) if isinstance(edit.validator(), QIntValidator))
    count = next(label for label in dialog.findChildren(QLabel) if label.text().startswith("/"))
    return dialog, preview, number, count


def test_the_preview_counts_its_pages_in_the_desks_digits(qtbot) -> None:
    """Qt writes «1 / 2» in Latin digits beside a zoom in Arabic-Indic ones: the counter follows the desk's style,
    after Qt's own next-page button too, and a page number typed in either style is taken."""
    dialog, preview, number, count = _two_page_preview(qtbot)
    assert (number.text(), count.text()) == ("١", "/ ٢")
    following = next(action for action in dialog.findChildren(QAction) if action.text() == "الصّفحة التّالية")
    following.trigger()
    assert preview.currentPage() == 2 and number.text() == "٢"
    for typed, page in (("١", 1), ("2", 2)):
        number.setFocus()
        number.selectAll()
        for key in typed:  # typed by the officer (modified): left as typed until Enter
            QTest.sendKeyEvent(QTest.KeyAction.Click, number, Qt.Key.Key_unknown, key, Qt.KeyboardModifier.NoModifier)
        assert number.text() == typed
        QTest.keyClick(number, Qt.Key.Key_Return)
        assert preview.currentPage() == page and number.text() == display_digits(str(page))


def test_the_preview_counter_in_latin_digits_when_the_desk_uses_them(qtbot, latin_digits: None) -> None:
    """With the desk set to Latin digits the counter stays Latin."""
    _dialog, _preview, number, count = _two_page_preview(qtbot)
    assert (number.text(), count.text()) == ("1", "/ 2")
