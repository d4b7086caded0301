"""Errors that carry a message the officer can read (Arabic) beside a technical one, and the one place that
turns any error into the Arabic text a user sees (`describe`)."""

from __future__ import annotations

import sqlite3
import sys

__all__ = ["DATABASE_LOCKED_AR", "InputError", "describe", "is_database_locked", "unexpected_error_text"]

#: What the officer reads when another program (or another copy of the desk) holds the database's write lock.
DATABASE_LOCKED_AR = (
    "قاعدة البيانات مشغولة الآن ببرنامج آخر يستخدمها (أو بنسخة أخرى من مكتب المستفيد)، ولم يُحفظ شيء من العملية؛ "
    "أعد المحاولة بعد لحظات."
)


class InputError(ValueError):
    """Bad input from a person or a file: `message_ar` is shown to the user as it is."""

    def __init__(self, message_ar: str, *, field: str | None = None) -> None:
        super().__init__(message_ar)
        self.message_ar = message_ar
        self.field = field


def unexpected_error_text(incident: str) -> str:
    """The Arabic sentence for an unexpected failure, naming its incident number (isolated for bidi)."""
    from desktop.arabic_text import isolate

    return (
        "تعذّر إتمام العملية بسبب خطأ غير متوقع، ولم يُحفظ منها شيء ناقص. أعد المحاولة، "
        f"وإن تكرر الخطأ فأعطِ مسؤول النظام رقم البلاغ {isolate(incident)}."
    )


def _chain(error: BaseException) -> list[BaseException]:
    """The error, its causes and contexts, and the driver errors SQLAlchemy wraps (``.orig``), each once."""
    seen: list[BaseException] = []
    pending: list[BaseException] = [error]
    while pending and len(seen) < 20:
        current = pending.pop()
        if any(current is known for known in seen):
            continue
        seen.append(current)
        for linked in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(linked, BaseException):
                pending.append(linked)
    return seen


def is_database_locked(error: BaseException) -> bool:
    """True when SQLite gave up waiting for another connection's lock ("database is locked")."""
    for link in _chain(error):
        if isinstance(link, sqlite3.OperationalError) or type(link).__name__ == "OperationalError":
            text = str(link).lower()
            if "database is locked" in text or "database table is locked" in text or "database is busy" in text:
                return True
    return False


def _profile_problems(error: BaseException) -> str | None:
    """A stored or imported policy with problems: the problems, one per line (desk.policy is loaded if so)."""
    policy = sys.modules.get("desktop.policy")
    if policy is None or not isinstance(error, policy.ProfileError):
        return None
    from desktop.policy_text import problem_line

    lines = [problem_line(problem) for problem in getattr(error, "problems", [])]
    return "\n".join(["سياسة الجمعية فيها أخطاء:", *lines])


def describe(error: BaseException, where: str = "") -> str:
    """The Arabic text the user sees for `error`; an unexpected error is recorded in the log first.

    * an `InputError` (ReceptionError, CaseDeskError, ReportError, SurveyError...) and every other error
      that carries its own Arabic `message_ar` (SyncError, WorkspaceError, DatabaseError): that message;
    * a policy profile with problems: its problems, one per line;
    * a `LookupError` whose message is Arabic (a case that is no longer there): that message;
    * SQLite's "database is locked": another program is using the database, retry in a moment;
    * anything else: an incident is recorded (`logbook.record_incident`, the traceback under its number)
      and the text says nothing half-done was kept, to retry, and which number to give the administrator.

    `where` names the operation for the log (e.g. ``"reception.verify"``); it is never shown.
    """
    if isinstance(error, InputError):
        return error.message_ar
    message = getattr(error, "message_ar", None)
    if isinstance(message, str) and message:
        return message
    problems = _profile_problems(error)
    if problems is not None:
        return problems
    if isinstance(error, LookupError) and error.args and isinstance(error.args[0], str):
        from desktop.arabic_text import has_arabic

        if has_arabic(error.args[0]):
            return error.args[0]
    if is_database_locked(error):
        from desktop import logbook

        logbook.get_logger("errors").warning("database locked%s", f" in {where}" if where else "")
        return DATABASE_LOCKED_AR
    from desktop import logbook

    return unexpected_error_text(logbook.record_incident(error, where))
