"""Application bootstrap: right-to-left Arabic Qt, bundled font, Qt's own Arabic translations, the first screen."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QLibraryInfo,
    QLocale,
    QMessageLogContext,
    QObject,
    Qt,
    QtMsgType,
    QTimer,
    QTranslator,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

import resources
from desktop import logbook
from desktop.errors import describe, unexpected_error_text

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
        app.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))


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


# ------------------------------------------------------------------------------------------ log and error hooks

ERROR_DIALOG_TITLE = "خطأ غير متوقع"

_log = logbook.get_logger("app")
_qt_log = logbook.get_logger("qt")

_QT_LEVELS: dict[QtMsgType, int] = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}

# The unexpected-error box on screen, if any: a second incident while it is open is logged, not stacked on it.
_open_error_box: list[QMessageBox] = []


def show_error_dialog(text: str) -> QMessageBox | None:
    """Tell the officer about an unexpected error: an Arabic box with the incident number, never a traceback.

    Window-modal and not blocking (the event loop goes on); the text can be selected to copy the number.
    While one such box is open, the next incident is only logged (None is returned).
    """
    if _open_error_box and _open_error_box[0].isVisible():
        return None
    _open_error_box.clear()
    box = QMessageBox(QMessageBox.Icon.Critical, ERROR_DIALOG_TITLE, text, QMessageBox.StandardButton.Close,
                      QApplication.activeWindow())
    box.setObjectName("unexpected_error_box")
    box.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.destroyed.connect(_open_error_box.clear)
    _open_error_box.append(box)
    box.open()
    return box


#: Shows the Arabic text of an unexpected error (called on the GUI thread). Tests replace it to record the call.
error_dialog_factory: Callable[[str], object] = show_error_dialog


class _IncidentRelay(QObject):
    """Carries an incident's Arabic text from whichever thread it happened on to the GUI thread."""

    sig_incident = Signal(str)

    def show(self, text: str) -> None:
        """Show the text with the current `error_dialog_factory` (GUI thread)."""
        if QApplication.instance() is None:
            if sys.stderr is not None:
                print(text, file=sys.stderr)
            return
        try:
            error_dialog_factory(text)
        except Exception as error:  # the dialog itself failing must not loop back into the hook
            _log.error("the error dialog could not be shown: %s", type(error).__name__)


def start_log(data_dir: Path) -> Path | None:
    """Log to ``<data_dir>/logs/desk.log``; when that cannot be opened, keep records in memory instead.

    The records kept in memory (redacted, the newest few thousand) are written to the file by a later
    `logbook.configure` that succeeds; the desk then still starts, and tells of the data directory's
    problem itself when it opens the workspace.
    """
    try:
        return logbook.configure(data_dir)
    except OSError:
        logbook.buffer_until_configured()
        return None


def _qt_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's own debug output, warnings and errors go to the ``mustafid.qt`` logger (redacted like the rest)."""
    try:
        category = context.category if context is not None else None
        prefix = f"[{category}] " if category and category != "default" else ""
        _qt_log.log(_QT_LEVELS.get(mode, logging.WARNING), "%s%s", prefix, message)
    except Exception:  # a message handler must never raise into Qt
        pass


def install_error_hooks() -> Callable[[], None]:
    """Install `sys.excepthook`, `threading.excepthook` and Qt's message handler; return their undo.

    An exception nobody caught (a slot, a thread) is recorded in the log with its traceback under an
    incident number, and the officer sees `error_dialog_factory` with the Arabic text naming that number.
    """
    relay = _IncidentRelay()
    relay.sig_incident.connect(relay.show)  # queued when emitted from another thread
    previous_excepthook = sys.excepthook
    previous_threading_hook = threading.excepthook

    def excepthook(kind: type[BaseException], error: BaseException | None, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous_excepthook(kind, error if error is not None else kind(), trace)
            return
        failure = error if error is not None else kind()
        if failure.__traceback__ is None and trace is not None:
            failure = failure.with_traceback(trace)
        relay.sig_incident.emit(unexpected_error_text(logbook.record_incident(failure, "unhandled")))

    def threading_hook(args: threading.ExceptHookArgs) -> None:
        if issubclass(args.exc_type, SystemExit):
            return
        failure = args.exc_value if args.exc_value is not None else args.exc_type()
        if failure.__traceback__ is None and args.exc_traceback is not None:
            failure = failure.with_traceback(args.exc_traceback)
        where = f"thread {args.thread.name}" if args.thread is not None else "thread"
        relay.sig_incident.emit(unexpected_error_text(logbook.record_incident(failure, where)))

    sys.excepthook = excepthook
    threading.excepthook = threading_hook
    previous_qt_handler = qInstallMessageHandler(_qt_message)

    def undo() -> None:
        if sys.excepthook is excepthook:
            sys.excepthook = previous_excepthook
        if threading.excepthook is threading_hook:
            threading.excepthook = previous_threading_hook
        qInstallMessageHandler(previous_qt_handler)
        relay.deleteLater()

    return undo


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
    """Show why the desk cannot start, in Arabic (an unexpected error with its incident number).

    False only for what is not an `Exception` (KeyboardInterrupt, SystemExit): the caller re-raises it.
    """
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
    if isinstance(error, Exception):
        # Anything else is recorded in the log under an incident number, which the box names.
        startup_error_box("تعذّر فتح مكتب المستفيد", describe(error, "start-up")).exec()
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
    from desktop.startup import default_data_dir

    arguments, qt_arguments = parse_arguments(argv)
    data_dir: Path = arguments.data_dir if arguments.data_dir is not None else default_data_dir()
    previous_log = logbook.current_log_file()
    start_log(data_dir)
    undo_hooks = install_error_hooks()
    _log.info("Mustafid Desk %s starting (Python %s, %s)", logbook.app_version(), sys.version.split()[0],
              sys.platform)
    code = EXIT_STARTUP_ERROR
    try:
        code = _run(arguments, qt_arguments, data_dir)
        return code
    finally:
        _log.info("Mustafid Desk stopped (exit code %s)", code)
        undo_hooks()
        if previous_log is None:
            logbook.close()
        else:
            try:
                logbook.configure(previous_log.parent.parent, file_name=previous_log.name)
            except OSError:
                logbook.close()


def _run(arguments: argparse.Namespace, qt_arguments: list[str], data_dir: Path) -> int:
    """`run` once the log and the error hooks are in place."""
    from desktop.startup import read_snapshot

    ensure_platform()
    app = create_application(qt_arguments)
    probe = os.environ.get(STARTUP_PROBE_ENV) == "1"
    if not probe and sys.stdin is not None and sys.stdin.isatty():
        _let_python_handle_ctrl_c(app)

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
