"""The committee's decision dialog: decide with reason and members present, then letter, message and notice."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import identifier_text, isolate, ltr
from desktop.casedesk import (
    CommitteeAccount,
    DECISIONS,
    INFORMED_HOW,
    CaseDesk,
    CaseFile,
    DecisionInput,
    DecisionResult,
    NotificationView,
    QueueRow,
)
from ui.cases.common import hold_until_done, message_line, show_message, tell
from ui.cases.eligibility import validity_words
from ui.cases.style import CASEDESK_STYLE
from ui.cases.text import countdown_days
from ui.input_safety import ask_before_escape
from ui.ops import run_read, run_write
from ui.printing import PrintController
from ui.reception.fields import DualDateField, NoteEdit

#: Opens a link outside the app (wa.me, sms:); tests replace it on the dialog to record the link instead.
UrlOpener = Callable[[QUrl], object]

REASON_REQUIRED = {"reject": "اكتب سبب رفض الطلب؛ يُذكر في خطاب القرار.",
                   "more_info": "اكتب المعلومات أو المستندات المطلوبة من المستفيد؛ تُذكر في خطاب القرار."}


class DecisionDialog(QDialog):
    """Record the committee's decision on one queued case, then hand the officer what informs the beneficiary.

    Page 1: the case summary, accept / reject / more information (reason required for the last two), the
    members present (check boxes, and free entries added). Page 2 after the service accepted it: the letter
    in print preview, the SMS/WhatsApp text with «نسخ» and «فتح واتساب», and «تم إبلاغ المستفيد» with how.
    A case decided meanwhile by someone else: the service's Arabic message in a box, `sig_conflict`, closed.
    Reads (the case file, the message text) and writes (the decision, the informed record) go through `ui.ops`;
    the button that started a write is held until it is back.
    Signals: `sig_decided(DecisionResult)` once the decision is recorded; `sig_conflict(message)` when the
    service refused it because the case was decided or changed meanwhile; `sig_informed(CaseFile)` once the
    informed record is saved.
    """

    sig_decided = Signal(object)
    sig_conflict = Signal(str)
    sig_informed = Signal(object)

    def __init__(
        self,
        desk: CaseDesk,
        row: QueueRow,
        parent: QWidget | None = None,
        *,
        printer: PrintController | None = None,
        known_members: list[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("decision_dialog")
        self.setWindowTitle(f"قرار لجنة البحث — الطلب {ltr(row.case_number)}")
        self.escape_guard = ask_before_escape(self)
        self.setStyleSheet(CASEDESK_STYLE)
        self.resize(860, 700)
        self.desk = desk
        self.row = row
        self.printer = printer or PrintController(self)
        self.open_url: UrlOpener = QDesktopServices.openUrl
        self.opened_urls: list[str] = []
        self.file: CaseFile | None = None
        self.result_value: DecisionResult | None = None
        self.notification: NotificationView | None = None
        self.conflict_box: QWidget | None = None

        layout = QVBoxLayout(self)
        self.pages = QStackedWidget(self)
        layout.addWidget(self.pages, 1)
        self.decide_page = QWidget(self.pages)
        self.after_page = QWidget(self.pages)
        self.pages.addWidget(self.decide_page)
        self.pages.addWidget(self.after_page)
        self._build_decide(known_members or [])
        self._build_after()
        self._load_summary()
        self._load_accounts()

    # ----------------------------------------------------------------- page 1: decide

    def _build_decide(self, known_members: list[str]) -> None:
        column = QVBoxLayout(self.decide_page)
        column.setContentsMargins(0, 0, 0, 0)
        row = self.row
        title = QLabel(f"{row.beneficiary_name} — الطلب {identifier_text(row.case_number)}", self.decide_page)
        title.setObjectName("case_title")
        column.addWidget(title)
        self.summary = QLabel(self.decide_page)
        self.summary.setObjectName("case_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setText(self._summary_text(None))
        column.addWidget(self.summary)

        box = QGroupBox("القرار", self.decide_page)
        box_column = QVBoxLayout(box)
        choices = QHBoxLayout()
        self.decision_group = QButtonGroup(self)
        self.decision_buttons: dict[str, QRadioButton] = {}
        for code, label in DECISIONS.items():
            button = QRadioButton(label, box)
            button.setObjectName(f"decide_{code}")
            self.decision_group.addButton(button)
            self.decision_buttons[code] = button
            choices.addWidget(button)
            button.toggled.connect(lambda _on: self._decision_changed())
        choices.addStretch(1)
        box_column.addLayout(choices)
        self.reason_caption = QLabel("ال&سبب:", box)
        self.reason = NoteEdit(box, lines=3, placeholder="سبب القرار (مطلوب للرفض ولطلب استكمال المعلومات)")
        self.reason.setObjectName("decision_reason")
        self.reason_caption.setBuddy(self.reason)
        self.reason_error = message_line(box, "field_error")
        box_column.addWidget(self.reason_caption)
        box_column.addWidget(self.reason)
        box_column.addWidget(self.reason_error)
        due_row = QHBoxLayout()
        self.info_due_caption = QLabel("تُستكمل المعلومات قبل:", box)
        self.info_due = DualDateField(box)
        self.info_due.setObjectName("info_due")
        due_row.addWidget(self.info_due_caption)
        due_row.addWidget(self.info_due, 1)
        box_column.addLayout(due_row)
        self.info_due_caption.setVisible(False)
        self.info_due.setVisible(False)
        column.addWidget(box)

        members_box = QGroupBox("الأعضاء الحاضرون", self.decide_page)
        members_column = QVBoxLayout(members_box)
        self.members_row = QHBoxLayout()
        self.members_row.addStretch(1)
        members_column.addLayout(self.members_row)
        add_row = QHBoxLayout()
        self.new_member = QLineEdit(members_box)
        self.new_member.setObjectName("new_member")
        self.new_member.setPlaceholderText("اسم عضو حاضر")
        self.add_member_button = QPushButton("إضافة عضو", members_box)
        self.add_member_button.setObjectName("add_member")
        add_row.addWidget(self.new_member, 1)
        add_row.addWidget(self.add_member_button)
        members_column.addLayout(add_row)
        self.members_error = message_line(members_box, "field_error")
        members_column.addWidget(self.members_error)
        column.addWidget(members_box)
        self.member_boxes: list[QCheckBox] = []
        self.account_boxes: dict[uuid.UUID, QCheckBox] = {}
        for name in known_members:
            self.add_member(name, checked=False)
        self.add_member_button.clicked.connect(self._add_typed_member)
        self.new_member.returnPressed.connect(self._add_typed_member)

        self.decide_message = message_line(self.decide_page)
        column.addWidget(self.decide_message)
        column.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.decide_button = QPushButton("تسجيل القرار", self.decide_page)
        self.decide_button.setObjectName("record_decision")
        self.cancel_button = QPushButton("إلغاء", self.decide_page)
        self.cancel_button.setObjectName("cancel_decision")
        buttons.addWidget(self.decide_button)
        buttons.addWidget(self.cancel_button)
        column.addLayout(buttons)
        self.decide_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        self.reason.textChanged.connect(lambda: show_message(self.reason_error, None))

    def _summary_text(self, file: CaseFile | None) -> str:
        row = self.row
        lines = [
            f"نوع الطلب: {row.case_kind_name} · الجوال: {isolate(row.mobile_local) if row.mobile_local else '—'}",
            f"قُدّم {row.submitted_text} · موعد القرار الموعود {row.promised_text} ({countdown_days(row.days_left)})",
            f"توصية الباحث: {row.recommendation_label or 'لم تُسجَّل توصية بعد'}",
        ]
        if file is not None:
            documents = [f"{d.name}: {validity_words(d)}" for d in file.documents]
            if documents:
                lines.append("المستندات: " + "، ".join(documents))
            if file.open_referral is not None:
                lines.append(f"إحالة مفتوحة إلى {file.open_referral.to_role_name} لم يُجب عنها")
            if file.signature_pending:
                lines.append("توقيع الإقرار معلّق")
        return "\n".join(lines)

    def _load_summary(self) -> None:
        files, case_id = self.desk.files, self.row.case_id

        def arrived(file: CaseFile) -> None:
            self.file = file
            self.summary.setText(self._summary_text(file))

        run_read(self, lambda: files.case_file(case_id), arrived, lambda _m, _e: None, where="committee.case_file")

    def _load_accounts(self) -> None:
        """The accounts holding a committee role, as the members' check list (read in the background)."""
        committee = self.desk.committee
        run_read(self, committee.committee_accounts, self._accounts_arrived, lambda _m, _e: None,
                 where="committee.accounts")

    def _accounts_arrived(self, accounts: tuple[CommitteeAccount, ...]) -> None:
        """One check box per committee account; with accounts to choose from, no name is typed any more."""
        for account in accounts:
            box = QCheckBox(f"{account.full_name} ({account.roles_ar})", self)
            box.setObjectName("member_account")
            box.toggled.connect(lambda _on: show_message(self.members_error, None))
            self.members_row.insertWidget(self.members_row.count() - 1, box)
            self.account_boxes[account.account_id] = box
        if accounts:
            self.new_member.hide()
            self.add_member_button.hide()

    def member_ids(self) -> tuple[uuid.UUID, ...]:
        """The committee accounts ticked as present."""
        return tuple(account_id for account_id, box in self.account_boxes.items() if box.isChecked())

    def add_member(self, name: str, *, checked: bool = True) -> QCheckBox | None:
        """A member's check box (ticked when added by hand); an existing name is ticked instead."""
        name = " ".join(name.split())
        if not name:
            return None
        for box in self.member_boxes:
            if box.text() == name:
                box.setChecked(checked or box.isChecked())
                return box
        box = QCheckBox(name, self)
        box.setObjectName("member_present")
        box.setChecked(checked)
        box.toggled.connect(lambda _on: show_message(self.members_error, None))
        self.members_row.insertWidget(self.members_row.count() - 1, box)
        self.member_boxes.append(box)
        show_message(self.members_error, None)
        return box

    def _add_typed_member(self) -> None:
        if self.add_member(self.new_member.text()) is not None:
            self.new_member.clear()

    def members(self) -> tuple[str, ...]:
        """The names of the members ticked as present."""
        return tuple(box.text() for box in self.member_boxes if box.isChecked())

    def chosen(self) -> str:
        """The decision chosen ("accept", "reject", "more_info"), or ""."""
        return next((code for code, button in self.decision_buttons.items() if button.isChecked()), "")

    def choose(self, code: str) -> None:
        """Choose a decision (keyboard and tests)."""
        self.decision_buttons[code].setChecked(True)

    def _decision_changed(self) -> None:
        code = self.chosen()
        more = code == "more_info"
        self.info_due_caption.setVisible(more)
        self.info_due.setVisible(more)
        self.reason_caption.setText("ال&سبب (مطلوب):" if code in REASON_REQUIRED else "ال&سبب (اختياري):")
        show_message(self.decide_message, None)

    def submit(self) -> None:
        """Check the choice, the reason and the members, then record the decision in the background."""
        show_message(self.decide_message, None)
        code = self.chosen()
        if not code:
            show_message(self.decide_message, "اختر القرار: قبول الطلب أو رفضه أو طلب استكمال معلومات.")
            return
        ok = True
        if code in REASON_REQUIRED and not self.reason.text().strip():
            show_message(self.reason_error, REASON_REQUIRED[code])
            self.reason.setFocus()
            ok = False
        if not self.members() and not self.member_ids():
            show_message(self.members_error, "حدد الأعضاء الحاضرين (عضو واحد على الأقل)، أو أضف اسم العضو.")
            ok = False
        problem = self.info_due.problem() if code == "more_info" else None
        if problem:
            show_message(self.decide_message, problem)
            ok = False
        if not ok:
            return
        version = self.file.version if self.file is not None else self.row.version
        decision = DecisionInput(decision=code, reason=self.reason.text(), members=self.members(),
                                 member_ids=self.member_ids(), expected_version=version, info_due=self.info_due.text() if code == "more_info" else "")
        committee, case_id = self.desk.committee, self.row.case_id
        decided, refused = hold_until_done(self.decide_button, "جارٍ تسجيل القرار…", self._decided, self._refused)
        run_write(self, lambda: committee.decide(case_id, decision), decided, refused, where="committee.decide")

    def _refused(self, message: str, error: BaseException) -> None:
        field = getattr(error, "field", None)
        if field == "reason":
            show_message(self.reason_error, message)
            return
        if field in ("members", "info_due"):
            show_message(self.members_error if field == "members" else self.decide_message, message)
            return
        # Decided meanwhile by someone else, or no longer awaiting a decision: say so and give the queue back.
        self.conflict_box = tell(self.parentWidget() or self, "قرار لجنة البحث", message)
        self.sig_conflict.emit(message)
        self.reject()

    # ----------------------------------------------------------------- page 2: inform the beneficiary

    def _build_after(self) -> None:
        column = QVBoxLayout(self.after_page)
        column.setContentsMargins(0, 0, 0, 0)
        self.done_label = QLabel(self.after_page)
        self.done_label.setObjectName("decision_done")
        self.done_label.setWordWrap(True)
        column.addWidget(self.done_label)

        letter_box = QGroupBox("خطاب القرار", self.after_page)
        letter_row = QHBoxLayout(letter_box)
        letter_note = QLabel("حُفظ الخطاب في ملف الحالة على ترويسة الجمعية. تُفتح معاينة الطباعة تلقائيًا.", letter_box)
        letter_note.setWordWrap(True)
        self.letter_button = QPushButton("معاينة الخطاب وطباعته", letter_box)
        self.letter_button.setObjectName("preview_letter")
        letter_row.addWidget(letter_note, 1)
        letter_row.addWidget(self.letter_button)
        column.addWidget(letter_box)

        message_box = QGroupBox("رسالة للمستفيد (نصية أو واتساب)", self.after_page)
        message_column = QVBoxLayout(message_box)
        self.phone_label = QLabel(message_box)
        message_column.addWidget(self.phone_label)
        self.notification_text = QLabel("جارٍ تجهيز نص الرسالة…", message_box)
        self.notification_text.setObjectName("notification_text")
        self.notification_text.setWordWrap(True)
        self.notification_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        message_column.addWidget(self.notification_text)
        message_buttons = QHBoxLayout()
        self.copy_button = QPushButton("نسخ", message_box)
        self.copy_button.setObjectName("copy_notification")
        self.whatsapp_button = QPushButton("فتح واتساب", message_box)
        self.whatsapp_button.setObjectName("open_whatsapp")
        self.sms_button = QPushButton("فتح الرسائل النصية", message_box)
        self.sms_button.setObjectName("open_sms")
        self.copied_label = QLabel(message_box)
        self.copied_label.setObjectName("list_state")
        for button in (self.copy_button, self.whatsapp_button, self.sms_button):
            button.setEnabled(False)
            message_buttons.addWidget(button)
        message_buttons.addWidget(self.copied_label, 1)
        message_column.addLayout(message_buttons)
        column.addWidget(message_box)

        informed_box = QGroupBox("إبلاغ المستفيد", self.after_page)
        informed_column = QVBoxLayout(informed_box)
        informed_row = QHBoxLayout()
        informed_row.addWidget(QLabel("أُبلغ عن &طريق:", informed_box))
        self.informed_how = QComboBox(informed_box)
        self.informed_how.setObjectName("informed_how")
        self.informed_how.addItem("— اختر —", "")
        for code, label in INFORMED_HOW.items():
            self.informed_how.addItem(label, code)
        informed_row.itemAt(0).widget().setBuddy(self.informed_how)  # type: ignore[union-attr]
        informed_row.addWidget(self.informed_how)
        self.informed_note = QLineEdit(informed_box)
        self.informed_note.setPlaceholderText("ملاحظة (اختيارية)")
        informed_row.addWidget(self.informed_note, 1)
        self.informed_button = QPushButton("تم إبلاغ المستفيد", informed_box)
        self.informed_button.setObjectName("record_informed")
        informed_row.addWidget(self.informed_button)
        informed_column.addLayout(informed_row)
        self.informed_label = QLabel(informed_box)
        self.informed_label.setObjectName("informed_done")
        self.informed_label.setWordWrap(True)
        self.informed_label.setVisible(False)
        informed_column.addWidget(self.informed_label)
        column.addWidget(informed_box)
        self.after_message = message_line(self.after_page)
        column.addWidget(self.after_message)
        column.addStretch(1)
        close_row = QHBoxLayout()
        close_row.addStretch(1)
        self.finish_button = QPushButton("إغلاق", self.after_page)
        self.finish_button.setObjectName("finish_decision")
        close_row.addWidget(self.finish_button)
        column.addLayout(close_row)

        self.letter_button.clicked.connect(self.preview_letter)
        self.copy_button.clicked.connect(self.copy_notification)
        self.whatsapp_button.clicked.connect(self.open_whatsapp)
        self.sms_button.clicked.connect(self.open_sms)
        self.informed_button.clicked.connect(self.record_informed)
        self.finish_button.clicked.connect(self.accept)
        self.printer.sig_message.connect(lambda text: show_message(self.after_message, text))

    def _decided(self, result: DecisionResult) -> None:
        self.result_value = result
        self.escape_guard.reset()  # recorded: nothing typed is lost by closing now
        decision = result.decision
        lines = [f"سُجّل القرار: {decision.label} — {decision.decided_text}"]
        if decision.reason:
            lines.append(f"السبب: {decision.reason}")
        lines.append("الأعضاء الحاضرون: " + "، ".join(decision.members))
        if decision.within_promise is not None:
            lines.append("صدر القرار ضمن المدة الموعودة." if decision.within_promise else "صدر القرار بعد المدة الموعودة.")
        self.done_label.setText("\n".join(lines))
        self.pages.setCurrentWidget(self.after_page)
        self.setWindowTitle(f"إبلاغ المستفيد بالقرار — الطلب {ltr(self.row.case_number)}")
        self.sig_decided.emit(result)
        self.preview_letter()
        committee, case_id = self.desk.committee, self.row.case_id
        run_read(self, lambda: committee.notification(case_id), self._show_notification,
                 lambda message, _e: self.notification_text.setText(message), where="committee.notification")

    def preview_letter(self) -> None:
        """The stored decision letter in the print preview."""
        if self.result_value is not None:
            self.printer.print_pdf(self.result_value.letter_path, f"خطاب القرار — {self.row.case_number}")

    def _show_notification(self, view: NotificationView) -> None:
        self.notification = view
        self.notification_text.setText(view.text)
        self.phone_label.setText(f"جوال المستفيد: {isolate(view.phone_local)}" if view.phone_local
                                 else "لا يوجد رقم جوال مسجل للمستفيد: انسخ النص وأرسله بطريقة أخرى.")
        self.copy_button.setEnabled(True)
        self.whatsapp_button.setEnabled(bool(view.whatsapp_url))
        self.sms_button.setEnabled(bool(view.sms_url))

    def copy_notification(self) -> None:
        """Put the message text on the clipboard."""
        if self.notification is not None:
            QApplication.clipboard().setText(self.notification.text)
            self.copied_label.setText("نُسخ النص؛ الصقه في الرسالة.")

    def _open(self, url: str | None, how: str) -> None:
        if not url:
            return
        self.opened_urls.append(url)
        self.open_url(QUrl(url))
        index = self.informed_how.findData(how)
        if index >= 0 and not self.informed_how.currentData():
            self.informed_how.setCurrentIndex(index)

    def open_whatsapp(self) -> None:
        """Open the wa.me link with the text (WhatsApp on this PC or in the browser)."""
        self._open(self.notification.whatsapp_url if self.notification else None, "whatsapp")

    def open_sms(self) -> None:
        """Open the sms: link with the text."""
        self._open(self.notification.sms_url if self.notification else None, "sms")

    def record_informed(self) -> None:
        """Record that the beneficiary was informed, and how."""
        how = str(self.informed_how.currentData() or "")
        if not how:
            show_message(self.after_message, "اختر كيف أُبلغ المستفيد بالقرار.")
            return
        show_message(self.after_message, None)
        committee, case_id, note = self.desk.committee, self.row.case_id, self.informed_note.text()
        def done(file: CaseFile) -> None:
            last = max(file.informed, key=lambda informed: informed.at) if file.informed else None
            text = f"سُجّل إبلاغ المستفيد ({last.how_label}) {last.at_text}" if last else "سُجّل إبلاغ المستفيد."
            self.informed_label.setText(text)
            self.informed_label.setVisible(True)
            self.sig_informed.emit(file)

        saved, failed = hold_until_done(self.informed_button, "جارٍ الحفظ…", done,
                                        lambda message, _error: show_message(self.after_message, message))
        run_write(self, lambda: committee.record_informed(case_id, how, note), saved, failed,
                  where="committee.record_informed")
