"""The beneficiary's particulars on the verify page, each problem shown under its field as it is typed.

The problems come from `desktop.reception.check_particulars` — the same check the service enforces — so what
the officer sees here is what the service would refuse. A field is checked when the officer leaves it (the ID
once ten digits are typed, the expiry date once it is a whole date) and every field on «التالي».
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import display_digits, isolate, ltr, to_latin_digits
from desktop.counting import DIGITS, count_phrase
from desktop.identity import format_mobile_local
from desktop.reception import GENDER_CHOICES, SAUDI_CITIES, ParticularsInput, check_particulars
from ui.reception.fields import DualDateField, FieldForm, date_text, riyadh_today

if TYPE_CHECKING:
    from desktop.reception import BeneficiaryView

ID_KINDS: tuple[tuple[str, str], ...] = (
    ("", "هوية وطنية أو إقامة"),
    ("other", "وثيقة أخرى (جواز سفر…)"),
)

#: The fields in reading order (the first empty one gets the keyboard).
PERSONAL_FIELDS = ("full_name", "gender", "id_kind", "id_number", "id_expiry", "birth_date", "mobile", "city", "household_size")
#: The fields checked on «التالي», in the order of the form.
CHECKED_FIELDS = ("full_name", "gender", "id_number", "id_expiry", "birth_date", "mobile", "city", "household_size")

_LINES = ("full_name", "id_number", "mobile", "city", "household_size")
_DATES = ("id_expiry", "birth_date")


def _line(parent: QWidget, name: str, *, placeholder: str = "", max_length: int = 0, width: int = 0) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    if max_length:
        edit.setMaxLength(max_length)
    if width:
        edit.setMaximumWidth(width)
    return edit


class GenderChoice(QWidget):
    """«ذكر» / «أنثى» as two radio buttons, neither chosen until the officer chooses (a required choice).

    Signals: `sig_changed()` when the choice changes.
    """

    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for value, label in GENDER_CHOICES:
            button = QRadioButton(label, self)
            button.setObjectName(f"gender_{value}")
            self.group.addButton(button)
            self.buttons[value] = button
            layout.addWidget(button)
        layout.addStretch(1)
        self.setFocusProxy(self.buttons[GENDER_CHOICES[0][0]])
        self.group.buttonToggled.connect(self._toggled)

    def _toggled(self, _button: QRadioButton, checked: bool) -> None:
        if checked:
            self.sig_changed.emit()

    def value(self) -> str:
        """The chosen gender ("male" or "female"), or "" when none is chosen."""
        return next((value for value, button in self.buttons.items() if button.isChecked()), "")

    def set_value(self, value: str | None) -> None:
        """Choose `value` ("male"/"female"); anything else clears the choice."""
        button = self.buttons.get(value or "")
        if button is not None:
            button.setChecked(True)
            return
        self.group.setExclusive(False)
        for each in self.buttons.values():
            each.setChecked(False)
        self.group.setExclusive(True)


class ParticularsForm(QGroupBox):
    """«البيانات الشخصية»: name, gender, ID and its kind, expiry, birth date, mobile, city, household size.

    Signals: `sig_edited(name)` after the officer changed a field (its error cleared until it is checked again).
    The city offers `SAUDI_CITIES` as it is typed; the household size is required when the policy says so
    (`set_household_required`). `lock_identity()` makes the ID and its kind read-only (a correction).
    """

    sig_edited = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("البيانات الشخصية", parent)
        # Two columns (the name across both): every field in view on a 1366×768 screen without scrolling.
        self.form = FieldForm(self, columns=2)
        self.full_name = _line(self, "full_name", placeholder="الاسم واسم الأب والجد والعائلة", max_length=200)
        self.form.add("full_name", "الاسم ال&رباعي:", self.full_name, wide=True)
        self.gender = GenderChoice(self)
        self.gender.setObjectName("gender")
        self.form.add("gender", "الج&نس:", self.gender)
        id_row = QWidget(self)
        self.id_number = _line(id_row, "id_number", placeholder=f"{count_phrase(10, DIGITS)} تبدأ بـ "
                               f"{isolate(display_digits('1'))} (هوية) أو {isolate(display_digits('2'))} (إقامة)",
                               max_length=20, width=260)
        self.id_kind_label = QLabel(id_row)
        self.id_kind_label.setObjectName("id_kind_label")
        id_layout = QHBoxLayout(id_row)
        id_layout.setContentsMargins(0, 0, 0, 0)
        id_layout.addWidget(self.id_number, 1)  # as wide as its column allows (up to 260 px): its hint whole
        id_layout.addWidget(self.id_kind_label)
        id_row.setFocusProxy(self.id_number)
        self.form.add("id_number", "رقم ال&هوية:", id_row)
        self.form.editors["id_number"] = self.id_number
        self.id_kind = QComboBox(self)
        self.id_kind.setObjectName("id_kind")
        self.id_kind.setMaximumWidth(260)
        for value, label in ID_KINDS:
            self.id_kind.addItem(label, value)
        self.form.add("id_kind", "نوع ال&وثيقة:", self.id_kind)
        self.id_expiry = DualDateField(self)
        self.id_expiry.setObjectName("id_expiry")
        self.form.add("id_expiry", "تاريخ ا&نتهاء الهوية:", self.id_expiry)
        self.birth_date = DualDateField(self)
        self.birth_date.setObjectName("birth_date")
        self.form.add("birth_date", "تاريخ المي&لاد (اختياري):", self.birth_date)
        self.mobile = _line(self, "mobile", placeholder=ltr("05XXXXXXXX"), max_length=20, width=260)
        self.form.add("mobile", "ال&جوال:", self.mobile)
        self.city = _line(self, "city", max_length=80, width=360)
        completer = QCompleter(list(SAUDI_CITIES), self.city)
        completer.setFilterMode(completer.filterMode().MatchContains)
        self.city.setCompleter(completer)
        self.form.add("city", "ال&مدينة:", self.city)
        self.household_size = _line(self, "household_size", placeholder="عدد أفراد الأسرة", max_length=3, width=120)
        self.form.add("household_size", "&عدد أفراد الأسرة:", self.household_size)
        QVBoxLayout(self).addWidget(self.form)
        self._filling = False
        self.household_required = False
        self._connect()

    def _connect(self) -> None:
        for name in _LINES:
            edit: QLineEdit = getattr(self, name)
            edit.textChanged.connect(lambda _t, n=name: self._edited(n))
            edit.editingFinished.connect(lambda n=name: self.check_field(n))
        for name in _DATES:
            dual: DualDateField = getattr(self, name)
            dual.sig_changed.connect(lambda n=name: self._edited(n))
            dual.edit.editingFinished.connect(lambda n=name: self.check_field(n))
        self.id_kind.currentIndexChanged.connect(lambda _i: self._edited("id_number"))
        self.gender.sig_changed.connect(lambda: self._edited("gender"))

    # ----------------------------------------------------------------- values

    def typed(self) -> ParticularsInput:
        """The particulars as typed (what the service is given)."""
        return ParticularsInput(
            full_name=self.full_name.text(),
            id_number=self.id_number.text(),
            id_expiry=self.id_expiry.text(),
            birth_date=self.birth_date.text(),
            mobile=self.mobile.text(),
            city=self.city.text(),
            household_size=self.household_size.text(),
            id_kind=str(self.id_kind.currentData() or ""),
            gender=self.gender.value(),
        )

    def fields(self) -> dict[str, Any]:
        """Everything typed, for the draft."""
        values: dict[str, Any] = {name: getattr(self, name).text() for name in (*_LINES, *_DATES)}
        values["id_kind"] = self.id_kind.currentData()
        values["gender"] = self.gender.value()
        return values

    def load(self, fields: Mapping[str, Any]) -> None:
        """Restore a draft's fields (those it has)."""
        for name in (*_LINES, *_DATES):
            if name in fields:
                getattr(self, name).setText(str(fields[name]))
        if "id_kind" in fields:
            self.id_kind.setCurrentIndex(max(self.id_kind.findData(str(fields["id_kind"] or "")), 0))
        if "gender" in fields:
            self.gender.set_value(str(fields["gender"] or ""))
        self.show_id_kind()

    def fill_empty_from(self, beneficiary: BeneficiaryView) -> None:
        """The stored file's particulars in the fields still empty (what was typed is kept; nothing re-checked)."""
        values = {
            "full_name": beneficiary.full_name,
            "id_number": beneficiary.id_number,
            "id_expiry": date_text(beneficiary.id_expiry),
            "birth_date": date_text(beneficiary.birth_date),
            "mobile": format_mobile_local(beneficiary.mobile).replace(" ", "") if beneficiary.mobile else "",
            "city": beneficiary.city or "",
            "household_size": "" if beneficiary.household_size is None else str(beneficiary.household_size),
        }
        self._filling = True
        try:
            for name, value in values.items():
                editor = getattr(self, name)
                if not editor.text() and value:
                    editor.setText(value)
            if beneficiary.id_kind == "other":
                self.id_kind.setCurrentIndex(max(self.id_kind.findData("other"), 0))
            if not self.gender.value() and beneficiary.gender:
                self.gender.set_value(beneficiary.gender)
        finally:
            self._filling = False
        self.show_id_kind()

    def clear(self) -> None:
        """Empty every field (another file is opened for the case)."""
        for name in (*_LINES, *_DATES):
            getattr(self, name).setText("")
        self.gender.set_value(None)

    def first_empty(self) -> QWidget:
        """The first empty field in reading order, else the name."""
        for name in PERSONAL_FIELDS:
            editor = self.form.editors.get(name)
            if isinstance(editor, QLineEdit) and not editor.text():
                return editor
            if isinstance(editor, DualDateField) and not editor.text():
                return editor.edit
            if isinstance(editor, GenderChoice) and not editor.value():
                return editor.buttons[GENDER_CHOICES[0][0]]
        return self.full_name

    # ----------------------------------------------------------------- checks

    def problems(self) -> dict[str, str]:
        """The problem of each field that has one (Arabic), as the service would refuse it."""
        found = check_particulars(self.typed(), today=riyadh_today(), household_required=self.household_required)
        return dict(found) if isinstance(found, list) else {}

    def check_field(self, name: str, *, quiet_incomplete: bool = False) -> str | None:
        """Check one field now and show its problem inline; returns it."""
        problem = self.problems().get(name)
        if quiet_incomplete and problem and name == "id_expiry" and self.id_expiry.value() is None:
            return problem  # still typing the date: say nothing yet
        self.form.set_error(name, problem)
        return problem

    def check_all(self) -> QWidget | None:
        """Check every field and show every problem inline; the first field with one, or None."""
        problems = self.problems()
        first_bad: QWidget | None = None
        for name in CHECKED_FIELDS:
            self.form.set_error(name, problems.get(name))
            if name in problems and first_bad is None:
                first_bad = self.form.editors[name]
        return first_bad

    def set_household_required(self, required: bool) -> None:
        """Whether the policy requires the household size (its placeholder says so)."""
        self.household_required = required
        self.household_size.setPlaceholderText("مطلوب" if required else "عدد أفراد الأسرة")

    def lock_identity(self, reason: str) -> None:
        """The ID number and its kind read-only and shaded, `reason` as their tooltip."""
        self.id_number.setReadOnly(True)
        self.id_kind.setEnabled(False)
        for editor in (self.id_number, self.id_kind):
            editor.setProperty("locked", True)
            editor.setToolTip(reason)

    def error(self, name: str) -> str | None:
        """The inline error under a field, or None."""
        return self.form.error(name)

    def show_id_kind(self) -> None:
        """Beside the ID: national ID or iqama, told by its first digit (or another document, as chosen)."""
        digits = to_latin_digits(self.id_number.text().strip())
        kind = {"1": "هوية وطنية", "2": "إقامة"}.get(digits[:1], "")
        if self.id_kind.currentData() == "other":
            kind = "مستند آخر"
        self.id_kind_label.setText(kind)

    def _edited(self, name: str) -> None:
        """A field changed: its error goes until it is checked again (at once for a whole ID or expiry date)."""
        if self._filling:
            return
        self.form.set_error(name, None)
        if name == "id_number":
            self.show_id_kind()
            if len(to_latin_digits(self.id_number.text().strip())) >= 10:
                self.check_field("id_number")
        if name == "id_expiry":
            self.check_field("id_expiry", quiet_incomplete=True)
        self.sig_edited.emit(name)
