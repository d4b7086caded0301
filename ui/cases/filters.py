"""The case list's filter bar: one row (status, channel, case kind or platform) and the «تصفية متقدمة» panel
(quick checks and a date range in either calendar), collapsed by default and remembered."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import display_digits, isolate
from desktop.casedesk import CaseFilter, Choice, FilterChoices
from ui.reception.fields import DualDateField
from ui.settings import remember_flag, remembered_flag

ALL = ""

#: Whether the officer left the «تصفية متقدمة» panel open (closed by default).
ADVANCED_OPEN_KEY = "case_list/advanced_filters_open"


def _combo(parent: QWidget, name: str, everything: str) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    combo.addItem(everything, ALL)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    combo.setMinimumContentsLength(10)
    return combo


class FilterBar(QWidget):
    """The filters of the case list; `sig_changed` whenever one changes (dates once they read as a date).

    A date that cannot be read is named in `date_problem()` and not applied (the list keeps the last range).
    For a policy of reports (`FilterChoices.is_report`) the bar offers the platform, status and received time
    only: no case kind, overdue decision, referral, document or signature filter.
    """

    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("case_filters")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        self._applied_dates: tuple[date | None, date | None] = (None, None)

        first = QHBoxLayout()
        first.setSpacing(8)
        self.status = _combo(self, "filter_status", "كل الحالات")
        self.channel = _combo(self, "filter_channel", "كل القنوات")
        self.case_kind = _combo(self, "filter_case_kind", "كل أنواع الطلبات")
        self.platform = _combo(self, "filter_platform", "كل المنصات")
        self._captions: dict[str, QLabel] = {}
        for caption, combo in (("ال&حالة:", self.status), ("ال&قناة:", self.channel), ("&نوع الطلب:", self.case_kind),
                               ("ال&منصة:", self.platform)):
            label = QLabel(caption, self)
            label.setBuddy(combo)
            first.addWidget(label)
            first.addWidget(combo)
            self._captions[combo.objectName()] = label
        self.platform.setVisible(False)
        self._captions["filter_platform"].setVisible(False)
        first.addStretch(1)
        self.clear_button = QPushButton("مسح عوامل التصفية", self)
        self.clear_button.setObjectName("clear_filters")
        first.addWidget(self.clear_button)
        grid.addLayout(first, 0, 0)

        # «تصفية متقدمة»: the quick checks and the date range, in a panel collapsed until the officer opens it
        # (remembered): the list keeps its rows.
        self.advanced_button = QToolButton(self)
        self.advanced_button.setObjectName("advanced_filters_toggle")
        self.advanced_button.setCheckable(True)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_button.setToolTip("المتأخرة والمحالة والناقصة وتاريخ التقديم")
        first.insertWidget(first.indexOf(self.clear_button), self.advanced_button)
        self.advanced = QWidget(self)
        self.advanced.setObjectName("advanced_filters")
        panel = QVBoxLayout(self.advanced)
        panel.setContentsMargins(0, 0, 0, 0)
        panel.setSpacing(4)
        grid.addWidget(self.advanced, 1, 0)

        second = QHBoxLayout()
        second.setSpacing(12)
        self.overdue = QCheckBox("المتأخرة عن موعد القرار", self.advanced)
        self.overdue.setObjectName("filter_overdue")
        self.referred_to_me = QCheckBox("المحالة إليّ", self.advanced)
        self.referred_to_me.setObjectName("filter_referred_to_me")
        self.missing_documents = QCheckBox("ناقصة المستندات", self.advanced)
        self.missing_documents.setObjectName("filter_missing_documents")
        self.signature_pending = QCheckBox("توقيع الإقرار معلّق", self.advanced)
        self.signature_pending.setObjectName("filter_signature_pending")
        for box in (self.overdue, self.referred_to_me, self.missing_documents, self.signature_pending):
            second.addWidget(box)
            box.toggled.connect(lambda _on: self.sig_changed.emit())
        second.addStretch(1)
        panel.addLayout(second)

        third = QHBoxLayout()
        third.setSpacing(8)
        from_label = QLabel("قُدّم &من:", self.advanced)
        self.from_label = from_label
        self.date_from = DualDateField(self.advanced, placeholder="هجري أو ميلادي")
        self.date_from.setObjectName("filter_date_from")
        from_label.setBuddy(self.date_from.edit)
        to_label = QLabel("&إلى:", self.advanced)
        self.date_to = DualDateField(self.advanced, placeholder="هجري أو ميلادي")
        self.date_to.setObjectName("filter_date_to")
        to_label.setBuddy(self.date_to.edit)
        self.date_error = QLabel(self.advanced)
        self.date_error.setObjectName("field_error")
        self.date_error.setVisible(False)
        third.addWidget(from_label)
        third.addWidget(self.date_from, 1)
        third.addWidget(to_label)
        third.addWidget(self.date_to, 1)
        third.addWidget(self.date_error, 1)
        panel.addLayout(third)
        self.sig_changed.connect(self._show_advanced_count)
        self.advanced_button.toggled.connect(self._advanced_toggled)
        opened = remembered_flag(ADVANCED_OPEN_KEY, False)
        self.advanced_button.setChecked(opened)
        self.advanced.setVisible(opened)
        self._show_advanced_count()

        for combo in (self.status, self.channel, self.case_kind, self.platform):
            combo.currentIndexChanged.connect(lambda _i: self.sig_changed.emit())
        self.date_from.sig_changed.connect(self._date_edited)
        self.date_to.sig_changed.connect(self._date_edited)
        self.clear_button.clicked.connect(self.clear)
        self.report_mode = False

    def set_choices(self, choices: FilterChoices) -> None:
        """Fill the status, channel and case-kind lists from the active policy (keeps nothing selected)."""
        for combo, values in ((self.status, choices.statuses), (self.channel, choices.channels),
                              (self.case_kind, choices.case_kinds), (self.platform, choices.platforms)):
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for choice in values:
                combo.addItem(choice.label, choice.id)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        reports = choices.is_report
        self.report_mode = reports
        for combo in (self.platform,):
            combo.setVisible(reports)
            self._captions[combo.objectName()].setVisible(reports)
        for combo in (self.case_kind,):
            combo.setVisible(not reports)
            self._captions[combo.objectName()].setVisible(not reports)
        for box in (self.overdue, self.referred_to_me, self.missing_documents, self.signature_pending):
            box.setVisible(not reports)
            if reports:
                box.setChecked(False)
        self.from_label.setText("استُلم &من:" if reports else "قُدّم &من:")

    def advanced_in_use(self) -> int:
        """How many of the advanced filters narrow the list now (said on the button while the panel is closed)."""
        checks = sum(box.isChecked() for box in (self.overdue, self.referred_to_me, self.missing_documents,
                                                 self.signature_pending))
        return checks + sum(value is not None for value in self._applied_dates)

    def set_advanced_open(self, opened: bool) -> None:
        """Open or close the «تصفية متقدمة» panel (remembered for the next start)."""
        self.advanced_button.setChecked(opened)

    def _advanced_toggled(self, opened: bool) -> None:
        self.advanced.setVisible(opened)
        remember_flag(ADVANCED_OPEN_KEY, opened)
        self._show_advanced_count()

    def _show_advanced_count(self) -> None:
        """«تصفية متقدمة ▾», with how many of its filters are in use when the panel is closed."""
        used = self.advanced_in_use()
        opened = self.advanced_button.isChecked()
        text = "تصفية متقدمة"
        if used and not opened:
            text += f" ({isolate(display_digits(str(used)))})"
        self.advanced_button.setText(text)
        self.advanced_button.setArrowType(Qt.ArrowType.UpArrow if opened else Qt.ArrowType.DownArrow)

    def _date_edited(self) -> None:
        problems = [p for p in (self.date_from.problem(), self.date_to.problem()) if p]
        self.date_error.setText(problems[0] if problems else "")
        self.date_error.setVisible(bool(problems))
        dates = (self.date_from.value(), self.date_to.value())
        if problems or dates == self._applied_dates:
            return
        self._applied_dates = dates
        self.sig_changed.emit()

    def date_problem(self) -> str | None:
        """Why a typed date is not applied (Arabic), or None."""
        return self.date_error.text() or None

    def filter(self, text: str = "") -> CaseFilter:
        """The filter the bar shows, with the search text."""
        def chosen(combo: QComboBox) -> frozenset[str]:
            value = combo.currentData()
            return frozenset({value}) if value else frozenset()

        date_from, date_to = self._applied_dates
        return CaseFilter(
            text=text,
            statuses=chosen(self.status),
            channel_ids=chosen(self.channel),
            case_kind_ids=chosen(self.case_kind),
            overdue=self.overdue.isChecked(),
            referred_to_me=self.referred_to_me.isChecked(),
            missing_documents=self.missing_documents.isChecked(),
            signature_pending=self.signature_pending.isChecked(),
            date_from=date_from,
            date_to=date_to,
            platforms=chosen(self.platform),
        )

    def clear(self) -> None:
        """Back to every case (one change signal)."""
        widgets = (self.status, self.channel, self.case_kind, self.platform, self.overdue, self.referred_to_me,
                   self.missing_documents, self.signature_pending, self.date_from, self.date_to)
        for widget in widgets:
            widget.blockSignals(True)
        for combo in (self.status, self.channel, self.case_kind, self.platform):
            combo.setCurrentIndex(0)
        for box in (self.overdue, self.referred_to_me, self.missing_documents, self.signature_pending):
            box.setChecked(False)
        self.date_from.setText("")
        self.date_to.setText("")
        self.date_from.other.setText("")
        self.date_to.other.setText("")
        for widget in widgets:
            widget.blockSignals(False)
        self.date_error.setVisible(False)
        self._applied_dates = (None, None)
        self.sig_changed.emit()

    def select(self, combo: QComboBox, value: str) -> None:
        """Choose a value of a list by its id (tests and links from other screens)."""
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)


__all__ = ["ALL", "Choice", "FilterBar"]
