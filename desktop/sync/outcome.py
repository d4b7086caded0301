"""What a sync round ends with: its `SyncReport`, or the `SyncError` that stopped it (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.counting import CHANGES, CONFLICTS, ROWS, count_phrase

__all__ = ["SyncError", "SyncReport"]


class SyncError(Exception):
    """A round that could not be completed; `message_ar` is shown as it is, `kind` tells the GUI why.

    Kinds: "offline" (no answer), "refused" (credential wrong or revoked), "upgrade" (this
    version of the app is too old for the server), "server" (the server failed or refused),
    "invalid" (the server refused what was sent), "not_configured", "attachment" (a file upload
    was refused; retried next round), "certificate" (TLS refused the server's certificate: not trusted,
    or not the one pinned at enrolment), "closed" (the server revoked this desk: its data is closed).
    """

    def __init__(self, message_ar: str, kind: str = "server", *, detail: str | None = None) -> None:
        super().__init__(message_ar if detail is None else f"{message_ar} ({detail})")
        self.message_ar = message_ar
        self.kind = kind
        self.detail = detail


@dataclass
class SyncReport:
    """What one round did (counts of rows and mutations)."""

    pushed: int = 0
    acknowledged: int = 0
    merged: int = 0
    conflicts: int = 0
    rejected: int = 0
    duplicates: int = 0
    pulled: int = 0
    uploaded: int = 0
    downloaded: int = 0
    resynced_tables: list[str] = field(default_factory=list)
    #: Rows whose content differed from the server's at the same version (edited behind the app's back).
    edited_rows: int = 0
    #: Pulled rows waiting in quarantine after the round (this desk cannot store them; `desktop.sync.quarantine`).
    quarantined: int = 0
    verified: bool = False
    cancelled: bool = False
    seconds: float = 0.0
    #: The signed-in account was found removed or disabled (on the server, while offline): it was signed out.
    signed_out: bool = False
    messages_ar: list[str] = field(default_factory=list)

    @property
    def summary_ar(self) -> str:
        """One Arabic line for the status bar or the command line."""
        parts = [f"أُرسل {count_phrase(self.acknowledged, CHANGES)}", f"واستُلم {count_phrase(self.pulled, ROWS)}"]
        if self.conflicts:
            parts.append(f"وظهر {count_phrase(self.conflicts, CONFLICTS)} للمراجعة")
        if self.rejected:
            parts.append(f"ورُفض {count_phrase(self.rejected, CHANGES)}")
        if self.quarantined:
            parts.append(f"وجُنّب {count_phrase(self.quarantined, ROWS)} لم يمكن حفظه على هذا الجهاز (في شاشة التعارضات)")
        if self.resynced_tables:
            parts.append("وأُعيدت مطابقة: " + "، ".join(self.resynced_tables))
        if self.edited_rows:
            parts.append(f"ووُجدت سجلات عُدّلت خارج البرنامج ({self.edited_rows}) فاستُعيدت من الخادم")
        if self.cancelled:
            parts.append("(أُوقفت المزامنة قبل اكتمالها)")
        return "تمت المزامنة: " + " ".join(parts)
