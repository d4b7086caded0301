"""Qt's own file dialog, everywhere: it reads Arabic from qtbase_ar.qm on every platform (a native one may not).

`file_dialog` builds the non-native dialog with the labels Qt's Arabic catalogue leaves untranslated;
`choose_file_to_open` asks for one existing file (modal) and returns its path, or "" when cancelled;
`choose_folder` the same for a folder (a USB drive to back up to, a backup to restore).
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QWidget

__all__ = ["choose_file_to_open", "choose_folder", "file_dialog"]


def file_dialog(parent: QWidget | None, title: str, folder: str, name_filter: str, *, save: bool = False
                ) -> QFileDialog:
    """A non-native file dialog in Arabic: open one existing file, or (`save`) name a file to write."""
    dialog = QFileDialog(parent, title, folder, name_filter)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setLabelText(QFileDialog.DialogLabel.LookIn, "الحفظ في:")
        dialog.setLabelText(QFileDialog.DialogLabel.FileName, "اسم الملف:")
        dialog.setLabelText(QFileDialog.DialogLabel.FileType, "نوع الملف:")
        dialog.setLabelText(QFileDialog.DialogLabel.Accept, "حفظ")
        dialog.setLabelText(QFileDialog.DialogLabel.Reject, "إلغاء")
    else:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        # Qt's Arabic catalogue leaves these two labels untranslated (its «افتح» and «ألغِ» are kept).
        dialog.setLabelText(QFileDialog.DialogLabel.LookIn, "البحث في:")
        dialog.setLabelText(QFileDialog.DialogLabel.FileType, "نوع الملفات:")
    return dialog


def _chosen(dialog: QFileDialog) -> str:
    """Run `dialog` (modal); the first path chosen, or "" when cancelled. The dialog is deleted after."""
    accepted = dialog.exec() == QFileDialog.DialogCode.Accepted
    chosen = dialog.selectedFiles() if accepted else []
    dialog.deleteLater()
    return chosen[0] if chosen else ""


def choose_file_to_open(parent: QWidget | None, title: str, folder: str, name_filter: str) -> str:
    """Ask for one existing file in Qt's Arabic dialog (modal); its path, or "" when the officer cancelled."""
    return _chosen(file_dialog(parent, title, folder, name_filter))


def choose_folder(parent: QWidget | None, title: str, folder: str) -> str:
    """Ask for one existing folder in Qt's Arabic dialog (modal); its path, or "" when the officer cancelled."""
    dialog = QFileDialog(parent, title, folder)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.setLabelText(QFileDialog.DialogLabel.LookIn, "البحث في:")
    dialog.setLabelText(QFileDialog.DialogLabel.FileName, "المجلد:")
    dialog.setLabelText(QFileDialog.DialogLabel.Accept, "اختيار")
    dialog.setLabelText(QFileDialog.DialogLabel.Reject, "إلغاء")
    return _chosen(dialog)
