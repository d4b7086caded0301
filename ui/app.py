"""Application bootstrap: right-to-left Arabic Qt, bundled font, Qt's own Arabic translations, the first screen."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QLibraryInfo,
    QLocale,
    QMessageLogContext,
    QEventLoop,
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
from desktop.cli_args import ArabicArgumentParser
from desktop.version import add_version_argument
from desktop.errors import describe, unexpected_error_text
from ui.collector import collect_on_gui_thread
from ui.event_types import resolve_event_types
from ui.input_safety import install_wheel_guard
from ui.ops import operations, run_read, run_write
from ui.settings import show_main_window

if TYPE_CHECKING:
    from desktop.gate_facts import GateFacts
    from desktop.workspace import DeskState, Workspace
    from ui.main_window import MainWindow

APPLICATION_NAME = "Mustafid Desk"
ORGANIZATION_NAME = "Mustafid"

# IBM Plex Sans Arabic at 11 pt reads like the 13 pt Amiri it replaced on screens (Amiri draws small), with
# lines 22 px high instead of 30 at 96 dpi.
FONT_POINT_SIZE = 11

STARTUP_PROBE_ENV = "MUSTAFID_STARTUP_PROBE"
#: Printed by the start-up probe once the main window is shown and the event loop idle.
READY_MARKER = "MUSTAFID_READY"
#: Printed once the desk is usable, the event loop idle: the sign-in gate takes a password (on a sound desk before
#: the database is open: the check waits for it on the writer), or the reception page of a desk signed in.
WORKSPACE_READY_MARKER = "MUSTAFID_WORKSPACE_READY"
#: Written by the probe to stderr right after the usable marker, with the process's CPU seconds (all threads).
USABLE_CPU_PREFIX = "MUSTAFID_USABLE_CPU_S="
#: Written with it: `time.monotonic()` at that moment (the benchmark places the database's opening beside it).
USABLE_AT_PREFIX = "MUSTAFID_USABLE_AT="
#: Written by the probe to stderr once the workspace is attached (the database open and its migrations checked:
#: what the usable marker meant before the gate took a password early), the loop idle: `time.monotonic()` then,
#: and the process's CPU seconds.
DATABASE_OPEN_AT_PREFIX = "MUSTAFID_DATABASE_OPEN_AT="
DATABASE_OPEN_CPU_PREFIX = "MUSTAFID_DATABASE_OPEN_CPU_S="
#: With a login and password in these variables, the probe signs in once the sign-in screen takes a password
#: (an environment variable, never a command-line argument: a password must not show in the process list).
PROBE_LOGIN_ENV = "MUSTAFID_PROBE_LOGIN"
PROBE_PASSWORD_ENV = "MUSTAFID_PROBE_PASSWORD"
#: With this set to 1 the probe types the password once the database is open (the sign-in step alone, as
#: `tests/benchmarks/signin.py` times it), not as soon as the gate takes it.
PROBE_AFTER_OPEN_ENV = "MUSTAFID_PROBE_SIGN_IN_AFTER_OPEN"
#: Printed by the probe once signed in and the page the person lands on shown (the reception for an officer), idle.
SIGNED_IN_MARKER = "MUSTAFID_SIGNED_IN"
#: Written to stderr with it: seconds from sending the password to that moment, and the process's CPU seconds
#: (all threads) spent meanwhile — less sensitive than the wall time to other load on the machine.
SIGN_IN_SECONDS_PREFIX = "MUSTAFID_SIGN_IN_S="
SIGN_IN_CPU_PREFIX = "MUSTAFID_SIGN_IN_CPU_S="

EXIT_OK = 0
EXIT_STARTUP_ERROR = 1

#: At exit, how long each pool of ui.ops may take to finish queued work before the workspace is closed.
SHUTDOWN_WAIT_MS = 5_000

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
    """Register the bundled screen faces (IBM Plex Sans Arabic) and make them the application font.

    Returns the family used. Amiri, the print face, is not registered with Qt: no screen draws in it.
    """
    family: str | None = None
    for path in (resources.UI_FONT_REGULAR, resources.UI_FONT_BOLD):
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


#: How long a thread may hold the interpreter while another waits for it (Python's default is 5 ms). The GUI
#: thread takes the interpreter back for every Python slot, event filter and paint it runs; behind a worker
#: rendering a PDF or reading a page of cases each of those waits could cost it 5 ms, so a frame of ten
#: Python calls could stall 50 ms. At 0.5 ms the desk answers while its workers run.
GIL_SWITCH_INTERVAL_S = 0.0005


def configure_application(app: QApplication) -> None:
    """Make an application right-to-left and Arabic: names, locale, direction, translations, font, style."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    app.setApplicationName(APPLICATION_NAME)
    app.setOrganizationName(ORGANIZATION_NAME)
    QLocale.setDefault(arabic_locale())
    if not _translators:
        install_qt_translations(app)
    app.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    install_arabic_font(app)
    resolve_event_types()  # before the first Python event filter sees an event (see ui.event_types)
    install_wheel_guard(app)
    if STYLE_SHEET.is_file():
        sheet = STYLE_SHEET.read_text(encoding="utf-8")
        if app.styleSheet() != sheet:  # setting it again re-polishes every live widget (seconds), for nothing
            app.setStyleSheet(sheet)


def _qt_application(argv: Sequence[str]) -> QApplication:
    """The QApplication, created on first use, not yet configured."""
    existing = QApplication.instance()
    return existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *argv])


def create_application(argv: Sequence[str]) -> QApplication:
    """Return the configured QApplication, creating it on first use."""
    app = _qt_application(argv)
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
    """Carries an incident's Arabic text from whichever thread it happened on to the GUI thread.

    `sig_incident(text)`: emitted on any thread with the Arabic text naming the incident; shown on the GUI thread.
    """

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


@dataclass(frozen=True, slots=True)
class OpenedDesk:
    """An opened workspace and what the main window shows about it, read on the worker that opened it (`state`
    None when only the gate's fact was read: whether the association has an administrator)."""

    workspace: Workspace
    state: DeskState | None
    has_administrator: bool = True


@dataclass(frozen=True, slots=True)
class StartupRefusal:
    """Why the desk cannot start: a known reason (`WorkspaceError`, `ProfileError`) shown as such, or the
    Arabic message of an unexpected error (`desktop.errors.describe` has logged it with an incident number)."""

    error: BaseException
    message: str = ""


def open_desk(data_dir: Path | None, *, gate_only: bool = False) -> OpenedDesk | StartupRefusal:
    """Open the workspace, read its policy, officer and connection, save the snapshot (a worker's call).

    With `gate_only` (the window drawn from the snapshot is up already) only what the sign-in gate needs is read
    — whether the association has an administrator —: the policy schema and the policy are loaded behind the
    gate (`read_desk_state`), so that the gate takes a password sooner. The modules the reception page needs are
    imported later too (`warm_reception_imports`). A workspace that cannot be opened, or whose stored policy no
    longer validates, is an answer (`StartupRefusal`), not an incident.
    """
    # Imported here, on the worker: SQLAlchemy and the models are most of a second of imports that the window
    # shown from the snapshot must not wait for.
    from desktop.workspace import Workspace, WorkspaceError

    _log.info("Mustafid Desk %s opening its data directory", logbook.app_version())  # here: off the window's path
    try:
        workspace = Workspace.open(data_dir)
    except WorkspaceError as error:
        return StartupRefusal(error)
    try:
        if gate_only:
            return OpenedDesk(workspace, None, workspace.is_locked or workspace.staff().has_administrator())
        return OpenedDesk(workspace, read_desk_state(workspace))
    except BaseException as error:
        workspace.close()
        if _is_profile_error(error):
            return StartupRefusal(error)
        raise


def read_desk_state(workspace: Workspace) -> DeskState:
    """The desk's policy, officer and connection (the policy read and validated), and the snapshot saved for the
    next start; `desktop.policy.ProfileError` when the stored policy no longer validates (a worker's call)."""
    state = workspace.desk_state()
    workspace.save_snapshot()
    return state


def state_behind_gate(workspace: Workspace) -> DeskState | StartupRefusal:
    """`read_desk_state` for the window already on its gate: a stored policy that no longer validates is an
    answer (`StartupRefusal`), not an incident (a worker's call)."""
    try:
        return read_desk_state(workspace)
    except Exception as error:
        if _is_profile_error(error):
            return StartupRefusal(error)
        raise


def _is_profile_error(error: BaseException) -> bool:
    """True for the stored policy's `ProfileError` (its module is loaded only once a policy is read)."""
    policy = sys.modules.get("desktop.policy")
    return policy is not None and isinstance(error, policy.ProfileError)


def warm_reception_imports() -> None:
    """Import the modules the reception page is built from (a reader's call, once the desk is usable): the
    officer types a password meanwhile, and the page after sign-in then only builds widgets."""
    import desktop.reception  # noqa: F401
    import ui.reception.page  # noqa: F401


class DeskOpening(QObject):
    """The workspace of a data directory being opened through `ui.ops` (on the writer: a migration may write).

    `start()` asks for it; `outcome` is None until the worker reports, then an `OpenedDesk` or a
    `StartupRefusal`, and `sig_finished()` is emitted on the GUI thread.
    """

    sig_finished = Signal()

    def __init__(self, data_dir: Path | None, parent: QObject | None = None, *, gate_only: bool = False) -> None:
        """The opening of `data_dir` (not started yet); `gate_only`: see `open_desk`."""
        super().__init__(parent)
        self._data_dir = data_dir
        self._gate_only = gate_only
        self.started = False
        self.outcome: OpenedDesk | StartupRefusal | None = None
        self._on_writer: Workspace | None = None

    def start(self) -> None:
        """Open the workspace on the writer thread (once)."""
        if self.started:
            return
        self.started = True
        data_dir, gate_only = self._data_dir, self._gate_only

        def opened() -> OpenedDesk | StartupRefusal:
            outcome = open_desk(data_dir, gate_only=gate_only)
            if isinstance(outcome, OpenedDesk):
                self._on_writer = outcome.workspace
            return outcome

        run_write(self, opened, self._finished, self._failed, where="app.open_desk")

    def workspace_on_writer(self) -> Workspace | None:
        """The opened workspace, for work queued on the writer after `start` (it runs once the opening is done,
        before `sig_finished` may have reached the GUI thread); None when the opening failed or has not run."""
        return self._on_writer

    def _finished(self, outcome: OpenedDesk | StartupRefusal) -> None:
        self.outcome = outcome
        self.sig_finished.emit()

    def _failed(self, message: str, error: BaseException) -> None:
        self._finished(StartupRefusal(error, message))

    def wait(self) -> OpenedDesk | StartupRefusal:
        """Start if need be, then run the event loop until the outcome is known (the first run: no window yet)."""
        self.start()
        if self.outcome is None:
            loop = QEventLoop()
            self.sig_finished.connect(loop.quit)
            loop.exec()
        assert self.outcome is not None
        return self.outcome


def show_startup_failure(error: BaseException, message: str = "") -> bool:
    """Show why the desk cannot start, in Arabic; False for an error not known here and no `message` for it."""
    # Only when the desk cannot start: these modules are loaded by then, or not needed at all.
    from desktop.policy import ProfileError
    from desktop.workspace import WorkspaceError

    if isinstance(error, WorkspaceError):
        if error.restore_from is not None:
            offer_restore(error.message_ar, error.restore_from)
            return True
        startup_error_box("تعذّر فتح مكتب المستفيد", error.message_ar).exec()
        return True
    if isinstance(error, ProfileError):
        from desktop.policy_text import problem_line

        policy_message = "سياسة الجمعية المحفوظة في قاعدة البيانات فيها أخطاء تمنع تشغيل البرنامج:"
        lines = [problem_line(problem) for problem in error.problems]
        startup_error_box("تعذّر قراءة سياسة الجمعية", policy_message, lines).exec()
        return True
    if message:
        startup_error_box("تعذّر فتح مكتب المستفيد", message).exec()
        return True
    if isinstance(error, Exception):
        # Anything else is recorded in the log under an incident number, which the box names.
        startup_error_box("تعذّر فتح مكتب المستفيد", describe(error, "start-up")).exec()
        return True
    return False


def offer_restore(message: str, backup: Path) -> bool:
    """A damaged database at start: say so, naming the latest good backup, and restore it if the officer says
    so (after a safety copy of the damaged file); True when it was restored (the desk is then opened again)."""
    from PySide6.QtWidgets import QMessageBox

    from desktop.backup import restore_backup
    from ui.backup_box import restore_text, wait_with_progress

    box = startup_error_box("قاعدة البيانات تالفة", message)
    box.setStandardButtons(QMessageBox.StandardButton.NoButton)
    restore = box.addButton("استعادة آخر نسخة سليمة", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("إغلاق", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is not restore:
        return False
    data_dir = backup.parent.parent
    outcome = wait_with_progress(None, "جارٍ استعادة النسخة الاحتياطية…",
                                 lambda progress: restore_backup(backup, data_dir, progress=progress), write=True)
    if isinstance(outcome, str):
        startup_error_box("تعذّرت الاستعادة", outcome).exec()
        return False
    done = startup_error_box("اكتملت الاستعادة", restore_text(outcome))
    done.setIcon(QMessageBox.Icon.Information)
    done.exec()
    return True


def _show_refusal(refusal: StartupRefusal) -> None:
    """Say why the desk cannot start (every refusal is said, in Arabic; none is raised at the officer)."""
    if not show_startup_failure(refusal.error, refusal.message):
        startup_error_box("تعذّر فتح مكتب المستفيد", "تعذّر فتح مكتب المستفيد بسبب خطأ غير متوقع.").exec()


def _close_desk(workspace: Workspace | None, *, backup: bool = True) -> None:
    """At exit: let queued operations finish (bounded), make the automatic backup at close (with a progress
    window; skipped when nothing changed since the newest backup), then close the workspace."""
    if workspace is not None and backup:
        from ui.backup_box import automatic_backups_enabled

        if automatic_backups_enabled():
            operations().wait(SHUTDOWN_WAIT_MS)
            _backup_at_close(workspace)
    operations().shutdown(SHUTDOWN_WAIT_MS)
    if workspace is not None:
        workspace.close()


def _backup_at_close(workspace: Workspace) -> None:
    """The automatic backup at close; a failure is said in the log (the desk is closing), never raised."""
    from desktop.backup import BackupKind
    from desktop.backup_desk import BackupDesk
    from ui.backup_box import wait_with_progress

    desk = BackupDesk(workspace)
    outcome = wait_with_progress(None, "جارٍ حفظ نسخة احتياطية قبل الإغلاق…",
                                 lambda progress: desk.automatic(BackupKind.CLOSE, progress=progress))
    if isinstance(outcome, str):
        _log.warning("automatic backup at close failed")


def _arm_startup_probe(finish: Callable[[], object]) -> None:
    """Print the ready marker once the event loop is idle after the first screen is shown, then `finish`."""

    def ready() -> None:
        print(READY_MARKER, flush=True)
        finish()

    # The first zero timer runs after the show/expose events are handled; the second after any they posted.
    QTimer.singleShot(0, lambda: QTimer.singleShot(0, ready))


def _when_idle(callback: Callable[[], object]) -> None:
    """Call `callback` once the event loop is idle: after the events pending now, and any those post."""
    QTimer.singleShot(0, lambda: QTimer.singleShot(0, callback))


def _probe_database_open(window: MainWindow, then: Callable[[], object]) -> None:
    """Probe: once the workspace is attached (the database open, migrations checked) and the loop idle, write
    that moment and the CPU seconds to stderr, then `then`."""
    if window.workspace is None:
        QTimer.singleShot(5, lambda: _probe_database_open(window, then))
        return

    def report() -> None:
        print(f"{DATABASE_OPEN_AT_PREFIX}{time.monotonic():.4f}", file=sys.stderr, flush=True)
        print(f"{DATABASE_OPEN_CPU_PREFIX}{time.process_time():.4f}", file=sys.stderr, flush=True)
        then()

    _when_idle(report)


def _report_usable(window: MainWindow, finish: Callable[[], object]) -> None:
    """Probe: print the usable marker once the desk takes input — the sign-in screen taking a password (the
    database open or opening behind it), or the reception page of a desk signed in already — (the loop idle),
    then sign in at once if asked; `finish` once signed in (if asked) and the database's opening reported."""
    covered = window.is_covered()
    if covered:
        waiting = not window.gate.is_ready()
    else:  # the reception's modules are imported only then (on the GUI thread, behind a worker importing)
        page = window.reception_page()
        waiting = page is None or not page.isVisible()
    if waiting:
        QTimer.singleShot(10, lambda: _report_usable(window, finish))
        return
    print(WORKSPACE_READY_MARKER, flush=True)
    print(f"{USABLE_CPU_PREFIX}{time.process_time():.4f}", file=sys.stderr, flush=True)
    print(f"{USABLE_AT_PREFIX}{time.monotonic():.4f}", file=sys.stderr, flush=True)
    login, password = os.environ.get(PROBE_LOGIN_ENV), os.environ.get(PROBE_PASSWORD_ENV)
    if not covered or not login or not password:
        _probe_database_open(window, finish)
        return
    opened: list[bool] = []

    def finish_once_opened() -> None:
        if opened:
            finish()
        else:
            QTimer.singleShot(5, finish_once_opened)

    after_open = os.environ.get(PROBE_AFTER_OPEN_ENV) == "1"

    def database_open() -> None:
        opened.append(True)
        if after_open:
            _probe_sign_in(window, login, password, finish_once_opened)

    _probe_database_open(window, database_open)
    if not after_open:
        _probe_sign_in(window, login, password, finish_once_opened)


def _probe_sign_in(window: MainWindow, login: str, password: str, finish: Callable[[], object]) -> None:
    """Probe: type the login and password at the gate and press «دخول»; once the page the person lands on is
    shown (the loop idle) print the signed-in marker and the seconds and CPU seconds since, then `finish`."""
    started, cpu_started = time.perf_counter(), time.process_time()
    gate = window.gate
    gate.login_edit.setText(login)
    gate.password_edit.setText(password)
    gate.submit_sign_in()

    def signed_in() -> None:
        if window.is_covered() and gate.sign_in_card.message.property("error") == "true":
            print(f"mustafid probe: {gate.sign_in_card.message.text()}", file=sys.stderr, flush=True)
            finish()
            return
        if window.landed_page() is None:  # the reception for an officer, the settings for an administrator alone
            QTimer.singleShot(2, signed_in)
            return

        def report() -> None:
            print(SIGNED_IN_MARKER, flush=True)
            print(f"{SIGN_IN_SECONDS_PREFIX}{time.perf_counter() - started:.4f}", file=sys.stderr, flush=True)
            print(f"{SIGN_IN_CPU_PREFIX}{time.process_time() - cpu_started:.4f}", file=sys.stderr, flush=True)
            finish()

        _when_idle(report)

    signed_in()


def settle_memory() -> None:
    """Once the desk is usable: move the objects made at start-up (modules, classes, the policy) out of the
    collector's sight and start collecting again, so that later collections walk only what the officer's work
    creates. They run on the GUI thread only (`ui.collector`): a worker thread that collected could free a Qt
    object off its thread."""
    gc.freeze()
    collect_on_gui_thread()


def _let_python_handle_ctrl_c(app: QApplication) -> None:
    """Ctrl+C in a terminal quits the event loop (Python only sees signals between Qt calls)."""
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    heartbeat = QTimer(app)
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(500)


def parse_arguments(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """The desk's own command-line arguments, and the rest (left to Qt, e.g. -platform)."""
    parser = ArabicArgumentParser(prog="mustafid", description="مكتب المستفيد")
    parser.add_argument("--data-dir", type=Path, default=None, metavar="DIR", help="مجلد بيانات البرنامج")
    parser.add_argument("--import-policy", type=Path, default=None, metavar="FILE",
                        help="اعتماد سياسة الجمعية من ملف TOML بعد فتح البرنامج (يُسأل الموظف أولًا)")
    add_version_argument(parser)
    arguments, rest = parser.parse_known_args(list(argv))
    return arguments, rest


def run(argv: list[str]) -> int:
    """Start the desk: show the main window at once, open the workspace in the background, or ask for the policy.

    The workspace is opened on the single writer of `ui.ops`. With a desk snapshot from the last start
    (association, policy: nobody is named before sign-in) the window is shown first, on its sign-in screen.
    Once it is painted a reader reads the gate's facts without SQLAlchemy (`desktop.gate_facts`: the file
    sound, encrypted or not, an administrator or not) and the opening starts on the writer (the worker's
    imports — SQLAlchemy, the models, the policy schema: most of a second — do not compete with the window
    for the interpreter); with the facts the gate takes a password at once (its check is queued on the writer
    behind the opening and the policy's read, so it waits there for the database), in doubt once the
    workspace is attached. Once somebody has signed in the reception page is built and unfinished cases are
    looked for behind it. Without a snapshot (first run, or it is gone) the
    workspace opens first, and the first-run dialog asks for the association's policy when none is adopted;
    the window then asks for the first administrator.
    """
    from desktop.startup import default_data_dir

    arguments, qt_arguments = parse_arguments(argv)
    from db.file_limits import ignore_file_size_signal

    ignore_file_size_signal()  # past `ulimit -f` a write fails as "disk full" (rolled back), the desk stays up
    data_dir: Path = arguments.data_dir if arguments.data_dir is not None else default_data_dir()
    previous_log = logbook.current_log_file()
    start_log(data_dir)
    undo_hooks = install_error_hooks()
    _log.info("Mustafid Desk starting (Python %s, %s)", sys.version.split()[0],
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
    app = _qt_application(qt_arguments)
    configure_application(app)
    probe = os.environ.get(STARTUP_PROBE_ENV) == "1"
    if not probe and sys.stdin is not None and sys.stdin.isatty():
        _let_python_handle_ctrl_c(app)

    snapshot = read_snapshot(data_dir)
    if snapshot is None:
        return _run_after_opening(app, DeskOpening(data_dir, app), probe, arguments.import_policy)
    opening = DeskOpening(data_dir, app, gate_only=True)

    from ui.main_window import MainWindow

    window = MainWindow(None, snapshot=snapshot)
    show_main_window(window)
    outcome = {"code": EXIT_OK}

    def finished() -> None:
        opened = opening.outcome
        if isinstance(opened, OpenedDesk):
            # The sign-in screen now takes a password; the pages are built (and unfinished cases looked for)
            # once somebody has signed in.
            window.attach_workspace(opened.workspace, opened.state, has_administrator=opened.has_administrator)
            _offer_policy_import(window, opened.workspace, arguments.import_policy)
            _when_idle(settle_memory)
            # After the probe's mark: the gate takes a password first, the reception's imports come behind it.
            _when_idle(lambda: run_read(window, warm_reception_imports, lambda _none: None,
                                        where="app.warm_reception_imports"))
            return
        assert opened is not None
        window.hide()
        outcome["code"] = EXIT_STARTUP_ERROR
        _show_refusal(opened)
        app.quit()

    def state_once_open() -> DeskState | StartupRefusal | None:
        """`state_behind_gate` on the workspace just opened (None when the opening failed: it said why)."""
        workspace = opening.workspace_on_writer()
        return None if workspace is None else state_behind_gate(workspace)

    def state_read(state: DeskState | StartupRefusal | None) -> None:
        if isinstance(state, StartupRefusal):
            refused(state)
        elif state is not None:
            window.keep_desk_state(state)

    def refused(refusal: StartupRefusal) -> None:
        """The policy read behind the gate failed (a stored policy no longer valid): the desk cannot start."""
        window.hide()
        outcome["code"] = EXIT_STARTUP_ERROR
        _show_refusal(refusal)
        app.quit()

    def facts_read(facts: GateFacts | None) -> None:
        """The gate's facts (read without SQLAlchemy): the workspace opens on the writer, and a sound desk's gate
        takes a password at once — the check queued behind the opening —; in doubt it waits for the opening."""
        opening.start()
        # Behind the opening on the writer, so before any password the gate is given: the policy and the rest.
        run_write(window, state_once_open, state_read, lambda message, error: refused(StartupRefusal(error, message)),
                  where="app.state_behind_gate")
        if facts is not None and window.workspace is None:
            window.gate.await_workspace(opening.workspace_on_writer, facts.has_administrator)
        if probe:  # the gate takes a password now, or once the workspace is attached (the facts in doubt)
            _when_idle(lambda: _report_usable(window, app.quit))

    def painted() -> None:
        if probe:  # the window is shown and idle: report it, then wait for the workspace before quitting
            print(READY_MARKER, flush=True)
        run_read(window, lambda: _gate_facts(data_dir), facts_read, lambda _message, _error: facts_read(None),
                 where="app.gate_facts")

    # The first zero timer runs after the show/expose events are handled; the second after any they posted.
    _when_idle(painted)
    opening.sig_finished.connect(finished)
    try:
        code = app.exec()
    finally:
        _close_desk(window.workspace, backup=not window.restored)
    return outcome["code"] if outcome["code"] != EXIT_OK else code


def _gate_facts(data_dir: Path) -> GateFacts | None:
    """`desktop.gate_facts.read_gate_facts`, imported on the reader that asks (a worker's call)."""
    from desktop.gate_facts import read_gate_facts

    return read_gate_facts(data_dir)


def _offer_policy_import(window: MainWindow, workspace: Workspace, path: Path | None) -> None:
    """With ``--import-policy FILE`` (a policy file opened with the desk): once the window is idle, offer to adopt it."""
    if path is None:
        return
    from ui.policy_import import PolicyImportOffer

    offer = PolicyImportOffer(workspace, path, window)
    offer.sig_adopted.connect(window.show_policy)
    if window.identity is not None:
        _when_idle(offer.ask)
        return

    def once_signed_in(_identity: object) -> None:
        # Adopting a policy is the administrator's or manager's (issue 13): asked once somebody has signed in.
        window.sig_signed_in.disconnect(once_signed_in)
        _when_idle(offer.ask)

    window.sig_signed_in.connect(once_signed_in)


def _run_after_opening(app: QApplication, opening: DeskOpening, probe: bool, import_policy: Path | None = None) -> int:
    """First run (or no snapshot): wait for the workspace, ask for the policy if none, then show the main window."""
    opened = opening.wait()
    if not isinstance(opened, OpenedDesk):
        _close_desk(None)
        _show_refusal(opened)
        return EXIT_STARTUP_ERROR
    workspace, state = opened.workspace, opened.state
    assert state is not None  # opened in full (not `gate_only`): the first-run dialog needs the policy
    if probe:
        print(WORKSPACE_READY_MARKER, flush=True)
    shown: list[MainWindow] = []
    try:
        shown_state: DeskState | None = None if state.locked else state
        if state.profile is None and not state.locked:
            from ui.first_run import FirstRunDialog

            dialog = FirstRunDialog(workspace)
            if probe:
                # On a first run the dialog is the first screen; the probe reports it and cancels it.
                _arm_startup_probe(dialog.reject)
            if dialog.exec() != FirstRunDialog.DialogCode.Accepted:
                return EXIT_OK
            shown_state = None  # the window reads the officer and connection of the new policy itself

        from ui.main_window import MainWindow

        window = MainWindow(workspace, state=shown_state)
        shown.append(window)
        show_main_window(window)
        _offer_policy_import(window, workspace, import_policy)
        _when_idle(settle_memory)
        if probe:
            _arm_startup_probe(app.quit)
        return app.exec()
    finally:
        _close_desk(workspace, backup=not any(window.restored for window in shown))
