"""The committee section (issue 5): the queue against the promised date, decisions, letters and notices."""

from __future__ import annotations

from ui.committee.page import CommitteePage

__all__ = ["CommitteePage"]
