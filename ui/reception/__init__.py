"""The reception section: the guided checklist of the active policy, one page per step kind."""

from __future__ import annotations

from ui.reception.page import DraftsBanner, ReceptionPage
from ui.reception.wizard import ReceptionWizard

__all__ = ["DraftsBanner", "ReceptionPage", "ReceptionWizard"]
