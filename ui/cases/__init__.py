"""The cases section (issue 5): case list and search, case file and timeline, follow-ups, suggestions."""

from __future__ import annotations

from ui.cases.page import CasesPage

__all__ = ["CasesPage"]
