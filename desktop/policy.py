"""Association policy profiles: TOML files validated into frozen models, with problems reported in Arabic.

A profile is one association's "Policy for Organising the Relationship with Beneficiaries" as data:
the association, the board approval, channels, tools, roles, case kinds, the ordered reception steps,
the committee decision period, eligibility mechanisms, the declaration template and the survey.

Decisions recorded here (other modules rely on them):

* Problem keys are dotted paths with 0-based indexes as pydantic counts them ("steps[3].kind" is the
  fourth ``[[steps]]`` block); each problem also carries the line of the file when it can be found.
* Cross-field rules (unique ids, role references, the decision section, the declaration step,
  approval dates agreeing) run after the structure is valid, so a file with a wrong type reports
  that first; once fixed, the cross-field problems appear.
* Hijri and Gregorian approval dates may differ by one day from the Umm al-Qura table: boards date
  their minutes by the announced (sighted) start of the month, which can be a day off the table.
* ``[approval]`` is optional: one of the five seed policies (001) carries no approval record.
* A UTF-8 byte order mark (Windows Notepad) is accepted; ``content_hash`` is over the raw bytes.
* Building a ``PolicyProfile`` directly raises pydantic's ``ValidationError`` for structure and
  ``ProfileError`` for the cross-field rules; the load functions turn both into ``ProfileError``.
"""

from __future__ import annotations

import hashlib
import re
import string
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from desktop.errors import InputError
from desktop.gender import mark_problem, resolve_marks, strip_marks

__all__ = [
    "is_rescue_profile",
    "DECLARATION_PLACEHOLDERS",
    "SCHEMA_VERSION",
    "ACCOUNT_ROLES",
    "Approval",
    "Association",
    "CaseKind",
    "SECRET_IN_POLICY",
    "SensitiveField",
    "Channel",
    "ChannelKind",
    "Declaration",
    "Decision",
    "Eligibility",
    "EligibilityMechanism",
    "MechanismKind",
    "PolicyDocument",
    "PolicyProfile",
    "ProfileError",
    "ProfileProblem",
    "QuestionKind",
    "ReplacedApproval",
    "Role",
    "Step",
    "StepKind",
    "Survey",
    "SurveyQuestion",
    "Tool",
    "builtin_profile_paths",
    "check_profile_file",
    "load_builtin_profile",
    "load_builtin_profiles",
    "load_profile",
    "load_profile_text",
]

SCHEMA_VERSION = 1

#: Placeholders a declaration template may use, filled when the declaration is printed.
DECLARATION_PLACEHOLDERS: frozenset[str] = frozenset(
    {"full_name", "id_number", "id_kind", "association", "case_number", "date"}
)

#: The desk accounts' roles (`db.models.UserRole`'s values) a policy role may be held by (`[[roles]] held_by`).
ACCOUNT_ROLES: tuple[str, ...] = (
    "officer", "researcher", "committee_secretary", "committee", "operations_manager", "manager", "admin",
    "sync_supervisor",
)

#: Tolerance between the Hijri and Gregorian approval dates (moon sighting vs Umm al-Qura table).
_DATE_TOLERANCE_DAYS = 1


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class ProfileProblem:
    """One problem in a profile file: the file, the dotted key, the reason in Arabic, the line if known."""

    file: str
    key: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.key}: {self.reason}" if self.key else f"{where}: {self.reason}"


class ProfileError(Exception):
    """A profile could not be loaded; `problems` lists every problem found."""

    def __init__(self, problems: Iterable[ProfileProblem]) -> None:
        self.problems: list[ProfileProblem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def message_ar(self) -> str:
        """What the user reads: «سياسة الجمعية فيها أخطاء:» then one Arabic line per problem."""
        # Imported here: policy_text loads the Hijri calendar, which `import desktop.policy` must not (start-up).
        from desktop.policy_text import problem_line

        return "\n".join(["سياسة الجمعية فيها أخطاء:", *(problem_line(problem) for problem in self.problems)])


# --------------------------------------------------------------------------- enums


class StepKind(StrEnum):
    """What a reception step does; the app knows how to run each kind."""

    GREET = "greet"
    VERIFY = "verify"
    REFER = "refer"
    DECLARE = "declare"
    NOTIFY_COMMITTEE = "notify-committee"
    REGISTER = "register"
    SERVE = "serve"
    ESCALATE = "escalate"
    DISPATCH = "dispatch"


class ChannelKind(StrEnum):
    """The kind of a channel through which a beneficiary reaches the association."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    SOCIAL_MEDIA = "social_media"
    LETTER = "letter"
    HELP_REQUEST = "help_request"
    VOLUNTEERING = "volunteering"
    WEBSITE = "website"
    BRANCH_OFFICE = "branch_office"
    EMAIL = "email"
    PLATFORM = "platform"


class MechanismKind(StrEnum):
    """The kind of an eligibility check."""

    ADMINISTRATIVE_EXAMINATION = "administrative_examination"
    PERSONAL_INTERVIEW = "personal_interview"


class QuestionKind(StrEnum):
    """The kind of answer a survey question takes."""

    SCALE5 = "scale5"
    RECOMMEND10 = "recommend10"
    TEXT = "text"


# --------------------------------------------------------------------------- field types

_ITEM_ID = re.compile(r"[a-z][a-z0-9_-]{0,39}")
_PROFILE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_HIJRI_TEXT = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_GREGORIAN_TEXT = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def _non_blank(value: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise PydanticCustomError("blank", "يجب ألا يكون النص فارغًا")
    return stripped


def _item_id(value: str) -> str:
    if not _ITEM_ID.fullmatch(value):
        raise PydanticCustomError(
            "item_id",
            f"معرّف غير صالح «{value}»: يبدأ بحرف لاتيني صغير ويتكون من حروف لاتينية صغيرة وأرقام و _ و - "
            "(40 حرفًا على الأكثر)",
        )
    return value


def _profile_id(value: str) -> str:
    if len(value) > 60 or not _PROFILE_ID.fullmatch(value):
        raise PydanticCustomError(
            "profile_id",
            f"معرّف السياسة غير صالح «{value}»: حروف لاتينية صغيرة وأرقام تفصل بينها شرطة (-)، مثل daam-rescue",
        )
    return value


def _one_line(value: str) -> str:
    if "\n" in value or len(value) > 40:
        raise PydanticCustomError("one_line", "يجب أن تكون قيمة قصيرة في سطر واحد (40 حرفًا على الأكثر)")
    return value


def _document_name(value: str) -> str:
    if "\n" in value or len(value) > 200:
        raise PydanticCustomError("document_name", "اسم المستند سطر واحد (200 حرف على الأكثر)")
    return value


def _account_role(value: str) -> str:
    if value not in ACCOUNT_ROLES:
        raise PydanticCustomError(
            "account_role", f"دور الحساب «{value}» غير معروف. الأدوار المقبولة: {'، '.join(ACCOUNT_ROLES)}"
        )
    return value


def _hijri_text(value: str) -> str:
    match = _HIJRI_TEXT.fullmatch(value.strip())
    if match is None:
        raise PydanticCustomError(
            "hijri_format", f"صيغة التاريخ الهجري غير صحيحة «{value}»: الصيغة المطلوبة YYYY/MM/DD مثل 1444/05/08"
        )
    year, month, day = (int(part) for part in match.groups())
    canonical = f"{year:04d}/{month:02d}/{day:02d}"
    from desktop.hijri import parse_hijri  # imported on first use: keeps `import desktop.policy` light

    try:
        parse_hijri(canonical).to_gregorian()
    except InputError as exc:
        raise PydanticCustomError(
            "hijri_date", f"تاريخ هجري غير ممكن «{value}»: {exc.message_ar}"
        ) from None
    return canonical


def _gregorian(value: Any) -> date:
    if isinstance(value, datetime):
        raise PydanticCustomError("gregorian_type", "يجب أن يكون تاريخًا فقط دون وقت، بالصيغة YYYY-MM-DD")
    if isinstance(value, date):
        parsed = value
    elif isinstance(value, str):
        match = _GREGORIAN_TEXT.fullmatch(value.strip())
        if match is None:
            raise PydanticCustomError(
                "gregorian_format",
                f"صيغة التاريخ الميلادي غير صحيحة «{value}»: الصيغة المطلوبة YYYY-MM-DD مثل 2022-12-02",
            )
        try:
            parsed = date(*(int(part) for part in match.groups()))
        except ValueError:
            raise PydanticCustomError(
                "gregorian_date", f"تاريخ ميلادي غير موجود «{value}»"
            ) from None
    else:
        raise PydanticCustomError("gregorian_type", "يجب أن يكون تاريخًا ميلاديًا بالصيغة \"YYYY-MM-DD\"")
    if not 1900 <= parsed.year <= 2199:
        raise PydanticCustomError(
            "gregorian_range", f"سنة ميلادية غير معقولة ({parsed.year}): هل هذا تاريخ هجري؟ ضعه في date_hijri"
        )
    return parsed


def _relative_path(value: str) -> str:
    if value.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", value):
        raise PydanticCustomError(
            "relative_path", "يجب أن يكون المسار نسبيًا إلى مجلد ملف السياسة، مثل logo.png"
        )
    return value


def _email(value: str) -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise PydanticCustomError("email", f"عنوان بريد إلكتروني غير صالح «{value}»")
    return value


def _template(value: str) -> str:
    problem = mark_problem(value)
    if problem is not None:
        raise PydanticCustomError("template_gender", problem)
    try:
        parts = list(string.Formatter().parse(strip_marks(value)))
    except ValueError:
        raise PydanticCustomError(
            "template_braces", "قوس { أو } غير متوازن في النص؛ لكتابة قوس حرفي اكتب {{ أو }}"
        ) from None
    known = "، ".join("{" + name + "}" for name in sorted(DECLARATION_PLACEHOLDERS))
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in DECLARATION_PLACEHOLDERS or spec or conversion:
            shown = "{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"
            raise PydanticCustomError("placeholder", f"عنصر نائب غير معروف {shown}. العناصر المقبولة: {known}")
    return value


_Text = Annotated[StrictStr, AfterValidator(_non_blank)]
_Id = Annotated[StrictStr, AfterValidator(_item_id)]
_ProfileId = Annotated[StrictStr, AfterValidator(_profile_id)]
_Version = Annotated[StrictStr, AfterValidator(_non_blank), AfterValidator(_one_line)]
_HijriDateText = Annotated[StrictStr, AfterValidator(_hijri_text)]
_GregorianDate = Annotated[date, BeforeValidator(_gregorian)]
_RelativePath = Annotated[StrictStr, AfterValidator(_non_blank), AfterValidator(_relative_path)]
_Email = Annotated[StrictStr, AfterValidator(_non_blank), AfterValidator(_email)]
_Template = Annotated[StrictStr, AfterValidator(_non_blank), AfterValidator(_template)]
_DocumentName = Annotated[StrictStr, AfterValidator(_non_blank), AfterValidator(_document_name)]
_AccountRole = Annotated[StrictStr, AfterValidator(_account_role)]


# --------------------------------------------------------------------------- models


class _Section(BaseModel):
    """Base of every profile section: unknown keys refused, values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Association(_Section):
    """The association the policy belongs to, as printed on declarations and receipts."""

    name: _Text
    short_name: _Text | None = None
    licence: _Text | None = None
    city: _Text | None = None
    phone: _Text | None = None
    website: _Text | None = None
    email: _Email | None = None
    logo: _RelativePath | None = None


class ReplacedApproval(_Section):
    """The earlier approval that the current policy version replaces."""

    meeting: _Text
    date_hijri: _HijriDateText | None = None
    date_gregorian: _GregorianDate | None = None


class Approval(_Section):
    """The board approval of this policy version: body, meeting, dates, and what it replaces."""

    body: _Text = "مجلس الإدارة"
    meeting: _Text
    date_hijri: _HijriDateText | None = None
    date_gregorian: _GregorianDate | None = None
    chair: _Text | None = None
    replaces: ReplacedApproval | None = None


class Channel(_Section):
    """A channel through which beneficiaries reach the association."""

    id: _Id
    name: _Text
    kind: ChannelKind
    details: _Text | None = None


class Tool(_Section):
    """A tool (bylaw, guide, form, number) the officer has at hand."""

    name: _Text
    details: _Text | None = None


class Role(_Section):
    """A person or body that reception steps hand a case to, and the desk accounts that hold it.

    `held_by` names the accounts' roles (`ACCOUNT_ROLES`) whose holders receive what is referred to this role;
    left out, a role whose id is itself an account role ("officer", "committee") is held by that account role.
    """

    id: _Id
    name: _Text
    held_by: tuple[_AccountRole, ...] | None = None

    def holders(self) -> tuple[str, ...]:
        """The account roles holding this policy role (`held_by`, else the id when it is an account role)."""
        if self.held_by is not None:
            return self.held_by
        return (self.id,) if self.id in ACCOUNT_ROLES else ()


class CaseKind(_Section):
    """A kind of case the association receives (request, inquiry, report...).

    `needs_decision`: whether a case of this kind waits for the committee's decision before any
    registration or service (default: yes when the policy has a [decision] section). A kind marked
    ``needs_decision = false`` (an inquiry) ends at the answer: the officer answers it at the greet step and
    the case is closed, with no committee notice, registration or service."""

    id: _Id
    name: _Text
    needs_decision: StrictBool | None = None


class PolicyDocument(_Section):
    """A document a case kind asks for at the verify step: its name, required or optional, whether it expires.

    A required document not provided (or past its date) is recorded as missing; an optional one is recorded
    only when the beneficiary brings it. `has_expiry`: the officer is asked until when it is valid.
    """

    case_kind: _Id
    name: _DocumentName
    required: StrictBool = True
    has_expiry: StrictBool = False
    #: Its scan is sensitive (a medical report): only `desktop.permissions.SENSITIVE_READERS` open or print it.
    sensitive: StrictBool = False


class SensitiveField(StrEnum):
    """A field of a case's record a policy may mark sensitive (`sensitive_fields = [...]`): what is written in it
    may name a diagnosis or a condition, so only `desktop.permissions.SENSITIVE_READERS` read it."""

    DECISION_REASON = "decision_reason"
    NOTICE_NOTE = "notice_note"
    SERVICE_DESCRIPTION = "service_description"
    REFERRAL_NOTE = "referral_note"


class Step(_Section):
    """One reception step, in the policy's own wording; the file order is the procedure's order."""

    id: _Id
    kind: StepKind
    title: _Text
    text: _Text
    mandatory: StrictBool = True
    role: _Id | None = None
    #: What is written on this step (its note, a referral's note and answer) is sensitive: only the social
    #: researcher, the committee and the manager read it (`desktop.permissions.SENSITIVE_READERS`).
    sensitive: StrictBool = False

    @property
    def skip_reason_required(self) -> bool:
        """True when skipping this (optional) step needs a written reason."""
        return not self.mandatory


class Decision(_Section):
    """The committee's decision promise: who decides and within which period from submission."""

    committee_role: _Id
    period_days: StrictInt | None = Field(default=None, gt=0, le=366)
    period_months: StrictInt | None = Field(default=None, gt=0, le=12)
    period_text: _Text
    counted_from: Literal["submission"] = "submission"


class EligibilityMechanism(_Section):
    """One kind of eligibility check (document examination, personal interview)."""

    id: _Id
    name: _Text
    kind: MechanismKind
    text: _Text | None = None


class Eligibility(_Section):
    """How the association makes sure a beneficiary is eligible: mechanisms, stages, criteria."""

    mechanisms: tuple[EligibilityMechanism, ...] = Field(min_length=1)
    stages: tuple[_Text, ...] = ()
    criteria: tuple[_Text, ...] = ()
    #: The beneficiary's particulars the assessment relies on: each is required at the verify step.
    particulars: tuple[Literal["household_size"], ...] = ()


class Declaration(_Section):
    """The declaration (إقرار) template the beneficiary signs at the declare step."""

    title: _Text
    text: _Template
    required_step: _Id

    def render(self, values: Mapping[str, str], gender: str | None = None) -> str:
        """The declaration text in the signer's gender (its «{المذكر|المؤنث}» marks), placeholders filled.

        Both forms are kept when `gender` is None (never recorded); KeyError if a placeholder is missing.
        """
        return resolve_marks(self.text, gender).format_map(dict(values))


class Privacy(_Section):
    """[privacy]: the privacy notice (PDPL) shown at reception and printed on the declaration, and how long a
    closed case's personal data is kept before `mustafid-admin retention run` anonymises it."""

    purpose: _Text
    collected: _Text
    shared_with: _Text
    retention_years: StrictInt = Field(gt=0, le=50)
    rights: _Text
    contact: _Text


class SurveyQuestion(_Section):
    """A satisfaction survey question."""

    id: _Id
    text: _Text
    kind: QuestionKind
    required: StrictBool = False


class Survey(_Section):
    """The satisfaction survey: anonymous by default, never linked to an officer unless chosen."""

    anonymous: StrictBool = True
    link_to_officer: StrictBool = False
    questions: tuple[SurveyQuestion, ...] = Field(min_length=1)


class PolicyProfile(_Section):
    """One association's policy as validated data, with the source text it was loaded from."""

    schema_version: Literal[1]
    id: _ProfileId
    version: _Version
    title: _Text | None = None
    #: The record's fields whose text only the sensitive readers see (e.g. the committee's reason).
    sensitive_fields: tuple[SensitiveField, ...] = ()
    association: Association
    approval: Approval | None = None
    channels: tuple[Channel, ...] = Field(min_length=1)
    tools: tuple[Tool, ...] = ()
    roles: tuple[Role, ...] = ()
    case_kinds: tuple[CaseKind, ...] = Field(min_length=1)
    documents: tuple[PolicyDocument, ...] = ()
    steps: tuple[Step, ...] = Field(min_length=1)
    decision: Decision | None = None
    eligibility: Eligibility | None = None
    declaration: Declaration | None = None
    privacy: Privacy | None = None
    survey: Survey

    _source_text: str = PrivateAttr(default="")
    _source_path: Path | None = PrivateAttr(default=None)
    _content_hash: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _cross_check(self, info: ValidationInfo) -> PolicyProfile:
        context: dict[str, Any] = info.context or {}
        problems = [
            ProfileProblem(
                file=context.get("source", "<profile>"),
                key=key,
                reason=reason,
                line=_locate(context.get("source_text", ""), key),
            )
            for key, reason in _rule_problems(self, context.get("source_path"))
        ]
        if problems:
            # Not a ValueError on purpose: pydantic lets it through with its precise keys.
            raise ProfileError(problems)
        self._source_text = context.get("source_text", "")
        self._source_path = context.get("source_path")
        # Built without a source (e.g. in code): the hash of the validated content instead.
        source = self._source_text or self.model_dump_json()
        self._content_hash = context.get("content_hash") or hashlib.sha256(source.encode("utf-8")).hexdigest()
        return self

    @property
    def has_committee(self) -> bool:
        """True when a research committee decides the cases (a [decision] section exists)."""
        return self.decision is not None

    def needs_decision(self, case_kind_id: str) -> bool:
        """True when a case of this kind waits for the committee's acceptance before registration or service.

        Only under a policy with a [decision] section; there a kind needs it unless marked
        ``needs_decision = false`` (an unknown kind, e.g. of an older version, is taken as needing it)."""
        if self.decision is None:
            return False
        kind = next((item for item in self.case_kinds if item.id == case_kind_id), None)
        return kind is None or kind.needs_decision is not False

    def ends_at_answer(self, case_kind_id: str) -> bool:
        """True for a kind the policy marks as needing no committee decision: it is answered and closed."""
        if self.decision is None:
            return False
        kind = next((item for item in self.case_kinds if item.id == case_kind_id), None)
        return kind is not None and kind.needs_decision is False

    @property
    def declaration_step(self) -> Step | None:
        """The step at which the declaration is signed, or None when the policy has no declaration."""
        return self.step(self.declaration.required_step) if self.declaration is not None else None

    def step(self, step_id: str) -> Step:
        """The step with this id (KeyError when the profile has none)."""
        for item in self.steps:
            if item.id == step_id:
                return item
        raise KeyError(step_id)

    def role(self, role_id: str) -> Role:
        """The role with this id (KeyError when the profile has none)."""
        for item in self.roles:
            if item.id == role_id:
                return item
        raise KeyError(role_id)

    def documents_for(self, case_kind_id: str) -> tuple[PolicyDocument, ...]:
        """The documents the verify step asks for a case of this kind, in the profile's order."""
        return tuple(document for document in self.documents if document.case_kind == case_kind_id)

    def sensitive_step_ids(self) -> frozenset[str]:
        """The ids of the steps marked `sensitive` (their notes are read by the sensitive readers only)."""
        return frozenset(step.id for step in self.steps if step.sensitive)

    def sensitive_document_names(self) -> frozenset[str]:
        """The names of the documents marked `sensitive` (their scans are opened by the sensitive readers only)."""
        return frozenset(document.name for document in self.documents if document.sensitive)

    def field_is_sensitive(self, field: SensitiveField) -> bool:
        """True when the profile marks this field of the record sensitive."""
        return field in self.sensitive_fields

    def roles_held_by(self, account_role: str) -> tuple[str, ...]:
        """The ids of the policy roles an account with this role holds (what is referred to them reaches it)."""
        return tuple(role.id for role in self.roles if account_role in role.holders())

    def channel(self, channel_id: str) -> Channel:
        """The channel with this id (KeyError when the profile has none)."""
        for item in self.channels:
            if item.id == channel_id:
                return item
        raise KeyError(channel_id)

    @property
    def content_hash(self) -> str:
        """SHA-256 (hex) of the bytes the profile was loaded from."""
        return self._content_hash

    @property
    def source_text(self) -> str:
        """The TOML text as loaded."""
        return self._source_text

    @property
    def source_path(self) -> Path | None:
        """The file the profile was loaded from, or None when loaded from text."""
        return self._source_path

    @property
    def logo_path(self) -> Path | None:
        """The logo file resolved against the profile's folder, when both are known."""
        if self.association.logo is None or self._source_path is None:
            return None
        return self._source_path.parent / self.association.logo


# --------------------------------------------------------------------------- cross-field rules


def _rule_problems(profile: PolicyProfile, source_path: Path | None) -> list[tuple[str, str]]:
    """Cross-field rules as (key, Arabic reason) pairs, in file order."""
    problems: list[tuple[str, str]] = []
    if profile.approval is not None:
        problems += _approval_problems(profile.approval)
    for section, items in (
        ("channels", profile.channels),
        ("roles", profile.roles),
        ("case_kinds", profile.case_kinds),
        ("steps", profile.steps),
    ):
        problems += _duplicate_ids(section, items)
    role_ids = [role.id for role in profile.roles]
    problems += _document_problems(profile)
    for index, step in enumerate(profile.steps):
        key = f"steps[{index}].role"
        if step.role is None and step.kind in (StepKind.REFER, StepKind.ESCALATE):
            reason = f"مفتاح مطلوب غير موجود: خطوة من نوع {step.kind} تحتاج إلى الدور الذي تُحال إليه الحالة"
            problems.append((key, reason))
        elif step.role is not None and step.role not in role_ids:
            problems.append((key, _unknown_role(step.role, role_ids)))
    committee_steps = [i for i, s in enumerate(profile.steps) if s.kind is StepKind.NOTIFY_COMMITTEE]
    if profile.decision is None:
        for index, kind in enumerate(profile.case_kinds):
            if kind.needs_decision is not None:
                problems.append(
                    (f"case_kinds[{index}].needs_decision",
                     "لا معنى لهذا المفتاح في سياسة لا تتضمن قرار لجنة: عرّف القسم [decision] أو احذف المفتاح")
                )
        if committee_steps:
            problems.append(
                ("decision", f"مفتاح مطلوب غير موجود: الخطوة steps[{committee_steps[0]}] من نوع notify-committee "
                             "تعد المستفيد بقرار اللجنة، فيجب تعريف القسم [decision] ومدته")
            )
    else:
        decision = profile.decision
        if decision.committee_role not in role_ids:
            problems.append(("decision.committee_role", _unknown_role(decision.committee_role, role_ids)))
        if decision.period_days is not None and decision.period_months is not None:
            reason = "تُحدد المدة إما بالأيام (period_days) أو بالأشهر (period_months)، لا بكليهما"
            problems.append(("decision.period_months", reason))
        elif decision.period_days is None and decision.period_months is None:
            reason = "مفتاح مطلوب غير موجود: حدّد مدة القرار في period_days أو period_months"
            problems.append(("decision.period_days", reason))
    if profile.decision is not None and all(kind.needs_decision is False for kind in profile.case_kinds):
        problems.append(
            ("case_kinds", "كل أنواع الحالات معلَّمة needs_decision = false، فلا يصل أي طلب إلى قرار اللجنة في [decision]")
        )
    if profile.eligibility is not None:
        problems += _duplicate_ids("eligibility.mechanisms", profile.eligibility.mechanisms)
    declare_steps = [i for i, s in enumerate(profile.steps) if s.kind is StepKind.DECLARE]
    if profile.declaration is None:
        if declare_steps:
            problems.append(
                ("declaration", f"مفتاح مطلوب غير موجود: الخطوة steps[{declare_steps[0]}] من نوع declare "
                                "تحتاج إلى نص الإقرار في القسم [declaration]")
            )
    else:
        wanted = profile.declaration.required_step
        matching = [s for s in profile.steps if s.id == wanted]
        if not matching:
            known = "، ".join(s.id for s in profile.steps)
            reason = f"لا توجد خطوة بالمعرّف «{wanted}». الخطوات المعرّفة: {known}"
            problems.append(("declaration.required_step", reason))
        elif matching[0].kind is not StepKind.DECLARE:
            problems.append(
                ("declaration.required_step", f"الخطوة «{wanted}» من نوع {matching[0].kind} وليست من نوع declare")
            )
    problems += _duplicate_ids("survey.questions", profile.survey.questions)
    logo = profile.association.logo
    if logo is not None and source_path is not None and not (source_path.parent / logo).is_file():
        problems.append(("association.logo", f"ملف الشعار غير موجود: {source_path.parent / logo}"))
    return problems


_WithId: TypeAlias = Channel | Role | CaseKind | Step | SurveyQuestion | EligibilityMechanism


def _duplicate_ids(section: str, items: Iterable[_WithId]) -> list[tuple[str, str]]:
    seen: dict[str, int] = {}
    problems: list[tuple[str, str]] = []
    for index, item in enumerate(items):
        if item.id in seen:
            problems.append(
                (f"{section}[{index}].id", f"المعرّف «{item.id}» مكرر؛ سبق استعماله في {section}[{seen[item.id]}]")
            )
        else:
            seen[item.id] = index
    return problems


def _document_problems(profile: PolicyProfile) -> list[tuple[str, str]]:
    """Each [[documents]] names a known case kind, once per case kind, in a policy whose verify step asks for them."""
    problems: list[tuple[str, str]] = []
    kind_ids = [kind.id for kind in profile.case_kinds]
    seen: dict[tuple[str, str], int] = {}
    for index, document in enumerate(profile.documents):
        if document.case_kind not in kind_ids:
            known = "، ".join(kind_ids)
            reason = f"نوع الحالة «{document.case_kind}» غير معرّف في [[case_kinds]]. الأنواع المعرّفة: {known}"
            problems.append((f"documents[{index}].case_kind", reason))
        key = (document.case_kind, document.name)
        if key in seen:
            reason = (f"المستند «{document.name}» مكرر لنوع الحالة «{document.case_kind}»؛ "
                      f"سبق ذكره في documents[{seen[key]}]")
            problems.append((f"documents[{index}].name", reason))
        else:
            seen[key] = index
    if profile.documents and not any(step.kind is StepKind.VERIFY for step in profile.steps):
        reason = "السياسة تذكر مستندات مطلوبة ولا خطوة فيها من نوع verify تُطلب فيها المستندات"
        problems.append(("documents[0]", reason))
    elif profile.documents and is_rescue_profile(profile):
        reason = "سياسة بلاغات (فيها خطوة escalate أو dispatch): يُسجَّل البلاغ في خطوة verify ولا تُطلب فيها مستندات"
        problems.append(("documents[0]", reason))
    return problems


def _unknown_role(role_id: str, role_ids: list[str]) -> str:
    known = "، ".join(role_ids) if role_ids else "لا يوجد"
    return f"الدور «{role_id}» غير معرّف في [[roles]]. الأدوار المعرّفة: {known}"


def _approval_problems(approval: Approval) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if approval.date_hijri is None and approval.date_gregorian is None:
        reason = "مفتاح مطلوب غير موجود: اذكر تاريخ الاعتماد في date_hijri أو date_gregorian أو كليهما"
        problems.append(("approval.date_hijri", reason))
    problems += _dates_agree("approval", approval.date_hijri, approval.date_gregorian)
    if approval.replaces is not None:
        replaced = approval.replaces
        problems += _dates_agree("approval.replaces", replaced.date_hijri, replaced.date_gregorian)
        current = _gregorian_of(approval.date_hijri, approval.date_gregorian)
        earlier = _gregorian_of(replaced.date_hijri, replaced.date_gregorian)
        if current is not None and earlier is not None and earlier >= current:
            key = "approval.replaces.date_gregorian" if replaced.date_gregorian else "approval.replaces.date_hijri"
            problems.append((key, "تاريخ السياسة السابقة يجب أن يسبق تاريخ اعتماد هذه النسخة"))
    return problems


def _gregorian_of(date_hijri: str | None, date_gregorian: date | None) -> date | None:
    if date_gregorian is not None:
        return date_gregorian
    if date_hijri is not None:
        from desktop.hijri import parse_hijri

        converted: date = parse_hijri(date_hijri).to_gregorian()
        return converted
    return None


def _dates_agree(section: str, date_hijri: str | None, date_gregorian: date | None) -> list[tuple[str, str]]:
    if date_hijri is None or date_gregorian is None:
        return []
    from desktop.hijri import parse_hijri

    expected: date = parse_hijri(date_hijri).to_gregorian()
    # One day either way is accepted: minutes follow the sighted month, the table may be a day off.
    if abs((expected - date_gregorian).days) <= _DATE_TOLERANCE_DAYS:
        return []
    return [
        (
            f"{section}.date_gregorian",
            # Dates with "/" in the message: a "-" reverses inside Arabic text.
            f"التاريخان لا يتوافقان: {date_hijri} هـ يوافق {expected:%Y/%m/%d} م في تقويم أم القرى، "
            f"لا {date_gregorian:%Y/%m/%d} م",
        )
    ]


# --------------------------------------------------------------------------- pydantic errors in Arabic

_ARRAY_OF_TABLES = {"channels", "tools", "roles", "case_kinds", "documents", "steps", "mechanisms", "questions"}


def _key_of(loc: tuple[int | str, ...]) -> str:
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if key else part
    return key


def _expected_values(expected: str) -> str:
    values = re.findall(r"'([^']*)'|(-?\d+)", expected)
    return "، ".join(a or b for a, b in values) or expected


#: A key that would hold a secret (a password, a PIN): refused with its own sentence, its value never echoed.
_SECRET_KEY = re.compile(r"pass|pwd|secret|(^|_)pin($|_)|recovery", re.IGNORECASE)
SECRET_IN_POLICY = ("لا تُكتب كلمة مرور ولا رمز فتح في ملف السياسة: الحسابات وكلمات مرورها تُدار من الإعدادات "
                    "أو بالأمر mustafid-admin users")


def _reason(error: Mapping[str, Any]) -> str:
    kind: str = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    loc = error["loc"]
    last = loc[-1] if loc else ""
    if kind == "missing":
        return "مفتاح مطلوب غير موجود"
    if kind == "extra_forbidden":
        if _SECRET_KEY.search(str(last)):
            return SECRET_IN_POLICY
        return "مفتاح غير معروف"
    if kind in ("enum", "literal_error"):
        allowed = _expected_values(str(ctx.get("expected", "")))
        return f"قيمة غير مقبولة: {error.get('input')!r}. القيم المقبولة: {allowed}"
    if kind == "greater_than":
        return f"يجب أن تكون القيمة أكبر من {ctx.get('gt')}"
    if kind == "greater_than_equal":
        return f"يجب أن تكون القيمة أكبر من {ctx.get('ge')} أو تساويها"
    if kind == "less_than_equal":
        return f"يجب أن تكون القيمة أصغر من {ctx.get('le')} أو تساويها"
    if kind == "less_than":
        return f"يجب أن تكون القيمة أصغر من {ctx.get('lt')}"
    if kind == "string_type":
        return "يجب أن تكون القيمة نصًا بين علامتي تنصيص \"...\""
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "يجب أن تكون القيمة عددًا صحيحًا دون علامتي تنصيص"
    if kind in ("bool_type", "bool_parsing"):
        return "يجب أن تكون القيمة true أو false"
    if kind in ("tuple_type", "list_type"):
        if last in _ARRAY_OF_TABLES:
            table = _key_of(tuple(part for part in loc if isinstance(part, str)))
            return f"يجب أن تكون القيمة قائمة: اكتب كل عنصر في جدول [[{table}]]"
        return "يجب أن تكون القيمة قائمة بين قوسين [ ... ]"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "يجب أن تكون القيمة قسمًا (جدولًا) مثل [" + _key_of(loc) + "]"
    if kind == "too_short":
        minimum = ctx.get("min_length", 1)
        if minimum == 1:
            return "يجب أن تحتوي القائمة على عنصر واحد على الأقل"
        return f"يجب أن تحتوي القائمة على {minimum} عناصر على الأقل"
    if kind == "string_too_short":
        return "يجب ألا يكون النص فارغًا"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return "تاريخ ميلادي غير صالح: الصيغة المطلوبة YYYY-MM-DD"
    if kind == "value_error":
        return str(error.get("msg", "")).removeprefix("Value error, ")
    if kind.startswith(("blank", "item_id", "profile_id", "one_line", "hijri", "gregorian", "relative_path",
                        "email", "template", "placeholder", "document_name", "account_role")):
        return str(error.get("msg", ""))
    return f"قيمة غير صالحة ({kind})"


# --------------------------------------------------------------------------- locating a key in the file

_TABLE_HEADER = re.compile(r"\s*(\[\[?)\s*([A-Za-z0-9_.\s\"-]+?)\s*\]\]?\s*(?:#.*)?$")


def _locate(text: str, key: str) -> int | None:
    """The 1-based line of `key` in the TOML text, or of its table header; None when not found."""
    if not text or not key:
        return None
    blocks: list[tuple[str, int]] = [("", 0)]
    counters: dict[str, int] = {}
    in_string = False
    lines = text.splitlines()
    for number, line in enumerate(lines):
        quotes = line.count('"""') + line.count("'''")
        if in_string:
            in_string = quotes % 2 == 0
            continue
        if quotes % 2 == 1:
            in_string = True
            continue
        match = _TABLE_HEADER.match(line)
        if match is None:
            continue
        name = re.sub(r"\s+", "", match.group(2)).replace('"', "")
        if match.group(1) == "[[":
            index = counters.get(name, 0)
            counters[name] = index + 1
            # The index belongs to the last component: survey.questions[2].
            name = f"{name}[{index}]"
        blocks.append((name, number))
    best: tuple[str, int] | None = None
    for name, start in blocks:
        if (name == "" or key == name or key.startswith(name + ".")) and (best is None or len(name) >= len(best[0])):
            best = (name, start)
    if best is None:
        return None
    name, start = best
    rest = key[len(name):].lstrip(".") if name else key
    if not rest:
        return start + 1 if name else None
    first = re.split(r"[.\[]", rest, maxsplit=1)[0]
    assignment = re.compile(rf"\s*{re.escape(first)}\s*=")
    end = min((s for _, s in blocks if s > start), default=len(lines))
    for number in range(start, end):
        if assignment.match(lines[number]):
            return number + 1
    return start + 1 if name else None


# --------------------------------------------------------------------------- loading


def _toml_reason(message: str) -> tuple[str, int | None]:
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    line = int(match.group(1)) if match else None
    where = f"في السطر {match.group(1)} (العمود {match.group(2)})" if match else "في نهاية الملف"
    translations = (
        ("Cannot overwrite a value", "مفتاح مكرر أو قيمة معرّفة مرتين"),
        ("Cannot declare", "جدول معرّف مرتين"),
        ("Cannot redefine namespace", "جدول معرّف مرتين"),
        ("Cannot mutate immutable namespace", "لا يمكن الإضافة إلى جدول أو قائمة مكتملة"),
        ("Duplicate inline table key", "مفتاح مكرر في الجدول"),
        ("Expected '=' after a key", "يُتوقع = بعد اسم المفتاح"),
        ("Expected ']]'", "يُتوقع ]] في نهاية رأس القائمة"),
        ("Expected ']'", "يُتوقع ] في نهاية رأس الجدول"),
        ("Unterminated string", "نص لم تُغلق علامة تنصيصه"),
        ("Unclosed array", "قائمة لم يُغلق قوسها ]"),
        ("Unclosed inline table", "جدول سطري لم يُغلق قوسه }"),
        ("Invalid date or datetime", "تاريخ غير صالح"),
        ("Invalid value", "قيمة غير صالحة (هل نسيت علامتي التنصيص حول النص؟)"),
        ("Invalid statement", "سطر غير مفهوم"),
        ("Invalid initial character for a key part", "اسم مفتاح غير صالح"),
        ("Illegal character", "حرف غير مسموح به"),
        ("Found invalid character", "حرف غير مسموح به"),
        ("Unescaped '\\'", "شرطة مائلة عكسية \\ دون تهريب"),
    )
    if message.startswith("Illegal character '\\n'"):
        detail = "نص لم تُغلق علامة تنصيصه قبل نهاية السطر"
    else:
        detail = next((arabic for english, arabic in translations if message.startswith(english)), "صيغة غير صحيحة")
    return f"خطأ في صيغة TOML {where}: {detail}", line


def _parse(raw: bytes, source: str, source_path: Path | None) -> tuple[PolicyProfile | None, list[ProfileProblem]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = raw.count(b"\n", 0, exc.start) + 1
        reason = f"الملف ليس بترميز UTF-8 (بايت غير صالح في السطر {bad_line})؛ احفظه بترميز UTF-8"
        return None, [ProfileProblem(source, "", reason, bad_line)]
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason, line = _toml_reason(str(exc))
        return None, [ProfileProblem(source, "", reason, line)]
    context = {
        "source": source,
        "source_text": text,
        "source_path": source_path,
        "content_hash": hashlib.sha256(raw).hexdigest(),
    }
    try:
        return PolicyProfile.model_validate(data, context=context), []
    except ProfileError as exc:
        return None, exc.problems
    except ValidationError as exc:
        errors = [(_key_of(tuple(error["loc"])), error) for error in exc.errors(include_url=False)]
        # pydantic also counts a list's length without its invalid items: a list whose items already
        # have problems is not reported again as "too short".
        return None, [
            ProfileProblem(source, key, _reason(error), _locate(text, key))
            for key, error in errors
            if not (error["type"] == "too_short" and any(other.startswith(key + "[") for other, _ in errors))
        ]


def _read(path: Path) -> tuple[PolicyProfile | None, list[ProfileProblem]]:
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [ProfileProblem(source, "", "الملف غير موجود")]
    except IsADirectoryError:
        return None, [ProfileProblem(source, "", "المسار مجلد وليس ملفًا")]
    except OSError as exc:
        return None, [ProfileProblem(source, "", f"تعذرت قراءة الملف: {exc.strerror or exc}")]
    return _parse(raw, source, path)


def is_rescue_profile(profile: PolicyProfile) -> bool:
    """True for a rescue association's policy (reports escalated and dispatched, no committee)."""
    return any(step.kind in (StepKind.ESCALATE, StepKind.DISPATCH) for step in profile.steps)


def check_profile_file(path: Path) -> list[ProfileProblem]:
    """Every problem in a profile file, one per line; empty when the profile is valid. Never raises for bad content."""
    return _read(Path(path))[1]


def load_profile(path: Path) -> PolicyProfile:
    """Load and validate a profile file (ProfileError listing every problem)."""
    profile, problems = _read(Path(path))
    if profile is None:
        raise ProfileError(problems)
    return profile


def load_profile_text(text: str, *, source: str) -> PolicyProfile:
    """Load and validate a profile from TOML text; `source` names it in problems (ProfileError)."""
    profile, problems = _parse(text.encode("utf-8"), source, None)
    if profile is None:
        raise ProfileError(problems)
    return profile


def builtin_profile_paths() -> list[Path]:
    """The profile files shipped with the application, sorted by name."""
    from resources import POLICIES

    return sorted(POLICIES.glob("*.toml"))


def load_builtin_profiles() -> list[PolicyProfile]:
    """All shipped profiles (ProfileError listing the problems of every bad one)."""
    profiles: list[PolicyProfile] = []
    problems: list[ProfileProblem] = []
    for path in builtin_profile_paths():
        profile, found = _read(path)
        if profile is None:
            problems += found
        else:
            profiles.append(profile)
    if problems:
        raise ProfileError(problems)
    return profiles


def load_builtin_profile(profile_id: str) -> PolicyProfile:
    """The shipped profile with this id (ProfileError if there is none)."""
    from resources import POLICIES

    path = POLICIES / f"{profile_id}.toml"
    if not _PROFILE_ID.fullmatch(profile_id) or not path.is_file():
        known = "، ".join(p.stem for p in builtin_profile_paths())
        raise ProfileError(
            [ProfileProblem(str(POLICIES), "id", f"لا توجد سياسة مدمجة بالمعرّف «{profile_id}». المتاح: {known}")]
        )
    profile = load_profile(path)
    if profile.id != profile_id:
        raise ProfileError(
            [ProfileProblem(str(path), "id", f"معرّف السياسة «{profile.id}» لا يطابق اسم الملف «{profile_id}»")]
        )
    return profile
