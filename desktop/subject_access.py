"""A beneficiary's data export (subject access, PDPL; issue 14 item 4): everything the desk holds about one
person, as a PDF, from the case file and `mustafid-admin privacy export`.

Decisions recorded here:

* "Everything" is found generically, so a table added later is not forgotten: the beneficiary's row, every
  row of every synced table that names one of their cases (``case_id``) or them (``beneficiary_id``), the stored
  files those rows name (listed by kind, size and SHA-256, not embedded) and the audit events about their cases
  or them (what was done and when). Sync bookkeeping and internal ids are left out; nobody else's row is read.
* Each value is shown as the officer would read it: dates Hijri beside Gregorian, times in Riyadh, yes/no,
  numbers and IDs isolated; column names are worded in Arabic where known (`_LABELS`), else shown as they are.
* The export itself is audited (``subject_access_exported``, who and when: no personal data in the details).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, or_, select
from sqlalchemy.orm import Session

from db.models import SYNC_COLUMN_NAMES, Attachment, AuditEvent, Base, Beneficiary, Case
from desktop.arabic_text import display_digits, identifier_text
from desktop.hijri import format_dual, format_time, local_date

__all__ = ["SubjectAccess", "SubjectSection", "gather_subject_access", "render_subject_access"]

_TABLE_TITLES = {
    "beneficiary": "بيانات المستفيد",
    "case": "الطلب",
    "step_completion": "خطوات الاستقبال",
    "required_document": "المستندات المطلوبة",
    "declaration": "الإقرارات",
    "referral": "الإحالات",
    "assessment": "الدراسات والتقييمات",
    "assessment_item": "بنود التقييم",
    "eligibility_recommendation": "توصيات الاستحقاق",
    "committee_decision": "قرارات اللجنة",
    "decision_letter": "خطابات القرار",
    "beneficiary_notice": "إبلاغ المستفيد",
    "service": "الخدمات المقدمة",
    "survey_response": "تقييمات الرضا",
    "survey_slip": "قسائم التقييم",
    "suggestion": "الاقتراحات والشكاوى",
    "suggestion_event": "متابعة الاقتراحات والشكاوى",
    "reception_draft": "مسودات الاستقبال",
    "rescue_report": "البلاغات",
    "attachment": "الملفات المحفوظة",
    "audit_event": "سجل العمليات على البيانات",
}

_LABELS = {
    "full_name": "الاسم الكامل", "name_key": "مفتاح البحث بالاسم", "id_number": "رقم الهوية", "id_kind": "نوع الهوية",
    "id_expiry": "انتهاء الهوية", "birth_date": "تاريخ الميلاد", "gender": "الجنس", "nationality": "الجنسية",
    "mobile": "الجوال", "phone_key": "مفتاح البحث بالجوال", "city": "المدينة", "household_size": "عدد أفراد الأسرة",
    "case_number": "رقم الطلب", "channel_id": "القناة", "case_kind_id": "نوع الطلب", "status": "الحالة",
    "branch": "الفرع", "summary": "الملخص", "location": "الموقع", "submitted_at": "تاريخ التقديم",
    "promised_decision_date": "موعد القرار", "signature_pending": "التوقيع معلّق", "current_step_id": "الخطوة الحالية",
    "closed_at": "تاريخ الإغلاق", "step_id": "الخطوة", "step_kind": "نوع الخطوة", "completed_at": "وقت الإنجاز",
    "skipped": "تُخطّيت", "skip_reason": "سبب التخطي", "note": "ملاحظة", "notes": "ملاحظات", "name": "الاسم",
    "provided": "قُدّم", "valid_until": "صالح حتى", "text": "النص", "signature_kind": "طريقة التوقيع",
    "signed_at": "وقت التوقيع", "pdf_sha256": "بصمة الملف", "to_role": "إلى", "answer": "الإجابة",
    "answered_at": "وقت الإجابة", "kind": "النوع", "recommendation": "التوصية", "assessed_at": "وقت التقييم",
    "decision": "القرار", "reason": "السبب", "members": "الأعضاء", "decided_at": "وقت القرار",
    "issued_at": "وقت الإصدار", "info_due_date": "موعد استكمال المعلومات", "how": "طريقة الإبلاغ",
    "informed_at": "وقت الإبلاغ", "amount": "المبلغ", "in_kind": "عيني", "description": "الوصف",
    "delivered_at": "وقت التسليم", "answers": "الإجابات", "answered_at_": "وقت التقييم", "mode": "الطريقة",
    "response": "الرد", "due_date": "الموعد", "action": "الإجراء", "at": "الوقت", "fields": "الحقول",
    "saved_at": "وقت الحفظ", "reporter_name": "اسم المبلّغ", "reporter_phone": "جوال المبلّغ", "platform": "المنصة",
    "place": "المكان", "latitude": "خط العرض", "longitude": "خط الطول", "what_happened": "ما حدث",
    "received_at": "وقت الاستلام", "help_given": "المساعدة المقدمة", "mime": "نوع الملف", "size": "الحجم بالبايت",
    "sha256": "البصمة", "created_at": "وقت الإنشاء", "label": "البند", "result": "النتيجة", "item_kind": "نوع البند",
    "item_key": "مفتاح البند", "code": "الرمز", "used_at": "وقت الاستعمال", "entity": "الكيان",
}

#: Columns never shown: sync bookkeeping and references to internal rows (their content is shown in its own place).
_HIDDEN = set(SYNC_COLUMN_NAMES) - {"created_at"} | {"association_id", "policy_version_id", "stored_path",
                                                      "prev_hash", "event_hash", "chain_seq", "details"}


@dataclass(frozen=True)
class SubjectSection:
    """One group of records: its Arabic title and one block of "label: value" lines per record."""

    title: str
    records: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class SubjectAccess:
    """Everything held about one beneficiary, ready to print."""

    full_name: str
    id_number: str
    sections: tuple[SubjectSection, ...]

    def text(self) -> str:
        """The whole export as plain text (what the PDF prints)."""
        lines = [f"{self.full_name} — {self.id_number}"]
        for section in self.sections:
            lines.append(section.title)
            for record in section.records:
                lines.extend(record)
        return "\n".join(lines)


def _value(value: Any) -> str | None:
    if value is None or value == "" or value == {} or value == []:
        return None
    if isinstance(value, bool):
        return "نعم" if value else "لا"
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return f"{format_dual(local_date(moment))} \u2068{format_time(moment)}\u2069"
    if isinstance(value, dt.date):
        return format_dual(value)
    if isinstance(value, uuid.UUID):
        return None
    if isinstance(value, (int, float)):
        return identifier_text(display_digits(str(value)))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    return identifier_text(text) if text.isascii() else text


def _coded(column: str, value: Any) -> Any:
    """A stored code (status, gender, ID kind, decision) as its Arabic label; other values unchanged."""
    if not isinstance(value, str):
        return value
    from db.models import CaseStatus
    from desktop.identity import IdKind

    try:
        if column == "status" and value in set(CaseStatus):
            return CaseStatus(value).label_ar
        if column == "id_kind":
            return IdKind(value).label_ar
    except ValueError:
        return value
    return {"male": "ذكر", "female": "أنثى", "accept": "القبول", "reject": "الرفض",
            "more_info": "طلب معلومات إضافية"}.get(value, value) if column in ("gender", "decision") else value


def _record(table: Table, row: Any) -> tuple[str, ...]:
    lines: list[str] = []
    for column in table.columns:
        if column.name in _HIDDEN or column.name.endswith("_id"):
            continue
        raw = getattr(row, column.name, None) if not isinstance(row, dict) else row.get(column.name)
        shown = _value(_coded(column.name, raw))
        if shown is not None:
            lines.append(f"{_LABELS.get(column.name, column.name)}: {shown}")
    return tuple(lines)


def gather_subject_access(session: Session, beneficiary_id: uuid.UUID) -> SubjectAccess:
    """Everything held about the beneficiary `beneficiary_id` (see the module); `LookupError` if unknown."""
    beneficiary = session.get(Beneficiary, beneficiary_id)
    if beneficiary is None:
        raise LookupError("المستفيد غير موجود في قاعدة البيانات")
    tables = Base.metadata.tables
    case_ids = list(session.scalars(select(Case.id).where(Case.beneficiary_id == beneficiary_id)))
    sections: list[SubjectSection] = [
        SubjectSection(_TABLE_TITLES["beneficiary"], (_record(tables["beneficiary"], beneficiary),)),
    ]
    attachment_ids: set[uuid.UUID] = set()
    for name, table in tables.items():
        if name in ("beneficiary", "audit_event", "attachment") or name.startswith(("report_", "sync_")):
            continue
        if "deleted_at" not in table.c:
            continue  # local tables (summaries, sync state) hold no one's particulars of their own
        conditions = []
        if name == "case":
            conditions.append(table.c.beneficiary_id == beneficiary_id)
        else:
            if "case_id" in table.c and case_ids:
                conditions.append(table.c.case_id.in_(case_ids))
            if "beneficiary_id" in table.c:
                conditions.append(table.c.beneficiary_id == beneficiary_id)
        if not conditions:
            continue
        rows = session.execute(select(table).where(or_(*conditions))).mappings().all()
        if not rows:
            continue
        for row in rows:
            for column in ("attachment_id", "signature_attachment_id", "pdf_attachment_id"):
                if column in row and row[column] is not None:
                    attachment_ids.add(row[column])
        records = tuple(record for record in (_record(table, dict(row)) for row in rows) if record)
        sections.append(SubjectSection(_TABLE_TITLES.get(name, name), records))
    if attachment_ids:
        files = session.scalars(select(Attachment).where(Attachment.id.in_(list(attachment_ids)))).all()
        sections.append(SubjectSection(_TABLE_TITLES["attachment"],
                                       tuple(_record(tables["attachment"], f) for f in files)))
    subjects = [beneficiary_id, *case_ids]
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity_id.in_(subjects))
                             .order_by(AuditEvent.at)).all()
    if events:
        sections.append(SubjectSection(_TABLE_TITLES["audit_event"], tuple(
            (f"{_LABELS['action']}: {event.action}", f"{_LABELS['at']}: {_value(event.at)}") for event in events
        )))
    return SubjectAccess(beneficiary.full_name, identifier_text(beneficiary.id_number), tuple(sections))


def render_subject_access(export: SubjectAccess, letterhead: Any) -> bytes:
    """The export as an A4 PDF on the association's letterhead."""
    from desktop.documents.forms import render_record_export

    return render_record_export(letterhead, title="بيانات المستفيد المحفوظة لدى الجمعية",
                                subtitle=f"{export.full_name} — رقم الهوية {export.id_number}",
                                sections=[(section.title, section.records) for section in export.sections])
