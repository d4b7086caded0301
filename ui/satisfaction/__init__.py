"""The satisfaction section: kiosk mode for the beneficiary, phone entry, printed slips, corrective actions."""

from __future__ import annotations

from ui.satisfaction.page import SatisfactionPage

__all__ = ["SatisfactionPage"]
