"""The dashboard: the period's figures as cards and charts, exactly as DashboardService computed them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import display_digits, isolate
from desktop.counting import DECISIONS, REPORTS, RESPONSES, count_phrase, part_of
from desktop.hijri import format_dual, format_time, riyadh_moment
from desktop.reports import formatting as fmt
from desktop.reports import terms
from desktop.reports.views import DashboardFigures, OfficerFigures, ReportFigures
from ui.reports.charts import BarChart, LineChart
from ui.reports.period import period_sentence

__all__ = ["DashboardView", "FigureCard", "NO_DATA", "percent_text"]

#: Written where a share or mean has nothing behind it (never a division by zero); the same words as the reports.
NO_DATA = fmt.NO_DATA

EMPTY_PERIOD_TEXT = (
    "لا توجد بيانات في هذه الفترة: لم يُسجَّل فيها تواصل ولا قرار للجنة ولا تقييم ولا اقتراح أو شكوى. "
    "اختر فترة أخرى، أو تأكد من أن البيانات سُجّلت على هذا الجهاز."
)
#: The same for a policy of reports (no committee in it).
EMPTY_REPORTS_TEXT = (
    "لا توجد بيانات في هذه الفترة: لم يُستلم فيها بلاغ ولا تقييم ولا اقتراح أو شكوى. "
    "اختر فترة أخرى، أو تأكد من أن البيانات سُجّلت على هذا الجهاز."
)
#: The cards of a request's committee, replaced by the report cards for a policy of reports.
COMMITTEE_CARDS = ("median_days", "within_promise", "overdue")
REPORT_CARDS = ("to_dispatch", "to_close", "escalated")


def percent_text(value: float | None) -> str:
    """A percentage in Arabic digits (٧٨٫٥٪), or «لا توجد بيانات» — written as the PDF and workbook write it."""
    return fmt.percent(value)


def count_text(value: int) -> str:
    """A count in Arabic digits, as the reports write it."""
    return fmt.count(value)


class FigureCard(QFrame):
    """One headline figure: a big value, what it is, and a smaller line that explains it."""

    def __init__(self, caption: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figure_card")
        self.setProperty("card", name)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 8, 12, 8)
        column.setSpacing(2)
        self.caption = QLabel(caption, self)
        self.caption.setObjectName("figure_caption")
        self.caption.setWordWrap(True)
        self.value = QLabel("—", self)
        self.value.setObjectName("figure_value")
        self.value.setProperty("figure", name)
        self.note = QLabel("", self)
        self.note.setObjectName("figure_note")
        self.note.setWordWrap(True)
        column.addWidget(self.caption)
        column.addWidget(self.value)
        column.addWidget(self.note)
        column.addStretch(1)

    def show_value(self, value: str, note: str = "") -> None:
        """Show the figure and its explanation; a missing figure is drawn quieter."""
        self.value.setText(value)
        self.value.setProperty("missing", value == NO_DATA)
        self.value.style().unpolish(self.value)
        self.value.style().polish(self.value)
        self.note.setText(note)


class DashboardView(QWidget):
    """Cards and charts of one period's DashboardFigures, and the per-officer table when it may be shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard")
        self.figures: DashboardFigures | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        self.period_label = QLabel("", self)
        self.period_label.setObjectName("period_label")
        self.period_label.setWordWrap(True)
        column.addWidget(self.period_label)
        self.empty_label = QLabel(EMPTY_PERIOD_TEXT, self)
        self.empty_label.setObjectName("empty_period")
        self.empty_label.setWordWrap(True)
        self.empty_label.setVisible(False)
        column.addWidget(self.empty_label)

        cards = QGridLayout()
        cards.setSpacing(10)
        self.cards: dict[str, FigureCard] = {}
        specs = (
            ("contacts", "التواصل في الفترة"),
            ("median_days", terms.MEDIAN_DAYS_TO_DECISION),
            ("within_promise", terms.WITHIN_PROMISE_SHARE),
            ("overdue", terms.OVERDUE_NOW),
            ("satisfaction", terms.SATISFACTION_INDEX),
            ("recommendation", terms.RECOMMENDATION_SCORE),
            ("suggestions", terms.SUGGESTIONS),
            ("complaints", terms.COMPLAINTS),
        )
        for index, (name, caption) in enumerate(specs):
            card = FigureCard(caption, name, self)
            self.cards[name] = card
            cards.addWidget(card, index // 4, index % 4)
        # A policy of reports: its response times take the committee cards' places (hidden otherwise).
        for name, caption, place in (("to_dispatch", "من استلام البلاغ إلى توجيه العضو", 1),
                                     ("to_close", "من استلام البلاغ إلى إغلاقه", 2),
                                     ("escalated", "البلاغات المحوَّلة", 3)):
            card = FigureCard(caption, name, self)
            card.setVisible(False)
            self.cards[name] = card
            cards.addWidget(card, 0, place)
        column.addLayout(cards)

        charts = QGridLayout()
        charts.setSpacing(10)
        self.channel_chart = BarChart(terms.CONTACTS_BY_CHANNEL, self)
        self.channel_chart.setObjectName("chart_channels")
        self.status_chart = BarChart(terms.CASES_BY_STATUS, self)
        self.status_chart.setObjectName("chart_statuses")
        self.trend_chart = LineChart(f"{terms.SATISFACTION_TREND} (٪)", self)
        self.trend_chart.setObjectName("chart_trend")
        self.question_chart = BarChart(f"{terms.QUESTION_SCORES} (المتوسط من {display_digits('5')})", self)
        self.question_chart.setObjectName("chart_questions")
        self.follow_chart = BarChart(f"{terms.SUGGESTIONS_AND_COMPLAINTS} في الفترة", self)
        self.follow_chart.setObjectName("chart_follow_ups")
        self.platform_chart = BarChart("البلاغات حسب المنصة", self)
        self.platform_chart.setObjectName("chart_platforms")
        self.day_chart = BarChart("البلاغات حسب اليوم", self)
        self.day_chart.setObjectName("chart_days")
        charts.addWidget(self.channel_chart, 0, 0)
        charts.addWidget(self.status_chart, 0, 1)
        charts.addWidget(self.trend_chart, 1, 0)
        charts.addWidget(self.question_chart, 1, 1)
        charts.addWidget(self.follow_chart, 2, 0)
        charts.addWidget(self.platform_chart, 3, 0)
        charts.addWidget(self.day_chart, 3, 1)
        self.platform_chart.setVisible(False)
        self.day_chart.setVisible(False)
        for chart in (self.channel_chart, self.status_chart, self.trend_chart, self.question_chart, self.follow_chart,
                      self.platform_chart, self.day_chart):
            chart.setMinimumHeight(210)
        # Per-officer figures (manager only) beside the follow-up chart.
        officer_box = QFrame(self)
        officer_box.setObjectName("officer_box")
        officer_column = QVBoxLayout(officer_box)
        officer_column.setContentsMargins(10, 8, 10, 8)
        officer_title = QLabel("رضا المستفيدين حسب الموظف (للمدير، مجمّعًا)", officer_box)
        officer_title.setObjectName("officer_title")
        officer_column.addWidget(officer_title)
        self.officer_message = QLabel("", officer_box)
        self.officer_message.setObjectName("officer_message")
        self.officer_message.setWordWrap(True)
        officer_column.addWidget(self.officer_message)
        self.officer_table = QTableWidget(0, 3, officer_box)
        self.officer_table.setObjectName("officer_table")
        self.officer_table.setHorizontalHeaderLabels(["الموظف", "عدد التقييمات", "الرضا"])
        self.officer_table.verticalHeader().setVisible(False)
        self.officer_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.officer_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        officer_column.addWidget(self.officer_table)
        charts.addWidget(officer_box, 2, 1)
        self.charts_holder = QWidget(self)
        self.charts_holder.setLayout(charts)
        charts.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.charts_holder)
        self.officer_box = officer_box
        self.generated_label = QLabel("", self)
        self.generated_label.setObjectName("page_note")
        column.addWidget(self.generated_label)
        column.addStretch(1)

    # ----------------------------------------------------------------- showing

    def show_figures(self, figures: DashboardFigures) -> None:
        """Fill every card and chart from the service's figures."""
        self.figures = figures
        period = figures.period
        # A custom range's label already gives both ends in both calendars; a month or year gets them added.
        named = not period.label_ar.startswith("من ")
        self.period_label.setText(
            f"{display_digits(period.label_ar)} — {period_sentence(period)}" if named else period_sentence(period)
        )
        self.empty_label.setText(EMPTY_PERIOD_TEXT if figures.reports is None else EMPTY_REPORTS_TEXT)
        self.empty_label.setVisible(figures.is_empty)
        # An empty period: the notice and the cards say it once; five empty charts would only repeat it.
        self.charts_holder.setVisible(not figures.is_empty)

        self.cards["contacts"].show_value(count_text(figures.contacts_total), "عدد الطلبات والبلاغات المقدَّمة في الفترة")
        median = figures.median_days_to_decision
        self.cards["median_days"].show_value(
            fmt.days(median),
            f"من {isolate(count_phrase(figures.decisions, DECISIONS, oblique=True, grouped=True))} بالقبول أو الرفض "
            "في الفترة",
        )
        self.cards["within_promise"].show_value(
            percent_text(figures.within_promise_share),
            f"{isolate(part_of(figures.decided_within_promise, figures.decisions_with_promise, DECISIONS, grouped=True))}"
            " لها موعد موعود",
        )
        self.cards["overdue"].show_value(count_text(figures.overdue_now), "عدد الحالات المتأخرة بانتظار اللجنة اليوم")
        self._show_reports(figures.reports)
        mean = figures.satisfaction_mean
        self.cards["satisfaction"].show_value(
            percent_text(figures.satisfaction_percent),
            (f"{terms.SATISFACTION_MEAN} {fmt.mean(mean)} — " if mean is not None else "")
            + isolate(count_phrase(figures.survey_responses, RESPONSES, grouped=True)),
        )
        recommendation = figures.recommendation
        if recommendation is None:
            self.cards["recommendation"].show_value(NO_DATA, "لا يتضمن استبيان الجمعية سؤال التوصية")
        else:
            score = recommendation.score
            self.cards["recommendation"].show_value(
                fmt.signed(score),
                f"{terms.PROMOTERS.name} {isolate(count_text(recommendation.promoters))}، "
                f"{terms.PASSIVES.name} {isolate(count_text(recommendation.passives))}، "
                f"{terms.DETRACTORS.name} {isolate(count_text(recommendation.detractors))}",
            )
        for name, counts in (("suggestions", figures.suggestions), ("complaints", figures.complaints)):
            self.cards[name].show_value(
                f"{count_text(counts.opened)} / {count_text(counts.closed)}",
                f"{terms.OPENED} / {terms.CLOSED} في الفترة؛ {terms.OPEN_NOW} {isolate(count_text(counts.open_now))}",
            )

        self.channel_chart.set_items([(c.name, c.count) for c in figures.contacts_by_channel])
        self.status_chart.set_items([(s.label_ar, s.count) for s in figures.cases_by_status])
        self.trend_chart.set_points(
            [(display_digits(m.label_ar), m.percent) for m in figures.satisfaction_trend], low=0, high=100,
            decimals=0,
        )
        self.question_chart.set_items(
            [(display_digits(q.text), q.mean or 0.0) for q in figures.question_scores if q.mean is not None], decimals=2
        )
        self.follow_chart.set_items([
            (f"{terms.SUGGESTIONS} {terms.OPENED}", figures.suggestions.opened),
            (f"{terms.SUGGESTIONS} {terms.CLOSED}", figures.suggestions.closed),
            (f"{terms.COMPLAINTS} {terms.OPENED}", figures.complaints.opened),
            (f"{terms.COMPLAINTS} {terms.CLOSED}", figures.complaints.closed),
        ])
        local = riyadh_moment(figures.generated_at)
        self.generated_label.setText(
            f"حُسبت هذه الأرقام في {format_dual(local.date())} الساعة {isolate(format_time(local))}."
        )

    def _show_reports(self, reports: ReportFigures | None) -> None:
        """A policy of reports: received, minutes to dispatch and to close (median, p90), escalations; charts.

        The committee's cards give their places to these; a request's policy never sees them.
        """
        for name in COMMITTEE_CARDS:
            self.cards[name].setVisible(reports is None)
        for name in REPORT_CARDS:
            self.cards[name].setVisible(reports is not None)
        self.platform_chart.setVisible(reports is not None)
        self.day_chart.setVisible(reports is not None)
        if reports is None:
            self.cards["contacts"].caption.setText("التواصل في الفترة")
            self.status_chart.title = "الحالات حسب وضعها"
            return
        self.cards["contacts"].caption.setText("البلاغات المستلمة في الفترة")
        self.status_chart.title = "البلاغات حسب وضعها"
        self.status_chart.update()
        self.cards["contacts"].show_value(
            count_text(reports.received),
            f"وُجّه عضو إلى {isolate(count_phrase(reports.dispatched, REPORTS))}، "
            f"وأُغلق {isolate(count_phrase(reports.closed, REPORTS))}",
        )
        self.cards["to_dispatch"].show_value(
            fmt.minutes(reports.median_minutes_to_dispatch),
            f"الوسيط؛ {display_digits('٩٠٪')} من البلاغات خلال {isolate(fmt.minutes(reports.p90_minutes_to_dispatch))}",
        )
        self.cards["to_close"].show_value(
            fmt.minutes(reports.median_minutes_to_close),
            f"الوسيط؛ {display_digits('٩٠٪')} من البلاغات خلال {isolate(fmt.minutes(reports.p90_minutes_to_close))}",
        )
        self.cards["escalated"].show_value(count_text(reports.escalated), f"حُوّلت إلى {reports.escalation_role}")
        self.platform_chart.set_items([(p.label, p.count) for p in reports.by_platform])
        self.day_chart.set_items([(format_dual(d.day), d.count) for d in reports.by_day])

    def show_officers(self, officers: OfficerFigures | None) -> None:
        """The per-officer table (manager, ≥5 responses each) or the service's explanation; hidden for others."""
        if officers is None:
            self.officer_box.setVisible(False)
            return
        self.officer_box.setVisible(True)
        self.officer_message.setText(officers.message_ar)
        self.officer_message.setVisible(bool(officers.message_ar))
        self.officer_table.setVisible(officers.shown and bool(officers.rows))
        self.officer_table.setRowCount(len(officers.rows))
        for row, figure in enumerate(officers.rows):
            values = (figure.officer_name, count_text(figure.responses), percent_text(figure.percent))
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.officer_table.setItem(row, column, item)

    def card_text(self, name: str) -> str:
        """The value shown on a card (tests compare it with the service)."""
        return self.cards[name].value.text()
