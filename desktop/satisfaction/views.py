"""What the satisfaction service hands to the GUI: plain frozen dataclasses (never ORM objects), its enums and error.

Decisions recorded here (the kiosk, phone and dashboard screens rely on them):

* The survey comes from the active profile's ``[survey]``; questions keep the profile's order.
* Anonymity (`AnonymityMode`) follows the profile: ``anonymous = true`` (the default) stores neither the
  case nor the officer; ``anonymous = false`` links a response to its case; ``link_to_officer = true``
  also stores the officer who served. The screen shows `AnonymityMode.label_ar` and `explanation_ar`.
* Answers are a mapping ``question_id -> int`` (scale5: 1..5, recommend10: 0..10) or ``-> str`` (text).
  Nothing is stored until `SurveyService.record` is called (on the beneficiary's confirmation).
* The kiosk idle timeout is a constant here (`KIOSK_IDLE_TIMEOUT_SECONDS`), not a profile setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from desktop.errors import InputError

__all__ = [
    "KIOSK_IDLE_TIMEOUT_SECONDS",
    "PIN_MAX_LENGTH",
    "PIN_MIN_LENGTH",
    "RECOMMEND_MAX_LABEL_AR",
    "RECOMMEND_MIN_LABEL_AR",
    "SCALE5_CHOICES",
    "SLIP_CODE_LENGTH",
    "AnonymityMode",
    "AnswerValue",
    "AnswerWay",
    "QuestionView",
    "ScaleChoice",
    "Slip",
    "SurveyDefinition",
    "SurveyError",
]

#: Seconds without a touch after which the kiosk returns to the officer's lock (a constant, not in the profile).
KIOSK_IDLE_TIMEOUT_SECONDS = 90

#: Length of a kiosk PIN (digits only).
PIN_MIN_LENGTH = 4
PIN_MAX_LENGTH = 8

#: Length of a printed slip's short code (letters and digits without the ambiguous 0/O, 1/I/L).
SLIP_CODE_LENGTH = 8

#: An answer: an int for scale5 (1..5) and recommend10 (0..10), a str for a text question.
AnswerValue = int | str


class SurveyError(InputError):
    """A survey action refused for a reason the officer or beneficiary can read (Arabic)."""


class AnswerWay(StrEnum):
    """How a response was collected; stored in `survey_response.mode`."""

    KIOSK = "kiosk"
    PHONE = "phone"
    SLIP = "slip"

    @property
    def label_ar(self) -> str:
        """The Arabic label."""
        return {
            AnswerWay.KIOSK: "شاشة التقييم عند المكتب",
            AnswerWay.PHONE: "بالهاتف (سجّلها الموظف)",
            AnswerWay.SLIP: "قسيمة ورقية",
        }[self]


class AnonymityMode(StrEnum):
    """Which link a response keeps, as set by the policy profile; the survey screen says it."""

    ANONYMOUS = "anonymous"
    LINKED_TO_CASE = "linked_to_case"
    LINKED_TO_OFFICER = "linked_to_officer"

    @property
    def label_ar(self) -> str:
        """Short label shown on the survey screens."""
        return {
            AnonymityMode.ANONYMOUS: "تقييم مجهول الهوية",
            AnonymityMode.LINKED_TO_CASE: "تقييم مرتبط بالحالة",
            AnonymityMode.LINKED_TO_OFFICER: "تقييم مرتبط بالحالة والموظف",
        }[self]

    @property
    def explanation_ar(self) -> str:
        """One sentence telling the beneficiary what is kept with their answers."""
        return {
            AnonymityMode.ANONYMOUS: (
                "لا يُحفظ مع إجاباتك اسمك ولا رقم حالتك ولا اسم الموظف الذي خدمك؛ "
                "التقييم حق لك وأداة للتحسين لا للمحاسبة."
            ),
            AnonymityMode.LINKED_TO_CASE: (
                "تُحفظ إجاباتك مع رقم حالتك لمتابعة ملاحظاتك، ولا يُحفظ معها اسم الموظف؛ "
                "التقييم حق لك وأداة للتحسين لا للمحاسبة."
            ),
            AnonymityMode.LINKED_TO_OFFICER: (
                "بحسب سياسة الجمعية تُحفظ إجاباتك مع رقم حالتك والموظف الذي خدمك، ولا تظهر نتائج أي موظف "
                "إلا للمدير وبصورة مجمّعة من خمسة تقييمات فأكثر؛ التقييم أداة للتحسين لا للمحاسبة."
            ),
        }[self]


@dataclass(frozen=True)
class ScaleChoice:
    """One value of a 1–5 scale with its Arabic label and face (emoji; the UI may draw its own face)."""

    value: int
    label_ar: str
    face: str


#: The 1–5 satisfaction scale, from «not satisfied at all» to «very satisfied».
SCALE5_CHOICES: tuple[ScaleChoice, ...] = (
    ScaleChoice(1, "غير راضٍ إطلاقًا", "😞"),
    ScaleChoice(2, "غير راضٍ", "🙁"),
    ScaleChoice(3, "محايد", "😐"),
    ScaleChoice(4, "راضٍ", "🙂"),
    ScaleChoice(5, "راضٍ جدًا", "😄"),
)

#: The end labels of the 0–10 recommendation scale.
RECOMMEND_MIN_LABEL_AR = "لن أوصي بها إطلاقًا"
RECOMMEND_MAX_LABEL_AR = "سأوصي بها بالتأكيد"


@dataclass(frozen=True)
class QuestionView:
    """One survey question as a screen shows it.

    `kind` is "scale5", "recommend10" or "text"; `choices` holds the five `ScaleChoice` for scale5 and is
    empty otherwise; `min_value`/`max_value` bound the integer answers (None for text).
    """

    question_id: str
    text: str
    kind: str
    required: bool
    choices: tuple[ScaleChoice, ...]
    min_value: int | None
    max_value: int | None
    min_label_ar: str | None
    max_label_ar: str | None


@dataclass(frozen=True)
class SurveyDefinition:
    """The active profile's survey: its questions, the anonymity mode and the policy version it comes from."""

    questions: tuple[QuestionView, ...]
    mode: AnonymityMode
    association_name: str
    policy_version: str

    @property
    def required_ids(self) -> tuple[str, ...]:
        """Ids of the questions that must be answered."""
        return tuple(q.question_id for q in self.questions if q.required)


@dataclass(frozen=True)
class Slip:
    """A printed survey slip: its single-use short code (shown as XXXX-XXXX) and whether it was used."""

    slip_id: UUID
    code: str
    case_id: UUID | None
    issued_at: datetime
    used_at: datetime | None

    @property
    def display_code(self) -> str:
        """The code as printed, in two groups of four."""
        return f"{self.code[:4]}-{self.code[4:]}"
