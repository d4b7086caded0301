"""The case's timeline: every record of the case (steps, referrals, assessments, decisions, notices, services,
surveys, suggestions, audit events) and every file it holds, newest first, each with its officer and time.

Plain functions of an open session; the case file service and the committee's answers both build on them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Assessment,
    AssessmentItem,
    AssessmentKind,
    Attachment,
    AuditEvent,
    BeneficiaryNotice,
    Case,
    CommitteeDecision,
    DecisionLetter,
    EligibilityRecommendation,
    Referral,
    RequiredDocument,
    Service,
    SignatureKind,
    StepCompletion,
    Suggestion,
    SuggestionEvent,
    SurveyResponse,
)
from desktop.arabic_text import display_digits, identifier_text, isolate
from desktop.attachments import MIME_PDF
from desktop.casedesk.common import (
    SUGGESTION_KIND_LABELS,
    case_kind_name,
    channel_name,
    moment_text,
    role_name,
    step_title,
    user_names,
)
from desktop.casedesk.decisions import letter_row
from desktop.casedesk.views import CHECK_RESULTS, DECISIONS, INFORMED_HOW, INTERVIEW_ANSWERS, TimelineEntry
from desktop.cases import states
from desktop.documents import catalogue
from desktop.money import money_text
from desktop.permissions import REDACTED
from desktop.policy import PolicyProfile, SensitiveField, is_rescue_profile
from desktop.reception.documents import CORRECTION_ACTION, declaration_versions

__all__ = ["DOCUMENT_KIND_LABELS", "build_timeline", "declaration_state", "file_entries"]

#: What each kind of stored file is called in the timeline: a printed document by its catalogue title,
#: and the two kinds of file that are not printed documents.
DOCUMENT_KIND_LABELS: dict[str, str] = {
    **{entry.kind: entry.title_ar for entry in catalogue.CATALOGUE},
    "scan": "نسخة ممسوحة",
    "signature": "صورة التوقيع",
}
#: Audit actions already shown by a richer timeline entry (the record itself).
_COVERED_AUDIT = frozenset(
    {
        "step_completed", "step_skipped", "referred", "referral_answered", "document_stored", "committee_decided",
        "declaration_signed", "documents_checked", "interview_recorded", "recommendation_recorded",
        "beneficiary_informed", "service_recorded", "case_started", "particulars_verified", "committee_notified",
    }
)
_AUDIT_LABELS: dict[str, str] = {
    "status_changed": "تغيرت حالة الطلب",
    "particulars_verified": "التحقق من بيانات المستفيد",
    "documents_recorded": "تحديث قائمة المستندات",
    "beneficiary_attached": "ربط الطلب بملف المستفيد",
    "signature_deferred": "تأجيل توقيع الإقرار",
    "committee_notified": "إحالة الطلب إلى لجنة البحث",
    "case_abandoned": "ترك الطلب دون إكمال",
    "second_case_opened": "فتح طلب آخر لمستفيد له طلب مفتوح",
    "case_closed": "إغلاق الطلب",
    "resubmitted": "إعادة الطلب إلى لجنة البحث بعد الاستكمال",
    "report_recorded": "تسجيل البلاغ",
    "report_corrected": "تصحيح بيانات البلاغ",
    CORRECTION_ACTION: "تصحيح بيانات المستفيد",
    "member_dispatched": "توجيه عضو إلى البلاغ",
}


def build_timeline(session: Session, case: Case, profile: PolicyProfile, *,
                   readable: bool = True) -> tuple[TimelineEntry, ...]:
    """Everything that happened on the case, newest first, each with its officer and time, its files included.

    With `readable` False (an account outside `desktop.permissions.SENSITIVE_READERS`) the details of the
    assessments, the recommendation, and the notes of steps (and referrals to roles of steps) a policy marks
    `sensitive` read `REDACTED`, and so do the fields the policy lists in `sensitive_fields` (the committee's
    reason, the notice's note, the service's description, the referrals' texts) and the scans of documents it
    marks `sensitive` (listed, never openable: see `withhold_scans`): the entries stay, so the course of the
    case is still seen.
    """
    entries: list[tuple[TimelineEntry, uuid.UUID | None]] = []
    sensitive_steps = profile.sensitive_step_ids()
    sensitive_roles = {step.role for step in profile.steps if step.sensitive and step.role}
    referral_field = profile.field_is_sensitive(SensitiveField.REFERRAL_NOTE)
    reason_field = profile.field_is_sensitive(SensitiveField.DECISION_REASON)
    notice_field = profile.field_is_sensitive(SensitiveField.NOTICE_NOTE)
    service_field = profile.field_is_sensitive(SensitiveField.SERVICE_DESCRIPTION)

    def private(text: str, sensitive: bool = True) -> str:
        return REDACTED if sensitive and text and not readable else text
    channel = channel_name(profile, case.channel_id)
    rescue = is_rescue_profile(profile)
    noun = "البلاغ" if rescue else "الطلب"  # a policy of reports never speaks of a request

    def add(entry_id: str, at: datetime | None, kind: str, title: str, detail: str, who: uuid.UUID | None,
            **extra: Any) -> None:
        if at is None:
            return
        entries.append(
            (TimelineEntry(entry_id, at, moment_text(at), kind, title, detail, None, **extra), who)
        )

    started = session.scalars(
        select(AuditEvent.at).where(
            AuditEvent.entity == "case", AuditEvent.entity_id == case.id, AuditEvent.action == "case_started"
        ).limit(1)
    ).first()
    add(f"contact:{case.id.hex}", started or case.created_at, "contact", f"تواصل عبر قناة «{channel}»",
        f"فُتح {noun} رقم {identifier_text(case.case_number)}"
        + ("" if rescue else f" ({case_kind_name(profile, case.case_kind_id)})"),
        case.officer_id, channel_name=channel)
    for step in session.scalars(
        select(StepCompletion).where(StepCompletion.case_id == case.id, StepCompletion.deleted_at.is_(None))
    ):
        title = step_title(profile, step.step_id)
        if step.skipped:
            add(f"step:{step.id.hex}", step.completed_at, "step", f"تجاوز خطوة «{title}»",
                step.skip_reason or "", step.officer_id, channel_name=channel_name(profile, step.channel_id or ""))
        else:
            add(f"step:{step.id.hex}", step.completed_at, "step", f"إنجاز خطوة «{title}»",
                private(step.note or "", step.step_id in sensitive_steps),
                step.officer_id, channel_name=channel_name(profile, step.channel_id or "") if step.channel_id else None)
    referrals = session.scalars(
        select(Referral).where(Referral.case_id == case.id, Referral.deleted_at.is_(None))
    ).all()
    # The referral's own time is its audit event's (the row's created_at is the machine's clock).
    referred_at = {
        row.entity_id: row.at for row in session.execute(
            select(AuditEvent.entity_id, AuditEvent.at).where(
                AuditEvent.entity == "referral", AuditEvent.action == "referred",
                AuditEvent.entity_id.in_([r.id for r in referrals]),
            )
        )
    } if referrals else {}
    for referral in referrals:
        add(f"referral:{referral.id.hex}", referred_at.get(referral.id, referral.created_at), "referral",
            f"إحالة إلى {role_name(profile, referral.to_role)}",
            private(referral.note or "", referral_field or referral.to_role in sensitive_roles), referral.from_user_id)
        add(f"referral_answer:{referral.id.hex}", referral.answered_at, "referral_answer", "رد على الإحالة",
            private(referral.answer or "", referral_field or referral.to_role in sensitive_roles),
            referral.answered_by)
    for assessment in session.scalars(
        select(Assessment).where(Assessment.case_id == case.id, Assessment.deleted_at.is_(None))
    ):
        items = session.scalars(
            select(AssessmentItem).where(AssessmentItem.assessment_id == assessment.id)
        ).all()
        add(f"assessment:{assessment.id.hex}", assessment.assessed_at or assessment.created_at, "assessment",
            _assessment_title(assessment.kind), private(_assessment_summary(items, assessment.notes)),
            assessment.assessor_id)
    for rec in session.scalars(
        select(EligibilityRecommendation)
        .where(EligibilityRecommendation.case_id == case.id, EligibilityRecommendation.deleted_at.is_(None))
    ):
        add(f"recommendation:{rec.id.hex}", rec.recommended_at, "recommendation",
            "توصية الباحث: " + (DECISIONS.get(rec.recommendation, rec.recommendation) if readable else REDACTED),
            private(rec.reason or ""), rec.recommended_by)
    for decision in session.scalars(
        select(CommitteeDecision).where(CommitteeDecision.case_id == case.id, CommitteeDecision.deleted_at.is_(None))
    ):
        letter = letter_row(session, decision.id)
        members = "، ".join(decision.members or ())
        detail = "؛ ".join(p for p in (private(decision.reason or "", reason_field), f"الأعضاء الحاضرون: {members}" if members else "") if p)
        add(f"decision:{decision.id.hex}", decision.decided_at, "decision",
            f"قرار لجنة البحث: {DECISIONS.get(decision.decision, decision.decision)}", detail, decision.recorded_by,
            document_kind="decision_letter" if letter else None,
            attachment_sha256=letter.pdf_sha256 if letter else None, mime=MIME_PDF if letter else None)
    for notice in session.scalars(
        select(BeneficiaryNotice).where(BeneficiaryNotice.case_id == case.id, BeneficiaryNotice.deleted_at.is_(None))
    ):
        add(f"notice:{notice.id.hex}", notice.informed_at, "notice",
            f"إبلاغ المستفيد بالقرار ({INFORMED_HOW.get(notice.how, notice.how)})",
            private(notice.note or "", notice_field),
            notice.informed_by, channel_name=INFORMED_HOW.get(notice.how, notice.how))
    for service in session.scalars(
        select(Service).where(Service.case_id == case.id, Service.deleted_at.is_(None))
    ):
        detail = "؛ ".join(p for p in (money_text(service.amount), private(service.description or "", service_field))
                          if p)
        add(f"service:{service.id.hex}", service.delivered_at or service.created_at, "service",
            f"تقديم خدمة: {service.kind}", detail, service.delivered_by)
    for survey in session.scalars(
        select(SurveyResponse).where(SurveyResponse.case_id == case.id, SurveyResponse.deleted_at.is_(None))
    ):
        add(f"survey:{survey.id.hex}", survey.answered_at, "survey", "استبانة رضا المستفيد",
            f"طريقة الاستبانة: {survey.mode}" if survey.mode else "", None)
    for event, suggestion in session.execute(
        select(SuggestionEvent, Suggestion)
        .join(Suggestion, Suggestion.id == SuggestionEvent.suggestion_id)
        .where(SuggestionEvent.case_id == case.id, SuggestionEvent.deleted_at.is_(None))
    ):
        label = SUGGESTION_KIND_LABELS.get(suggestion.kind, suggestion.kind)
        add(f"suggestion:{suggestion.id.hex}", event.at, "suggestion", f"{label} من المستفيد",
            suggestion.text, event.actor_id, channel_name=channel_name(profile, suggestion.channel_id or "")
            if suggestion.channel_id else None)
    for audit in session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "case", AuditEvent.entity_id == case.id)
    ):
        if audit.action in _COVERED_AUDIT:
            continue
        label = _AUDIT_LABELS.get(audit.action, audit.action)
        add(f"audit:{audit.id.hex}", audit.at, "audit", label.replace("الطلب", noun), _audit_detail(audit),
            audit.actor_id)
    files = file_entries(session, case)
    if not readable:
        files = withhold_scans(files, sensitive_scans(session, case, profile))
    names = user_names(session, [who for _, who in entries])
    done = [
        TimelineEntry(**{**entry.__dict__, "officer_name": names.get(who) if who else None})
        for entry, who in entries
    ]
    done.extend(files)
    # Row ids are UUIDv7 (time-ordered): within one moment, the later record comes first.
    done.sort(key=lambda e: (e.at, e.entry_id.rsplit(":", 1)[-1]), reverse=True)
    return tuple(done)

def declaration_state(number: int, superseded: bool) -> str:
    """«الإصدار ٢ — مستبدَل بعد تصحيح البيانات» or «الإصدار ٢ — الساري»: a declaration's place among the case's."""
    state = "مستبدَل بعد تصحيح البيانات" if superseded else "الساري"
    return f"الإصدار {isolate(display_digits(str(number)))} — {state}"


def sensitive_scans(session: Session, case: Case, profile: PolicyProfile) -> frozenset[str]:
    """The SHA-256s of the case's scans of documents the policy marks `sensitive` (a medical report)."""
    names = profile.sensitive_document_names()
    if not names:
        return frozenset()
    return frozenset(session.scalars(
        select(Attachment.sha256)
        .join(RequiredDocument, RequiredDocument.attachment_id == Attachment.id)
        .where(RequiredDocument.case_id == case.id, RequiredDocument.deleted_at.is_(None),
               RequiredDocument.name.in_(sorted(names)))
    ))


def withhold_scans(entries: Sequence[TimelineEntry], shas: frozenset[str]) -> list[TimelineEntry]:
    """`entries` with the scans in `shas` withheld: still listed (title, time, who), their detail `REDACTED`,
    no file to open (`attachment_sha256` None, `withheld` True)."""
    if not shas:
        return list(entries)
    return [
        TimelineEntry(**{**e.__dict__, "detail": REDACTED, "attachment_sha256": None, "withheld": True})
        if e.attachment_sha256 in shas else e
        for e in entries
    ]


def file_entries(session: Session, case: Case) -> list[TimelineEntry]:
    """Every file of the case: the signed declaration and its scan, stored PDFs, document scans."""
    entries: list[TimelineEntry] = []
    actor_of: dict[str, uuid.UUID | None] = {}
    versions = declaration_versions(session, case.id)
    several = len(versions) > 1 or any(v.superseded for v in versions)
    for version in versions:
        declaration = version.row
        if declaration.pdf_sha256:
            how = "وُقّع على الورق" if declaration.signature_kind == SignatureKind.PAPER.value else "وُقّع على لوحة التوقيع"
            if several:
                how = f"{declaration_state(version.number, version.superseded)} — {how}"
            entries.append(TimelineEntry(
                f"file:declaration:{declaration.id.hex}", declaration.signed_at, moment_text(declaration.signed_at),
                "document", DOCUMENT_KIND_LABELS["declaration"], how,
                None, document_kind="declaration", attachment_sha256=declaration.pdf_sha256, mime=MIME_PDF,
            ))
            actor_of[f"file:declaration:{declaration.id.hex}"] = declaration.officer_id
        if declaration.signature_kind == SignatureKind.PAPER.value and declaration.signature_attachment_id:
            scan = session.get(Attachment, declaration.signature_attachment_id)
            if scan is not None:
                entries.append(TimelineEntry(
                    f"file:paper:{declaration.id.hex}", declaration.signed_at, moment_text(declaration.signed_at),
                    "document", "النسخة الممسوحة من الإقرار الموقع على الورق", "", None,
                    document_kind="scan", attachment_sha256=scan.sha256, mime=scan.mime,
                ))
                actor_of[f"file:paper:{declaration.id.hex}"] = declaration.officer_id
    for audit in session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity == "case", AuditEvent.entity_id == case.id, AuditEvent.action == "document_stored"
        )
    ):
        kind = str((audit.details or {}).get("kind", ""))
        sha = str((audit.details or {}).get("sha256", ""))
        if not sha or kind == "declaration":
            continue
        entry_id = f"file:{kind}:{audit.id.hex}"
        entries.append(TimelineEntry(
            entry_id, audit.at, moment_text(audit.at), "document", DOCUMENT_KIND_LABELS.get(kind, kind), "",
            None, document_kind=kind, attachment_sha256=sha, mime=MIME_PDF,
        ))
        actor_of[entry_id] = audit.actor_id
    for doc, attachment in session.execute(
        select(RequiredDocument, Attachment)
        .join(Attachment, Attachment.id == RequiredDocument.attachment_id)
        .where(RequiredDocument.case_id == case.id, RequiredDocument.deleted_at.is_(None))
    ):
        entry_id = f"file:scan:{doc.id.hex}"
        entries.append(TimelineEntry(
            entry_id, doc.updated_at, moment_text(doc.updated_at), "document", f"نسخة ممسوحة: {doc.name}", "",
            None, document_kind="scan", attachment_sha256=attachment.sha256, mime=attachment.mime,
        ))
        actor_of[entry_id] = doc.updated_by
    for letter in session.scalars(
        select(DecisionLetter).where(DecisionLetter.case_id == case.id, DecisionLetter.deleted_at.is_(None))
    ):
        entry_id = f"file:decision_letter:{letter.id.hex}"
        entries.append(TimelineEntry(
            entry_id, letter.issued_at, moment_text(letter.issued_at), "document",
            DOCUMENT_KIND_LABELS["decision_letter"], "", None, document_kind="decision_letter",
            attachment_sha256=letter.pdf_sha256, mime=MIME_PDF,
        ))
        actor_of[entry_id] = letter.updated_by
    names = user_names(session, actor_of.values())
    named = []
    for e in entries:
        actor = actor_of.get(e.entry_id)
        named.append(TimelineEntry(**{**e.__dict__, "officer_name": names.get(actor) if actor else None}))
    return named


def _assessment_title(kind: str) -> str:
    if kind == AssessmentKind.ADMINISTRATIVE_EXAMINATION.value:
        return "الفحص الإداري للمستندات"
    if kind == AssessmentKind.PERSONAL_INTERVIEW.value:
        return "المقابلة الشخصية"
    return kind


def _assessment_summary(items: Sequence[AssessmentItem], notes: str | None) -> str:
    lines = []
    for item in items:
        label = CHECK_RESULTS.get(item.result) or INTERVIEW_ANSWERS.get(item.result) or item.result
        line = f"{item.label}: {label}"
        if item.note:
            line += f" ({item.note})"
        lines.append(line)
    if notes and not any(item.item_kind == "document" for item in items):
        lines.append(f"ملاحظات: {notes}")
    return "\n".join(lines)


def _correction_detail(details: dict[str, Any]) -> str:
    """A correction's reason, then each particular changed (from old to new), then the declaration's fate."""
    lines = [f"السبب: {details.get('reason', '')}"]
    if details.get("requested_by") == "beneficiary":
        lines.append("بطلب من المستفيد (حقه في تصحيح بياناته)")
    for change in details.get("changes") or ():
        if isinstance(change, dict):
            lines.append(f"{change.get('label', '')}: من «{change.get('old', '')}» إلى «{change.get('new', '')}»")
    if details.get("superseded_declaration_id"):
        lines.append("استُبدل الإقرار الموقّع: يُطبع الإقرار المصحح ليوقّعه المستفيد من جديد")
    return "\n".join(lines)


def _audit_detail(audit: AuditEvent) -> str:
    details = audit.details or {}
    if audit.action == CORRECTION_ACTION:
        return _correction_detail(details)
    if audit.action == "status_changed":
        return f"من «{states.status_label(str(details.get('from', '')))}» إلى «{states.status_label(str(details.get('to', '')))}»"
    for key in ("reason", "note"):
        if details.get(key):
            return str(details[key])
    return ""

