"""Errors that carry a message the officer can read (Arabic) beside a technical one."""

from __future__ import annotations


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


UNEXPECTED_AR = "تعذّر إتمام العملية بسبب خطأ غير متوقع. لم يُحفظ شيء ناقص؛ أعد المحاولة، وإن تكرر فأبلغ مسؤول النظام."


def describe(error: BaseException, where: str = "") -> str:
    """The Arabic text a user sees for any error: an `InputError`'s own message, else a general sentence."""
    if isinstance(error, InputError):
        return error.message_ar
    message = getattr(error, "message_ar", None)
    if isinstance(message, str) and message:
        return message
    return UNEXPECTED_AR
