"""Eligibility: the administrative examination of the documents, the personal interview, the recommendation.

Each document examination or interview is an `Assessment` (its kind) with one `AssessmentItem` per
document / question. The current state of a document or a question is its latest item, so a partial
re-check only changes what was re-checked. Questions come from the policy's [eligibility] section
(criteria, then mechanisms); a policy without one gets the mechanisms of 003 (PRODUCT.md: "useful to
all"). The researcher's recommendation is an `EligibilityRecommendation`; the latest one counts. The study
changes only before the decision (`rules.STUDY_STATUSES`), never on a rescue report.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Assessment,
    AssessmentItem,
    AssessmentKind,
    Attachment,
    Beneficiary,
    Case,
    EligibilityRecommendation,
    RequiredDocument,
)
from desktop.arabic_text import display_digits
from desktop.casedesk.common import clean_input, dual, moment_text, parse_typed_date, user_names
from desktop.casedesk.rules import STUDY_STATUSES
from desktop.casedesk.service import CaseDeskWork
from desktop.casedesk.views import (
    CHECK_RESULTS,
    DECISIONS,
    INTERVIEW_ANSWERS,
    CaseDeskError,
    DocumentCheckInput,
    DocumentState,
    EligibilityView,
    InterviewInput,
    InterviewQuestion,
    MechanismView,
    RecommendationView,
)
from desktop.casework import CaseContext
from desktop.cases import states
from desktop.hijri import local_date
from desktop.policy import PolicyProfile, is_rescue_profile
from desktop.permissions import REDACTED, Action, guarded

__all__ = ["DEFAULT_CRITERIA", "EXPIRING_SOON_DAYS", "EligibilityService", "document_states", "latest_items",
           "withhold_documents"]

#: A valid document ending within this many days is flagged "expiring soon" in the case file.
EXPIRING_SOON_DAYS = 30
#: Eligibility criteria used when the policy defines none (003's wording).
DEFAULT_CRITERIA: tuple[str, ...] = (
    "الشروط الواردة في اللوائح والأنظمة المنظمة المعتمدة في الجمعية",
    "المعايير المهنية المعتمدة",
)
_DEFAULT_MECHANISMS: tuple[MechanismView, ...] = (
    MechanismView(
        "administrative_examination", "آلية الفحص الإداري", "administrative_examination",
        "يتم فيها فحص الوثائق والمستندات التي يقدمها المستفيد، للتأكد من استيفائه للشروط اللازمة للحصول على الخدمة.",
    ),
    MechanismView(
        "personal_interview", "آلية المقابلة الشخصية", "personal_interview",
        "يتم فيها إجراء مقابلة شخصية مع المستفيد، لجمع معلومات إضافية حول حالته، وتقييم مدى استحقاقه للخدمة.",
    ),
)


def document_states(session: Session, case: Case, today: date) -> tuple[DocumentState, ...]:
    """The case's required documents: validity on `today` and the latest examination of each."""
    docs = session.scalars(
        select(RequiredDocument)
        .where(RequiredDocument.case_id == case.id, RequiredDocument.deleted_at.is_(None))
        .order_by(RequiredDocument.created_at, RequiredDocument.id)
    ).all()
    checks = latest_items(session, case.id, "document")
    shas = {
        row.id: row.sha256
        for row in session.scalars(
            select(Attachment).where(Attachment.id.in_({d.attachment_id for d in docs if d.attachment_id}))
        )
    } if any(d.attachment_id for d in docs) else {}
    names = user_names(session, [check[1].assessor_id for check in checks.values()])
    result = []
    for doc in docs:
        found = checks.get(doc.id.hex) or checks.get(f"name:{doc.name}")
        item, assessment = found if found else (None, None)
        days_left = (doc.valid_until - today).days if doc.valid_until is not None else None
        expired = days_left is not None and days_left < 0
        result.append(
            DocumentState(
                document_id=doc.id,
                name=doc.name,
                provided=doc.provided,
                valid_until=doc.valid_until,
                valid_until_text=dual(doc.valid_until),
                expired=expired,
                expiring_soon=days_left is not None and 0 <= days_left <= EXPIRING_SOON_DAYS,
                days_left=days_left,
                attachment_sha256=shas.get(doc.attachment_id) if doc.attachment_id else None,
                check=item.result if item else None,
                check_label=CHECK_RESULTS.get(item.result, item.result) if item else "لم يُفحص بعد",
                check_note=(item.note or "") if item else "",
                checked_by=names.get(assessment.assessor_id) if assessment and assessment.assessor_id else None,
                checked_at=assessment.assessed_at if assessment else None,
            )
        )
    return tuple(result)

def withhold_documents(documents: tuple[DocumentState, ...], profile: PolicyProfile,
                        readable: bool) -> tuple[DocumentState, ...]:
    """The case's documents with those the policy marks sensitive withheld from an account that may not read."""
    names = profile.sensitive_document_names()
    if readable or not names:
        return documents
    return tuple(
        dataclasses.replace(d, attachment_sha256=None, check_note=REDACTED if d.check_note else "", withheld=True)
        if d.name in names else d
        for d in documents
    )


def latest_items(session: Session, case_id: uuid.UUID,
                 item_kind: str) -> dict[str, tuple[AssessmentItem, Assessment]]:
    """The latest item of each document (keyed by its id hex, or "name:…") or question, with its assessment."""
    rows = session.execute(
        select(AssessmentItem, Assessment)
        .join(Assessment, Assessment.id == AssessmentItem.assessment_id)
        .where(
            AssessmentItem.case_id == case_id,
            AssessmentItem.item_kind == item_kind,
            AssessmentItem.deleted_at.is_(None),
        )
        .order_by(Assessment.assessed_at, Assessment.id)
    ).all()
    latest: dict[str, tuple[AssessmentItem, Assessment]] = {}
    for item, assessment in rows:
        if item_kind == "document":
            key = item.required_document_id.hex if item.required_document_id else f"name:{item.item_key}"
        else:
            key = item.item_key
        latest[key] = (item, assessment)
    return latest


def _mechanisms(profile: PolicyProfile) -> tuple[MechanismView, ...]:
    if profile.eligibility is None:
        return _DEFAULT_MECHANISMS
    return tuple(MechanismView(m.id, m.name, m.kind.value, m.text or "") for m in profile.eligibility.mechanisms)


def _questions(profile: PolicyProfile) -> list[tuple[str, str, str]]:
    """The interview form: (id, question, source) for each criterion, then each mechanism of the policy."""
    eligibility = profile.eligibility
    criteria = tuple(eligibility.criteria) if eligibility and eligibility.criteria else DEFAULT_CRITERIA
    questions = [
        (f"criterion:{index}", f"هل يستوفي المستفيد {criterion}؟", "criterion")
        for index, criterion in enumerate(criteria, start=1)
    ]
    for mechanism in _mechanisms(profile):
        text_value = f"{mechanism.name}: {mechanism.text}" if mechanism.text else mechanism.name
        questions.append((f"mechanism:{mechanism.mechanism_id}", text_value, "mechanism"))
    return questions


def _counts_note(counts: Mapping[str, int]) -> str:
    parts = [f"{CHECK_RESULTS[key]}: {display_digits(str(value))}" for key, value in counts.items() if value]
    return "، ".join(parts)



def _latest_assessment(session: Session, case_id: uuid.UUID, kind: AssessmentKind) -> Assessment | None:
    """The case's latest assessment of this kind (document examination or interview), or None."""
    return session.scalars(
        select(Assessment)
        .where(Assessment.case_id == case_id, Assessment.kind == kind.value, Assessment.deleted_at.is_(None))
        .order_by(Assessment.assessed_at.desc(), Assessment.id.desc())
        .limit(1)
    ).first()


def _require_study(ctx: CaseContext) -> None:
    """Refuse a change to the study of a rescue report, or of a case already decided."""
    if is_rescue_profile(ctx.profile):
        raise CaseDeskError("البلاغات لا تمر بـالتحقق من الاستحقاق في سياسة الجمعية", field="case")
    if ctx.case.status not in STUDY_STATUSES:
        raise CaseDeskError(
            f"لا تُعدَّل دراسة الاستحقاق لطلب حالته «{states.status_label(ctx.case.status)}»", field="status"
        )


class EligibilityService(CaseDeskWork):
    """The researcher's study of a case: document examination, structured interview, recommendation."""

    @guarded(Action.SEE_CASES)
    def eligibility(self, case_id: uuid.UUID) -> EligibilityView:
        """The document examination, the interview form from the policy's criteria, the recommendation."""
        with self._db.session(read_only=True) as session:
            case = self._case_row(session, case_id)
            return self._eligibility(session, case, self._profile_of(session, case.policy_version_id),
                                     readable=self._may(session, Action.READ_SENSITIVE),
                                     may_record=self._may(session, Action.RECORD_ASSESSMENT))

    @guarded(Action.RECORD_ASSESSMENT)
    def record_document_check(self, case_id: uuid.UUID, checks: Sequence[DocumentCheckInput]) -> EligibilityView:
        """Record the administrative examination: each document valid, invalid or missing."""
        if not checks:
            raise CaseDeskError("لم يُحدَّد أي مستند للفحص", field="checks")
        cleaned = []
        for index, check in enumerate(checks):
            field = f"checks[{index}]"
            if check.result not in CHECK_RESULTS:
                raise CaseDeskError("نتيجة الفحص: سليم وساري، أو غير مقبول، أو لم يُقدَّم", field=field)
            note = clean_input(check.note, limit="note", field=field)
            if check.result == "invalid" and not note:
                raise CaseDeskError("اكتب سبب عدم قبول المستند", field=field)
            name = clean_input(check.name, limit="document", field=field, single_line=True)
            if check.document_id is None and not name:
                raise CaseDeskError("اسم المستند فارغ", field=field)
            valid_until = parse_typed_date(check.valid_until, field=field, what="تاريخ صلاحية المستند")
            cleaned.append((check, name, note, valid_until))
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            _require_study(ctx)
            today = local_date(ctx.now)
            docs = {
                row.id: row for row in session.scalars(
                    select(RequiredDocument).where(
                        RequiredDocument.case_id == ctx.case.id, RequiredDocument.deleted_at.is_(None)
                    )
                )
            }
            by_name = {row.name: row for row in docs.values()}
            assessment = self._stamp(ctx, Assessment(
                case_id=ctx.case.id, kind=AssessmentKind.ADMINISTRATIVE_EXAMINATION.value, assessor_id=ctx.officer_id,
                assessed_at=ctx.now,
            ))
            counts = {key: 0 for key in CHECK_RESULTS}
            for index, (check, name, note, valid_until) in enumerate(cleaned):
                field = f"checks[{index}]"
                if check.document_id is not None:
                    doc = docs.get(check.document_id)
                    if doc is None:
                        raise CaseDeskError("المستند ليس من مستندات هذا الطلب", field=field)
                else:
                    doc = by_name.get(name)
                    if doc is None:
                        doc = self._stamp(ctx, RequiredDocument(case_id=ctx.case.id, name=name, provided=False))
                        by_name[name] = doc
                if valid_until is not None:
                    doc.valid_until = valid_until
                if check.result == "valid" and doc.valid_until is not None and doc.valid_until < today:
                    raise CaseDeskError(
                        f"لا يُعدّ «{doc.name}» سليمًا: انتهت صلاحيته في {dual(doc.valid_until)}", field=field
                    )
                doc.provided = check.result != "missing"
                doc.updated_by = ctx.officer_id
                self._stamp(ctx, AssessmentItem(
                    assessment_id=assessment.id, case_id=ctx.case.id, item_kind="document", item_key=doc.name,
                    label=doc.name, result=check.result, note=note or None, required_document_id=doc.id,
                ))
                counts[check.result] += 1
            assessment.notes = _counts_note(counts)
            self._audit(ctx, "documents_checked", {"assessment_id": assessment.id.hex, **counts})
            return self._eligibility(session, ctx.case, ctx.profile)

    @guarded(Action.RECORD_ASSESSMENT)
    def record_interview(self, case_id: uuid.UUID, interview: InterviewInput) -> EligibilityView:
        """Record the personal interview: structured answers and free notes."""
        notes = clean_input(interview.notes, limit="note", field="notes")
        if not interview.answers and not notes:
            raise CaseDeskError("سجّل إجابات المقابلة أو ملاحظاتها", field="answers")
        answers = []
        seen: set[str] = set()
        for index, answer in enumerate(interview.answers):
            field = f"answers[{index}]"
            if answer.answer not in INTERVIEW_ANSWERS:
                raise CaseDeskError("الإجابة: مستوفى، أو غير مستوفى، أو يحتاج إلى تحقق", field=field)
            if answer.question_id in seen:
                raise CaseDeskError("السؤال مكرر في المقابلة", field=field)
            seen.add(answer.question_id)
            answers.append((answer, clean_input(answer.note, limit="note", field=field)))
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            _require_study(ctx)
            questions = {q_id: q_text for q_id, q_text, _ in _questions(ctx.profile)}
            for index, (answer, _) in enumerate(answers):
                if answer.question_id not in questions:
                    raise CaseDeskError("السؤال ليس من أسئلة المقابلة في سياسة الجمعية", field=f"answers[{index}]")
            assessment = self._stamp(ctx, Assessment(
                case_id=ctx.case.id, kind=AssessmentKind.PERSONAL_INTERVIEW.value, assessor_id=ctx.officer_id,
                assessed_at=ctx.now, notes=notes or None,
            ))
            for answer, note in answers:
                self._stamp(ctx, AssessmentItem(
                    assessment_id=assessment.id, case_id=ctx.case.id, item_kind="question", item_key=answer.question_id,
                    label=questions[answer.question_id], result=answer.answer, note=note or None,
                ))
            self._audit(ctx, "interview_recorded", {"assessment_id": assessment.id.hex, "answers": len(answers)})
            return self._eligibility(session, ctx.case, ctx.profile)

    @guarded(Action.RECORD_ASSESSMENT)
    def record_recommendation(
        self, case_id: uuid.UUID, recommendation: Literal["accept", "reject", "more_info"], reason: str
    ) -> EligibilityView:
        """Record the researcher's recommendation to the committee (a reason is required unless accepting)."""
        if recommendation not in DECISIONS:
            raise CaseDeskError("التوصية: قبول، أو رفض، أو طلب استكمال معلومات", field="recommendation")
        required = None if recommendation == "accept" else "اكتب سبب التوصية"
        cleaned = clean_input(reason, limit="reason", field="reason", required=required)
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            _require_study(ctx)
            row = self._stamp(ctx, EligibilityRecommendation(
                case_id=ctx.case.id, recommendation=recommendation, reason=cleaned or None,
                recommended_by=ctx.officer_id, recommended_at=ctx.now,
            ))
            session.flush()
            self._audit(ctx, "recommendation_recorded", {"recommendation": recommendation, "id": row.id.hex})
            return self._eligibility(session, ctx.case, ctx.profile)

    def _eligibility(self, session: Session, case: Case, profile: PolicyProfile, *,
                     readable: bool = True, may_record: bool = True) -> EligibilityView:
        """The eligibility view; with `readable` False (an account that may not read the assessment: officer,
        operations manager…) the answers, notes and recommendation are `REDACTED` and nothing is editable."""
        session.flush()
        today = self._today()
        documents = withhold_documents(document_states(session, case, today), profile, readable)
        answers = latest_items(session, case.id, "question")
        interview = _latest_assessment(session, case.id, AssessmentKind.PERSONAL_INTERVIEW)
        examination = _latest_assessment(session, case.id, AssessmentKind.ADMINISTRATIVE_EXAMINATION)
        rec = session.scalars(
            select(EligibilityRecommendation)
            .where(EligibilityRecommendation.case_id == case.id, EligibilityRecommendation.deleted_at.is_(None))
            .order_by(EligibilityRecommendation.recommended_at.desc(), EligibilityRecommendation.id.desc())
            .limit(1)
        ).first()
        names = user_names(session, [
            interview.assessor_id if interview else None, examination.assessor_id if examination else None,
            rec.recommended_by if rec else None,
        ])
        questions = []
        for q_id, q_text, source in _questions(profile):
            found = answers.get(q_id)
            item = found[0] if found else None
            questions.append(InterviewQuestion(
                question_id=q_id, text=q_text, source=source, answer=item.result if item else None,
                answer_label=INTERVIEW_ANSWERS.get(item.result, item.result) if item else "لم يُجب بعد",
                note=(item.note or "") if item else "",
            ) if readable else InterviewQuestion(
                question_id=q_id, text=q_text, source=source, answer=None, answer_label=REDACTED,
                note=REDACTED if item else "",
            ))
        beneficiary = session.get(Beneficiary, case.beneficiary_id) if case.beneficiary_id else None
        eligibility = profile.eligibility
        return EligibilityView(
            case_id=case.id,
            case_number=case.case_number,
            version=case.version,
            status=case.status,
            status_label=states.status_label(case.status),
            beneficiary_name=beneficiary.full_name if beneficiary else "",
            stages=tuple(eligibility.stages) if eligibility else (),
            criteria=tuple(eligibility.criteria) if eligibility and eligibility.criteria else DEFAULT_CRITERIA,
            mechanisms=_mechanisms(profile),
            documents=documents,
            documents_checked_by=names.get(examination.assessor_id) if examination and examination.assessor_id else None,
            documents_checked_at=examination.assessed_at if examination else None,
            questions=tuple(questions),
            interview_notes=((interview.notes or "") if readable else REDACTED) if interview else "",
            interviewed_by=names.get(interview.assessor_id) if interview and interview.assessor_id else None,
            interviewed_at=interview.assessed_at if interview else None,
            recommendation=RecommendationView(
                rec.recommendation if readable else "",
                DECISIONS.get(rec.recommendation, rec.recommendation) if readable else REDACTED,
                (rec.reason or "") if readable else REDACTED,
                names.get(rec.recommended_by) if rec.recommended_by else None, rec.recommended_at,
                moment_text(rec.recommended_at),
            ) if rec else None,
            documents_complete=bool(documents) and all(d.check == "valid" and not d.expired for d in documents),
            interview_complete=interview is not None and all(q_id in answers for q_id, _, _ in _questions(profile)),
            editable=readable and may_record and case.status in STUDY_STATUSES and not is_rescue_profile(profile),
            sensitive_hidden=not readable,
        )
