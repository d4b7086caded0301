"""The PDF engine's page breaks: no paragraph and no table leaves a single line or row alone on a page."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from desktop.arabic_text import to_latin_digits
from desktop.documents.arabic_pdf import FONT_REGULAR, ArabicDocument, mm


class _Probe(ArabicDocument):
    """A page whose content starts `drop` points down, then one paragraph or one table of numbered pieces."""

    def __init__(self, drop: float, *, lines: int = 0, rows: int = 0) -> None:
        super().__init__(title="اختبار")
        self.drop, self.lines, self.rows = drop, lines, rows

    def draw_content(self, canvas: Canvas, y: float) -> float:
        """The spacer, then the paragraph (one numbered word a line, forced by newlines) or the table."""
        y -= self.drop
        if self.lines:
            text = "\n".join(f"السطر {500 + i}" for i in range(self.lines))
            return self.draw_paragraph(canvas, text, self.right, y, self.width, FONT_REGULAR, 12, 20)
        rows = [[f"الصف {500 + i}", "قيمة"] for i in range(self.rows)]
        return self.draw_table(canvas, rows, [self.width - 40 * mm, 40 * mm], self.right, y, header=["البند", "القيمة"])


def _numbers_per_page(pdf: bytes, tmp_path: Path) -> list[list[int]]:
    """The numbered pieces (500…) found on each page, read back with pdftotext page by page."""
    target = tmp_path / "probe.pdf"
    target.write_bytes(pdf)
    pages: list[list[int]] = []
    page = 1
    while True:
        run = subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(target), "-"],
                             capture_output=True)
        if run.returncode != 0:
            return pages
        text = to_latin_digits(unicodedata.normalize("NFKC", run.stdout.decode("utf-8")))
        pages.append([int(n) for n in re.findall(r"\b5\d\d\b", text)])
        page += 1


def test_a_paragraph_never_leaves_one_line_alone(tmp_path: Path) -> None:
    """Wherever a six-line paragraph starts, each page holding part of it holds at least two of its lines."""
    broke = 0
    for step in range(0, 30):
        pages = _numbers_per_page(_Probe(560 + step * 5, lines=6).render(), tmp_path)
        parts = [len(numbers) for numbers in pages if numbers]
        assert sum(parts) == 6, (step, pages)
        assert 1 not in parts, (step, pages)
        broke += len(parts) > 1
    assert broke > 0


def test_a_table_never_leaves_one_row_alone(tmp_path: Path) -> None:
    """Wherever a five-row table starts, each page holding part of it holds at least two of its rows."""
    broke = 0
    for step in range(0, 30):
        pages = _numbers_per_page(_Probe(560 + step * 5, rows=5).render(), tmp_path)
        parts = [len(numbers) for numbers in pages if numbers]
        assert sum(parts) == 5, (step, pages)
        assert 1 not in parts, (step, pages)
        broke += len(parts) > 1
    assert broke > 0
