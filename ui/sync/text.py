"""Arabic wording of the sync state for the status bar, the settings box and the dialogs (no widgets here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.arabic_text import display_digits, isolate
from desktop.counting import CHANGES, HOURS, MINUTES, ROWS, count_phrase
from desktop.hijri import RIYADH, format_dual, format_time, riyadh_moment

if TYPE_CHECKING:
    from desktop.sync.service import SyncStatus


#: Short words for the state field of the status bar (the full reason goes to the tooltip).
#: The same words as desktop.workspace.ConnectionState.NOT_CONFIGURED (a test keeps them equal).
STATE_NOT_CONFIGURED = "غير متصل — لم يُضبط خادم المزامنة بعد"
STATE_ONLINE = "متصل بالخادم"
STATE_OFFLINE = "غير متصل"
STATE_RUNNING = "جارٍ المزامنة…"
STATE_REFUSED = "الخادم يرفض هذا الجهاز"
STATE_UPGRADE = "يلزم تحديث البرنامج"
STATE_FAILED = "تعذرت المزامنة"
STATE_OPENING = "المزامنة: جارٍ التحضير…"
STATE_UNAVAILABLE = "المزامنة غير متاحة"
STATE_ONLINE_INSECURE = "متصل بالخادم — اتصال غير مشفّر"
STATE_CERTIFICATE = "شهادة الخادم مرفوضة"
STATE_CLOSED = "أُلغي تسجيل هذا الجهاز"


@dataclass(frozen=True)
class SyncState:
    """What the controller reports: the service's status and what this session is doing with it."""

    status: SyncStatus | None
    running: bool = False
    error_kind: str | None = None
    unavailable_ar: str | None = None

    @property
    def configured(self) -> bool:
        """This PC holds a credential for a server."""
        return self.status is not None and self.status.configured

    @property
    def online(self) -> bool:
        """The last round reached the server."""
        return self.status is not None and self.status.online

    @property
    def pending(self) -> int:
        """Local changes not yet acknowledged by the server."""
        return 0 if self.status is None else self.status.pending_changes

    @property
    def conflicts(self) -> int:
        """Open conflicts waiting for a supervisor."""
        return 0 if self.status is None else self.status.open_conflicts


def records_text(value: int) -> str:
    """«سجل واحد»، «سجلان»، «٥ سجلات»، «١٢ سجلًا»."""
    return count_phrase(value, ROWS)


def changes_text(value: int) -> str:
    """«تغيير واحد»، «تغييران»، «٥ تغييرات»، «١٢ تغييرًا»."""
    return count_phrase(value, CHANGES)


def number(value: int) -> str:
    """A count in Arabic-Indic digits."""
    return display_digits(str(value))


def relative_time(moment: dt.datetime, now: dt.datetime | None = None) -> str:
    """«الآن»، «قبل ٥ دقائق»، «قبل ساعتين»، else the date in both calendars."""
    now = now or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "الآن"
    minutes = int(seconds // 60)
    if minutes < 60:
        return "قبل دقيقة" if minutes == 1 else "قبل " + count_phrase(minutes, MINUTES, oblique=True)
    hours = minutes // 60
    if hours < 24:
        return "قبل ساعة" if hours == 1 else "قبل " + count_phrase(hours, HOURS, oblique=True)
    return format_dual(moment.astimezone(RIYADH).date())


def moment_text(moment: dt.datetime | None) -> str:
    """A moment in Riyadh time: the date in both calendars and the hour, e.g. «١٤٤٦/١١/٢٠ هـ الموافق … ١٠:٤٥»."""
    if moment is None:
        return "غير معروف"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = riyadh_moment(moment)
    return f"{format_dual(local.date())} — الساعة {isolate(format_time(local))}"


def state_text(state: SyncState) -> str:
    """The short state word of the status bar."""
    if state.unavailable_ar:
        return STATE_UNAVAILABLE
    if state.status is None:
        return STATE_OPENING
    if not state.status.configured:
        return STATE_NOT_CONFIGURED
    if state.running:
        return STATE_RUNNING
    if state.status.online:
        return STATE_ONLINE_INSECURE if state.status.security_warning_ar else STATE_ONLINE
    return {"refused": STATE_REFUSED, "upgrade": STATE_UPGRADE, "server": STATE_FAILED,
            "attachment": STATE_FAILED, "certificate": STATE_CERTIFICATE,
            "closed": STATE_CLOSED}.get(state.error_kind or "offline", STATE_OFFLINE)


def state_tooltip(state: SyncState) -> str:
    """The full explanation behind the state word."""
    if state.unavailable_ar:
        return state.unavailable_ar
    status = state.status
    if status is None:
        return "تُقرأ حالة المزامنة من قاعدة البيانات."
    if not status.configured:
        return ("هذا الجهاز لم يُسجَّل لدى خادم المزامنة بعد؛ ما تسجله يبقى على هذا الجهاز. "
                "سجّله من قائمة «المزامنة» برمز التسجيل الذي يعطيك إياه مسؤول النظام.")
    lines = [f"الخادم: {isolate(status.server_url or '')}"]
    if status.security_warning_ar:
        lines.append(status.security_warning_ar)
    if status.last_error_ar:
        lines.append(status.last_error_ar)
    elif status.online:
        lines.append("آخر محاولة وصلت إلى الخادم.")
    if status.rejected_changes:
        lines.append(f"تغييرات رفضها الخادم: {number(status.rejected_changes)}")
    if status.quarantined_rows:
        lines.append(f"سجلات وصلت ولم تُحفظ على هذا الجهاز (مجنّبة): {number(status.quarantined_rows)}")
    if status.blocked_changes:
        lines.append(f"تغييرات معلقة بانتظار غيرها: {number(status.blocked_changes)}")
    return "\n".join(lines)


def last_sync_text(state: SyncState, now: dt.datetime | None = None) -> str:
    """«آخر مزامنة: قبل ٥ دقائق» or «لم تتم مزامنة بعد»."""
    status = state.status
    if status is None or status.last_success_at is None:
        return "لم تتم مزامنة بعد"
    return "آخر مزامنة: " + relative_time(status.last_success_at, now)


def pending_text(state: SyncState) -> str:
    """«بانتظار الإرسال: ٣» or «كل التغييرات أُرسلت»."""
    if state.pending == 0:
        return "كل التغييرات أُرسلت"
    return f"بانتظار الإرسال: {number(state.pending)}"


def conflicts_text(count: int) -> str:
    """The status bar's conflicts button: «تعارضات: ٢»."""
    return f"تعارضات: {number(count)}"
