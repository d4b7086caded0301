"""The period figures as an Excel workbook: one right-to-left sheet per table, Arabic names and headers.

Cells hold numbers (not text): counts as integers, means to two places, percentages as fractions with a
percent format, so the workbook holds the same numbers the PDF prints. «لا توجد بيانات» is written where
a share or mean has nothing behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import Any

import xlsxwriter

from desktop.hijri import format_gregorian, format_hijri, local_date
from desktop.reports import terms
from desktop.reports.formatting import NO_DATA
from desktop.reports.pdf import ComplaintLine
from desktop.reports.views import CorrectiveAction, DashboardFigures, FileCompleteness

__all__ = ["REPORTS_SHEET", "SHEET_NAMES", "render_workbook"]

#: The sheet a policy of reports adds after the others: reports per platform and per day.
REPORTS_SHEET = "البلاغات حسب المنصة واليوم"

#: Sheet names, in order (Arabic, ≤ 31 characters).
SHEET_NAMES: tuple[str, ...] = (
    "الملخص",
    terms.CONTACTS_BY_CHANNEL,
    terms.CASES_BY_STATUS,
    terms.QUESTION_SCORES,
    terms.SATISFACTION_BY_MONTH,
    terms.SUGGESTIONS_AND_COMPLAINTS,
    "الإجراءات التصحيحية",
)


def _share(value: float | None) -> float | str:
    return NO_DATA if value is None else round(value / 100.0, 4)


def _minutes(value: float | None) -> float | str:
    return NO_DATA if value is None else round(value, 1)


def _mean(value: float | None) -> float | str:
    return NO_DATA if value is None else round(value, 2)


def render_workbook(
    figures: DashboardFigures,
    actions: Sequence[CorrectiveAction],
    *,
    association_name: str,
    complaints: Sequence[ComplaintLine] = (),
    completeness: FileCompleteness | None = None,
) -> bytes:
    """The workbook's bytes (xlsxwriter, in memory)."""
    buffer = BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"title": f"تقرير الفترة — {figures.period.label_ar}", "author": association_name,
                         "company": association_name})
    base = {"font_name": "Arial", "font_size": 11, "reading_order": 2, "valign": "vcenter"}
    title = book.add_format({**base, "bold": True, "font_size": 14})
    head = book.add_format({**base, "bold": True, "bg_color": "#E6F0EF", "border": 1, "text_wrap": True})
    text = book.add_format({**base, "border": 1, "text_wrap": True})
    integer = book.add_format({**base, "border": 1, "num_format": "#,##0"})
    decimal = book.add_format({**base, "border": 1, "num_format": "0.00"})
    pct = book.add_format({**base, "border": 1, "num_format": "0.0%"})
    days = book.add_format({**base, "border": 1, "num_format": "0.0"})
    signed = book.add_format({**base, "border": 1, "num_format": "+0.0;-0.0;0"})
    note = book.add_format({**base, "italic": True, "font_color": "#555555", "text_wrap": True})

    p = figures.period
    period_line = (
        f"{p.label_ar}: من {format_hijri(p.start, arabic_digits=False)} ({format_gregorian(p.start, arabic_digits=False)}) "
        f"إلى {format_hijri(p.end, arabic_digits=False)} ({format_gregorian(p.end, arabic_digits=False)})"
    )

    def sheet(name: str, headers: Sequence[str], widths: Sequence[float]) -> Any:
        ws = book.add_worksheet(name)
        ws.right_to_left()
        ws.write(0, 0, f"{association_name} — {name}", title)
        ws.write(1, 0, period_line, note)
        for col, (header, width) in enumerate(zip(headers, widths, strict=True)):
            ws.set_column(col, col, width)
            ws.write(3, col, header, head)
        ws.freeze_panes(4, 0)
        return ws

    def put(ws: Any, row: int, col: int, value: Any, fmt: Any) -> None:
        if isinstance(value, str):
            ws.write_string(row, col, value, text)
        else:
            ws.write_number(row, col, value, fmt)

    # Summary
    ws = sheet(SHEET_NAMES[0], ["المؤشر", "القيمة"], [48, 22])
    reports = figures.reports
    summary: list[tuple[str, Any, Any]]
    if reports is not None:  # a policy of reports: response times in minutes, no committee
        summary = [
            ("البلاغات المستلمة", reports.received, integer),
            ("البلاغات التي وُجّه إليها عضو", reports.dispatched, integer),
            ("البلاغات المغلقة", reports.closed, integer),
            ("وسيط المدة من الاستلام إلى توجيه العضو (دقائق)", _minutes(reports.median_minutes_to_dispatch), decimal),
            ("المئين التسعون من الاستلام إلى توجيه العضو (دقائق)", _minutes(reports.p90_minutes_to_dispatch),
             decimal),
            ("وسيط المدة من الاستلام إلى الإغلاق (دقائق)", _minutes(reports.median_minutes_to_close), decimal),
            ("المئين التسعون من الاستلام إلى الإغلاق (دقائق)", _minutes(reports.p90_minutes_to_close), decimal),
            (f"المحوَّلة إلى {reports.escalation_role}", reports.escalated, integer),
        ]
    else:
        summary = [
            (terms.CONTACTS, figures.contacts_total, integer),
            (terms.DECISIONS, figures.decisions, integer),
            (f"{terms.MEDIAN_DAYS_TO_DECISION} (أيام)",
             NO_DATA if figures.median_days_to_decision is None else figures.median_days_to_decision, days),
            (terms.WITHIN_PROMISE, figures.decided_within_promise, integer),
            ("القرارات ذات موعد", figures.decisions_with_promise, integer),
            (terms.WITHIN_PROMISE_SHARE, _share(figures.within_promise_share), pct),
            (terms.OVERDUE_NOW, figures.overdue_now, integer),
        ]
    summary += [
        (terms.SURVEY_RESPONSES, figures.survey_responses, integer),
        ("إجابات مقياس الرضا", figures.scale_answers, integer),
        (f"{terms.SATISFACTION_MEAN} (من 5)", _mean(figures.satisfaction_mean), decimal),
        (terms.SATISFACTION_INDEX, _share(figures.satisfaction_percent), pct),
    ]
    if figures.recommendation is not None:
        r = figures.recommendation
        summary += [
            (terms.RECOMMENDATION_ANSWERS, r.answers, integer),
            (terms.PROMOTERS.label(arabic_digits=False), r.promoters, integer),
            (terms.PASSIVES.label(arabic_digits=False), r.passives, integer),
            (terms.DETRACTORS.label(arabic_digits=False), r.detractors, integer),
            (terms.RECOMMENDATION_SCORE, NO_DATA if r.score is None else round(r.score, 1), signed),
        ]
    if completeness is not None:
        summary += [
            ("الطلبات المقدمة (لاكتمال الملفات)", completeness.cases, integer),
            ("الملفات المكتملة", completeness.complete, integer),
            ("نسبة الملفات المكتملة", _share(completeness.share), pct),
        ]
    for i, (label, value, fmt) in enumerate(summary, start=4):
        ws.write_string(i, 0, label, text)
        put(ws, i, 1, value, fmt)
    row = 5 + len(summary)
    if figures.is_empty:
        ws.write(row, 0, "لا توجد بيانات في هذه الفترة.", note)
        row += 1
    if completeness is not None:
        ws.write(row, 0, completeness.definition_ar, note)

    # Channels
    ws = sheet(SHEET_NAMES[1], ["القناة", "عدد مرات التواصل", "النسبة"], [34, 18, 12])
    total = figures.contacts_total
    for i, c in enumerate(figures.contacts_by_channel, start=4):
        ws.write_string(i, 0, c.name, text)
        ws.write_number(i, 1, c.count, integer)
        put(ws, i, 2, _share(c.count * 100.0 / total if total else None), pct)
    last = 4 + len(figures.contacts_by_channel)
    ws.write_string(last, 0, "المجموع", head)
    ws.write_number(last, 1, total, integer)
    put(ws, last, 2, _share(100.0 if total else None), pct)
    if figures.contacts_by_channel and total:
        chart = book.add_chart({"type": "bar"})
        chart.add_series({"name": "التواصل", "categories": [SHEET_NAMES[1], 4, 0, last - 1, 0],
                          "values": [SHEET_NAMES[1], 4, 1, last - 1, 1], "fill": {"color": "#1C5C59"}})
        chart.set_legend({"none": True})
        chart.set_title({"name": terms.CONTACTS_BY_CHANNEL})
        chart.set_y_axis({"reverse": True})
        ws.insert_chart(last + 2, 0, chart)

    # Statuses
    ws = sheet(SHEET_NAMES[2], ["الحالة", "عدد الحالات"], [34, 16])
    for i, s in enumerate(figures.cases_by_status, start=4):
        ws.write_string(i, 0, s.label_ar, text)
        ws.write_number(i, 1, s.count, integer)

    # Satisfaction per question
    ws = sheet(SHEET_NAMES[3], ["السؤال", "الإجابات", "المتوسط (من 5)", "المؤشر"], [56, 12, 16, 12])
    for i, q in enumerate(figures.question_scores, start=4):
        ws.write_string(i, 0, q.text, text)
        ws.write_number(i, 1, q.answers, integer)
        put(ws, i, 2, _mean(q.mean), decimal)
        put(ws, i, 3, _share(q.percent), pct)

    # Monthly trend
    ws = sheet(SHEET_NAMES[4], ["الشهر", "من", "إلى", "التقييمات", "المتوسط (من 5)", "المؤشر"], [22, 14, 14, 12, 16, 12])
    for i, m in enumerate(figures.satisfaction_trend, start=4):
        ws.write_string(i, 0, m.label_ar, text)
        ws.write_string(i, 1, f"{m.start:%Y/%m/%d}", text)
        ws.write_string(i, 2, f"{m.end:%Y/%m/%d}", text)
        ws.write_number(i, 3, m.responses, integer)
        put(ws, i, 4, _mean(m.mean), decimal)
        put(ws, i, 5, _share(m.percent), pct)
    if len(figures.satisfaction_trend) > 1 and figures.survey_responses:
        end_row = 3 + len(figures.satisfaction_trend)
        chart = book.add_chart({"type": "line"})
        chart.add_series({"name": terms.SATISFACTION_INDEX, "categories": [SHEET_NAMES[4], 4, 0, end_row, 0],
                          "values": [SHEET_NAMES[4], 4, 5, end_row, 5], "marker": {"type": "circle"},
                          "line": {"color": "#1C5C59"}})
        chart.set_legend({"none": True})
        chart.set_title({"name": terms.SATISFACTION_TREND})
        chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%"})
        chart.show_blanks_as("gap")
        ws.insert_chart(end_row + 2, 0, chart)

    # Suggestions and complaints
    ws = sheet(SHEET_NAMES[5], ["", *terms.FOLLOW_UP_HEADERS], [18, 18, 18, 16])
    for i, (label, counts) in enumerate(((terms.SUGGESTIONS, figures.suggestions),
                                         (terms.COMPLAINTS, figures.complaints)), start=4):
        ws.write_string(i, 0, label, text)
        ws.write_number(i, 1, counts.opened, integer)
        ws.write_number(i, 2, counts.closed, integer)
        ws.write_number(i, 3, counts.open_now, integer)
    if complaints:
        ws.write(8, 0, "سجل الشكاوى في الفترة", title)
        for col, header in enumerate(["تاريخ الورود", "القناة", "الحالة", "موعد الرد", "تاريخ الإغلاق"]):
            ws.write(9, col, header, head)
        for i, line in enumerate(complaints, start=10):
            ws.write_string(i, 0, f"{line.opened_on:%Y/%m/%d}", text)
            ws.write_string(i, 1, line.channel, text)
            ws.write_string(i, 2, line.status, text)
            ws.write_string(i, 3, f"{line.due_date:%Y/%m/%d}" if line.due_date else "—", text)
            ws.write_string(i, 4, f"{line.closed_on:%Y/%m/%d}" if line.closed_on else "—", text)

    # Corrective actions
    ws = sheet(SHEET_NAMES[6], ["الملاحظة", "الإجراء التصحيحي", "المسؤول", "الموعد (هجري)", "الموعد (ميلادي)",
                                "الحالة", "سُجل في"], [40, 40, 20, 14, 14, 14, 14])
    for i, a in enumerate(actions, start=4):
        ws.write_string(i, 0, a.finding, text)
        ws.write_string(i, 1, a.action, text)
        ws.write_string(i, 2, a.owner, text)
        ws.write_string(i, 3, format_hijri(a.due_date, arabic_digits=False), text)
        ws.write_string(i, 4, f"{a.due_date:%Y/%m/%d}", text)
        ws.write_string(i, 5, a.status.label_ar + (" (متأخر)" if a.overdue else ""), text)
        ws.write_string(i, 6, f"{local_date(a.recorded_at):%Y/%m/%d}", text)
    if not actions:
        ws.write(4, 0, "لم تُسجل إجراءات تصحيحية لهذه الفترة.", note)

    if reports is not None:  # reports per platform and per day
        ws = sheet(REPORTS_SHEET, ["المنصة", "عدد البلاغات", "", "اليوم", "عدد البلاغات"], [30, 14, 4, 14, 14])
        for i, platform in enumerate(reports.by_platform, start=4):
            ws.write_string(i, 0, platform.label, text)
            ws.write_number(i, 1, platform.count, integer)
        for i, d in enumerate(reports.by_day, start=4):
            ws.write_string(i, 3, f"{d.day:%Y/%m/%d}", text)
            ws.write_number(i, 4, d.count, integer)

    book.close()
    return buffer.getvalue()
