"""First run: choose a built-in policy or import a file; a broken file shows its problems and adopts nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog

from desktop.arabic_text import display_digits
from desktop.policy import load_builtin_profile
from desktop.workspace import Workspace
from tests.ui.conftest import FULL_PROFILE_ID
from ui.first_run import FirstRunDialog
from ui.main_window import MainWindow
from ui.ops import operations

ASSOCIATIONS = {
    "جمعية دعم للبحث والإنقاذ والإغاثة",
    "جمعية تحفيظ القرآن الكريم في بئر بن هرماس",
    "جمعية قادر لتعزيز الصحة النفسية بتبوك",
    "جمعية مفاتيح الخير الأسرية",
    "جمعية براعة التعليمية",
}


@pytest.fixture
def dialog(qtbot, workspace: Workspace) -> FirstRunDialog:
    """The first-run dialog on a fresh workspace, shown."""
    first_run = FirstRunDialog(workspace)
    qtbot.addWidget(first_run)
    first_run.show()
    qtbot.waitExposed(first_run)
    qtbot.waitUntil(lambda: first_run.profile_list.count() > 0)  # the policies are read off the GUI thread
    return first_run


@pytest.fixture
def broken_profile(tmp_path: Path) -> Path:
    """A copy of a real policy with one step of a kind the app does not know."""
    text = load_builtin_profile(FULL_PROFILE_ID).source_text
    assert 'kind = "greet"' in text
    path = tmp_path / "سياسة-معدلة.toml"
    path.write_text(text.replace('kind = "greet"', 'kind = "welcome"', 1), encoding="utf-8")
    return path


def _ok(dialog: FirstRunDialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_lists_the_five_builtin_policies(dialog: FirstRunDialog) -> None:
    """Each built-in policy shows its association, decision period and numbers of channels and steps."""
    texts = [dialog.profile_list.item(row).text() for row in range(dialog.profile_list.count())]
    assert {text.splitlines()[0] for text in texts} == ASSOCIATIONS
    family = next(text for text in texts if text.startswith("جمعية مفاتيح الخير"))
    assert display_digits("مدة القرار: لا تقل عن (14) يوماً من تاريخ تقديم الطلب") in family
    assert "القنوات: ٦" in family and "خطوات الاستقبال: ٧" in family
    rescue = next(text for text in texts if text.startswith("جمعية دعم"))
    assert "خطوات الاستقبال: ٥" in rescue


def test_buttons_are_arabic_and_ok_needs_a_choice(dialog: FirstRunDialog) -> None:
    """Cancel is Qt's Arabic «ألغِ»; OK says what it does and waits for a selection."""
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "ألغِ"
    assert _ok(dialog).text() == "اعتماد السياسة المختارة"
    assert not _ok(dialog).isEnabled()
    dialog.select_profile("qader-tabuk")
    assert _ok(dialog).isEnabled()


def test_the_list_taking_the_focus_chooses_no_policy(qtbot, dialog: FirstRunDialog) -> None:
    """Qt makes the first row current when the filled list takes the focus (the window activated after the policies
    arrived, or Tab): no association's policy stands chosen by that, «اعتماد» waits, and an arrow key chooses."""
    dialog.import_button.setFocus()
    dialog.profile_list.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(dialog.profile_list.hasFocus)
    assert dialog.profile_list.selectedItems() == []
    assert not _ok(dialog).isEnabled()
    QTest.keyClick(dialog.profile_list, Qt.Key.Key_Down)
    assert len(dialog.profile_list.selectedItems()) == 1
    assert _ok(dialog).isEnabled()


def test_the_highlighted_policy_is_the_chosen_one(dialog: FirstRunDialog) -> None:
    """A row made current by the keyboard (Qt makes the first one current when the list takes the focus) is the
    selected one, and «اعتماد» works for it: never a highlighted row beside a disabled button."""
    dialog.profile_list.clearSelection()
    listed = dialog.profile_list
    # As Qt's focus-in does it: the row made current without touching the selection.
    listed.selectionModel().setCurrentIndex(listed.model().index(2, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
    assert [item.text() for item in listed.selectedItems()] == [listed.item(2).text()]
    assert _ok(dialog).isEnabled()
    # A stray Enter adopts nothing: no button of the dialog is its default.
    assert not any(button.isDefault() or button.autoDefault() for button in dialog.buttons.buttons())
    QTest.keyClick(listed, Qt.Key.Key_Return)
    assert dialog.result() == 0 and dialog.adopted_profile is None


def test_adopting_a_builtin_policy_then_main_window_shows_it(
    qtbot, dialog: FirstRunDialog, workspace: Workspace
) -> None:
    """OK adopts the chosen policy; the main window opened next shows that association."""
    dialog.select_profile(FULL_PROFILE_ID)
    with qtbot.waitSignal(dialog.sig_profile_adopted) as adopted:
        _ok(dialog).click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert adopted.args[0].id == FULL_PROFILE_ID
    active = workspace.active_profile()
    assert active is not None and active.id == FULL_PROFILE_ID

    main = MainWindow(workspace)
    qtbot.addWidget(main)
    assert main.windowTitle() == "مكتب المستفيد — جمعية مفاتيح الخير الأسرية"
    assert main.desk_status.association_label.text() == "جمعية مفاتيح الخير الأسرية"


def test_cancel_adopts_nothing(dialog: FirstRunDialog, workspace: Workspace) -> None:
    """Cancel closes the dialog as rejected and leaves the workspace without a policy."""
    dialog.select_profile("baraah")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert workspace.active_profile() is None


def test_broken_profile_shows_arabic_problems_and_adopts_nothing(
    dialog: FirstRunDialog, workspace: Workspace, broken_profile: Path
) -> None:
    """Importing a broken policy file lists each problem on its own Arabic line; the dialog stays open."""
    dialog.import_file(broken_profile)  # the import runs off the GUI thread: wait for its outcome
    operations().wait()
    assert dialog.adopted_profile is None
    lines = dialog.problem_lines()
    assert len(lines) == 1
    assert "steps[0].kind" in lines[0]
    assert "قيمة غير مقبولة" in lines[0] and "welcome" in lines[0]
    assert "السطر" in lines[0]
    assert dialog.problems_list.isVisibleTo(dialog)
    assert broken_profile.name in dialog.problems_title.text()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert workspace.active_profile() is None


def test_toml_syntax_error_is_one_arabic_line(dialog: FirstRunDialog, workspace: Workspace, tmp_path: Path) -> None:
    """A file that is not even TOML says so, with the line."""
    path = tmp_path / "policy.toml"
    path.write_text('schema_version = 1\nid = "x\n', encoding="utf-8")
    dialog.import_file(path)
    operations().wait()
    assert dialog.adopted_profile is None
    (line,) = dialog.problem_lines()
    assert "خطأ في صيغة TOML" in line
    assert workspace.active_profile() is None


def test_import_through_the_file_dialog(
    qtbot, dialog: FirstRunDialog, workspace: Workspace, broken_profile: Path, tmp_path: Path
) -> None:
    """The import button opens Qt's file dialog (Arabic); a broken file is refused, a good one adopted."""
    file_dialog = _open_file_dialog(qtbot, dialog)
    assert file_dialog.labelText(QFileDialog.DialogLabel.Accept).replace("&", "") == "افتح"
    assert file_dialog.labelText(QFileDialog.DialogLabel.Reject) == "ألغِ"
    file_dialog.selectFile(str(broken_profile))
    file_dialog.accept()
    qtbot.waitUntil(lambda: bool(dialog.problem_lines()))
    assert workspace.active_profile() is None

    good = tmp_path / "qader.toml"
    good.write_text(load_builtin_profile("qader-tabuk").source_text, encoding="utf-8")
    file_dialog = _open_file_dialog(qtbot, dialog)
    file_dialog.selectFile(str(good))
    with qtbot.waitSignal(dialog.sig_profile_adopted):
        file_dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    active = workspace.active_profile()
    assert active is not None and active.association.name == "جمعية قادر لتعزيز الصحة النفسية بتبوك"


def _open_file_dialog(qtbot, dialog: FirstRunDialog) -> QFileDialog:
    """Press «استيراد ملف سياسة…» and return the file dialog it opened."""
    dialog.import_button.click()
    file_dialog = dialog.findChild(QFileDialog, "import_file_dialog")
    assert file_dialog is not None
    qtbot.waitExposed(file_dialog)
    return file_dialog


@pytest.mark.parametrize(
    "profile_id",
    [
        "daam-rescue",
        "tahfeez-bir-bin-hirmas",
        "qader-tabuk",
        "mafateeh-alkhair",
        "baraah",
    ],
)
def test_every_builtin_policy_can_be_adopted_and_shown(qtbot, workspace: Workspace, profile_id: str) -> None:
    """Each of the five associations' policies is adopted from the dialog and opens the main window."""
    dialog = FirstRunDialog(workspace)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.profile_list.count() > 0)
    dialog.select_profile(profile_id)
    dialog.accept()
    operations().wait()
    assert dialog.result() == QDialog.DialogCode.Accepted
    main = MainWindow(workspace)
    qtbot.addWidget(main)
    name = load_builtin_profile(profile_id).association.name
    assert main.windowTitle() == f"مكتب المستفيد — {name}"
    main.section_page("settings")
