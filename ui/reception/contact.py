"""Start of a contact: the channel it came on, the kind of case, and who the beneficiary is (look-up)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QComboBox, QGroupBox, QVBoxLayout, QWidget

from desktop.arabic_text import identifier_text, to_latin_digits
from desktop.identity import phone_search_key
from desktop.reception import case_words, Procedure, procedure_of
from ui.reception.base import StepPage, WizardContext
from ui.reception.fields import FieldForm, wrapped_label
from ui.reception.lookup import LookupPanel

if TYPE_CHECKING:
    from desktop.reception import BeneficiaryMatch, CaseView, StepState


def classify_identification(text: str) -> dict[str, str]:
    """What the officer typed to find the beneficiary, as the verify page's fields: ID, mobile or name."""
    value = text.strip()
    if not value:
        return {}
    digits = to_latin_digits(value).replace(" ", "")
    if digits.isdigit() and len(digits) == 10 and digits[0] in "12":
        return {"id_number": digits}
    if phone_search_key(value) is not None and len(digits.lstrip("+")) >= 9:
        return {"mobile": value}
    if digits.isdigit():
        return {"id_number": digits}
    return {"full_name": value}


class ContactPage(StepPage[None]):
    """Channel, case kind and identification; the wizard starts the case from here."""

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, None, None, parent)
        self.title_label.setText("بدء التواصل مع المستفيد" if not self.rescue else "بدء استقبال بلاغ")
        profile = context.profile
        intro = (
            "اختر القناة التي وصل منها المستفيد ونوع الحالة، ثم ابحث عنه برقم الهوية أو الجوال أو الاسم: "
            "إن كان له ملف فُتح ملفه، وإلا أُنشئ ملف جديد عند التحقق من بياناته."
            if not self.rescue
            else "اختر القناة التي وصل منها البلاغ. يمكن البحث عن المبلّغ إن كان مسجلًا، وهو اختياري: "
            "السرعة في البلاغ أهم من الأوراق."
        )
        self.body.addWidget(wrapped_label(intro, self, name="page_intro", selectable=False))

        box = QGroupBox("التواصل", self)
        box_layout = QVBoxLayout(box)
        form = FieldForm(box, columns=2)
        self.form = form
        self.channel = QComboBox(box)
        self.channel.setObjectName("channel")
        for channel in profile.channels:
            label = channel.name + (f" ({channel.details})" if channel.details else "")
            self.channel.addItem(label, channel.id)
        form.add("channel", "&القناة:", self.channel)
        self.case_kind = QComboBox(box)
        self.case_kind.setObjectName("case_kind")
        for kind in profile.case_kinds:
            self.case_kind.addItem(kind.name, kind.id)
            if profile.ends_at_answer(kind.id):
                self.case_kind.setItemData(
                    self.case_kind.count() - 1, "يُجاب في الاستقبال وتُغلق الحالة (لا يحتاج إلى قرار لجنة)",
                    Qt.ItemDataRole.ToolTipRole,
                )
            elif profile.needs_decision(kind.id):
                self.case_kind.setItemData(
                    self.case_kind.count() - 1, "يُحال إلى اللجنة، ويُستكمل بعد قبوله من ملف الحالة",
                    Qt.ItemDataRole.ToolTipRole,
                )
        form.add("case_kind", "&نوع الحالة:", self.case_kind)
        box_layout.addWidget(form)
        self.body.addWidget(box)

        who = QGroupBox("المبلّغ (اختياري)" if self.rescue else "المستفيد", self)
        who_layout = QVBoxLayout(who)
        caption = (
            "&بحث عن المبلّغ (رقم الهوية، أو الجوال، أو الاسم):"
            if self.rescue
            else "&بحث عن المستفيد (رقم الهوية أو الإقامة، أو الجوال، أو الاسم):"
        )
        self.lookup = LookupPanel(context.service.lookup, who, caption=caption)
        who_layout.addWidget(self.lookup)
        self.body.addWidget(who)

        self.started_label = wrapped_label("", self, name="contact_started")
        self.started_label.setVisible(False)
        self.body.addWidget(self.started_label)

        self.lookup.sig_results_shown.connect(
            lambda: QTimer.singleShot(
                0, self.scroll_area, lambda: self.scroll_area.ensureWidgetVisible(self.lookup.status)
            )
        )
        self.channel.currentIndexChanged.connect(lambda _i: self.changed())
        self.case_kind.currentIndexChanged.connect(lambda _i: self.changed())

    @property
    def rescue(self) -> bool:
        """True for a rescue association's reports."""
        return procedure_of(self.context.profile) is Procedure.REPORT

    @property
    def key(self) -> str:
        """The checklist key of the start page."""
        return "contact"

    def channel_id(self) -> str:
        """The chosen channel's id."""
        return str(self.channel.currentData())

    def case_kind_id(self) -> str:
        """The chosen case kind's id."""
        return str(self.case_kind.currentData())

    def chosen(self) -> BeneficiaryMatch | None:
        """The existing beneficiary chosen in the look-up, if any."""
        return self.lookup.chosen()

    def identification_fields(self) -> dict[str, str]:
        """What was typed in the look-up, as verify-page fields (when no existing file was chosen)."""
        return classify_identification(self.lookup.text()) if self.chosen() is None else {}

    def set_channel(self, channel_id: str) -> None:
        """Choose a channel by id."""
        index = self.channel.findData(channel_id)
        if index >= 0:
            self.channel.setCurrentIndex(index)

    def set_case_kind(self, case_kind_id: str) -> None:
        """Choose a case kind by id."""
        index = self.case_kind.findData(case_kind_id)
        if index >= 0:
            self.case_kind.setCurrentIndex(index)

    def fields(self) -> dict[str, Any]:
        """Nothing to save before the case exists."""
        return {}

    def load_fields(self, fields: Mapping[str, Any]) -> None:
        """Nothing is saved for the start page."""

    def show_case(self, case: CaseView, state: StepState | None) -> None:
        """The contact has started: show which case, channel and kind; nothing to change any more."""
        self.case = case
        self.set_channel(case.channel_id)
        self.set_case_kind(case.case_kind_id)
        self.channel.setEnabled(False)
        self.case_kind.setEnabled(False)
        self.lookup.setEnabled(False)
        who = f"، المستفيد: {case.beneficiary.full_name}" if case.beneficiary is not None else ""
        self.started_label.setText(
            f"✓ بدأ التواصل: {case_words(case.is_rescue).noun} رقم {identifier_text(case.case_number)} "
            f"عبر «{case.channel_name}» "
            f"({case.case_kind_name}){who}."
        )
        self.started_label.setVisible(True)

    def reset(self) -> None:
        """Ready for the next contact: everything editable and empty."""
        self.case = None
        self.channel.setEnabled(True)
        self.case_kind.setEnabled(True)
        self.lookup.setEnabled(True)
        self.lookup.edit.clear()
        self.lookup.choose(None)
        self.channel.setCurrentIndex(0)
        self.case_kind.setCurrentIndex(0)
        self.started_label.setVisible(False)
        self.clear_errors()

    def first_field(self) -> QWidget | None:
        """The channel comes first."""
        return self.channel if self.case is None else None

    def next_caption(self) -> str:
        """Start the contact."""
        return "بدء التواصل" if self.case is None else "متابعة"
