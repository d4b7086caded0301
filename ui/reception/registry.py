"""One wizard page per step kind, registered like the service's handlers (`desktop.reception.registry`).

A page module registers its page class with `@step_page(kind)` (or for one procedure: a rescue report's
verify and serve pages differ from a request's). The wizard builds the page of a policy step from here and
hands it the step's handler; it never dispatches on kinds itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from desktop.reception import KindRegistry, Procedure
from ui.reception.base import StepPage

__all__ = ["PAGES", "page_class", "step_page"]

#: The page class of each step kind.
PAGES: KindRegistry[type[StepPage[Any]]] = KindRegistry("page")

P = TypeVar("P", bound=type[StepPage[Any]])


def step_page(kind: str, *, procedure: Procedure | None = None) -> Callable[[P], P]:
    """Class decorator: register a page class as the wizard's page of `kind` (for one procedure or all)."""

    def register(cls: P) -> P:
        PAGES.register(kind, cls, procedure=procedure)
        return cls

    return register


def page_class(kind: str, procedure: Procedure) -> type[StepPage[Any]]:
    """The page class of a step kind (KeyError when no page is registered for it)."""
    found = PAGES.find(kind, procedure)
    if found is None:
        raise KeyError(kind)
    return found
