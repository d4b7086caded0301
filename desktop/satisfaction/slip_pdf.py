"""The printed survey slip (A5): the association, a QR code and the short code, the questions to answer on paper."""

from __future__ import annotations

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A5
from reportlab.pdfgen.canvas import Canvas

from desktop.arabic_text import display_digits
from desktop.documents.arabic_pdf import ACCENT, GRID, MUTED, ArabicDocument, ltr, mm, wrap
from desktop.hijri import format_dual, local_date
from desktop.policy import PolicyProfile
from desktop.satisfaction.views import SCALE5_CHOICES, Slip, SurveyDefinition

__all__ = ["render_slip"]

_BLACK = Color(0, 0, 0)


class _SlipDocument(ArabicDocument):
    """An A5 slip with boxes to tick for each scale question and lines for the free text."""

    pagesize = A5
    margin = 11 * mm

    def __init__(self, profile: PolicyProfile, survey: SurveyDefinition, slip: Slip) -> None:
        super().__init__(title="استبانة رضا المستفيد", author=profile.association.name)
        self.profile = profile
        self.survey = survey
        self.slip = slip

    def draw_content(self, canvas: Canvas, y: float) -> float:
        """Header with QR code, instructions, then the questions."""
        qr_size = 27 * mm
        widget = QrCodeWidget(self.slip.code, barLevel="M")
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(qr_size, qr_size, transform=[qr_size / (x1 - x0), 0, 0, qr_size / (y1 - y0), 0, 0])
        drawing.add(widget)
        renderPDF.draw(drawing, canvas, self.left, y - qr_size)
        canvas.setFont(self.bold_font, 11)
        canvas.drawCentredString(self.left + qr_size / 2, y - qr_size - 11, self.slip.display_code)
        text_width = self.width - qr_size - 5 * mm
        canvas.setFillColor(ACCENT)
        top = self.draw_paragraph(canvas, self.profile.association.name, self.right, y, text_width, self.bold_font, 13, 20)
        top = self.draw_paragraph(canvas, "استبانة رضا المستفيد", self.right, top, text_width, self.bold_font, 12, 20)
        canvas.setFillColor(_BLACK)
        issued = format_dual(local_date(self.slip.issued_at))
        top = self.draw_paragraph(canvas, f"رمز القسيمة: {ltr(self.slip.display_code)} — {issued}", self.right, top,
                                  text_width, self.font, 9, 15)
        canvas.setFillColor(MUTED)
        top = self.draw_paragraph(canvas, self.survey.mode.explanation_ar, self.right, top, text_width, self.font, 8.5, 13)
        top = self.draw_paragraph(
            canvas,
            "ضع علامة في المربع المناسب وسلّم القسيمة للموظف أو ضعها في صندوق المقترحات؛ يُدخلها الموظف برمزها مرة واحدة.",
            self.right, top, text_width, self.font, 8.5, 13,
        )
        canvas.setFillColor(_BLACK)
        y = min(top, y - qr_size - 16) - 3 * mm
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.8)
        canvas.line(self.left, y, self.right, y)
        y -= 3 * mm
        for number, q in enumerate(self.survey.questions, start=1):
            y = self.ensure_space(canvas, y, 40)
            mark = "" if q.required else " (اختياري)"
            y = self.draw_paragraph(canvas, display_digits(f"{number}. ") + q.text + mark, self.right, y,
                                    self.width, self.bold_font, 10, 16)
            if q.kind == "scale5":
                y = self._boxes(canvas, y, [(f"{c.label_ar}", display_digits(str(c.value))) for c in reversed(SCALE5_CHOICES)])
            elif q.kind == "recommend10":
                y = self._boxes(canvas, y, [("", display_digits(str(v))) for v in range(0, 11)], small=True)
                canvas.setFillColor(MUTED)
                self.draw_line(canvas, f"٠ = {q.min_label_ar}   —   ١٠ = {q.max_label_ar}", self.right, y - 8,
                               self.font, 8)
                canvas.setFillColor(_BLACK)
                y -= 14
            else:
                canvas.setStrokeColor(GRID)
                canvas.setLineWidth(0.5)
                for _ in range(3):
                    y -= 16
                    canvas.line(self.left, y, self.right, y)
                y -= 4
            y -= 2 * mm
        canvas.setFillColor(MUTED)
        for line in wrap("شكرًا لك؛ تقييمك حق لك وأداة لتحسين خدماتنا، لا لمحاسبة أحد.", self.font, 9, self.width):
            y = self.ensure_space(canvas, y, 14)
            self.draw_line(canvas, line, self.right - self.width / 2, y - 11, self.font, 9, align="center")
            y -= 14
        canvas.setFillColor(_BLACK)
        return y

    def _boxes(self, canvas: Canvas, y: float, items: list[tuple[str, str]], *, small: bool = False) -> float:
        """A row of tick boxes, the first item on the right."""
        count = len(items)
        cell = self.width / count
        box = 3.6 * mm
        canvas.setStrokeColor(_BLACK)
        canvas.setLineWidth(0.7)
        for index, (label, value) in enumerate(items):
            centre = self.right - cell * (index + 0.5)
            canvas.rect(centre - box / 2, y - box - 2, box, box, stroke=1, fill=0)
            caption = value if small or not label else f"{label} ({value})"
            self.draw_line(canvas, caption, centre, y - box - 12, self.font, 7.5 if not small else 8, align="center")
        return y - box - 16


def render_slip(profile: PolicyProfile, survey: SurveyDefinition, slip: Slip) -> bytes:
    """The slip PDF's bytes."""
    return _SlipDocument(profile, survey, slip).render()
