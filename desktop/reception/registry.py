"""Step kinds as a registry (as MusicBrainz Picard registers its option pages): one handler per kind.

A step kind of the policy schema (`desktop.policy.StepKind`) is run by one *handler*, a `StepHandler`
subclass registered with `@step_handler(kind)`; the wizard registers one page per kind the same way
(`ui.reception.registry`). A kind may be registered for one procedure only — a rescue association's
policy (`Procedure.REPORT`: reports escalated and dispatched) verifies a report and closes it with the help
given, where a beneficiary's request (`Procedure.REQUEST`) verifies particulars and records a service — and
the entry for the procedure wins over the one for every procedure. Adding a step kind is its handler, its page
and its name in the profile schema; nothing else dispatches on kinds.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import ClassVar, Generic, TypeVar

from desktop.errors import ReceptionError
from desktop.policy import PolicyProfile, is_rescue_profile
from desktop.reception.work import ReceptionWork

__all__ = [
    "STEP_HANDLERS",
    "KindRegistry",
    "Procedure",
    "StepHandler",
    "handler_class",
    "procedure_of",
    "step_handler",
]

T = TypeVar("T")


class Procedure(StrEnum):
    """Which procedure a policy follows: a beneficiary's request, or a rescue report (بلاغ)."""

    REQUEST = "request"
    REPORT = "report"


def procedure_of(profile: PolicyProfile) -> Procedure:
    """The procedure of a policy: a report when it escalates and dispatches, else a request."""
    return Procedure.REPORT if is_rescue_profile(profile) else Procedure.REQUEST


class KindRegistry(Generic[T]):
    """Entries by step kind, each for every procedure or for one only (the latter wins when both exist)."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._entries: dict[tuple[str, Procedure | None], T] = {}

    def register(self, kind: str, entry: T, *, procedure: Procedure | None = None) -> T:
        """Add the entry of a kind (ValueError when that kind and procedure already have one)."""
        key = (str(kind), procedure)
        if key in self._entries:
            raise ValueError(f"a {self._what} is already registered for step kind {kind!r} ({procedure})")
        self._entries[key] = entry
        return entry

    def remove(self, kind: str, *, procedure: Procedure | None = None) -> None:
        """Take an entry out again (a test's own kind)."""
        self._entries.pop((str(kind), procedure), None)

    def find(self, kind: str, procedure: Procedure) -> T | None:
        """The entry of a kind for a procedure: its own first, else the one for every procedure."""
        key = str(kind)
        found = self._entries.get((key, procedure))
        return found if found is not None else self._entries.get((key, None))

    def kinds(self) -> set[str]:
        """Every kind with an entry."""
        return {kind for kind, _ in self._entries}


class StepHandler(ReceptionWork):
    """The recorded actions of one step kind on a case (`kind` is set when the class is registered)."""

    kind: ClassVar[str] = ""


#: The handler class of each step kind.
STEP_HANDLERS: KindRegistry[type[StepHandler]] = KindRegistry("handler")

H = TypeVar("H", bound=type[StepHandler])


def step_handler(kind: str, *, procedure: Procedure | None = None) -> Callable[[H], H]:
    """Class decorator: register a `StepHandler` subclass as the handler of `kind` (for one procedure or all)."""

    def register(cls: H) -> H:
        cls.kind = str(kind)
        STEP_HANDLERS.register(kind, cls, procedure=procedure)
        return cls

    return register


def handler_class(kind: str, procedure: Procedure) -> type[StepHandler]:
    """The handler class of a step kind (ReceptionError when the program knows no such kind)."""
    found = STEP_HANDLERS.find(kind, procedure)
    if found is None:
        raise ReceptionError(f"لا يعرف البرنامج خطوة من النوع «{kind}»", field="step")
    return found
