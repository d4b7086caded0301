"""Satisfaction surveys: the active profile's questions, answers by kiosk, phone or printed slip, and the kiosk PIN.

Non-punitive by design (the five policies: rating is the beneficiary's right and a tool for improvement, not
for punishment). Decisions recorded here:

* Anonymous mode stores no case, no officer, no device and no writer (`updated_by`) with a response, and
  its time is kept to the hour only, so a response cannot be matched to the case served a minute before.
  No audit event names a response.
* ``anonymous = false`` keeps the case; ``link_to_officer = true`` also keeps the officer who served (the
  case's officer, or the officer at this PC when no case is given), the only mode in which `officer_id`
  is written.
* A slip is single use; its code has 8 characters from an alphabet without 0/O, 1/I/L; in anonymous mode
  the slip keeps no case. A slip never points to the response it produced.
* The kiosk PIN is kept as a salted scrypt hash in `desk_setting` ("kiosk_pin"); there is no default PIN:
  `has_officer_pin()` is False until the officer sets one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Association,
    Case,
    DeskSetting,
    PolicyVersion,
    SurveyResponse,
    SurveySlip,
)
from desktop.arabic_text import clean_text, to_latin_digits
from desktop.audit import record_audit
from desktop.casework import first_association
from desktop.counting import DIGITS, count_phrase, number_text
from desktop.errors import InputError
from desktop.policy import PolicyProfile, QuestionKind
from desktop.satisfaction.views import (
    PIN_MAX_LENGTH,
    PIN_MIN_LENGTH,
    RECOMMEND_MAX_LABEL_AR,
    RECOMMEND_MIN_LABEL_AR,
    SCALE5_CHOICES,
    SLIP_CODE_LENGTH,
    AnonymityMode,
    AnswerValue,
    AnswerWay,
    QuestionView,
    Slip,
    SurveyDefinition,
    SurveyError,
)
from desktop.workspace import Workspace
from desktop.permissions import Action, Guarded, guarded

__all__ = ["SLIP_ALPHABET", "TEXT_ANSWER_MAX", "SurveyService", "anonymity_mode", "survey_definition"]

#: Letters and digits of a slip code: no 0/O, 1/I/L, so a code read aloud or typed from paper is unambiguous.
SLIP_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

#: Longest free-text answer kept (characters).
TEXT_ANSWER_MAX = 1000

_PIN_KEY = "kiosk_pin"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def anonymity_mode(profile: PolicyProfile) -> AnonymityMode:
    """The anonymity mode the profile's ``[survey]`` sets."""
    if profile.survey.link_to_officer:
        return AnonymityMode.LINKED_TO_OFFICER
    if not profile.survey.anonymous:
        return AnonymityMode.LINKED_TO_CASE
    return AnonymityMode.ANONYMOUS


def survey_definition(profile: PolicyProfile) -> SurveyDefinition:
    """The profile's survey as screens show it: questions with their scales, and the anonymity mode."""
    questions: list[QuestionView] = []
    for q in profile.survey.questions:
        if q.kind is QuestionKind.SCALE5:
            view = QuestionView(q.id, q.text, q.kind.value, q.required, SCALE5_CHOICES, 1, 5,
                                SCALE5_CHOICES[0].label_ar, SCALE5_CHOICES[-1].label_ar)
        elif q.kind is QuestionKind.RECOMMEND10:
            view = QuestionView(q.id, q.text, q.kind.value, q.required, (), 0, 10,
                                RECOMMEND_MIN_LABEL_AR, RECOMMEND_MAX_LABEL_AR)
        else:
            view = QuestionView(q.id, q.text, q.kind.value, q.required, (), None, None, None, None)
        questions.append(view)
    return SurveyDefinition(tuple(questions), anonymity_mode(profile), profile.association.name, profile.version)


def normalize_slip_code(code: str) -> str:
    """A typed slip code in its stored form: Latin capitals, no spaces or hyphens, Arabic digits converted."""
    return "".join(ch for ch in to_latin_digits(code or "").upper() if ch.isalnum())


class SurveyService(Guarded):
    """Survey use cases for the kiosk, the phone entry and the printed slip; one session per action."""

    _permission_error = SurveyError

    def __init__(self, workspace: Workspace, *, clock: Callable[[], datetime] | None = None) -> None:
        self._workspace = workspace
        self._db = workspace.db
        self._clock = clock or (lambda: datetime.now(UTC))

    # ------------------------------------------------------------------ definition

    def _profile(self) -> PolicyProfile:
        profile = self._workspace.active_profile()
        if profile is None:
            raise SurveyError("لم تُعتمد سياسة الجمعية على هذا الجهاز بعد: اختر السياسة أولًا", field="policy")
        return profile

    def _now(self) -> datetime:
        now = self._clock()
        return now if now.tzinfo is not None else now.replace(tzinfo=UTC)

    def survey(self) -> SurveyDefinition:
        """The active profile's survey (SurveyError before a policy is adopted)."""
        return survey_definition(self._profile())

    def mode(self) -> AnonymityMode:
        """The anonymity mode in force; the screen shows its `label_ar` and `explanation_ar`."""
        return anonymity_mode(self._profile())

    # ------------------------------------------------------------------ answers

    def validate(self, answers: Mapping[str, AnswerValue]) -> dict[str, AnswerValue]:
        """The answers cleaned and checked against the survey (SurveyError naming the first problem)."""
        profile = self._profile()
        known = {q.id: q for q in profile.survey.questions}
        for key in answers:
            if key not in known:
                raise SurveyError(f"سؤال غير موجود في الاستبانة «{key}»", field=key)
        cleaned: dict[str, AnswerValue] = {}
        for q in profile.survey.questions:
            value = answers.get(q.id)
            if q.kind is QuestionKind.TEXT:
                if value is not None and not isinstance(value, str):
                    raise SurveyError(f"إجابة السؤال «{q.text}» يجب أن تكون نصًا", field=q.id)
                try:
                    text = clean_text(value or "", max_length=TEXT_ANSWER_MAX, field=q.id)
                except InputError as exc:
                    raise SurveyError(exc.message_ar, field=q.id) from None
                if text:
                    cleaned[q.id] = text
                elif q.required:
                    raise SurveyError(f"السؤال «{q.text}» مطلوب", field=q.id)
                continue
            if value is None or value == "":
                if q.required:
                    raise SurveyError(f"السؤال «{q.text}» مطلوب", field=q.id)
                continue
            low, high = (1, 5) if q.kind is QuestionKind.SCALE5 else (0, 10)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise SurveyError(
                    f"إجابة السؤال «{q.text}» يجب أن تكون رقمًا من {low} إلى {high}", field=q.id
                )
            cleaned[q.id] = value
        if not cleaned:
            raise SurveyError("لم يُجب عن أي سؤال؛ لا يُحفظ تقييم فارغ", field="answers")
        return cleaned

    def record(
        self, answers: Mapping[str, AnswerValue], *, way: str | AnswerWay, case_id: uuid.UUID | None = None
    ) -> None:
        """Store one confirmed response (all or nothing); case and officer only as the profile's mode allows."""
        way = self._way(way)
        cleaned = self.validate(answers)
        with self._db.session() as session:
            self._store(session, cleaned, way, case_id)

    @staticmethod
    def _way(way: str | AnswerWay) -> AnswerWay:
        try:
            return AnswerWay(way)
        except ValueError:
            raise SurveyError(f"طريقة تقييم غير معروفة «{way}»", field="way") from None

    def _association(self, session: Session) -> Association:
        return first_association(session, SurveyError)

    def _policy_version_id(self, session: Session, profile: PolicyProfile) -> uuid.UUID | None:
        return session.scalar(
            select(PolicyVersion.id)
            .where(
                PolicyVersion.profile_id == profile.id,
                PolicyVersion.version_label == profile.version,
                PolicyVersion.deleted_at.is_(None),
            )
            .limit(1)
        )

    def _current_officer_id(self, session: Session) -> uuid.UUID | None:
        return self._acting_account_id(session)

    def _store(
        self, session: Session, answers: dict[str, AnswerValue], way: AnswerWay, case_id: uuid.UUID | None
    ) -> None:
        profile = self._profile()
        mode = anonymity_mode(profile)
        association = self._association(session)
        now = self._now()
        case: Case | None = None
        if case_id is not None and mode is not AnonymityMode.ANONYMOUS:
            case = session.get(Case, case_id)
            if case is None or case.deleted_at is not None:
                raise SurveyError("الحالة المرتبطة بالتقييم غير موجودة", field="case_id")
        officer_id: uuid.UUID | None = None
        if mode is AnonymityMode.LINKED_TO_OFFICER:
            officer_id = case.officer_id if case is not None and case.officer_id else self._current_officer_id(session)
        answered_at = now if mode is not AnonymityMode.ANONYMOUS else now.replace(minute=0, second=0, microsecond=0)
        session.add(
            SurveyResponse(
                association_id=association.id,
                policy_version_id=self._policy_version_id(session, profile),
                case_id=case.id if case is not None else None,
                officer_id=officer_id,
                mode=way.value,
                answers=dict(answers),
                answered_at=answered_at,
                updated_by=officer_id,
            )
        )

    # ------------------------------------------------------------------ printed slips

    @guarded(Action.SATISFACTION_SLIPS)
    def issue_slip(self, case_id: uuid.UUID | None = None) -> Slip:
        """Create a single-use slip code (the case is kept only when the mode links responses to cases)."""
        profile = self._profile()
        keep_case = anonymity_mode(profile) is not AnonymityMode.ANONYMOUS
        now = self._now()
        with self._db.session() as session:
            association = self._association(session)
            if case_id is not None and keep_case and session.get(Case, case_id) is None:
                raise SurveyError("الحالة غير موجودة", field="case_id")
            for _attempt in range(20):
                code = "".join(secrets.choice(SLIP_ALPHABET) for _ in range(SLIP_CODE_LENGTH))
                if session.scalar(select(SurveySlip.id).where(SurveySlip.code == code)) is None:
                    break
            else:  # pragma: no cover - 31**8 codes
                raise SurveyError("تعذر توليد رمز قسيمة جديد؛ أعد المحاولة", field="code")
            slip = SurveySlip(
                association_id=association.id,
                code=code,
                case_id=case_id if keep_case else None,
                issued_at=now,
            )
            session.add(slip)
            session.flush()
            return Slip(slip.id, code, slip.case_id, now, None)

    def slip(self, code: str) -> Slip:
        """The slip with this code (SurveyError when unknown)."""
        with self._db.session(read_only=True) as session:
            row = self._slip_row(session, code)
            return Slip(row.id, row.code, row.case_id, row.issued_at, row.used_at)

    @staticmethod
    def _slip_row(session: Session, code: str) -> SurveySlip:
        normalized = normalize_slip_code(code)
        if len(normalized) != SLIP_CODE_LENGTH:
            raise SurveyError(
                f"رمز القسيمة يتكون من {SLIP_CODE_LENGTH} حروف وأرقام، مثل ABCD-EFGH", field="code"
            )
        row = session.scalars(
            select(SurveySlip).where(SurveySlip.code == normalized, SurveySlip.deleted_at.is_(None))
        ).first()
        if row is None:
            raise SurveyError("رمز القسيمة غير صحيح: تحقق منه كما هو مطبوع على القسيمة", field="code")
        return row

    def record_slip(self, code: str, answers: Mapping[str, AnswerValue]) -> None:
        """Enter a paper slip's answers under its code; each code is accepted once (SurveyError otherwise)."""
        cleaned = self.validate(answers)
        with self._db.session() as session:
            row = self._slip_row(session, code)
            if row.used_at is not None:
                from desktop.hijri import format_dual
                from desktop.hijri import local_date

                raise SurveyError(
                    f"أُدخلت إجابات هذه القسيمة من قبل ({format_dual(local_date(row.used_at))})؛ "
                    "لا تُقبل القسيمة إلا مرة واحدة",
                    field="code",
                )
            row.used_at = self._now()
            self._store(session, cleaned, AnswerWay.SLIP, row.case_id)

    @guarded(Action.SATISFACTION_SLIPS)
    def slip_pdf(self, slip: Slip) -> bytes:
        """The printed A6 slip: association, QR code of the short code, the questions with boxes to tick."""
        from desktop.satisfaction.slip_pdf import render_slip

        profile = self._profile()
        return render_slip(profile, survey_definition(profile), slip)

    # ------------------------------------------------------------------ kiosk PIN

    def has_officer_pin(self) -> bool:
        """True once a kiosk PIN was set (there is no default PIN)."""
        with self._db.session(read_only=True) as session:
            return self._pin_row(session) is not None

    @staticmethod
    def _pin_row(session: Session) -> DeskSetting | None:
        return session.scalars(
            select(DeskSetting).where(DeskSetting.key == _PIN_KEY, DeskSetting.deleted_at.is_(None))
        ).first()

    @staticmethod
    def _check_pin_format(pin: str) -> str:
        digits = to_latin_digits(pin or "").strip()
        if not digits.isdigit() or not PIN_MIN_LENGTH <= len(digits) <= PIN_MAX_LENGTH:
            raise SurveyError(
                f"الرقم السري من {number_text(PIN_MIN_LENGTH)} إلى {count_phrase(PIN_MAX_LENGTH, DIGITS)}", field="pin"
            )
        if len(set(digits)) == 1:
            raise SurveyError("اختر رقمًا سريًا لا تتكرر فيه خانة واحدة", field="pin")
        return digits

    @staticmethod
    def _hash(pin: str, salt: bytes) -> str:
        return hashlib.scrypt(pin.encode(), salt=salt, dklen=32, **_SCRYPT).hex()

    @guarded(Action.SATISFACTION_ADMIN)
    def set_officer_pin(self, pin: str) -> None:
        """Set (or replace) the PIN that unlocks the kiosk; stored as a salted scrypt hash, never in clear."""
        digits = self._check_pin_format(pin)
        salt = secrets.token_bytes(16)
        value: dict[str, Any] = {"scheme": "scrypt", **_SCRYPT, "salt": salt.hex(), "hash": self._hash(digits, salt)}
        with self._db.session() as session:
            row = self._pin_row(session)
            officer_id = self._current_officer_id(session)
            if row is None:
                session.add(DeskSetting(key=_PIN_KEY, value=value, updated_by=officer_id))
            else:
                row.value = value
                row.updated_by = officer_id
            association = session.scalars(select(Association.id).limit(1)).first()
            record_audit(
                session,
                association_id=association,
                actor_id=officer_id,
                action="kiosk_pin_set",
                entity="desk_setting",
                entity_id=None,
                at=self._now(),
                details={},
            )

    def check_officer_pin(self, pin: str) -> bool:
        """True when `pin` is the kiosk PIN; False when wrong or when no PIN is set."""
        with self._db.session(read_only=True) as session:
            row = self._pin_row(session)
            if row is None:
                return False
            stored = dict(row.value)
        digits = to_latin_digits(pin or "").strip()
        try:
            salt = bytes.fromhex(str(stored["salt"]))
            candidate = self._hash(digits, salt)
        except (KeyError, ValueError):
            return False
        return hmac.compare_digest(candidate, str(stored.get("hash", "")))
