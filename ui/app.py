"""Application bootstrap: right-to-left Arabic Qt, bundled font, Qt's own Arabic translations, the first screen."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

import resources

if TYPE_CHECKING:
    from desktop.workspace import Workspace

APPLICATION_NAME = "Mustafid Desk"
ORGANIZATION_NAME = "Mustafid"

# Amiri draws small for its point size; 13 pt reads like 10-11 pt of a Latin UI font.
FONT_POINT_SIZE = 13

STARTUP_PROBE_ENV = "MUSTAFID_STARTUP_PROBE"
READY_MARKER = "MUSTAFID_READY"
WORKSPACE_READY_MARKER = "MUSTAFID_WORKSPACE_READY"

EXIT_OK = 0
EXIT_STARTUP_ERROR = 1

STYLE_SHEET: Path = resources.ROOT / "styles" / "desk.qss"

HEADLESS_MESSAGE = (
    "مكتب المستفيد: لا توجد شاشة (DISPLAY و WAYLAND_DISPLAY غير مضبوطين)، "
    "فسيعمل البرنامج دون واجهة مرئية (QT_QPA_PLATFORM=offscreen). أوقفه بـ Ctrl+C.\n"
    "Mustafid Desk: no display found (DISPLAY and WAYLAND_DISPLAY are unset); "
    "running with the offscreen Qt platform, nothing will be shown. Stop it with Ctrl+C."
)

# Translators must outlive the call that installs them.
_translators: list[QTranslator] = []


def arabic_locale() -> QLocale:
    """The application's locale: Arabic as written in Saudi Arabia."""
    return QLocale(QLocale.Language.Arabic, QLocale.Country.SaudiArabia)


def ensure_platform(environ: dict[str, str] | os._Environ[str] | None = None) -> bool:
    """On Linux with no display and no explicit Qt platform, choose offscreen and say so; True if it did."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return False
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return False
    env["QT_QPA_PLATFORM"] = "offscreen"
    print(HEADLESS_MESSAGE, file=sys.stderr, flush=True)
    return True


def install_qt_translations(app: QApplication) -> bool:
    """Load Qt's own Arabic catalogue (qtbase_ar.qm) so standard buttons and dialogs read in Arabic."""
    directory = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    if not translator.load(arabic_locale(), "qtbase", "_", directory):
        print(f"mustafid: Qt Arabic translations not found in {directory}", file=sys.stderr)
        return False
    app.installTranslator(translator)
    _translators.append(translator)
    return True


def install_arabic_font(app: QApplication) -> str | None:
    """Register the bundled Amiri faces and make them the application font; return the family used."""
    family: str | None = None
    for path in (resources.ARABIC_FONT_REGULAR, resources.ARABIC_FONT_BOLD):
        font_id = QFontDatabase.addApplicationFont(str(path))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if families and family is None:
            family = families[0]
    if family is None:
        print("mustafid: the bundled Arabic font could not be loaded", file=sys.stderr)
        return None
    font = QFont(family, FONT_POINT_SIZE)
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    app.setFont(font)
    return family


def configure_application(app: QApplication) -> None:
    """Make an application right-to-left and Arabic: names, locale, direction, translations, font, style."""
    app.setApplicationName(APPLICATION_NAME)
    app.setOrganizationName(ORGANIZATION_NAME)
    QLocale.setDefault(arabic_locale())
    if not _translators:
        install_qt_translations(app)
    app.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    install_arabic_font(app)
    if STYLE_SHEET.is_file():
        sheet = STYLE_SHEET.read_text(encoding="utf-8")
        if app.styleSheet() != sheet:  # setting it again re-polishes every live widget (seconds), for nothing
            app.setStyleSheet(sheet)


def create_application(argv: Sequence[str]) -> QApplication:
    """Return the configured QApplication, creating it on first use."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *argv])
    configure_application(app)
    return app


def startup_error_box(
    title: str, message: str, details: Sequence[str] = (), parent: QWidget | None = None
) -> QMessageBox:
    """Build the Arabic message box shown when the desk cannot start (one line per detail)."""
    box = QMessageBox(QMessageBox.Icon.Critical, title, message, QMessageBox.StandardButton.Close, parent)
    box.setObjectName("startup_error_box")
    if details:
        box.setInformativeText("\n".join(details))
    box.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    return box


def load_workspace(data_dir: Path | None) -> Workspace:
    """Open the workspace and read its active policy (runs on a worker thread at a normal start)."""
    from desktop.workspace import Workspace

    workspace = Workspace.open(data_dir)
    try:
        workspace.active_profile()
        workspace.save_snapshot()
        # Import what the reception page needs here, off the GUI thread: attaching then only builds widgets.
        import desktop.reception  # noqa: F401
        import ui.reception.page  # noqa: F401
    except BaseException:
        workspace.close()
        raise
    return workspace


def show_startup_failure(error: BaseException) -> bool:
    """Show why the desk cannot start, in Arabic; False for an unexpected error (the caller re-raises it)."""
    from desktop.policy import ProfileError
    from desktop.workspace import WorkspaceError

    if isinstance(error, WorkspaceError):
        startup_error_box("تعذّر فتح مكتب المستفيد", error.message_ar).exec()
        return True
    if isinstance(error, ProfileError):
        from desktop.policy_text import problem_line

        message = "سياسة الجمعية المحفوظة في قاعدة البيانات فيها أخطاء تمنع تشغيل البرنامج:"
        lines = [problem_line(problem) for problem in error.problems]
        startup_error_box("تعذّر قراءة سياسة الجمعية", message, lines).exec()
        return True
    return False


def _open_workspace(data_dir: Path | None) -> Workspace | None:
    """Open the workspace on the GUI thread (first run); on a known failure show why and return None."""
    try:
        return load_workspace(data_dir)
    except Exception as error:
        if show_startup_failure(error):
            return None
        raise


def _arm_startup_probe(finish: Callable[[], object]) -> None:
    """Print the ready marker once the event loop is idle after the first screen is shown, then `finish`."""

    def ready() -> None:
        print(READY_MARKER, flush=True)
        finish()

    # The first zero timer runs after the show/expose events are handled; the second after any they posted.
    QTimer.singleShot(0, lambda: QTimer.singleShot(0, ready))


def _let_python_handle_ctrl_c(app: QApplication) -> None:
    """Ctrl+C in a terminal quits the event loop (Python only sees signals between Qt calls)."""
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    heartbeat = QTimer(app)
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(500)


def parse_arguments(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """The desk's own command-line arguments, and the rest (left to Qt, e.g. -platform)."""
    parser = argparse.ArgumentParser(prog="mustafid", description="مكتب المستفيد")
    parser.add_argument("--data-dir", type=Path, default=None, metavar="DIR", help="مجلد بيانات البرنامج")
    arguments, rest = parser.parse_known_args(list(argv))
    return arguments, rest


def run(argv: list[str]) -> int:
    """Start the desk: show the main window at once, open the workspace in the background, or ask for the policy.

    With a desk snapshot from the last start (association, officer) the window appears before SQLAlchemy and
    the policy schema are even imported; the workspace opens on a worker thread and is attached when ready.
    Without one (first run, or the snapshot is gone) the workspace is opened first and the first-run dialog
    asks for the association's policy when none is adopted.
    """
    from desktop.startup import default_data_dir, read_snapshot

    arguments, qt_arguments = parse_arguments(argv)
    ensure_platform()
    app = create_application(qt_arguments)
    probe = os.environ.get(STARTUP_PROBE_ENV) == "1"
    if not probe and sys.stdin is not None and sys.stdin.isatty():
        _let_python_handle_ctrl_c(app)

    data_dir: Path = arguments.data_dir if arguments.data_dir is not None else default_data_dir()
    snapshot = read_snapshot(data_dir)
    if snapshot is None:
        return _run_after_opening(app, data_dir, probe)

    from ui.main_window import MainWindow
    from ui.tasks import BackgroundRunner

    window = MainWindow(None, snapshot=snapshot)
    window.show()
    outcome = {"code": EXIT_OK}

    def attached(workspace: Workspace) -> None:
        window.attach_workspace(workspace)
        window.offer_draft_resume()
        if probe:
            print(WORKSPACE_READY_MARKER, flush=True)
            app.quit()

    def failed(error: BaseException) -> None:
        window.hide()
        outcome["code"] = EXIT_STARTUP_ERROR
        handled = show_startup_failure(error)
        app.quit()
        if not handled:
            raise error

    if probe:
        # The window is shown and idle: report it, then wait for the workspace before quitting.
        QTimer.singleShot(0, lambda: QTimer.singleShot(0, lambda: print(READY_MARKER, flush=True)))
    runner = BackgroundRunner(app)
    runner.run(lambda: load_workspace(data_dir), attached, failed)
    try:
        code = app.exec()
    finally:
        runner.wait()
        if window.workspace is not None:
            window.workspace.close()
    return outcome["code"] if outcome["code"] != EXIT_OK else code


def _run_after_opening(app: QApplication, data_dir: Path, probe: bool) -> int:
    """First run (or no snapshot): open the workspace, ask for the policy if none, then show the main window."""
    workspace = _open_workspace(data_dir)
    if workspace is None:
        return EXIT_STARTUP_ERROR
    if probe:
        print(WORKSPACE_READY_MARKER, flush=True)
    try:
        if workspace.active_profile() is None:
            from ui.first_run import FirstRunDialog

            dialog = FirstRunDialog(workspace)
            if probe:
                # On a first run the dialog is the first screen; the probe reports it and cancels it.
                _arm_startup_probe(dialog.reject)
            if dialog.exec() != FirstRunDialog.DialogCode.Accepted:
                return EXIT_OK

        from ui.main_window import MainWindow

        window = MainWindow(workspace)
        window.show()
        window.offer_draft_resume()
        if probe:
            _arm_startup_probe(app.quit)
        return app.exec()
    finally:
        workspace.close()
