"""Printing the case's stored PDFs: page images for Qt's print preview, or the system's PDF viewer.

PySide6-Essentials has QtPrintSupport (QPrinter, QPrintPreviewDialog) but no PDF renderer: QtPdf is in
PySide6-Addons. The stored PDF's pages are turned into images by the first renderer found:

1. QtPdf (``PySide6.QtPdf.QPdfDocument``), when PySide6-Addons is installed;
2. pypdfium2 (PDFium), when installed;
3. the ``pdftoppm`` program (poppler), when on PATH (Linux; rare on Windows).

With none of them the preview cannot be drawn: the officer is told so in Arabic and offered "فتح الملف"
(the PDF in the system's viewer, which prints it). Printing never touches the case: the document is
already stored with its SHA-256 before anything is printed, so a failing or absent printer loses nothing.
"""

from __future__ import annotations

import importlib.util
import logging
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRectF, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.arabic_text import display_digits, ltr, to_latin_digits
from ui.ops import run_read

if TYPE_CHECKING:
    # QtPrintSupport (~15 ms to load) is loaded when something is printed, not with every page that can print.
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

__all__ = [
    "NO_RENDERER_MESSAGE",
    "PRINT_FAILED_MESSAGE",
    "PrintController",
    "open_in_viewer",
    "pdf_renderer_name",
    "render_pdf_pages",
]

#: Resolution of the page images: enough for a crisp A4 print, quick to render.
PRINT_DPI = 200

NO_RENDERER_MESSAGE = (
    "لا يمكن عرض معاينة الطباعة على هذا الجهاز: لا تتوفر فيه مكتبة لعرض ملفات PDF. "
    "افتح الملف في عارض PDF واطبعه منه. المستند محفوظ في ملف الحالة ولن يضيع."
)
PRINT_FAILED_MESSAGE = (
    "تعذّرت الطباعة: الطابعة غير متاحة أو رفضت المهمة. المستند محفوظ في ملف الحالة ولن يضيع؛ "
    "اطبعه لاحقًا أو افتح الملف."
)
RENDER_FAILED_MESSAGE = "تعذّر تجهيز صفحات المستند للطباعة. المستند محفوظ في ملف الحالة؛ افتح الملف واطبعه منه."
OPEN_FAILED_MESSAGE = "تعذّر فتح الملف في عارض PDF: لا يوجد برنامج لعرض ملفات PDF على هذا الجهاز."

_log = logging.getLogger("mustafid.printing")  # desktop.logbook's tree; page counts and outcomes only: a document's title names the case


def pdf_renderer_name() -> str | None:
    """The PDF page renderer this machine has: "qtpdf", "pypdfium2", "pdftoppm", or None."""
    if importlib.util.find_spec("PySide6.QtPdf") is not None:
        return "qtpdf"
    if importlib.util.find_spec("pypdfium2") is not None:
        return "pypdfium2"
    if shutil.which("pdftoppm") is not None:
        return "pdftoppm"
    return None


def render_pdf_pages(path: Path, dpi: int = PRINT_DPI, renderer: str | None = None) -> list[QImage]:
    """Every page of a PDF as an image (safe on a worker thread); RuntimeError when no renderer can do it."""
    chosen = renderer or pdf_renderer_name()
    if chosen == "qtpdf":
        return _render_qtpdf(path, dpi)
    if chosen == "pypdfium2":
        return _render_pdfium(path, dpi)
    if chosen == "pdftoppm":
        return _render_pdftoppm(path, dpi)
    raise RuntimeError("no PDF renderer")


def _render_qtpdf(path: Path, dpi: int) -> list[QImage]:
    """Pages through QtPdf (PySide6-Addons)."""
    from PySide6.QtPdf import QPdfDocument  # type: ignore[import-not-found,unused-ignore]

    document = QPdfDocument()
    document.load(str(path))
    images: list[QImage] = []
    for index in range(document.pageCount()):
        points = document.pagePointSize(index)
        size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
        images.append(document.render(index, size))
    document.close()
    if not images:
        raise RuntimeError(f"QtPdf could not read {path}")
    return images


def _render_pdfium(path: Path, dpi: int) -> list[QImage]:
    """Pages through pypdfium2: its pixels copied into a QImage as they are (no PNG made and read back)."""
    import pypdfium2  # type: ignore[import-not-found,unused-ignore]

    pdf = pypdfium2.PdfDocument(str(path))
    images: list[QImage] = []
    try:
        for index in range(len(pdf)):
            picture = pdf[index].render(scale=dpi / 72).to_pil()
            if picture.mode != "RGB":
                picture = picture.convert("RGB")
            pixels = picture.tobytes()
            # QImage only borrows the bytes: copy() gives the page its own.
            images.append(QImage(pixels, picture.width, picture.height, picture.width * 3,
                                 QImage.Format.Format_RGB888).copy())
    finally:
        pdf.close()
    return images


def _render_pdftoppm(path: Path, dpi: int) -> list[QImage]:
    """Pages through poppler's pdftoppm."""
    with tempfile.TemporaryDirectory(prefix="mustafid-print-") as folder:
        prefix = Path(folder) / "page"
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-png", str(path), str(prefix)],
            check=True, capture_output=True, timeout=60,
        )
        pages = sorted(Path(folder).glob("page*.png"), key=lambda p: (len(p.name), p.name))
        images = [QImage(str(page)) for page in pages]
    if not images or any(image.isNull() for image in images):
        raise RuntimeError(f"pdftoppm could not render {path}")
    return images


def paint_pages(printer: QPrinter, images: list[QImage]) -> bool:
    """Draw page images onto a printer, one per sheet, scaled to fit; False when the printer refused."""
    painter = QPainter()
    if not painter.begin(printer):
        return False
    try:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        for number, image in enumerate(images):
            if number and not printer.newPage():
                return False
            area = QRectF(painter.viewport())
            scale = min(area.width() / image.width(), area.height() / image.height())
            width, height = image.width() * scale, image.height() * scale
            target = QRectF(area.left() + (area.width() - width) / 2, area.top() + (area.height() - height) / 2,
                            width, height)
            painter.drawImage(target, image)
    finally:
        painter.end()
    return True


def page_counter_in_desk_digits(dialog: QPrintPreviewDialog) -> None:
    """The shown preview's page counter («١ / ٢») in the desk's digit style, as its zoom already is (Qt writes the
    page number and the count in Latin digits, and reads back only Latin digits): rewritten each time the preview
    changes page, and a page number typed in either style is taken. Call it once the dialog is shown."""
    from PySide6.QtGui import QIntValidator
    from PySide6.QtPrintSupport import QPrintPreviewWidget
    from PySide6.QtWidgets import QLabel, QLineEdit
    from shiboken6 import isValid

    preview = dialog.findChild(QPrintPreviewWidget)
    number = next((edit for edit in dialog.findChildren(QLineEdit) if isinstance(edit.validator(), QIntValidator)),
                  None)
    count = next((label for label in dialog.findChildren(QLabel) if label.text().startswith("/")), None)  # «/ 2»
    if preview is None or number is None or count is None:
        return  # another Qt's toolbar: left as Qt draws it

    def shown(*, typing_done: bool = False) -> None:
        if not (isValid(number) and isValid(count) and isValid(preview)):
            return  # the dialog is being taken apart
        wanted = display_digits(str(preview.currentPage()))
        if number.text() != wanted and (typing_done or not number.isModified()):  # never under the officer's typing
            number.setText(wanted)
        total = display_digits(f"/ {preview.pageCount()}")
        if count.text() != total:
            count.setText(total)

    def typed() -> None:
        text = to_latin_digits(number.text()).strip()
        if text.isdigit():
            preview.setCurrentPage(int(text))
        shown(typing_done=True)

    # Qt sets the number after a page change (the buttons), the count when the preview changes: both rewritten.
    number.textChanged.connect(lambda _text: shown())
    preview.previewChanged.connect(lambda: shown())
    number.editingFinished.connect(typed)
    shown()


def open_in_viewer(path: Path) -> bool:
    """Open a stored PDF in the system's viewer (which can print it); False when nothing opened it."""
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))


def _a4_printer() -> QPrinter:
    """A printer set up for the association's A4 documents, drawn edge to edge (the PDF has its margins)."""
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)
    return printer


class PrintController(QObject):
    """Prints stored PDFs from a widget: pages rendered in the background, then Qt's print preview.

    Signals: sig_preview_opened(dialog) once the preview is up; sig_message(text) for what the officer is
    told instead (no renderer, render failure, printer failure, viewer failure).
    """

    sig_preview_opened = Signal(object)
    sig_message = Signal(str)

    def __init__(self, parent: QWidget, runner: object | None = None) -> None:
        """A controller printing on behalf of `parent`; `runner` is ignored (kept for callers not yet on ui.ops)."""
        super().__init__(parent)
        self._parent = parent
        self.renderer = pdf_renderer_name()
        self.preview: QPrintPreviewDialog | None = None
        # A preview dialog does not own its printer: each printer lives as long as its dialog does.
        self._printers: dict[int, QPrinter] = {}
        self.pages: list[QImage] = []
        self.show_boxes = True

    def print_pdf(self, path: Path, title: str) -> None:
        """Preview and print the PDF at `path`; without a renderer, offer to open it instead."""
        if self.renderer is None:
            self._offer_viewer(path, NO_RENDERER_MESSAGE)
            return
        renderer = self.renderer
        run_read(
            self,
            lambda: render_pdf_pages(path, PRINT_DPI, renderer),
            lambda images: self._show_preview(path, title, images),
            lambda _message, _error: self._offer_viewer(path, RENDER_FAILED_MESSAGE),
            where="printing.preview",
        )

    def open_pdf(self, path: Path) -> bool:
        """Open the PDF in the system's viewer; tell the officer when that is not possible."""
        if open_in_viewer(path):
            return True
        self._tell(OPEN_FAILED_MESSAGE + f"\n{ltr(str(path))}")
        return False

    def _show_preview(self, path: Path, title: str, images: list[QImage]) -> None:
        """The page images are ready: open Qt's print preview (not blocking the desk)."""
        from PySide6.QtPrintSupport import QPrintPreviewDialog

        self.pages = images
        printer = _a4_printer()

        printer.setDocName(title)
        dialog = QPrintPreviewDialog(printer, self._parent)
        dialog.setObjectName("print_preview")
        dialog.setWindowTitle(f"معاينة الطباعة — {title}")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        def paint(target: QPrinter) -> None:
            if not paint_pages(target, images):
                _log.warning("printing refused by the printer (%d pages)", len(images))
                self._tell(PRINT_FAILED_MESSAGE, path)

        dialog.paintRequested.connect(paint)
        key = id(dialog)
        self._printers[key] = printer
        dialog.destroyed.connect(lambda *_: self._forget_preview(key))
        self.preview = dialog
        _log.info("print preview opened: %d pages (%s)", len(images), self.renderer)
        dialog.open()
        page_counter_in_desk_digits(dialog)  # once shown: Qt finishes its page counter's widgets as it shows them
        self.sig_preview_opened.emit(dialog)

    def _forget_preview(self, key: int) -> None:
        self._printers.pop(key, None)
        if self.preview is not None and id(self.preview) == key:
            self.preview = None

    def _offer_viewer(self, path: Path, message: str) -> None:
        """Say why printing from here is not possible and offer to open the file."""
        self._tell(message, path)

    def _tell(self, message: str, path: Path | None = None) -> None:
        """Tell the officer (a window-modal box that does not block the event loop) and emit sig_message."""
        self.sig_message.emit(message)
        if not self.show_boxes:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "الطباعة", message, QMessageBox.StandardButton.Close, self._parent)
        box.setObjectName("print_message")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        if path is not None:
            open_button = box.addButton("فتح الملف", QMessageBox.ButtonRole.ActionRole)
            open_callback: Callable[[], object] = lambda: open_in_viewer(path)
            open_button.clicked.connect(open_callback)
        box.open()
