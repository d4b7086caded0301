"""The recovery key's sheet (issue 14): one A4 page, printed once when a desk is encrypted, kept sealed.

The key is drawn in a monospace Latin face (Courier, its eight groups of five as typed back), the rest in Amiri.
The sheet is rendered to memory; the screen that prints it keeps it in an owner-only temporary file only while
its print preview is open.
"""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas

from desktop.arabic_text import display_digits
from desktop.documents.arabic_pdf import ACCENT, MUTED, ArabicDocument, ltr, mm
from desktop.hijri import format_dual, format_time, local_date

__all__ = ["RECOVERY_SHEET_TITLE", "render_recovery_sheet"]

RECOVERY_SHEET_TITLE = "مفتاح استعادة بيانات مكتب المستفيد"

_BLACK = Color(0, 0, 0)
_KEY_FONT = "Courier-Bold"

_INSTRUCTIONS = (
    "بهذا المفتاح وحده تُفتح قاعدة البيانات والمرفقات المشفّرة على هذا الجهاز إذا ضاعت كلمات مرور جميع الموظفين؛ "
    "ومن يحمله يقرأ بيانات المستفيدين كلها.",
    "ضع هذه الورقة في ظرف مختوم واحفظه في خزانة الجمعية أو عند رئيسها، بعيدًا عن الجهاز.",
    "لا تصوّرها ولا ترسلها ولا تحفظ المفتاح في ملف على الجهاز نفسه.",
    "عند الحاجة: يكتب مسؤول النظام الأمر mustafid-admin recover ثم المفتاح كما هو مطبوع هنا، "
    "فيعيّن كلمة مرور جديدة لمسؤول النظام.",
)


class _RecoverySheet(ArabicDocument):
    """The association, when and for whom the desk was encrypted, the key in large monospace, what to do."""

    def __init__(self, recovery_key: str, association: str, login: str, at: datetime) -> None:
        super().__init__(title=RECOVERY_SHEET_TITLE, author=association)
        self.recovery_key = recovery_key
        self.association = association
        self.login = login
        self.at = at

    def draw_content(self, canvas: Canvas, y: float) -> float:
        """The whole sheet, on one page."""
        canvas.setFillColor(ACCENT)
        y = self.draw_paragraph(canvas, self.association, self.right, y, self.width, self.bold_font, 15, 24)
        y = self.draw_paragraph(canvas, RECOVERY_SHEET_TITLE, self.right, y, self.width, self.bold_font, 14, 24)
        canvas.setFillColor(_BLACK)
        when = f"{format_dual(local_date(self.at))} {format_time(self.at)}"
        y = self.draw_paragraph(canvas, f"شُفّرت بيانات هذا الجهاز في {when}، بحساب مسؤول النظام {ltr(self.login)}.",
                                self.right, y, self.width, self.font, 11, 18)
        y -= 10 * mm
        groups = self.recovery_key.split("-")
        lines = ["-".join(groups[:4]), "-".join(groups[4:])] if len(groups) > 4 else [self.recovery_key]
        box_height = 14 * mm * len(lines) + 8 * mm
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(1.2)
        canvas.rect(self.left, y - box_height, self.width, box_height)
        canvas.setFont(_KEY_FONT, 22)
        line_y = y - 14 * mm
        for line in lines:
            canvas.drawCentredString(self.left + self.width / 2, line_y, line)
            line_y -= 14 * mm
        y -= box_height + 10 * mm
        for number, text in enumerate(_INSTRUCTIONS, start=1):
            y = self.draw_paragraph(canvas, f"{display_digits(str(number))}. {text}", self.right, y, self.width, self.font, 11,
                                    19) - 2 * mm
        y -= 14 * mm
        canvas.setFillColor(MUTED)
        for caption in ("خُتم الظرف بيد: ............................................",
                        "التاريخ: ..........................   التوقيع: ..........................."):
            self.draw_line(canvas, caption, self.right, y, self.font, 11)
            y -= 12 * mm
        canvas.setFillColor(_BLACK)
        return y


def render_recovery_sheet(recovery_key: str, association: str, login: str, at: datetime) -> bytes:
    """The one-page PDF of the recovery key (Arabic, RTL, the key in monospace Latin groups)."""
    return _RecoverySheet(recovery_key, association, login, at).render()
