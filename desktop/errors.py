"""Errors that carry a message the officer can read (Arabic) beside a technical one, and the one place that
turns any error into the Arabic text a user sees (`describe`)."""

from __future__ import annotations


from desktop import logbook

__all__ = ["DATABASE_LOCKED_AR", "DISK_FULL_AR", "DISK_WRITE_AR", "AttachmentError", "is_disk_full", "InputError", "ReceptionError", "describe", "is_database_locked", "unexpected_error_text"]

#: What the officer reads when another program (or another copy of the desk) holds the database's write lock.
DATABASE_LOCKED_AR = (
    "قاعدة البيانات مشغولة الآن ببرنامج آخر يستخدمها (أو بنسخة أخرى من مكتب المستفيد)، ولم يُحفظ شيء من العملية؛ "
    "أعد المحاولة بعد لحظات."
)


#: What the officer reads when the disk (or the file-size limit) left no room to write: nothing was saved.
DISK_FULL_AR = (
    "لا توجد مساحة كافية على القرص لحفظ العملية (أو بلغ الملف الحد المسموح بحجمه)، فلم يُحفظ منها شيء ولم يضع شيء "
    "مما حُفظ قبلها؛ أفرغ مساحة على القرص ثم أعد المحاولة."
)


#: A write the disk refused without saying why (SQLite's "disk I/O error": EFBIG past the file-size limit, a
#: removed USB drive, a failing disk): nothing of the operation was saved.
DISK_WRITE_AR = (
    "تعذّرت الكتابة على القرص (لا مساحة كافية، أو بلغ الملف الحد المسموح بحجمه، أو خلل في القرص)، فلم يُحفظ من "
    "العملية شيء ولم يضع شيء مما حُفظ قبلها؛ عالج سبب ذلك ثم أعد المحاولة."
)


class InputError(ValueError):
    """Bad input from a person or a file: `message_ar` is shown to the user as it is."""

    def __init__(self, message_ar: str, *, field: str | None = None) -> None:
        super().__init__(message_ar)
        self.message_ar = message_ar
        self.field = field


class ReceptionError(InputError):
    """An action on a case, its beneficiary or its files refused for a reason the officer can read (Arabic).

    Raised by reception and, as its subclasses, by the case desk (`CaseDeskError`) and the attachment
    store (`AttachmentError`); it lives here so that none of them has to load another's package.
    """


class AttachmentError(ReceptionError):
    """A scan, signature or PDF that cannot be accepted, stored or read back (Arabic `message_ar`)."""


def unexpected_error_text(incident: str) -> str:
    """The Arabic sentence for an unexpected failure, naming its incident number (isolated for bidi)."""
    isolated = f"\u2068{incident}\u2069"  # FSI … PDI, as desktop.arabic_text.isolate (which imports this module)
    return (
        "تعذّر إتمام العملية بسبب خطأ غير متوقع، ولم يُحفظ منها شيء ناقص. أعد المحاولة، "
        f"وإن تكرر الخطأ فأعطِ مسؤول النظام رقم البلاغ {isolated}."
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
        if type(link).__name__ == "OperationalError":  # sqlite3's or SQLAlchemy's (sqlite3 not loaded for it)
            text = str(link).lower()
            if "database is locked" in text or "database table is locked" in text or "database is busy" in text:
                return True
    return False


def is_disk_full(error: BaseException) -> bool:
    """True when a write failed for want of room: SQLite's "database or disk is full", ENOSPC, EFBIG, EDQUOT."""
    import errno

    for link in _chain(error):
        if isinstance(link, OSError) and link.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            return True
        if type(link).__name__ == "OperationalError" and "database or disk is full" in str(link).lower():
            return True
    return False


def describe(error: BaseException, where: str = "") -> str:
    """The Arabic text the user sees for `error`; an unexpected error is recorded in the log first.

    * an `InputError` (ReceptionError, CaseDeskError, ReportError, SurveyError...) and every other error
      that carries its own Arabic `message_ar` (SyncError, WorkspaceError, DatabaseError): that message;
    * a policy profile with problems (`ProfileError.message_ar`): its problems, one per line;
    * a `LookupError` whose message is Arabic (a case that is no longer there): that message;
    * SQLite's "database is locked": another program is using the database, retry in a moment;
    * a full disk or the file-size limit (`is_disk_full`): nothing of the operation was saved, free some room;
    * anything else: an incident is recorded (`logbook.record_incident`, the traceback under its number)
      and the text says nothing half-done was kept, to retry, and which number to give the administrator.

    `where` names the operation for the log (e.g. ``"reception.verify"``); it is never shown.
    """
    if isinstance(error, InputError):
        return error.message_ar
    message = getattr(error, "message_ar", None)
    if isinstance(message, str) and message:
        return message
    if isinstance(error, LookupError) and error.args and isinstance(error.args[0], str):
        if any("\u0600" <= ch <= "\u06ff" for ch in error.args[0]):
            return error.args[0]
    if is_database_locked(error):
        logbook.get_logger("errors").warning("database locked%s", f" in {where}" if where else "")
        return DATABASE_LOCKED_AR
    if is_disk_full(error):
        logbook.get_logger("errors").warning("disk full%s", f" in {where}" if where else "")
        return DISK_FULL_AR
    if any(type(link).__name__ == "OperationalError" and "disk i/o error" in str(link).lower()
           for link in _chain(error)):
        logbook.record_incident(error, where)  # kept for the administrator: it may be a failing disk
        return DISK_WRITE_AR
    return unexpected_error_text(logbook.record_incident(error, where))
