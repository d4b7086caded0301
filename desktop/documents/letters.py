"""The committee's decision letter (PDF on the association's letterhead) and the SMS/WhatsApp notification text.

Decisions recorded here:

* The letter is addressed to the beneficiary by name and carries the case number, the
  submission and decision dates (Hijri and Gregorian), the decision in words, the reason
  (for a rejection) or what is needed and by when (more information), the committee members
  present and the committee secretary's signature line. It is drawn by the same engine and
  letterhead as the declaration and the receipt (`desktop.documents.forms`), so it is
  deterministic: the same decision gives the same bytes.
* The notification text is short enough for two or three SMS parts, names the association,
  the beneficiary, the case number and the decision; identifiers and dates are isolated
  (FSI … PDI) so they keep their order inside Arabic text on a phone.
* A wa.me link takes the number in international form without "+" (9665XXXXXXXX) and the
  text URL-encoded (UTF-8, every reserved character escaped).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from reportlab.pdfgen.canvas import Canvas

from desktop.arabic_text import isolate, display_digits
from desktop.documents.arabic_pdf import ACCENT, GRID, ltr, mm
from desktop.documents.forms import Letterhead, _LetterheadDocument
from desktop.gender import gendered
from desktop.hijri import format_dual, format_gregorian, format_hijri

__all__ = [
    "DECISION_WORDS",
    "DecisionLetter",
    "notification_text",
    "render_decision_letter",
    "sms_link",
    "whatsapp_link",
]

#: The decision in words, as the letter and the message say it.
DECISION_WORDS: dict[str, str] = {
    "accept": "قبول الطلب",
    "reject": "رفض الطلب",
    "more_info": "طلب استكمال معلومات قبل البت في الطلب",
}

_DOTS = "…………………………………"


@dataclass(frozen=True)
class DecisionLetter:
    """What the decision letter prints: the beneficiary, the case, the decision and the committee."""

    beneficiary_name: str
    id_number: str
    case_number: str
    submitted_on: date | None
    decided_on: date
    decision: str
    reason: str
    members: tuple[str, ...]
    secretary_name: str
    committee_name: str = "لجنة البحث"
    info_due: date | None = None
    #: "male", "female" or None (never recorded): the address and the words about the beneficiary agree with it.
    gender: str | None = None


def _dual_plain(d: date) -> str:
    return f"{format_hijri(d)} الموافق {format_gregorian(d)}"


class _DecisionLetterDocument(_LetterheadDocument):
    """The decision letter: greeting, particulars, the decision, the reason, the members, the signature."""

    def __init__(self, letterhead: Letterhead, letter: DecisionLetter) -> None:
        super().__init__(
            letterhead,
            title="إشعار بقرار لجنة البحث",
            subject=f"قرار لجنة البحث — {letter.case_number}",
        )
        self.letter = letter

    def body_text(self) -> str:
        """The paragraph that states the decision in words (the dates are in the table above it)."""
        lt = self.letter
        opening = f"نفيدكم بأن {lt.committee_name} درست طلبكم رقم {ltr(lt.case_number)} المبينة بياناته أعلاه، وقررت"
        if lt.decision == "accept":
            return (
                f"{opening} قبول الطلب. وسيتواصل معكم موظف علاقات المستفيدين لاستكمال إجراءات التسجيل "
                "وتقديم الخدمة أو الدعم وفق اللوائح والأنظمة المعتمدة في الجمعية."
            )
        if lt.decision == "reject":
            return f"{opening} رفض الطلب، وذلك للسبب المبين أدناه."
        return f"{opening} طلب استكمال المعلومات أو المستندات المبينة أدناه قبل البت في الطلب."

    def closing_text(self) -> str:
        """What the beneficiary can do next."""
        lt = self.letter
        if lt.decision == "reject":
            return (
                "ولكم الحق في الاستفسار عن هذا القرار أو تقديم ملاحظاتكم عبر قنوات التواصل مع الجمعية، "
                "مع ذكر رقم الطلب."
            )
        if lt.decision == "more_info":
            due = f"في موعد أقصاه {_dual_plain(lt.info_due)}" if lt.info_due else "في أقرب وقت"
            return f"نأمل تزويد الجمعية بما سبق {due}، ويُستكمل النظر في طلبكم فور وروده، مع ذكر رقم الطلب."
        return "ويُرجى الاحتفاظ بهذا الإشعار وذكر رقم الطلب عند التواصل مع الجمعية."

    def draw_content(self, canvas: Canvas, y: float) -> float:
        """Title, case number and date, addressee, particulars, decision box, reason, members, signature."""
        lt = self.letter
        y = self.draw_title(canvas, y, self.title)
        y = self.draw_meta_line(
            canvas, y, f"رقم الطلب: {ltr(lt.case_number)}", f"التاريخ: {format_hijri(lt.decided_on)}"
        )
        y -= 3 * mm
        y = self.draw_paragraph(
            canvas, f"{gendered('المكرم', 'المكرمة', lt.gender)}/ {lt.beneficiary_name or _DOTS}    "
            f"{gendered('المحترم', 'المحترمة', lt.gender)}", self.right, y, self.width,
            self.bold_font, 13.5, 24,
        )
        y = self.draw_paragraph(
            canvas, "السلام عليكم ورحمة الله وبركاته، وبعد:", self.right, y, self.width, self.font, 12.5, 22
        )
        y -= 2 * mm
        rows = [
            (gendered("اسم المستفيد", "اسم المستفيدة", lt.gender), lt.beneficiary_name or _DOTS),
            ("رقم الهوية", ltr(lt.id_number) if lt.id_number.strip() else _DOTS),
            ("تاريخ تقديم الطلب", _dual_plain(lt.submitted_on) if lt.submitted_on else _DOTS),
            ("تاريخ القرار", _dual_plain(lt.decided_on)),
        ]
        y = self.draw_key_values(canvas, rows, self.right, y, self.width, label_width=36 * mm, pairs_per_row=1, size=10.5)
        y -= 4 * mm
        y = self.draw_text_block(canvas, y, self.body_text(), size=12.5)
        box_width = 110 * mm
        y = self.ensure_space(canvas, y, 24 * mm)
        y = self.draw_boxed_lines(
            canvas,
            self.right - (self.width - box_width) / 2,
            y,
            box_width,
            "القرار",
            [(DECISION_WORDS.get(lt.decision, lt.decision), 14, True)],
        )
        y -= 4 * mm
        if lt.decision in ("reject", "more_info") and lt.reason.strip():
            heading = "سبب الرفض" if lt.decision == "reject" else "المطلوب استكماله"
            y = self.draw_section(canvas, y, heading)
            y = self.draw_text_block(canvas, y, lt.reason, size=12)
            if lt.decision == "more_info" and lt.info_due is not None:
                y = self.draw_paragraph(
                    canvas, f"الموعد الأقصى للاستكمال: {_dual_plain(lt.info_due)}", self.right, y, self.width,
                    self.bold_font, 12.5, 24,
                )
            y -= 2 * mm
        y = self.draw_text_block(canvas, y, self.closing_text(), size=12)
        y -= 2 * mm
        y = self._draw_members(canvas, y)
        y -= 3 * mm
        y = self._draw_signature(canvas, y)
        return y

    def _draw_members(self, canvas: Canvas, y: float) -> float:
        members = self.letter.members
        y = self.draw_section(canvas, y, f"أعضاء {self.letter.committee_name} الحاضرون", keep_with=30)
        number_width = 12 * mm
        rows = [[display_digits(str(i)), name] for i, name in enumerate(members, start=1)]
        if not rows:
            rows = [["—", _DOTS]]
        return self.draw_table(
            canvas, rows, [number_width, self.width - number_width], self.right, y, size=10.5,
            centred_columns=frozenset({0}),
        )

    def _draw_signature(self, canvas: Canvas, y: float) -> float:
        """Secretary's name and signature line on the right, the association's stamp on the left."""
        y = self.ensure_space(canvas, y, 28 * mm)
        column = (self.width - 10 * mm) / 2
        size, leading = 12, 22.0
        right_y = self.draw_paragraph(canvas, "أمين سر اللجنة", self.right, y, column, self.bold_font, 12.5, leading)
        right_y = self.draw_paragraph(
            canvas, f"الاسم: {self.letter.secretary_name or _DOTS}", self.right, right_y, column, self.font, size, leading
        )
        right_y -= 6 * mm
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.7)
        canvas.setDash(1, 2)
        canvas.line(self.right - column + 22 * mm, right_y, self.right - 16 * mm, right_y)
        canvas.setDash()
        self.draw_line(canvas, "التوقيع:", self.right, right_y + 2, self.font, size)
        right_y -= 6 * mm
        left_x = self.left + column
        left_y = self.draw_paragraph(canvas, "ختم الجمعية", left_x, y, column, self.bold_font, 12.5, leading)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.6)
        radius = 9 * mm
        canvas.circle(self.left + column / 2, left_y - radius - 2 * mm, radius, stroke=1, fill=0)
        left_y -= 2 * radius + 4 * mm
        return min(right_y, left_y)


def render_decision_letter(*, letterhead: Letterhead, letter: DecisionLetter) -> bytes:
    """The decision letter as an A4 PDF on the association's letterhead (deterministic)."""
    return _DecisionLetterDocument(letterhead, letter).render()


def notification_text(
    *,
    association_name: str,
    beneficiary_name: str,
    case_number: str,
    decision: str,
    decided_on: date,
    reason: str = "",
    info_due: date | None = None,
    contact_phone: str | None = None,
    gender: str | None = None,
) -> str:
    """The SMS/WhatsApp message of a decision, in Arabic, with the case number and the decision.

    The greeting is in the beneficiary's `gender` («المكرم/ …» or «المكرمة/ …»); the rest addresses them in the
    plural of respect («طلبكم»), the same for a man and a woman.
    """
    name = " ".join(beneficiary_name.split())
    greeting = f"{gendered('المكرم', 'المكرمة', gender)}/ {name}، " if name else ""
    number = isolate(case_number)
    when = format_dual(decided_on)
    if decision == "accept":
        body = f"نفيدكم بقبول طلبكم رقم {number} بقرار لجنة البحث بتاريخ {when}، وسنتواصل معكم لاستكمال الإجراءات."
    elif decision == "reject":
        body = f"نعتذر عن قبول طلبكم رقم {number} بقرار لجنة البحث بتاريخ {when}."
        if reason.strip():
            body += f" السبب: {_sentence(reason)}"
    else:
        body = f"طلبكم رقم {number} بحاجة إلى استكمال معلومات قبل البت فيه (قرار لجنة البحث بتاريخ {when})."
        if reason.strip():
            body += f" المطلوب: {_sentence(reason)}"
        if info_due is not None:
            body += f" آخر موعد: {format_dual(info_due)}."
    tail = f" للاستفسار: {isolate(contact_phone)}" if contact_phone else ""
    return f"{association_name}: {greeting}{body}{tail}".strip()


def _sentence(text: str, limit: int = 240) -> str:
    """Free text on one line ending with a full stop, shortened with "…" beyond `limit` characters (an SMS is short)."""
    flat = " ".join(text.split()).rstrip(".۔ ")
    return flat + "." if len(flat) <= limit else flat[: limit - 1].rstrip(" ،,") + "…"


def _international(mobile: str) -> str | None:
    """A canonical +9665XXXXXXXX mobile as the digits wa.me expects (9665XXXXXXXX), or None."""
    digits = "".join(ch for ch in mobile if ch.isdigit())
    return digits if digits.startswith("9665") and len(digits) == 12 else None


def whatsapp_link(mobile: str, text: str) -> str | None:
    """``https://wa.me/9665XXXXXXXX?text=…`` for a canonical Saudi mobile, or None for another number."""
    number = _international(mobile)
    if number is None:
        return None
    return f"https://wa.me/{number}?text={quote(text, safe='')}"


def sms_link(mobile: str, text: str) -> str | None:
    """An ``sms:`` link with the message body (opens the phone/desktop SMS app where there is one)."""
    number = _international(mobile)
    if number is None:
        return None
    return f"sms:+{number}?body={quote(text, safe='')}"
