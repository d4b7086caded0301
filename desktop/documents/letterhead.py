"""The association's letterhead as plain data: what every printed document carries at its top and foot.

Kept apart from the layouts so that the case services can prepare a letterhead without loading reportlab
(start-up reads this module; the PDF engine is loaded when a document is first rendered).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from desktop import policy_text
from desktop.policy import PolicyProfile

__all__ = ["Letterhead", "letterhead_for"]


@dataclass(frozen=True)
class Letterhead:
    """What the association prints on every document: name, licence, logo, contacts, policy version."""

    association_name: str
    licence: str | None = None
    logo_path: Path | None = None
    phone: str | None = None
    website: str | None = None
    email: str | None = None
    address: str | None = None
    city: str | None = None
    policy_label: str | None = None


def letterhead_for(profile: PolicyProfile, *, logo_path: Path | None = None) -> Letterhead:
    """The association's letterhead from a policy: its particulars, the profile's logo (else `logo_path`), the footer."""
    a = profile.association
    return Letterhead(
        association_name=a.name,
        licence=a.licence,
        logo_path=profile.logo_path if profile.logo_path is not None else logo_path,
        phone=a.phone,
        website=a.website,
        email=a.email,
        city=a.city,
        policy_label=policy_text.policy_label(profile),
    )
