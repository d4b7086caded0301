"""Errors that carry a message the officer can read (Arabic) beside a technical one."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input from a person or a file: `message_ar` is shown to the user as it is."""

    def __init__(self, message_ar: str, *, field: str | None = None) -> None:
        super().__init__(message_ar)
        self.message_ar = message_ar
        self.field = field
