"""The period report and the evidence pack as Arabic PDFs on the association's letterhead, with charts.

Charts are reportlab.graphics drawings built for right-to-left reading: category labels on the right,
bars growing leftwards, the months of the trend line from right (first) to left (last).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas

from desktop.arabic_text import isolate, display_digits
from desktop.counting import ANSWERS, COMPLAINTS, REPORTS, count_phrase, part_of
from desktop.documents.arabic_pdf import ACCENT, FONT_BOLD, FONT_REGULAR, GRID, MUTED, SHADE, mm, shape_line, wrap
from desktop.documents.forms import Letterhead, _LetterheadDocument
from desktop.hijri import format_dual, format_gregorian, format_hijri, local_date
from desktop.reports import formatting as fmt
from desktop.reports import terms
from desktop.reports.views import (
    MIN_OFFICER_RESPONSES,
    CorrectiveAction,
    DashboardFigures,
    FileCompleteness,
    PolicyApproval,
    ReportFigures,
)

__all__ = ["ComplaintLine", "EvidencePackDocument", "PeriodReportDocument", "bar_chart", "report_key_figures",
           "trend_chart"]

_BLACK = Color(0, 0, 0)
_BAR = Color(0.11, 0.36, 0.35)
_BAR_LIGHT = Color(0.45, 0.66, 0.64)
_CHART_FONT = 9.0
_CAPTION_LEADING = 17.0
#: Room kept under a section heading: a table's header and its first two rows (10 pt rows).
_SECTION_KEEP_WITH = 76.0

EMPTY_PERIOD_NOTE = (
    "لا توجد بيانات في هذه الفترة: لم يُستقبل أي طلب أو بلاغ، ولم يُسجَّل قرار للجنة ولا تقييم ولا اقتراح أو شكوى. "
    "الأرقام أدناه أصفار، والنسب والمتوسطات «لا توجد بيانات» وليست صفرًا."
)
#: The same for a policy of reports (no committee in it).
EMPTY_REPORTS_NOTE = (
    "لا توجد بيانات في هذه الفترة: لم يُستلم أي بلاغ، ولم يُسجَّل تقييم ولا اقتراح أو شكوى. "
    "الأرقام أدناه أصفار، والنسب والمتوسطات «لا توجد بيانات» وليست صفرًا."
)


def _with_figure(label: str, figure: str) -> str:
    """A label and its figure joined by no-break spaces: a line never ends between them."""
    return f"{label} {figure}".replace(" ", "\u00a0")


def _label(x: float, y: float, text: str, *, anchor: str = "end", size: float = _CHART_FONT,
           bold: bool = False, color: Color = _BLACK) -> String:
    return String(x, y, shape_line(text), fontName=FONT_BOLD if bold else FONT_REGULAR, fontSize=size,
                  textAnchor=anchor, fillColor=color)


def bar_chart(rows: Sequence[tuple[str, int]], width: float, *, label_width: float = 55 * mm) -> Drawing:
    """Horizontal bars for right-to-left reading: label on the right, bar growing leftwards, value at its end."""
    row_height = 15.0
    height = row_height * max(1, len(rows)) + 6
    drawing = Drawing(width, height)
    top = max((value for _, value in rows), default=0)
    bar_right = width - label_width - 4
    bar_space = bar_right - 40
    for index, (label, value) in enumerate(rows):
        y = height - (index + 1) * row_height
        drawing.add(_label(width, y + 4, label))
        length = bar_space * value / top if top else 0.0
        drawing.add(Rect(bar_right - length, y + 2, length, row_height - 5, fillColor=_BAR if index % 2 == 0 else _BAR_LIGHT,
                         strokeColor=None))
        drawing.add(_label(bar_right - length - 3, y + 4, fmt.count(value), anchor="end"))
    drawing.add(Line(bar_right, 0, bar_right, height, strokeColor=GRID, strokeWidth=0.6))
    return drawing


def trend_chart(points: Sequence[tuple[str, float | None]], width: float, height: float = 62 * mm) -> Drawing:
    """Satisfaction (0–100 %) per month as a line; first month on the right; months without answers left open."""
    drawing = Drawing(width, height)
    axis_width = 30.0
    bottom = 34.0
    top = height - 8
    plot_left, plot_right = 6.0, width - axis_width
    for level in (0, 25, 50, 75, 100):
        y = bottom + (top - bottom) * level / 100
        drawing.add(Line(plot_left, y, plot_right, y, strokeColor=GRID if level else MUTED, strokeWidth=0.4))
        drawing.add(_label(width - 2, y - 3, fmt.percent(level, 0), anchor="end", size=8, color=MUTED))
    n = len(points)
    if n == 0:
        return drawing
    step = (plot_right - plot_left) / n
    label_every = max(1, -(-n // 13))
    segment: list[float] = []
    for index, (label, value) in enumerate(points):
        x = plot_right - step * (index + 0.5)
        if index % label_every == 0:
            drop = 12 if (index // label_every) % 2 == 0 else 22
            drawing.add(_label(x, bottom - drop, label, anchor="middle", size=7.5))
        if value is None:
            if len(segment) >= 4:
                drawing.add(PolyLine(segment, strokeColor=_BAR, strokeWidth=1.6))
            segment = []
            continue
        y = bottom + (top - bottom) * max(0.0, min(100.0, value)) / 100
        segment += [x, y]
        drawing.add(Circle(x, y, 2.4, fillColor=_BAR, strokeColor=None))
        drawing.add(_label(x, y + 5, fmt.percent(value, 0), anchor="middle", size=7))
    if len(segment) >= 4:
        drawing.add(PolyLine(segment, strokeColor=_BAR, strokeWidth=1.6))
    return drawing


@dataclass(frozen=True)
class ComplaintLine:
    """One complaint in the evidence pack's log summary."""

    opened_on: date
    channel: str
    status: str
    due_date: date | None
    closed_on: date | None


def _dual_short(d: date) -> str:
    return f"{isolate(format_hijri(d))} — {isolate(format_gregorian(d))}"


class _ReportBase(_LetterheadDocument):
    """Shared blocks of the period report and the evidence pack."""

    def __init__(self, letterhead: Letterhead, figures: DashboardFigures, *, title: str,
                 on_page: Callable[[], None] | None = None) -> None:
        super().__init__(letterhead, title=title, subject=figures.period.label_ar)
        self.figures = figures
        self._on_page = on_page

    def new_page(self, canvas: Canvas) -> float:
        """A new page; lets the caller poll for cancellation between pages."""
        if self._on_page is not None:
            self._on_page()
        return super().new_page(canvas)

    def draw_period_head(self, canvas: Canvas, y: float, title: str) -> float:
        """The title, the period in both calendars and the time the figures were computed."""
        f = self.figures
        p = f.period
        y = self.draw_title(canvas, y, title)
        y = self.draw_paragraph(canvas, f"الفترة: {display_digits(p.label_ar)}", self.right, y, self.width, self.bold_font, 12, 20,
                                align="center")
        span = f"من {format_dual(p.start)} إلى {format_dual(p.end)}"
        y = self.draw_paragraph(canvas, span, self.right, y, self.width, self.font, 10.5, 18, align="center")
        made = local_date(f.generated_at)
        canvas.setFillColor(MUTED)
        y = self.draw_paragraph(canvas, f"أُعدّت الأرقام في {format_dual(made)} من قاعدة بيانات مكتب المستفيد",
                                self.right, y, self.width, self.font, 9, 15, align="center")
        canvas.setFillColor(_BLACK)
        return y - 3 * mm

    def draw_note(self, canvas: Canvas, y: float, text: str, *, size: float = 10.5) -> float:
        """A shaded note box with wrapped text."""
        leading = size * 1.7
        lines = wrap(text, self.font, size, self.width - 16)
        height = len(lines) * leading + 10
        y = self.ensure_space(canvas, y, height + 6)
        canvas.setFillColor(SHADE)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.8)
        canvas.roundRect(self.left, y - height, self.width, height, 4, stroke=1, fill=1)
        canvas.setFillColor(_BLACK)
        line_y = y - 5
        for line in lines:
            self.draw_line(canvas, line, self.right - 8, line_y - self.baseline_offset(size, leading), self.font, size)
            line_y -= leading
        return y - height - 4 * mm

    def draw_section(self, canvas: Canvas, y: float, heading: str, *, keep_with: float = _SECTION_KEEP_WITH) -> float:
        """A section heading, kept on the page with the start of what follows (a table's header and two rows)."""
        return super().draw_section(canvas, y, heading, keep_with=keep_with)

    def draw_drawing(self, canvas: Canvas, y: float, drawing: Drawing, *, caption: str) -> float:
        """Place a chart under its caption at the right margin; both go on to a new page if the chart does not fit."""
        y = self.ensure_space(canvas, y, _CAPTION_LEADING + drawing.height + 6)
        y = self.draw_paragraph(canvas, caption, self.right, y, self.width, self.bold_font, 10, _CAPTION_LEADING)
        renderPDF.draw(drawing, canvas, self.right - drawing.width, y - drawing.height)
        return y - float(drawing.height) - 4 * mm

    def draw_summary(self, canvas: Canvas, y: float) -> float:
        """The key figures as label/value pairs, two per row (a policy of reports: its response times, no decisions)."""
        f = self.figures
        if f.reports is not None:
            rows = [("البلاغات المستلمة", fmt.count(f.reports.received)), *report_key_figures(f.reports)[1:3]]
        else:
            rows = [
                (terms.CONTACTS, fmt.count(f.contacts_total)),
                (terms.DECISIONS, fmt.count(f.decisions)),
                (terms.MEDIAN_DAYS_TO_DECISION, fmt.days(f.median_days_to_decision)),
                (terms.WITHIN_PROMISE_SHARE, fmt.percent(f.within_promise_share)),
                (terms.OVERDUE_NOW, fmt.count(f.overdue_now)),
            ]
        rows += [
            (terms.SURVEY_RESPONSES, fmt.count(f.survey_responses)),
            (terms.SATISFACTION_INDEX, fmt.percent(f.satisfaction_percent)),
            (terms.SATISFACTION_MEAN, fmt.mean(f.satisfaction_mean)),
        ]
        if f.recommendation is not None:
            rows.append((terms.RECOMMENDATION_SCORE, fmt.signed(f.recommendation.score)))
        rows += [
            (f"{terms.SUGGESTIONS}: {terms.OPENED} / {terms.CLOSED}",
             f"{fmt.count(f.suggestions.opened)} / {fmt.count(f.suggestions.closed)}"),
            (f"{terms.COMPLAINTS}: {terms.OPENED} / {terms.CLOSED}",
             f"{fmt.count(f.complaints.opened)} / {fmt.count(f.complaints.closed)}"),
        ]
        return self.draw_key_values(canvas, rows, self.right, y, self.width, label_width=52 * mm,
                                    pairs_per_row=2, size=10) - 4 * mm

    def draw_channels(self, canvas: Canvas, y: float) -> float:
        """Contacts per channel: table then bar chart."""
        f = self.figures
        total = f.contacts_total
        rows = [
            [c.name, fmt.count(c.count), fmt.percent(c.count * 100.0 / total if total else None)]
            for c in f.contacts_by_channel
        ]
        rows.append(["المجموع", fmt.count(total), fmt.percent(100.0 if total else None)])
        y = self.draw_table(canvas, rows, [self.width - 70 * mm, 35 * mm, 35 * mm], self.right, y, size=10,
                            header=["القناة", "عدد مرات التواصل", "النسبة"], centred_columns=frozenset({1, 2}))
        y -= 3 * mm
        if total:
            y = self.draw_drawing(canvas, y, bar_chart([(c.name, c.count) for c in f.contacts_by_channel], self.width),
                                  caption=terms.CONTACTS_BY_CHANNEL)
        return y

    def draw_satisfaction(self, canvas: Canvas, y: float) -> float:
        """Per-question scores, the monthly trend and the recommendation."""
        f = self.figures
        y = self.draw_paragraph(
            canvas,
            f"عدد التقييمات: {fmt.count(f.survey_responses)}؛ مؤشر الرضا {fmt.percent(f.satisfaction_percent)} "
            f"(متوسط {fmt.mean(f.satisfaction_mean)}، من {count_phrase(f.scale_answers, ANSWERS, oblique=True, grouped=True)} على مقياس من "
            f"{display_digits('1')} إلى {display_digits('5')}).",
            self.right, y, self.width, self.font, 10.5, 18,
        ) - 2 * mm
        rows = [[q.text, fmt.count(q.answers), fmt.mean(q.mean), fmt.percent(q.percent)] for q in f.question_scores]
        y = self.draw_table(canvas, rows, [self.width - 95 * mm, 25 * mm, 35 * mm, 35 * mm], self.right, y, size=10,
                            header=["السؤال", "الإجابات", "المتوسط", "المؤشر"], centred_columns=frozenset({1, 2, 3}))
        y -= 3 * mm
        if f.recommendation is not None:
            r = f.recommendation
            y = self.draw_paragraph(
                canvas,
                f"التوصية بالجمعية (من {display_digits('0')} إلى {display_digits('10')}): "
                f"{count_phrase(r.answers, ANSWERS, grouped=True)} — "
                f"{_with_figure(terms.PROMOTERS.label(), fmt.count(r.promoters))}، "
                f"{_with_figure(terms.PASSIVES.label(), fmt.count(r.passives))}، "
                f"{_with_figure(terms.DETRACTORS.label(), fmt.count(r.detractors))}؛ "
                f"{_with_figure(terms.RECOMMENDATION_SCORE, fmt.signed(r.score))}.",
                self.right, y, self.width, self.font, 10.5, 18,
            ) - 2 * mm
        if len(f.satisfaction_trend) > 1:
            y = self.draw_drawing(canvas, y, trend_chart([(display_digits(m.label_ar), m.percent) for m in f.satisfaction_trend],
                                                         self.width),
                                  caption=f"{terms.SATISFACTION_TREND} (الشهر الأول على اليمين):")
            rows = [[display_digits(m.label_ar), fmt.count(m.responses), fmt.mean(m.mean), fmt.percent(m.percent)]
                    for m in f.satisfaction_trend]
            y = self.draw_table(canvas, rows, [self.width - 95 * mm, 25 * mm, 35 * mm, 35 * mm], self.right, y,
                                size=9.5, header=["الشهر", "التقييمات", "المتوسط", "المؤشر"],
                                centred_columns=frozenset({1, 2, 3})) - 3 * mm
        return y

    def draw_follow_up(self, canvas: Canvas, y: float) -> float:
        """Suggestions and complaints: opened, closed, open now."""
        f = self.figures
        rows = [
            [terms.SUGGESTIONS, fmt.count(f.suggestions.opened), fmt.count(f.suggestions.closed), fmt.count(f.suggestions.open_now)],
            [terms.COMPLAINTS, fmt.count(f.complaints.opened), fmt.count(f.complaints.closed), fmt.count(f.complaints.open_now)],
        ]
        return self.draw_table(canvas, rows, [self.width - 105 * mm, 35 * mm, 35 * mm, 35 * mm], self.right, y,
                               size=10, header=["", *terms.FOLLOW_UP_HEADERS],
                               centred_columns=frozenset({1, 2, 3})) - 4 * mm

    def draw_actions(self, canvas: Canvas, y: float, actions: Sequence[CorrectiveAction]) -> float:
        """The board's corrective actions, or a sentence saying none was recorded."""
        if not actions:
            return self.draw_paragraph(canvas, "لم تُسجَّل إجراءات تصحيحية لهذه الفترة.", self.right, y, self.width,
                                       self.font, 10.5, 18) - 3 * mm
        rows = [
            [a.finding, a.action, a.owner, _dual_short(a.due_date),
             a.status.label_ar + (" (متأخر)" if a.overdue else "")]
            for a in actions
        ]
        w = self.width
        return self.draw_table(canvas, rows, [w * 0.27, w * 0.29, w * 0.14, w * 0.17, w * 0.13], self.right, y,
                               size=9, header=["الملاحظة", "الإجراء التصحيحي", "المسؤول", "الموعد", "الحالة"]) - 4 * mm


class PeriodReportDocument(_ReportBase):
    """The period report: key figures, contacts per channel, cases by status, decisions, satisfaction, follow-up."""

    def __init__(self, letterhead: Letterhead, figures: DashboardFigures, actions: Sequence[CorrectiveAction], *,
                 on_page: Callable[[], None] | None = None) -> None:
        super().__init__(letterhead, figures, title=f"تقرير الفترة — {figures.period.label_ar}", on_page=on_page)
        self.actions = tuple(actions)

    def draw_content(self, canvas: Canvas, y: float) -> float:
        """The report body."""
        f = self.figures
        y = self.draw_period_head(canvas, y, "تقرير علاقات المستفيدين للفترة")
        if f.is_empty:
            y = self.draw_note(canvas, y, EMPTY_PERIOD_NOTE if f.reports is None else EMPTY_REPORTS_NOTE)
        y = self.draw_section(canvas, y, "أولًا: الأرقام الرئيسة")
        y = self.draw_summary(canvas, y)
        y = self.draw_section(canvas, y, f"ثانيًا: {terms.CONTACTS_BY_CHANNEL}")
        y = self.draw_channels(canvas, y)
        things = terms.CASES_BY_STATUS if f.reports is None else "البلاغات حسب وضعها الحالي"  # a policy of reports
        y = self.draw_section(canvas, y, f"ثالثًا: {things}")
        rows = [[s.label_ar, fmt.count(s.count)] for s in f.cases_by_status]
        y = self.draw_table(canvas, rows, [self.width - 40 * mm, 40 * mm], self.right, y, size=10,
                            header=["الحالة", f"عدد {things}"], centred_columns=frozenset({1})) - 3 * mm
        if f.cases_by_status:
            y = self.draw_drawing(canvas, y, bar_chart([(s.label_ar, s.count) for s in f.cases_by_status], self.width),
                                  caption=terms.CASES_BY_STATUS)
        if f.reports is not None:
            y = self.draw_section(canvas, y, "رابعًا: البلاغات وسرعة الوصول إلى المبلّغ")
            y = self.draw_reports(canvas, y, f.reports)
        else:
            y = self.draw_section(canvas, y, "رابعًا: قرارات لجنة البحث والمدة الموعودة")
            y = self.draw_decisions(canvas, y)
        y = self.draw_section(canvas, y, "خامسًا: رضا المستفيدين")
        y = self.draw_satisfaction(canvas, y)
        y = self.draw_section(canvas, y, f"سادسًا: {terms.SUGGESTIONS_AND_COMPLAINTS}")
        y = self.draw_follow_up(canvas, y)
        y = self.draw_section(canvas, y, "سابعًا: الإجراءات التصحيحية التي قررها المجلس")
        y = self.draw_actions(canvas, y, self.actions)
        y = self.draw_section(canvas, y, "تعريفات")
        return self.draw_definitions(canvas, y)

    def draw_reports(self, canvas: Canvas, y: float, reports: ReportFigures) -> float:
        """A policy of reports: response times, escalations, then reports per platform and per day."""
        rows = [list(pair) for pair in report_key_figures(reports)]
        y = self.draw_table(canvas, rows, [self.width - 60 * mm, 60 * mm], self.right, y, size=10,
                            shaded_columns=frozenset({0}), bold_columns=frozenset({0}),
                            centred_columns=frozenset({1})) - 4 * mm
        platforms = [[p.label, fmt.count(p.count)] for p in reports.by_platform]
        y = self.draw_table(canvas, platforms or [["لا توجد بيانات", "—"]], [self.width - 40 * mm, 40 * mm],
                            self.right, y, size=10, header=["المنصة", "عدد البلاغات"],
                            centred_columns=frozenset({1})) - 3 * mm
        if reports.by_platform:
            y = self.draw_drawing(canvas, y, bar_chart([(p.label, p.count) for p in reports.by_platform], self.width),
                                  caption="البلاغات حسب المنصة")
        days = [[format_dual(d.day), fmt.count(d.count)] for d in reports.by_day]
        return self.draw_table(canvas, days or [["لا توجد بيانات", "—"]], [self.width - 40 * mm, 40 * mm],
                               self.right, y, size=10, header=["اليوم", "عدد البلاغات"],
                               centred_columns=frozenset({1})) - 4 * mm

    def draw_decisions(self, canvas: Canvas, y: float) -> float:
        """The research committee's decisions and the promised period."""
        f = self.figures
        rows = [
            [f"{terms.DECISIONS} (قبول أو رفض) في الفترة", fmt.count(f.decisions)],
            [terms.MEDIAN_DAYS_TO_DECISION, fmt.days(f.median_days_to_decision)],
            [terms.WITHIN_PROMISE,
             f"{fmt.count(f.decided_within_promise)} من {fmt.count(f.decisions_with_promise)} "
             f"({fmt.percent(f.within_promise_share)})"],
            [terms.OVERDUE_NOW, fmt.count(f.overdue_now)],
        ]
        return self.draw_table(canvas, rows, [self.width - 60 * mm, 60 * mm], self.right, y, size=10,
                               shaded_columns=frozenset({0}), bold_columns=frozenset({0}),
                               centred_columns=frozenset({1})) - 4 * mm

    def draw_definitions(self, canvas: Canvas, y: float) -> float:
        """How each figure is computed, in a few lines, small."""
        if self.figures.reports is not None:
            role = self.figures.reports.escalation_role
            head = [
                "البلاغ: كل بلاغ استُلم في الفترة، حسب منصته ويوم استلامه بتوقيت الرياض.",
                "الوسيط والمئين التسعون: من وقت استلام البلاغ إلى توجيه العضو وإلى إغلاقه، بالدقائق، على البلاغات "
                "التي بلغت تلك المرحلة؛ المئين التسعون يعني أن ٩٠٪ من البلاغات وصلت في هذه المدة أو أقل.",
                f"المحوَّلة: البلاغات التي حُوّلت إلى {role} لعدم وضوح الإجراءات للمبلّغ.",
            ]
        else:
            head = [
                "التواصل: كل طلب أو بلاغ قُدِّم في الفترة، حسب قناة وروده.",
                "القرار: أول قبول أو رفض من لجنة البحث للحالة في الفترة؛ طلب استكمال المعلومات ليس قرارًا.",
                "المدة الموعودة: تاريخ القرار الموعود المحسوب من تاريخ التقديم حسب سياسة الجمعية.",
            ]
        notes = [
            *head,
            f"{terms.SATISFACTION_INDEX}: متوسط إجابات مقياس ١–٥ محوَّلًا إلى نسبة (١ = ٠٪، ٥ = ١٠٠٪). "
            "التقييمات مجهولة الهوية ما لم تنص السياسة على غير ذلك، ولا تُستخدم للمحاسبة.",
            *([f"{terms.RECOMMENDATION_SCORE}: نسبة {terms.PROMOTERS.genitive} {terms.PROMOTERS.span()} ناقص نسبة "
               f"{terms.DETRACTORS.genitive} {terms.DETRACTORS.span()} "
               f"من إجابات سؤال التوصية (من ٠ إلى ١٠)، بين −١٠٠ و+١٠٠؛ {terms.PASSIVES.label()} لا يدخلون في "
               "الحساب إلا في عدد الإجابات."] if self.figures.recommendation is not None else []),
            f"لا تظهر في هذا التقرير نتائج أي موظف؛ تُعرض للمدير وحده مجمّعة من {fmt.count(MIN_OFFICER_RESPONSES)} "
            "تقييمات فأكثر ومتى نصت السياسة على ربط التقييم بالموظف.",
        ]
        canvas.setFillColor(MUTED)
        for note in notes:
            y = self.draw_paragraph(canvas, "• " + note, self.right, y, self.width, self.font, 9, 15)
        canvas.setFillColor(_BLACK)
        return y


class EvidencePackDocument(_ReportBase):
    """Evidence for the board and the NCNP that the policy is applied."""

    def __init__(
        self,
        letterhead: Letterhead,
        figures: DashboardFigures,
        actions: Sequence[CorrectiveAction],
        approvals: Sequence[PolicyApproval],
        complaints: Sequence[ComplaintLine],
        complaints_total: int,
        completeness: FileCompleteness,
        *,
        on_page: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(letterhead, figures, title=f"حزمة الأدلة — {figures.period.label_ar}", on_page=on_page)
        self.actions = tuple(actions)
        self.approvals = tuple(approvals)
        self.complaints = tuple(complaints)
        self.complaints_total = complaints_total
        self.completeness = completeness

    def draw_content(self, canvas: Canvas, y: float) -> float:
        """The evidence pack body."""
        f = self.figures
        y = self.draw_period_head(canvas, y, "حزمة أدلة تطبيق سياسة تنظيم العلاقة مع المستفيدين")
        y = self.draw_paragraph(canvas, "مقدَّمة إلى مجلس الإدارة والمركز الوطني لتنمية القطاع غير الربحي", self.right, y,
                                self.width, self.font, 11, 18, align="center") - 2 * mm
        if f.is_empty:
            y = self.draw_note(canvas, y, EMPTY_PERIOD_NOTE)
        y = self.draw_section(canvas, y, "أولًا: السياسة المعتمدة وسجل اعتمادها")
        if not self.approvals:
            y = self.draw_paragraph(canvas, "لم تُعتمد سياسة على هذا الجهاز.", self.right, y, self.width, self.font, 10.5, 18)
        rows = []
        for a in self.approvals:
            if a.approved_meeting is None:
                record = "لا تذكر السياسة محضر اعتمادها"
            else:
                record = a.approval_text_ar
            rows.append([isolate(a.version_label), record, _dual_short(local_date(a.adopted_at))])
        if rows:
            y = self.draw_table(canvas, rows, [28 * mm, self.width - 78 * mm, 50 * mm], self.right, y, size=9.5,
                                header=["الإصدار", "محضر الاعتماد", "اعتُمد في المكتب"]) - 4 * mm
        y = self.draw_section(canvas, y, "ثانيًا: التواصل حسب القناة")
        y = self.draw_channels(canvas, y)
        y = self.draw_section(canvas, y, "ثالثًا: نتائج قياس الرضا والإجراءات التصحيحية")
        y = self.draw_satisfaction(canvas, y)
        y = self.draw_paragraph(canvas, "الإجراءات التصحيحية التي قررها المجلس:", self.right, y, self.width,
                                self.bold_font, 10.5, 18)
        y = self.draw_actions(canvas, y, self.actions)
        y = self.draw_section(canvas, y, "رابعًا: ملخص سجل الشكاوى")
        y = self.draw_follow_up(canvas, y)
        if self.complaints:
            rows = [
                [_dual_short(c.opened_on), c.channel, c.status,
                 _dual_short(c.due_date) if c.due_date else "—", _dual_short(c.closed_on) if c.closed_on else "—"]
                for c in self.complaints
            ]
            w = self.width
            y = self.draw_table(canvas, rows, [w * 0.24, w * 0.16, w * 0.14, w * 0.23, w * 0.23], self.right, y,
                                size=8.5, header=["تاريخ الورود", "القناة", "الحالة", "موعد الرد", "تاريخ الإغلاق"])
            if self.complaints_total > len(self.complaints):
                y = self.draw_paragraph(
                    canvas, f"عُرضت أول {part_of(len(self.complaints), self.complaints_total, COMPLAINTS, grouped=True)}؛ "
                    "السجل الكامل في ملف Excel.", self.right, y, self.width, self.font, 9, 15)
            y -= 3 * mm
        y = self.draw_section(canvas, y, "خامسًا: اكتمال ملفات المستفيدين")
        c = self.completeness
        rows = [
            ["الطلبات المقدَّمة في الفترة", fmt.count(c.cases)],
            ["الملفات المكتملة", f"{fmt.count(c.complete)} ({fmt.percent(c.share)})"],
            ["ملفات ينقصها مستند مطلوب", fmt.count(c.missing_documents)],
            ["ملفات فيها مستند منتهي الصلاحية يوم التقديم", fmt.count(c.expired_documents)],
            ["ملفات إقرارها غير موقَّع", fmt.count(c.unsigned_declaration)],
        ]
        y = self.draw_table(canvas, rows, [self.width - 60 * mm, 60 * mm], self.right, y, size=10,
                            shaded_columns=frozenset({0}), bold_columns=frozenset({0}),
                            centred_columns=frozenset({1})) - 2 * mm
        canvas.setFillColor(MUTED)
        y = self.draw_paragraph(canvas, c.definition_ar, self.right, y, self.width, self.font, 9, 15)
        canvas.setFillColor(_BLACK)
        return y


def report_key_figures(reports: ReportFigures) -> list[tuple[str, str]]:
    """A policy of reports' key figures as (label, value): received, minutes to dispatch and close, escalations.

    The dashboard, the PDF and the workbook word them alike (counted nouns, Arabic-Indic digits).
    """
    return [
        ("البلاغات المستلمة", fmt.count(reports.received)),
        ("وسيط المدة من الاستلام إلى توجيه العضو", fmt.minutes(reports.median_minutes_to_dispatch)),
        ("وسيط المدة من الاستلام إلى الإغلاق", fmt.minutes(reports.median_minutes_to_close)),
        ("المئين التسعون من الاستلام إلى توجيه العضو", fmt.minutes(reports.p90_minutes_to_dispatch)),
        ("المئين التسعون من الاستلام إلى الإغلاق", fmt.minutes(reports.p90_minutes_to_close)),
        ("البلاغات التي وُجّه إليها عضو", count_phrase(reports.dispatched, REPORTS)),
        ("البلاغات المغلقة", count_phrase(reports.closed, REPORTS)),
        (f"المحوَّلة إلى {reports.escalation_role}", count_phrase(reports.escalated, REPORTS)),
    ]
