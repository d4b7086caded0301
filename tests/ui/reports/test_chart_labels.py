"""Chart labels fit: at the counter's screen sizes every text of every chart is drawn whole, inside its chart.

Geometry, not pixels: each chart lays its texts out in boxes (`BarChart.rows`, `LineChart.texts`); a box
never narrower than its text, inside the widget, not over a neighbour.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetricsF

from desktop.arabic_text import to_arabic_digits
from desktop.workspace import Workspace
from tests.ui.reports.conftest import choose_this_year
from ui.reports.charts import BarChart, ChartText, LineChart

#: The reports page's share of the screen: the window less the section list and the frame.
SCREENS = {"1366x768": (1366 - 230, 768 - 60), "1280x800": (1280 - 230, 800 - 60)}

LONG_QUESTIONS = [
    ("ما مدى رضاك عن حسن الاستقبال واللباقة في التعامل من موظفي الجمعية عند حضورك؟", 3.44),
    ("ما مدى وضوح الإجراءات والإجابة عن استفساراتك؟", 3.89),
    ("ما مدى رضاك عن سرعة إنجاز معاملتك؟", 4.0),
    ("ما مدى رضاك العام عن الخدمة المقدمة؟", 3.56),
]


def _whole(chart: BarChart | LineChart, text: ChartText) -> None:
    """The text fits its box, and the box lies inside the chart."""
    metrics = QFontMetricsF(chart.font())
    assert metrics.horizontalAdvance(text.text) <= text.rect.width() + 0.5, text.text
    bounds = QRectF(chart.rect())
    assert bounds.contains(text.rect), (text.text, text.rect, bounds)


def _check_bar_chart(chart: BarChart) -> None:
    rows = chart.rows()
    area = chart.chart_area()
    for (label, _value), row in zip(chart.items, rows, strict=True):
        for line in row.labels:
            _whole(chart, line)
            assert not line.rect.intersects(row.bar), line.text
        _whole(chart, row.value)
        assert row.value.rect.right() <= row.bar.left() + 0.5
        assert row.labels[-1].rect.bottom() <= area.bottom() + 0.5
        shown = " ".join(line.text for line in row.labels)
        # A label is written whole, or cut at its end (never at its start).
        assert shown == label or (shown.endswith("…") and label.startswith(shown[:-1].split()[0]))


def _check_line_chart(chart: LineChart) -> None:
    texts = chart.texts()
    for group in texts.values():
        for text in group:
            _whole(chart, text)
    for kind in ("labels", "values"):
        shown = texts[kind]
        for first, second in zip(shown, shown[1:], strict=False):
            assert not first.rect.intersects(second.rect), (kind, first.text, second.text)
    labels = texts["labels"]
    assert labels, "the months under the line are shown"


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_dashboard_chart_labels_are_never_clipped(qtbot, data_workspace: Workspace, open_reports, screen: str) -> None:
    """Every chart of the dashboard, with the demonstration data, at 1366×768 and 1280×800."""
    page = open_reports(data_workspace, "manager")
    page.resize(*SCREENS[screen])
    choose_this_year(page, qtbot)
    view = page.dashboard
    view.question_chart.set_items(LONG_QUESTIONS, decimals=2)  # the longest wording a profile may have
    qtbot.wait(50)
    charts = [c for c in view.findChildren(BarChart) if c.isVisible() and not c.is_empty()]
    assert len(charts) >= 3
    for chart in charts:
        _check_bar_chart(chart)
    assert view.trend_chart.isVisible() and not view.trend_chart.is_empty()
    _check_line_chart(view.trend_chart)


@pytest.mark.parametrize("width", [300, 420, 560])
@pytest.mark.parametrize("months", [1, 2, 12, 36])
def test_month_labels_fit_and_never_touch(qtbot, width: int, months: int) -> None:
    """Long month names (a Hijri month with its year) under one to 36 points, in narrow and wide charts."""
    chart = LineChart("اتجاه مؤشر الرضا شهريًا (٪)")
    qtbot.addWidget(chart)
    names = ["جمادى الآخرة", "ربيع الأول", "ذو القعدة", "شعبان"]
    chart.set_points([(to_arabic_digits(f"{names[i % 4]} {1446 + i // 12} هـ"), 50 + i % 40) for i in range(months)],
                     low=0, high=100, decimals=0)
    chart.resize(width, 220)
    chart.show()
    qtbot.waitExposed(chart)
    _check_line_chart(chart)


def test_a_long_bar_label_wraps_and_the_chart_grows(qtbot) -> None:
    """A question too long for the label column takes two lines; the chart is tall enough for them."""
    chart = BarChart("الرضا حسب السؤال (المتوسط من ٥)")
    qtbot.addWidget(chart)
    chart.resize(560, 210)
    chart.set_items(LONG_QUESTIONS, decimals=2)
    chart.show()
    qtbot.waitExposed(chart)
    rows = chart.rows()
    assert len(rows[0].labels) == 2
    assert chart.height() >= chart.minimumHeight()
    _check_bar_chart(chart)
