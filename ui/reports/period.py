"""The reporting period picker: a Hijri or Gregorian month, a year, or a range typed in either calendar."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import isolate
from desktop.counting import DAYS, count_phrase
from desktop.errors import InputError
from desktop.hijri import (
    GREGORIAN_MONTHS_AR,
    HIJRI_MONTHS_AR,
    HijriDate,
    format_dual,
    format_gregorian,
    format_hijri,
    parse_date_either,
    riyadh_today,
)
from desktop.reports.views import Period, ReportError

__all__ = ["PeriodPicker", "period_sentence"]

#: The kinds of period, in the order the list offers them.
KINDS: tuple[tuple[str, str], ...] = (
    ("hijri_month", "شهر هجري"),
    ("gregorian_month", "شهر ميلادي"),
    ("hijri_year", "سنة هجرية"),
    ("gregorian_year", "سنة ميلادية"),
    ("custom", "فترة تحددها (من … إلى …)"),
)


def period_sentence(period: Period) -> str:
    """The period's two ends in both calendars, e.g. «من ١ رمضان … الموافق … إلى …»."""
    return f"من {format_dual(period.start)} إلى {format_dual(period.end)} ({isolate(count_phrase(period.days, DAYS))})"


class _DateField(QWidget):
    """A date typed in either calendar, with the other calendar (or the error) shown under it.

    `sig_changed()` is emitted whenever the typed text changes.
    """

    sig_changed = Signal()

    def __init__(self, placeholder: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        self.edit = QLineEdit(self)
        self.edit.setObjectName(name)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setMinimumWidth(170)
        self.other = QLabel("", self)
        self.other.setObjectName("date_other_calendar")
        self.other.setWordWrap(True)
        self.other.setMaximumWidth(260)
        column.addWidget(self.edit)
        column.addWidget(self.other)
        self.edit.textChanged.connect(self._show_other)

    def value(self) -> date | None:
        """The date typed, or None when the field is empty or wrong."""
        text = self.edit.text().strip()
        if not text:
            return None
        try:
            return parse_date_either(text)
        except InputError:
            return None

    def _show_other(self) -> None:
        text = self.edit.text().strip()
        if not text:
            self.other.setText("")
        else:
            try:
                day = parse_date_either(text)
                other = format_gregorian(day) if _looks_hijri(text) else format_hijri(day)
                self.other.setText(f"الموافق {isolate(other)}")
                self.other.setProperty("invalid", False)
            except InputError as error:
                self.other.setText(error.message_ar)
                self.other.setProperty("invalid", True)
        self.other.style().unpolish(self.other)
        self.other.style().polish(self.other)
        self.sig_changed.emit()


class PeriodPicker(QWidget):
    """Choose the reporting period; `period()` returns it (or raises ReportError with an Arabic reason).

    `sig_changed()` is emitted when the kind of period, a month, a year or a typed date changes.
    """

    sig_changed = Signal()

    def __init__(self, today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("period_picker")
        today = today or riyadh_today()
        hijri_today = HijriDate.from_gregorian(today)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        label = QLabel("ال&فترة:", self)
        self.kind = QComboBox(self)
        self.kind.setObjectName("period_kind")
        for key, text in KINDS:
            self.kind.addItem(text, key)
        label.setBuddy(self.kind)
        row.addWidget(label)
        row.addWidget(self.kind)

        self.stack = QStackedWidget(self)
        row.addWidget(self.stack, 0, Qt.AlignmentFlag.AlignTop)
        row.addStretch(1)

        # Hijri month.
        self.hijri_month = QComboBox()
        self.hijri_month.setObjectName("hijri_month")
        self.hijri_month.addItems(list(HIJRI_MONTHS_AR))
        self.hijri_month.setCurrentIndex(hijri_today.month - 1)
        self.hijri_month_year = self._year_spin(1343, 1500, hijri_today.year, "hijri_month_year")
        self.stack.addWidget(self._row(self.hijri_month, self.hijri_month_year, "هـ"))
        # Gregorian month.
        self.gregorian_month = QComboBox()
        self.gregorian_month.setObjectName("gregorian_month")
        self.gregorian_month.addItems(list(GREGORIAN_MONTHS_AR))
        self.gregorian_month.setCurrentIndex(today.month - 1)
        self.gregorian_month_year = self._year_spin(1925, 2076, today.year, "gregorian_month_year")
        self.stack.addWidget(self._row(self.gregorian_month, self.gregorian_month_year, "م"))
        # Years.
        self.hijri_year = self._year_spin(1343, 1500, hijri_today.year, "hijri_year")
        self.stack.addWidget(self._row(None, self.hijri_year, "هـ"))
        self.gregorian_year = self._year_spin(1925, 2076, today.year, "gregorian_year")
        self.stack.addWidget(self._row(None, self.gregorian_year, "م"))
        # Custom range.
        custom = QWidget()
        custom_row = QHBoxLayout(custom)
        custom_row.setContentsMargins(0, 0, 0, 0)
        self.start_field = _DateField("من: ١٤٤٧/٠١/٠١ أو 2025/06/26", "period_start", custom)
        self.end_field = _DateField("إلى: هجري أو ميلادي", "period_end", custom)
        custom_row.addWidget(QLabel("من", custom), 0, Qt.AlignmentFlag.AlignTop)
        custom_row.addWidget(self.start_field)
        custom_row.addWidget(QLabel("إلى", custom), 0, Qt.AlignmentFlag.AlignTop)
        custom_row.addWidget(self.end_field)
        self.stack.addWidget(custom)

        self._kind_changed(0, announce=False)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        for combo in (self.hijri_month, self.gregorian_month):
            combo.currentIndexChanged.connect(lambda _i: self.sig_changed.emit())
        for spin in (self.hijri_month_year, self.gregorian_month_year, self.hijri_year, self.gregorian_year):
            spin.valueChanged.connect(lambda _v: self.sig_changed.emit())
        self.start_field.sig_changed.connect(self.sig_changed.emit)
        self.end_field.sig_changed.connect(self.sig_changed.emit)

    def _year_spin(self, low: int, high: int, value: int, name: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(name)
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setGroupSeparatorShown(False)
        spin.setMinimumWidth(90)
        spin.setMaximumWidth(120)
        return spin

    def _row(self, month: QComboBox | None, year: QSpinBox, marker: str) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        if month is not None:
            month.setParent(holder)
            row.addWidget(month)
        year.setParent(holder)
        row.addWidget(year)
        row.addWidget(QLabel(marker, holder))
        return holder

    def _kind_changed(self, index: int, announce: bool = True) -> None:
        # Only the page on show takes room: a month list does not get the width of the custom range.
        for other in range(self.stack.count()):
            policy = QSizePolicy.Policy.Preferred if other == index else QSizePolicy.Policy.Ignored
            page = self.stack.widget(other)
            if page is not None:
                page.setSizePolicy(policy, policy)
        self.stack.setCurrentIndex(index)
        self.stack.adjustSize()
        if announce:
            self.sig_changed.emit()

    # ----------------------------------------------------------------- values

    def set_kind(self, key: str) -> None:
        """Choose the kind of period by key (hijri_month, gregorian_month, hijri_year, gregorian_year, custom)."""
        index = self.kind.findData(key)
        if index >= 0:
            self.kind.setCurrentIndex(index)

    def set_custom(self, start: str, end: str) -> None:
        """Type a custom range (either calendar)."""
        self.set_kind("custom")
        self.start_field.edit.setText(start)
        self.end_field.edit.setText(end)

    def period(self) -> Period:
        """The chosen period; ReportError (Arabic) when the custom range is missing or wrong."""
        key = self.kind.currentData()
        if key == "hijri_month":
            return Period.hijri_month(self.hijri_month_year.value(), self.hijri_month.currentIndex() + 1)
        if key == "gregorian_month":
            return Period.gregorian_month(self.gregorian_month_year.value(), self.gregorian_month.currentIndex() + 1)
        if key == "hijri_year":
            return Period.hijri_year(self.hijri_year.value())
        if key == "gregorian_year":
            return Period.gregorian_year(self.gregorian_year.value())
        texts = (self.start_field.edit.text().strip(), self.end_field.edit.text().strip())
        if not texts[0] or not texts[1]:
            raise ReportError("اكتب بداية الفترة ونهايتها (بالهجري أو الميلادي).", field="period")
        try:
            start, end = parse_date_either(texts[0]), parse_date_either(texts[1])
        except InputError as error:
            raise ReportError(error.message_ar, field="period") from None
        hijri_typed = any(_looks_hijri(text) for text in texts)
        return Period.custom(start, end, calendar="hijri" if hijri_typed else "gregorian")


def _looks_hijri(text: str) -> bool:
    """True when a typed date's year is a Hijri year (below 1600), as parse_date_either decides."""
    from desktop.arabic_text import to_latin_digits
    import re

    years = [int(part) for part in re.findall(r"\d{3,4}", to_latin_digits(text))]
    return bool(years) and years[0] < 1600
