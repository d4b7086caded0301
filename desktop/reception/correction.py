"""A correction of the particulars after the verify step: written reason, field by field trace, new declaration.

The seam: the correction is reception's (it owns the particulars' one check and the declaration); the case file
calls it through `CaseFileService.correct_particulars`, the wizard through `ReceptionService.correct_particulars`.
Decisions recorded here:

* A correction needs a written reason; without one it is refused (Arabic message) and nothing is written.
* Only after the verify step (before it, the officer simply edits the verify page). A rescue report is corrected
  by its own step (`rescue_steps`), never here.
* The officer corrects until the case is registered; once registered (or served, or closed) only a supervisor
  role (`SUPERVISOR_ROLES`: the association's manager or the system administrator) may. The role is the one the
  desk knows today (`CaseWork._officer_role`); the check is here, not in a screen.
* The ID number and its kind are not corrected: another number is another person's file (look it up and open it).
  Every other particular is checked by `check_particulars` exactly as at the verify step (household size
  required where the policy's eligibility uses it).
* A correction that changes nothing is refused. The change is recorded field by field (label, old → new, as
  the desk shows them) with the reason in one `particulars_corrected` audit event on the case: the timeline
  shows it, the audit keeps it.
* When the declaration was already signed, the correction supersedes it (named in the audit event: the row is
  append-only) and the case's signature is pending again: the corrected declaration is printed for a new
  signature and, once signed, names the old one in `supersedes_id` (`desktop.reception.declare`). Registration
  and service wait for that signature, as for any deferred signature.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from db.models import Beneficiary, CaseStatus, UserRole
from desktop.arabic_text import display_digits
from desktop.counting import FIELDS, count_phrase
from desktop.errors import InputError, ReceptionError
from desktop.gender import gender_label
from desktop.hijri import format_dual
from desktop.identity import format_mobile_local
from desktop.policy import StepKind, is_rescue_profile
from desktop.reception.documents import CORRECTION_ACTION, declaration_versions
from desktop.reception.particulars import Particulars, check_particulars, household_required
from desktop.reception.verify import write_particulars
from desktop.reception.views import CaseView, ParticularsInput
from desktop.reception.work import ReceptionWork, clean

__all__ = ["CORRECTABLE_FIELDS", "SUPERVISOR_ROLES", "CorrectionResult", "FieldChange", "ParticularsCorrection"]

#: The roles that may correct the particulars of a registered (or served, or closed) case.
SUPERVISOR_ROLES = frozenset({UserRole.MANAGER.value, UserRole.ADMIN.value})
#: The particulars a correction may change, with their Arabic labels, in the order of the form.
CORRECTABLE_FIELDS: tuple[tuple[str, str], ...] = (
    ("full_name", "الاسم"),
    ("gender", "الجنس"),
    ("id_expiry", "تاريخ انتهاء الهوية"),
    ("birth_date", "تاريخ الميلاد"),
    ("mobile", "الجوال"),
    ("city", "المدينة"),
    ("household_size", "عدد أفراد الأسرة"),
)
#: Statuses in which a case counts as registered: only a supervisor corrects it.
_REGISTERED = frozenset({CaseStatus.REGISTERED.value, CaseStatus.SERVED.value, CaseStatus.CLOSED.value})
_EMPTY = "فارغ"


@dataclass(frozen=True)
class FieldChange:
    """One particular corrected: its field, Arabic label, and the old and new values as the desk shows them."""

    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class CorrectionResult:
    """A correction recorded: the case as the wizard shows it, the changes, and whether a new signature is due."""

    case: CaseView
    changes: tuple[FieldChange, ...]
    declaration_superseded: bool

    @property
    def summary(self) -> str:
        """One sentence for the officer: how many particulars changed and whether a new signature is due."""
        said = f"✓ سُجّل تصحيح البيانات ({count_phrase(len(self.changes), FIELDS)})."
        if self.declaration_superseded:
            said += " استُبدل الإقرار الموقّع: اطبع الإقرار المصحح ليوقّعه المستفيد، ثم أرفقه من ملف الحالة."
        return said


def _shown(field: str, value: object) -> str:
    """A particular's value as the desk shows it (dates in both calendars, the mobile in its local form)."""
    if value is None or value == "":
        return _EMPTY
    if isinstance(value, date):
        return format_dual(value)
    if field == "gender":
        return gender_label(str(value))
    if field == "mobile":
        try:
            return format_mobile_local(str(value))
        except InputError:
            return str(value)
    if isinstance(value, int):
        return display_digits(str(value))
    return str(value)


def _changes(stored: Beneficiary, checked: Particulars) -> list[FieldChange]:
    """The particulars that differ between the stored file and the corrected ones, in the form's order."""
    found = []
    for field, label in CORRECTABLE_FIELDS:
        old, new = getattr(stored, field), getattr(checked, field)
        if old != new:
            found.append(FieldChange(field, label, _shown(field, old), _shown(field, new)))
    return found


class ParticularsCorrection(ReceptionWork):
    """Correct a case's verified particulars with a written reason (see the module's decisions)."""

    def correct(self, case_id: uuid.UUID, particulars: ParticularsInput, reason: str, *,
                requested_by_person: bool = False) -> CorrectionResult:
        """Record a correction: refused without a reason, before verification, by a role that may not, or unchanged.

        `requested_by_person`: the beneficiary asked for it (their right to correction under the PDPL); the audit
        and the case's timeline say so.
        """
        cleaned_reason = clean(
            reason, limit="reason", field="reason",
            required="اكتب سبب التصحيح: لا تُصحَّح بيانات المستفيد دون سبب مكتوب",
        )
        with self._db.session() as session:
            ctx = self._context(session, case_id, allow_closed=True)
            if is_rescue_profile(ctx.profile):
                raise ReceptionError("بيانات البلاغ تُصحَّح من خطوة البلاغ نفسها", field="step")
            verify = next((s for s in ctx.profile.steps if s.kind is StepKind.VERIFY), None)
            progress = self._progress(session, ctx.case, ctx.profile)
            beneficiary = session.get(Beneficiary, ctx.case.beneficiary_id) if ctx.case.beneficiary_id else None
            if beneficiary is None or (verify is not None and verify.id not in progress.completed):
                raise ReceptionError(
                    "لم يكتمل التحقق من بيانات المستفيد بعد: عدّلها في خطوة التحقق نفسها", field="step"
                )
            registered = ctx.case.status in _REGISTERED or any(
                s.kind is StepKind.REGISTER and s.id in progress.completed for s in ctx.profile.steps
            )
            if registered and self._officer_role(session) not in SUPERVISOR_ROLES:
                raise ReceptionError(
                    "سُجّل الطلب: لا يصحّح بيانات المستفيد بعد التسجيل إلا المشرف (مدير الجمعية أو مسؤول النظام)",
                    field="role",
                )
            checked = check_particulars(
                particulars, today=self._today(), household_required=household_required(ctx.profile)
            )
            if isinstance(checked, list):
                field, message = checked[0]
                raise ReceptionError(message, field=field)
            if checked.id_number != beneficiary.id_number or checked.id_kind != beneficiary.id_kind:
                raise ReceptionError(
                    "رقم الهوية ونوعها لا يُصحَّحان: رقم آخر يعني مستفيدًا آخر؛ ابحث به وافتح ملفه",
                    field="id_number",
                )
            changes = _changes(beneficiary, checked)
            if not changes:
                raise ReceptionError("لم يتغير شيء في البيانات: لا يُسجَّل تصحيح دون تغيير", field="particulars")
            write_particulars(beneficiary, checked)
            beneficiary.updated_by = ctx.officer_id
            versions = declaration_versions(session, ctx.case.id)
            current = versions[-1] if versions and not versions[-1].superseded else None
            if current is not None:
                ctx.case.signature_pending = True
                ctx.case.updated_by = ctx.officer_id
            self._audit(ctx, CORRECTION_ACTION, {
                "reason": cleaned_reason,
                "beneficiary_id": beneficiary.id.hex,
                "changes": [{"field": c.field, "label": c.label, "old": c.old, "new": c.new} for c in changes],
                "superseded_declaration_id": current.row.id.hex if current is not None else None,
                "requested_by": "beneficiary" if requested_by_person else "officer",
            })
            return CorrectionResult(self._view(session, ctx.case, ctx.profile), tuple(changes), current is not None)
