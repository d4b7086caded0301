"""First run on a PC: choose the association's policy from the built-in ones, or import a policy file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.arabic_text import isolate
from desktop.policy import PolicyProfile, ProfileError, ProfileProblem
from desktop.policy_text import problem_line, profile_summary
from desktop.workspace import Workspace, WorkspaceError
from ui.file_dialogs import file_dialog
from ui.ops import run_read, run_write

PROFILE_ID_ROLE = Qt.ItemDataRole.UserRole
IMPORT_FILTER = "ملفات سياسة الجمعية (*.toml);;كل الملفات (*)"
LOADING_TEXT = "جارٍ تحميل سياسات الجمعيات…"
ADOPTING_TEXT = "جارٍ اعتماد السياسة…"


@dataclass(frozen=True, slots=True)
class _Refused:
    """A policy that was not adopted (or listed): the title over its problems, one line each."""

    title: str
    problems: list[ProfileProblem]


def _adopting(title: str, source: str, adopt: Callable[[], PolicyProfile]) -> Callable[[], PolicyProfile | _Refused]:
    """Work for the writer: adopt a policy, or say why not (a refused policy is an answer, not an incident)."""

    def work() -> PolicyProfile | _Refused:
        try:
            return adopt()
        except ProfileError as error:
            return _Refused(title, error.problems)
        except WorkspaceError as error:
            return _Refused("تعذّر حفظ السياسة:", [ProfileProblem(source, "", error.message_ar)])

    return work


class _PolicyList(QListWidget):
    """The built-in policies: taking the focus chooses none of them.

    Qt makes the first row current when a list takes the focus by the keyboard or at the window's opening, and the
    dialog keeps the current row selected (a highlighted row is the chosen one). Without this an association's
    policy stood chosen before anybody chose it, or not, by whether the window had been activated yet; now an
    arrow key, a click or a double-click chooses, and «اعتماد» waits for it."""

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Take the focus; a first row made current by taking it is let go again (nothing was chosen)."""
        chosen = self.currentIndex().isValid()
        super().focusInEvent(event)
        if not chosen and self.currentIndex().isValid():
            self.selectionModel().clear()


class FirstRunDialog(QDialog):
    """Asks which policy this PC works under; adopting one (built-in or imported) accepts the dialog.

    The built-in policies are read, and a choice adopted, through `ui.ops` off the GUI thread; OK and the
    import button are disabled while an adoption is in flight. `sig_profile_adopted(PolicyProfile)` is
    emitted once a policy is adopted, just before the dialog is accepted.
    """

    sig_profile_adopted = Signal(object)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        """The dialog for `workspace` (its built-in policies are listed as soon as they are read)."""
        super().__init__(parent)
        self.setObjectName("first_run_dialog")
        self.setWindowTitle("مكتب المستفيد — اختيار سياسة الجمعية")
        self.setModal(True)
        self._workspace = workspace
        self.adopted_profile: PolicyProfile | None = None
        self._adopting = False

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        intro = QLabel(
            "مرحبًا بك في مكتب المستفيد. هذه أول مرة يعمل فيها البرنامج بمجلد البيانات هذا: "
            "اختر «سياسة تنظيم العلاقة مع المستفيدين» التي اعتمدها مجلس إدارة جمعيتك، "
            "أو استورد ملف سياستها. تحدد السياسة قنوات التواصل وخطوات الاستقبال ومدة قرار اللجنة.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.profile_list = _PolicyList(self)
        self.profile_list.setObjectName("builtin_profiles")
        self.profile_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.profile_list.setWordWrap(True)
        self.profile_list.setSpacing(3)
        self.profile_list.setMinimumHeight(240)
        layout.addWidget(self.profile_list, 1)

        import_row = QHBoxLayout()
        self.import_button = QPushButton("استيراد ملف سياسة…", self)
        self.import_button.setObjectName("import_profile_button")
        self.import_button.setAutoDefault(False)
        import_row.addWidget(self.import_button)
        import_row.addStretch(1)
        layout.addLayout(import_row)

        self.problems_title = QLabel(self)
        self.problems_title.setObjectName("problems_title")
        self.problems_title.setWordWrap(True)
        self.problems_list = QListWidget(self)
        self.problems_list.setObjectName("import_problems")
        self.problems_list.setWordWrap(True)
        self.problems_list.setMinimumHeight(150)
        self.problems_list.setMaximumHeight(220)
        self.problems_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        layout.addWidget(self.problems_title)
        layout.addWidget(self.problems_list)
        self._show_problems("", [])

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("اعتماد السياسة المختارة")
        ok.setEnabled(False)
        # No default button: a stray Enter must not adopt an association's policy (a click, Space on the button, or
        # a double-click on a row does); taking the focus chooses no row (`_PolicyList`).
        for button in self.buttons.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
                button.setDefault(False)
        layout.addWidget(self.buttons)

        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.import_button.clicked.connect(self.choose_file_to_import)
        self.profile_list.itemSelectionChanged.connect(self._update_ok)
        # The highlighted policy is the chosen one: Qt makes the first row current when the list takes the focus,
        # which drew it highlighted while «اعتماد» stayed disabled (seen at the counter's first run).
        self.profile_list.currentItemChanged.connect(
            lambda current, _previous: current.setSelected(True) if current is not None else None)
        self.profile_list.itemDoubleClicked.connect(lambda _item: self.accept())

        self._read_builtin_profiles()
        # Within a 1366×768 screen less the task bar (40 px) and the title bar (31 px): 697 px at most.
        self.resize(780, 660)

    def showEvent(self, event: QShowEvent) -> None:
        """Shown: the button box has just made «اعتماد» the default again; no button is (see `__init__`)."""
        super().showEvent(event)
        for button in self.buttons.buttons():
            if isinstance(button, QPushButton):
                button.setDefault(False)

    # ----------------------------------------------------------------- contents

    def _read_builtin_profiles(self) -> None:
        """Read the built-in policies off the GUI thread («جارٍ تحميل…» meanwhile), then list them."""
        self.problems_title.setText(LOADING_TEXT)
        self.problems_title.setVisible(True)
        workspace = self._workspace

        def work() -> list[PolicyProfile] | _Refused:
            try:
                return workspace.available_profiles()
            except ProfileError as error:
                return _Refused("تعذّر تحميل بعض السياسات المدمجة مع البرنامج:", error.problems)

        run_read(self, work, self._fill_builtin_profiles, self._failed, where="first_run.profiles")

    def _fill_builtin_profiles(self, profiles: list[PolicyProfile] | _Refused) -> None:
        """List the built-in policies: association, decision period, channels and steps."""
        if isinstance(profiles, _Refused):
            self._show_problems(profiles.title, profiles.problems)
            return
        self._show_problems("", [])
        for profile in profiles:
            item = QListWidgetItem(f"{profile.association.name}\n{profile_summary(profile)}", self.profile_list)
            item.setData(PROFILE_ID_ROLE, profile.id)
            item.setToolTip(profile.title or profile.association.name)

    def profile_ids(self) -> list[str]:
        """Ids of the built-in policies offered, in list order."""
        return [self.profile_list.item(row).data(PROFILE_ID_ROLE) for row in range(self.profile_list.count())]

    def select_profile(self, profile_id: str) -> None:
        """Select a built-in policy in the list, by id."""
        self.profile_list.setCurrentRow(self.profile_ids().index(profile_id))

    def problem_lines(self) -> list[str]:
        """The problem lines currently shown (empty when none)."""
        return [self.problems_list.item(row).text() for row in range(self.problems_list.count())]

    def _show_problems(self, title: str, problems: list[ProfileProblem]) -> None:
        """Show (or hide, when empty) the problems of a policy file, one line each."""
        self.problems_list.clear()
        for problem in problems:
            QListWidgetItem(problem_line(problem), self.problems_list)
        self.problems_title.setText(title)
        self.problems_title.setVisible(bool(problems))
        self.problems_list.setVisible(bool(problems))

    def _update_ok(self) -> None:
        """The OK button works only with a policy selected and no adoption in flight."""
        selected = bool(self.profile_list.selectedItems())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(selected and not self._adopting)
        self.import_button.setEnabled(not self._adopting)

    def _busy(self, busy: bool) -> None:
        """An adoption is in flight: say so, and let nothing start a second one."""
        self._adopting = busy
        if busy:
            self._show_problems("", [])
            self.problems_title.setText(ADOPTING_TEXT)
            self.problems_title.setVisible(True)
        self._update_ok()

    # ----------------------------------------------------------------- actions

    def choose_file_to_import(self) -> QFileDialog:
        """Open the file chooser (non-blocking); the chosen file is imported when the officer confirms it."""
        dialog = file_dialog(self, "استيراد ملف سياسة الجمعية", str(Path.home()), IMPORT_FILTER)
        dialog.setObjectName("import_file_dialog")
        dialog.fileSelected.connect(lambda chosen: self.import_file(Path(chosen)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def import_file(self, path: Path) -> None:
        """Validate and adopt a policy file off the GUI thread; on problems, list them and adopt nothing."""
        if self._adopting:
            return
        workspace = self._workspace
        title = f"لم يُعتمد الملف «{isolate(path.name)}» لأن فيه الأخطاء الآتية؛ صحّحها ثم أعد الاستيراد:"
        self._busy(True)
        run_write(self, _adopting(title, str(path), lambda: workspace.import_profile(path)), self._adopted,
                  self._failed, where="first_run.import")

    def accept(self) -> None:
        """Adopt the selected built-in policy (off the GUI thread) and close; problems keep the dialog open."""
        items = self.profile_list.selectedItems()
        if not items or self._adopting:
            return
        profile_id = str(items[0].data(PROFILE_ID_ROLE))
        workspace = self._workspace
        self._busy(True)
        adopt = _adopting("تعذّر اعتماد هذه السياسة:", profile_id, lambda: workspace.adopt_builtin_profile(profile_id))
        run_write(self, adopt, self._adopted, self._failed, where="first_run.adopt")

    def _failed(self, message: str, _error: BaseException) -> None:
        """Reading or adopting failed unexpectedly: the Arabic message, and the dialog stays open."""
        self._busy(False)
        self._show_problems("تعذّر إتمام العملية:", [ProfileProblem("", "", message)])

    def _adopted(self, outcome: PolicyProfile | _Refused) -> None:
        """Remember the adopted policy, announce it, and close the dialog as accepted (or list why not)."""
        self._busy(False)
        if isinstance(outcome, _Refused):
            self._show_problems(outcome.title, outcome.problems)
            return
        profile = outcome
        self.adopted_profile = profile
        self.sig_profile_adopted.emit(profile)
        super().accept()
