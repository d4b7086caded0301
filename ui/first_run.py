"""First run on a PC: choose the association's policy from the built-in ones, or import a policy file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
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
from desktop.policy import ProfileError, ProfileProblem
from desktop.workspace import Workspace, WorkspaceError
from desktop.policy_text import problem_line, profile_summary

if TYPE_CHECKING:
    from desktop.policy import PolicyProfile

PROFILE_ID_ROLE = Qt.ItemDataRole.UserRole
IMPORT_FILTER = "ملفات سياسة الجمعية (*.toml);;كل الملفات (*)"


class FirstRunDialog(QDialog):
    """Asks which policy this PC works under; adopting one (built-in or imported) accepts the dialog."""

    sig_profile_adopted = Signal(object)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first_run_dialog")
        self.setWindowTitle("مكتب المستفيد — اختيار سياسة الجمعية")
        self.setModal(True)
        self._workspace = workspace
        self.adopted_profile: PolicyProfile | None = None

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

        self.profile_list = QListWidget(self)
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
        layout.addWidget(self.buttons)

        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.import_button.clicked.connect(self.choose_file_to_import)
        self.profile_list.itemSelectionChanged.connect(self._update_ok)
        self.profile_list.itemDoubleClicked.connect(lambda _item: self.accept())

        self._fill_builtin_profiles()
        self.resize(780, 700)

    # ----------------------------------------------------------------- contents

    def _fill_builtin_profiles(self) -> None:
        """List the built-in policies: association, decision period, channels and steps."""
        try:
            profiles = self._workspace.available_profiles()
        except ProfileError as error:
            self._show_problems("تعذّر تحميل بعض السياسات المدمجة مع البرنامج:", error.problems)
            return
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
        """The OK button works only with a policy selected."""
        selected = bool(self.profile_list.selectedItems())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(selected)

    # ----------------------------------------------------------------- actions

    def choose_file_to_import(self) -> QFileDialog:
        """Open the file chooser (non-blocking); the chosen file is imported when the officer confirms it."""
        dialog = QFileDialog(self, "استيراد ملف سياسة الجمعية", str(Path.home()), IMPORT_FILTER)
        dialog.setObjectName("import_file_dialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        # Qt's Arabic catalogue leaves these two labels of its own (non-native) file dialog untranslated.
        dialog.setLabelText(QFileDialog.DialogLabel.LookIn, "البحث في:")
        dialog.setLabelText(QFileDialog.DialogLabel.FileType, "نوع الملفات:")
        dialog.fileSelected.connect(lambda chosen: self.import_file(Path(chosen)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def import_file(self, path: Path) -> bool:
        """Validate and adopt a policy file; on problems, list them and adopt nothing. True when adopted."""
        try:
            profile = self._workspace.import_profile(path)
        except ProfileError as error:
            self._show_problems(
                f"لم يُعتمد الملف «{isolate(path.name)}» لأن فيه الأخطاء الآتية؛ صحّحها ثم أعد الاستيراد:",
                error.problems,
            )
            return False
        except WorkspaceError as error:
            self._show_problems("تعذّر حفظ السياسة:", [ProfileProblem(str(path), "", error.message_ar)])
            return False
        self._adopted(profile)
        return True

    def accept(self) -> None:
        """Adopt the selected built-in policy and close; problems keep the dialog open."""
        items = self.profile_list.selectedItems()
        if not items:
            return
        profile_id = str(items[0].data(PROFILE_ID_ROLE))
        try:
            profile = self._workspace.adopt_builtin_profile(profile_id)
        except ProfileError as error:
            self._show_problems("تعذّر اعتماد هذه السياسة:", error.problems)
            return
        except WorkspaceError as error:
            self._show_problems("تعذّر حفظ السياسة:", [ProfileProblem(profile_id, "", error.message_ar)])
            return
        self._adopted(profile)

    def _adopted(self, profile: PolicyProfile) -> None:
        """Remember the adopted policy, announce it, and close the dialog as accepted."""
        self.adopted_profile = profile
        self.sig_profile_adopted.emit(profile)
        super().accept()
