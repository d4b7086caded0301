"""The printed documents of a case: declaration (إقرار), blank declaration, receipt, missing documents.

Every renderer takes plain frozen dataclasses and returns a complete A4 PDF (bytes): a header
band with the association's name, licence and logo, a footer with the policy version and
"صفحة ١ من ١". Dates are printed in Umm al-Qura Hijri and Gregorian side by side, with
Arabic-Indic digits; identifiers (ID, case number, mobile) as they are written.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageChops
from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas

from desktop.arabic_text import display_digits
from desktop.documents.arabic_pdf import (
    ACCENT,
    GRID,
    MUTED,
    SHADE,
    ArabicDocument,
    PreparedImage,
    draw_prepared_image,
    ltr,
    mm,
    wrap,
)
from desktop.documents.letterhead import Letterhead, letterhead_for
from desktop.errors import InputError
from desktop.gender import gendered
from desktop.hijri import format_gregorian, format_hijri

__all__ = [
    "PAPER_SIGNATURE_NOTE",
    "BeneficiaryParticulars",
    "Letterhead",
    "MissingDocument",
    "letterhead_for",
    "render_blank_declaration",
    "render_declaration",
    "render_missing_documents",
    "render_receipt",
]

PAPER_SIGNATURE_NOTE = "وُقِّع على الورق — النسخة الموقعة مرفقة بالملف"

_DOTS = "…………………………………"
_DATE_SLOTS = "…………/……/……"
_BLACK = Color(0, 0, 0)


@dataclass(frozen=True)
class BeneficiaryParticulars:
    """The beneficiary's data as printed in a declaration's data table."""

    full_name: str
    id_number: str
    id_kind_label: str
    mobile: str = ""
    city: str = ""
    birth_date: date | None = None
    other: tuple[tuple[str, str], ...] = ()
    #: "male", "female" or None (never recorded): the words about the declarant agree with it.
    gender: str | None = None


@dataclass(frozen=True)
class MissingDocument:
    """A document the case still lacks, and why (e.g. "غير مرفق", "منتهي الصلاحية في …")."""

    name: str
    reason: str


# Largest pixel sizes embedded: the logo box is 24 mm and the signature box about 80 × 25 mm,
# so these give 250–300 dpi. Larger images only cost time (reportlab compresses every pixel).
_LOGO_MAX_PX = (300, 300)
_SIGNATURE_MAX_PX = (900, 300)


def _flatten(image: Image.Image, max_px: tuple[int, int]) -> Image.Image:
    """The image scaled down to fit `max_px`, transparency composed onto white, grey if it has no colour."""
    image.load()
    rgba = image.convert("RGBA")
    if rgba.width > max_px[0] or rgba.height > max_px[1]:
        rgba.thumbnail(max_px, Image.Resampling.LANCZOS)
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    rgb = Image.alpha_composite(white, rgba).convert("RGB")
    red, green, blue = rgb.split()
    if ImageChops.difference(red, green).getbbox() is None and ImageChops.difference(green, blue).getbbox() is None:
        return red  # one channel instead of three: a third of the data to compress
    return rgb


def _flate_image(image: Image.Image) -> PreparedImage:
    """An 8-bit grey or RGB image, deflated once."""
    color_space = "/DeviceGray" if image.mode == "L" else "/DeviceRGB"
    return PreparedImage(image.width, image.height, color_space, "FlateDecode", zlib.compress(image.tobytes(), 6))


@functools.lru_cache(maxsize=16)
def _logo_image(path: str, mtime_ns: int, size: int) -> PreparedImage | None:
    """The logo image, or None when it cannot be read (the header is then drawn without it)."""
    del mtime_ns, size  # part of the cache key only: a replaced file is read again
    try:
        with Image.open(path) as image:
            flat = _flatten(image, _LOGO_MAX_PX)
        if flat.width <= 0 or flat.height <= 0:
            return None
        # Kept as a high-quality JPEG: its bytes are embedded as they are in every document.
        encoded = BytesIO()
        flat.save(encoded, "JPEG", quality=95, subsampling=0, optimize=True)
        color_space = "/DeviceGray" if flat.mode == "L" else "/DeviceRGB"
        return PreparedImage(flat.width, flat.height, color_space, "DCTDecode", encoded.getvalue())
    except Exception:  # noqa: BLE001 - any unreadable image is skipped, never fatal
        return None


def _load_logo(path: Path | None) -> PreparedImage | None:
    if path is None:
        return None
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return _logo_image(str(path), stat.st_mtime_ns, stat.st_size)


# Pixels at least this opaque tell the ink's colour; fainter ones are anti-aliased edges.
_INK_ALPHA = 96
# How far (per channel, 0-255) the ink of a one-ink signature may vary (rounding of the edges).
_INK_SPREAD = 6
# The mask of the pixels that tell the ink's colour, as a lookup table on the alpha channel.
_STRONG_INK = [255 if v >= _INK_ALPHA else 0 for v in range(256)]


def _one_ink(rgba: Image.Image, alpha: Image.Image) -> tuple[int, int, int] | None:
    """The colour of the signature's ink when every visible pixel is that one colour, else None."""
    strong = alpha.point(_STRONG_INK)
    histogram = rgba.histogram(strong)
    ink: list[int] = []
    for band in range(3):
        counts = histogram[band * 256 : band * 256 + 256]
        used = [value for value, count in enumerate(counts) if count]
        if not used or used[-1] - used[0] > _INK_SPREAD:
            return None
        total = sum(counts)
        ink.append(round(sum(value * count for value, count in enumerate(counts)) / total))
    return ink[0], ink[1], ink[2]


# A declaration is rendered again with the same signature (the preview, a reprint, the stored copy checked):
# the PNG is decoded once (about half a declaration's time). Keyed by the PNG's bytes (equal bytes, equal
# picture); a few entries only, an unreadable image is never kept (its InputError is raised each time).
@functools.lru_cache(maxsize=4)
def _signature_image(png: bytes) -> PreparedImage:
    """The pad's signature ready to embed, as it looks on white paper.

    A pad signature is one ink on a transparent ground, so its alpha channel alone is the picture:
    one byte a pixel, shades of grey for a grey ink or a palette from white to the ink otherwise.
    Any other image is composed onto white (grey when it has no colour).
    """
    try:
        with Image.open(BytesIO(png)) as image:
            image.load()
            if image.mode == "RGBA" and image.width <= _SIGNATURE_MAX_PX[0] and image.height <= _SIGNATURE_MAX_PX[1]:
                alpha = image.getchannel("A")
                ink = _one_ink(image, alpha)
                if ink is not None:
                    return _ink_image(alpha, ink)
            flat = _flatten(image, _SIGNATURE_MAX_PX)
        if flat.width <= 0 or flat.height <= 0:
            raise ValueError("empty image")
        return _flate_image(flat)
    except Exception as exc:  # reported to the officer in Arabic
        raise InputError("تعذرت قراءة صورة التوقيع: أعد التوقيع على لوحة التوقيع", field="signature") from exc


def _ink_image(alpha: Image.Image, ink: tuple[int, int, int]) -> PreparedImage:
    """The alpha channel of a one-ink signature as the picture on white (grey, or a white-to-ink palette)."""
    red, green, blue = ink
    if red == green == blue:
        shades = alpha.point(_grey_shades(red))
        return PreparedImage(alpha.width, alpha.height, "/DeviceGray", "FlateDecode", zlib.compress(shades.tobytes(), 1))
    return PreparedImage(alpha.width, alpha.height, _ink_palette(ink), "FlateDecode", zlib.compress(alpha.tobytes(), 1))


@functools.lru_cache(maxsize=32)
def _grey_shades(ink: int) -> list[int]:
    """The grey of each alpha value of a grey ink on white."""
    return [round(255 - a * (255 - ink) / 255) for a in range(256)]


@functools.lru_cache(maxsize=32)
def _ink_palette(ink: tuple[int, int, int]) -> str:
    """An indexed colour space: entry a is the ink at opacity a/255 on white."""
    palette = bytes(round(255 - a * (255 - c) / 255) for a in range(256) for c in ink)
    return f"[/Indexed /DeviceRGB 255 <{palette.hex()}>]"


def _hijri(d: date) -> str:
    return format_hijri(d)


def _gregorian(d: date) -> str:
    return format_gregorian(d)


def _dual(d: date) -> str:
    return f"{_hijri(d)} الموافق {_gregorian(d)}"


def _or_dots(value: str) -> str:
    return value if value.strip() else _DOTS


class _LetterheadDocument(ArabicDocument):
    """A document on the association's letterhead: header band, policy footer, page numbers."""

    header_logo_size = 24 * mm

    def __init__(self, letterhead: Letterhead, *, title: str, subject: str = "") -> None:
        super().__init__(title=title, author=letterhead.association_name, subject=subject)
        self.letterhead = letterhead
        self._logo = _load_logo(letterhead.logo_path)
        self._policy_lines = (
            wrap(letterhead.policy_label, self.font, 8.5, self.width - 32 * mm) if letterhead.policy_label else []
        )

    def footer_height(self) -> float:
        """Room for the rule, the policy label (one or more lines) and the page number."""
        return max(1, len(self._policy_lines)) * 13 + 10

    def _contact_items(self) -> list[str]:
        lh = self.letterhead
        place = "، ".join(p for p in (lh.address, lh.city) if p)
        items = [place] if place else []
        if lh.phone:
            items.append(f"هاتف: {ltr(lh.phone)}")
        if lh.email:
            items.append(ltr(lh.email))
        if lh.website:
            items.append(ltr(lh.website))
        return items

    def draw_header(self, canvas: Canvas) -> float:
        """Association name (bold), licence and contacts on the right, logo on the left, a rule below."""
        lh = self.letterhead
        text_width = self.width - (self.header_logo_size + 6 * mm if self._logo else 0)
        y = self.top
        bottom = y
        if self._logo is not None:
            draw_prepared_image(
                canvas, self._logo, self.left, y - self.header_logo_size, self.header_logo_size, self.header_logo_size
            )
            bottom = y - self.header_logo_size
        canvas.setFillColor(ACCENT)
        y = self.draw_paragraph(canvas, lh.association_name, self.right, y + 4, text_width, self.bold_font, 17, 28)
        canvas.setFillColor(_BLACK)
        if lh.licence:
            y = self.draw_paragraph(
                canvas, f"رقم الترخيص: {ltr(lh.licence)}", self.right, y, text_width, self.font, 10, 16
            )
        items = self._contact_items()
        if items:
            canvas.setFillColor(MUTED)
            y = self.draw_paragraph(canvas, "   |   ".join(items), self.right, y, text_width, self.font, 9, 15)
            canvas.setFillColor(_BLACK)
        bottom = min(bottom, y) - 3 * mm
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(1.4)
        canvas.line(self.left, bottom, self.right, bottom)
        canvas.setLineWidth(0.5)
        canvas.line(self.left, bottom - 2.2, self.right, bottom - 2.2)
        return bottom - 7 * mm

    def draw_footer(self, canvas: Canvas, page: int, page_count: int) -> None:
        """Rule, policy version and approval on the right, "صفحة n من N" on the left."""
        top = self.margin + self.footer_height() - 4
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.6)
        canvas.line(self.left, top, self.right, top)
        canvas.setFillColor(MUTED)
        y = top - 2
        for line in self._policy_lines:
            self.draw_line(canvas, line, self.right, y - self.baseline_offset(8.5, 13), self.font, 8.5)
            y -= 13
        page_text = display_digits(f"صفحة {page} من {page_count}")
        self.draw_line(canvas, page_text, self.left, top - 2 - self.baseline_offset(9, 13), self.font, 9, align="left")
        canvas.setFillColor(_BLACK)

    # Building blocks shared by the documents -------------------------------------------------

    def draw_title(self, canvas: Canvas, y: float, title: str) -> float:
        """The document title, centred and bold."""
        canvas.setFillColor(ACCENT)
        y = self.draw_paragraph(canvas, title, self.right, y, self.width, self.bold_font, 19, 32, align="center")
        canvas.setFillColor(_BLACK)
        return y - 2 * mm

    def draw_section(self, canvas: Canvas, y: float, heading: str, *, keep_with: float = 40.0) -> float:
        """A bold section heading with a short accent bar, kept on the same page as what follows."""
        y = self.ensure_space(canvas, y, 24 + keep_with)
        canvas.setFillColor(ACCENT)
        canvas.rect(self.right - 3, y - 19, 3, 14, stroke=0, fill=1)
        y = self.draw_paragraph(canvas, heading, self.right - 8, y, self.width - 8, self.bold_font, 13, 24)
        canvas.setFillColor(_BLACK)
        return y - 1 * mm

    def draw_meta_line(self, canvas: Canvas, y: float, right_text: str, left_text: str) -> float:
        """One line with a text on the right and another on the left (e.g. case number and date)."""
        y = self.ensure_space(canvas, y, 22)
        baseline = y - self.baseline_offset(11, 22)
        self.draw_line(canvas, right_text, self.right, baseline, self.bold_font, 11)
        if left_text:
            self.draw_line(canvas, left_text, self.left, baseline, self.font, 11, align="left")
        return y - 22

    def draw_text_block(self, canvas: Canvas, y: float, text: str, *, size: float = 13) -> float:
        """Paragraphs of free text: each line a paragraph, a blank line a wider gap."""
        leading = size * 1.85
        for paragraph in text.replace("\r\n", "\n").split("\n"):
            if not paragraph.strip():
                y -= leading * 0.4
                continue
            y = self.draw_paragraph(canvas, paragraph.strip(), self.right, y, self.width, self.font, size, leading)
            y -= leading * 0.25
        return y

    def draw_boxed_lines(
        self,
        canvas: Canvas,
        x_right: float,
        y_top: float,
        width: float,
        label: str,
        lines: Sequence[tuple[str, float, bool]],
    ) -> float:
        """A shaded box with a label and lines of (text, size, bold), centred; returns its bottom y."""
        rows: list[tuple[str, float, bool, float]] = [(label, 10.5, True, 20.0)]
        rows.extend((text, size, bold, size * 1.7) for text, size, bold in lines)
        height = sum(r[3] for r in rows) + 10
        canvas.setFillColor(SHADE)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.8)
        canvas.roundRect(x_right - width, y_top - height, width, height, 5, stroke=1, fill=1)
        y = y_top - 5
        for text, size, bold, leading in rows:
            canvas.setFillColor(ACCENT if text == label else _BLACK)
            font = self.bold_font if bold else self.font
            self.draw_line(
                canvas, text, x_right - width / 2, y - self.baseline_offset(size, leading), font, size, align="center"
            )
            y -= leading
        canvas.setFillColor(_BLACK)
        return y_top - height


def _particulars_rows(b: BeneficiaryParticulars) -> list[tuple[list[tuple[str, str]], int]]:
    """The data table as groups of (rows, pairs per row): long values get a full-width row."""
    groups: list[tuple[list[tuple[str, str]], int]] = [
        ([("الاسم الكامل", _or_dots(b.full_name))], 1),
        (
            [
                ("نوع الهوية", _or_dots(b.id_kind_label)),
                ("رقم الهوية", ltr(b.id_number) if b.id_number.strip() else _DOTS),
                ("رقم الجوال", ltr(b.mobile) if b.mobile.strip() else _DOTS),
                ("المدينة", _or_dots(b.city)),
            ],
            2,
        ),
        ([("تاريخ الميلاد", _dual(b.birth_date) if b.birth_date else _DOTS)], 1),
    ]
    if b.other:
        groups.append(([(label, _or_dots(value)) for label, value in b.other], 2))
    return groups


class _DeclarationDocument(_LetterheadDocument):
    """The declaration (إقرار): data table, the filled text, date and signature block."""

    def __init__(
        self,
        letterhead: Letterhead,
        *,
        title: str,
        text: str,
        beneficiary: BeneficiaryParticulars,
        case_number: str,
        officer_name: str,
        signed_on: date | None,
        signature: PreparedImage | None,
        signed_on_paper: bool,
        blank: bool,
        privacy: Sequence[str] = (),
    ) -> None:
        super().__init__(letterhead, title=title, subject=f"{title} — {case_number}")
        self.text = text
        self.privacy = tuple(privacy)
        self.beneficiary = beneficiary
        self.case_number = case_number
        self.officer_name = officer_name
        self.signed_on = signed_on
        self.signature = signature
        self.signed_on_paper = signed_on_paper
        self.blank = blank

    def draw_content(self, canvas: Canvas, y: float) -> float:
        """Title, case number, particulars, text, the signature block, then the privacy notice (if any)."""
        y = self.draw_title(canvas, y, self.title)
        date_text = "" if self.blank or self.signed_on is None else f"التاريخ: {_hijri(self.signed_on)}"
        y = self.draw_meta_line(canvas, y, f"رقم الطلب: {ltr(self.case_number)}", date_text)
        y -= 2 * mm
        declarant = gendered("مقدم الإقرار", "مقدمة الإقرار", self.beneficiary.gender)
        y = self.draw_section(canvas, y, f"بيانات {declarant}")
        for rows, pairs in _particulars_rows(self.beneficiary):
            y = self.draw_key_values(canvas, rows, self.right, y, self.width, label_width=28 * mm, pairs_per_row=pairs)
        y -= 5 * mm
        y = self.draw_section(canvas, y, "نص الإقرار")
        y = self.draw_text_block(canvas, y, self.text)
        y -= 4 * mm
        y = self._draw_signature_block(canvas, y)
        if self.privacy:  # the profile's privacy notice (PDPL), shown before signing; the signature stays by the text
            from desktop.policy_text import PRIVACY_ACKNOWLEDGEMENT, PRIVACY_TITLE

            y -= 6 * mm
            y = self.draw_section(canvas, y, PRIVACY_TITLE)
            y = self.draw_text_block(canvas, y, "\n".join((*self.privacy, PRIVACY_ACKNOWLEDGEMENT)), size=9)
        return y

    def _draw_signature_block(self, canvas: Canvas, y: float) -> float:
        box_height = 30 * mm
        y = self.ensure_space(canvas, y, box_height + 70)
        column = (self.width - 10 * mm) / 2
        right_x = self.right
        left_x = self.left + column
        size, leading = 11.5, 21.0

        # Right column: the declarant and the signature.
        line_y = y
        declarant = gendered("مقدم الإقرار", "مقدمة الإقرار", self.beneficiary.gender)
        line_y = self.draw_paragraph(canvas, declarant, right_x, line_y, column, self.bold_font, 12, leading)
        line_y = self.draw_paragraph(
            canvas, f"الاسم: {_or_dots(self.beneficiary.full_name)}", right_x, line_y, column, self.font, size, leading
        )
        box_top = line_y - 3
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.7)
        if self.blank:
            self.draw_line(canvas, f"التوقيع: {_DOTS}", right_x, box_top - 30, self.font, size)
            right_bottom = box_top - 40
        else:
            canvas.roundRect(right_x - column, box_top - box_height, column, box_height, 4, stroke=1, fill=0)
            self.draw_line(canvas, "التوقيع", right_x - 4, box_top - 13, self.font, 8.5)
            if self.signature is not None:
                pad = 4 * mm
                draw_prepared_image(
                    canvas,
                    self.signature,
                    right_x - column + pad,
                    box_top - box_height + pad,
                    column - 2 * pad,
                    box_height - 2 * pad - 6,
                )
            elif self.signed_on_paper:
                self.draw_paragraph(
                    canvas,
                    PAPER_SIGNATURE_NOTE,
                    right_x - 4 * mm,
                    box_top - box_height / 2 + 11,
                    column - 8 * mm,
                    self.bold_font,
                    11,
                    20,
                    align="center",
                )
            else:
                canvas.setDash(1, 2)
                canvas.line(
                    right_x - column + 6 * mm,
                    box_top - box_height + 8 * mm,
                    right_x - 6 * mm,
                    box_top - box_height + 8 * mm,
                )
                canvas.setDash()
            right_bottom = box_top - box_height

        # Left column: date in both calendars and the receiving officer.
        line_y = y
        line_y = self.draw_paragraph(canvas, "التاريخ", left_x, line_y, column, self.bold_font, 12, leading)
        if self.blank or self.signed_on is None:
            # Drawn like the printed dates: the year's slot on the left, the day's on the right.
            hijri_text = f"{ltr(_DATE_SLOTS)} هـ"
            gregorian_text = f"{ltr(_DATE_SLOTS)} م"
        else:
            hijri_text = _hijri(self.signed_on)
            gregorian_text = _gregorian(self.signed_on)
        line_y = self.draw_paragraph(canvas, f"هجري: {hijri_text}", left_x, line_y, column, self.font, size, leading)
        line_y = self.draw_paragraph(
            canvas, f"ميلادي: {gregorian_text}", left_x, line_y, column, self.font, size, leading
        )
        line_y -= 3 * mm
        line_y = self.draw_paragraph(canvas, "الموظف المستلم", left_x, line_y, column, self.bold_font, 12, leading)
        line_y = self.draw_paragraph(
            canvas, _or_dots(self.officer_name), left_x, line_y, column, self.font, size, leading
        )
        return min(right_bottom, line_y)


def render_declaration(
    *,
    letterhead: Letterhead,
    title: str,
    text: str,
    beneficiary: BeneficiaryParticulars,
    case_number: str,
    signed_on: date,
    officer_name: str,
    signature_png: bytes | None,
    signed_on_paper: bool = False,
    privacy: Sequence[str] = (),
) -> bytes:
    """The signed declaration (إقرار) as PDF: the pad signature, or the wet-signed-on-paper note; with the
    profile's privacy notice (`privacy`, paragraphs) under its text."""
    signature = _signature_image(signature_png) if signature_png else None
    document = _DeclarationDocument(
        letterhead,
        title=title,
        text=text,
        beneficiary=beneficiary,
        case_number=case_number,
        officer_name=officer_name,
        signed_on=signed_on,
        signature=signature,
        signed_on_paper=signed_on_paper and signature is None,
        blank=False,
        privacy=privacy,
    )
    return document.render()


def render_blank_declaration(
    *,
    letterhead: Letterhead,
    title: str,
    text: str,
    beneficiary: BeneficiaryParticulars,
    case_number: str,
    officer_name: str,
    privacy: Sequence[str] = (),
) -> bytes:
    """The declaration pre-filled for signing on paper: dotted lines for the signature and the date (and the
    privacy notice under its text)."""
    document = _DeclarationDocument(
        letterhead,
        title=title,
        text=text,
        beneficiary=beneficiary,
        case_number=case_number,
        officer_name=officer_name,
        signed_on=None,
        signature=None,
        signed_on_paper=False,
        blank=True,
        privacy=privacy,
    )
    return document.render()


class _ReceiptDocument(_LetterheadDocument):
    """The receipt (إشعار استلام): case number, submission and promised dates, the committee sentence."""

    def __init__(
        self,
        letterhead: Letterhead,
        *,
        case_number: str,
        beneficiary_name: str,
        id_number: str,
        submitted_on: date,
        promised_on: date | None,
        committee_name: str | None,
        period_text: str | None,
        channel_name: str,
        officer_name: str,
        contact_lines: tuple[str, ...],
        gender: str | None = None,
    ) -> None:
        super().__init__(letterhead, title="إشعار استلام طلب", subject=f"إشعار استلام — {case_number}")
        self.gender = gender
        self.case_number = case_number
        self.beneficiary_name = beneficiary_name
        self.id_number = id_number
        self.submitted_on = submitted_on
        self.promised_on = promised_on
        self.committee_name = committee_name
        self.period_text = period_text
        self.channel_name = channel_name
        self.officer_name = officer_name
        self.contact_lines = contact_lines

    def committee_sentence(self) -> str | None:
        """What happens next: the committee answers (accept or reject) within the policy's period."""
        period = (self.period_text or "").strip()
        if period and "تاريخ" not in period:
            period = f"{period} من تاريخ تقديم الطلب"
        if self.committee_name and period:
            return f"يُحال طلبكم إلى {self.committee_name} لدراسته، وتُبلَّغون بنتيجة القبول أو الرفض خلال مدة {period}."
        if self.committee_name:
            return f"يُحال طلبكم إلى {self.committee_name} لدراسته، وتُبلَّغون بنتيجة القبول أو الرفض."
        if period:
            return f"تُبلَّغون بنتيجة طلبكم بالقبول أو الرفض خلال مدة {period}."
        return None

    def draw_content(self, canvas: Canvas, y: float) -> float:
        """Title, case number box, data, the two dates, the sentence and the contacts."""
        y = self.draw_title(canvas, y, self.title)
        box_width = 90 * mm
        y = self.draw_boxed_lines(
            canvas,
            self.right - (self.width - box_width) / 2,
            y,
            box_width,
            "رقم الطلب",
            [(ltr(self.case_number), 22, True)],
        )
        y -= 6 * mm
        rows = [
            (gendered("اسم المستفيد", "اسم المستفيدة", self.gender), _or_dots(self.beneficiary_name)),
            ("رقم الهوية", ltr(self.id_number) if self.id_number.strip() else _DOTS),
            ("قناة الاستلام", _or_dots(self.channel_name)),
            ("الموظف المستلم", _or_dots(self.officer_name)),
        ]
        y = self.draw_key_values(canvas, rows, self.right, y, self.width, label_width=34 * mm)
        y -= 6 * mm
        y = self.ensure_space(canvas, y, 40 * mm)
        gap = 8 * mm
        if self.promised_on is not None:
            box_width = (self.width - gap) / 2
            bottom_right = self.draw_boxed_lines(
                canvas,
                self.right,
                y,
                box_width,
                "تاريخ تقديم الطلب",
                [(_hijri(self.submitted_on), 14, True), (_gregorian(self.submitted_on), 12, False)],
            )
            bottom_left = self.draw_boxed_lines(
                canvas,
                self.left + box_width,
                y,
                box_width,
                "الموعد المتوقع لإبلاغكم بالنتيجة",
                [(_hijri(self.promised_on), 14, True), (_gregorian(self.promised_on), 12, False)],
            )
            y = min(bottom_right, bottom_left)
        else:
            box_width = 100 * mm
            y = self.draw_boxed_lines(
                canvas,
                self.right - (self.width - box_width) / 2,
                y,
                box_width,
                "تاريخ تقديم الطلب",
                [(_hijri(self.submitted_on), 14, True), (_gregorian(self.submitted_on), 12, False)],
            )
        y -= 6 * mm
        sentence = self.committee_sentence()
        if sentence:
            y = self.draw_text_block(canvas, y, sentence, size=13)
        y = self.draw_text_block(
            canvas, y, "يُرجى الاحتفاظ بهذا الإشعار وذكر رقم الطلب عند التواصل مع الجمعية.", size=12
        )
        if self.contact_lines:
            y -= 3 * mm
            y = self.draw_section(canvas, y, "للتواصل مع الجمعية", keep_with=20 * len(self.contact_lines))
            for line in self.contact_lines:
                y = self.draw_paragraph(canvas, line, self.right, y, self.width, self.font, 12, 22)
        return y


def render_receipt(
    *,
    letterhead: Letterhead,
    case_number: str,
    beneficiary_name: str,
    id_number: str,
    submitted_on: date,
    promised_on: date | None,
    committee_name: str | None,
    period_text: str | None,
    channel_name: str,
    officer_name: str,
    contact_lines: tuple[str, ...],
    gender: str | None = None,
) -> bytes:
    """The receipt (إشعار استلام) handed to the beneficiary (words about them in their `gender`)."""
    document = _ReceiptDocument(
        letterhead,
        case_number=case_number,
        beneficiary_name=beneficiary_name,
        id_number=id_number,
        submitted_on=submitted_on,
        promised_on=promised_on,
        committee_name=committee_name,
        period_text=period_text,
        channel_name=channel_name,
        officer_name=officer_name,
        contact_lines=tuple(contact_lines),
        gender=gender,
    )
    return document.render()


class _MissingDocumentsDocument(_LetterheadDocument):
    """The list of documents the beneficiary still has to bring."""

    def __init__(
        self,
        letterhead: Letterhead,
        *,
        case_number: str,
        beneficiary_name: str,
        id_number: str,
        documents: Sequence[MissingDocument],
        today: date,
        gender: str | None = None,
    ) -> None:
        self.gender = gender
        super().__init__(
            letterhead, title="إشعار بالمستندات المطلوب استكمالها", subject=f"مستندات ناقصة — {case_number}"
        )
        self.case_number = case_number
        self.beneficiary_name = beneficiary_name
        self.id_number = id_number
        self.documents = tuple(documents)
        self.today = today

    def draw_content(self, canvas: Canvas, y: float) -> float:
        """Title, date, the beneficiary, the table of missing documents and the closing sentence."""
        y = self.draw_title(canvas, y, self.title)
        y = self.draw_meta_line(canvas, y, f"رقم الطلب: {ltr(self.case_number)}", f"التاريخ: {_dual(self.today)}")
        y -= 2 * mm
        rows = [
            (gendered("اسم المستفيد", "اسم المستفيدة", self.gender), _or_dots(self.beneficiary_name)),
            ("رقم الهوية", ltr(self.id_number) if self.id_number.strip() else _DOTS),
        ]
        y = self.draw_key_values(canvas, rows, self.right, y, self.width, label_width=34 * mm, pairs_per_row=1)
        y -= 5 * mm
        intro = (
            f"نفيدكم بأن طلبكم رقم {ltr(self.case_number)} لم يكتمل بعد، "
            "ولاستكمال إجراءات التسجيل يُرجى تقديم المستندات التالية:"
        )
        y = self.draw_text_block(canvas, y, intro, size=13)
        y -= 1 * mm
        number_width = 12 * mm
        reason_width = 62 * mm
        rows_table = [[display_digits(str(i)), doc.name, doc.reason] for i, doc in enumerate(self.documents, start=1)]
        if not rows_table:
            rows_table = [["—", "لا توجد مستندات ناقصة", ""]]
        y = self.draw_table(
            canvas,
            rows_table,
            [number_width, self.width - number_width - reason_width, reason_width],
            self.right,
            y,
            size=12,
            header=["م", "المستند", "الملاحظة"],
            centred_columns=frozenset({0}),
        )
        y -= 6 * mm
        closing = "تُستكمل إجراءات التسجيل عند اكتمال الطلب واستيفائه لكافة المتطلبات."
        return self.draw_text_block(canvas, y, closing, size=12)


def render_missing_documents(
    *,
    letterhead: Letterhead,
    case_number: str,
    beneficiary_name: str,
    id_number: str,
    documents: Sequence[MissingDocument],
    today: date,
    gender: str | None = None,
) -> bytes:
    """The notice listing the documents the case still lacks, with the reason for each (in the person's gender)."""
    document = _MissingDocumentsDocument(
        letterhead,
        case_number=case_number,
        beneficiary_name=beneficiary_name,
        id_number=id_number,
        documents=documents,
        today=today,
        gender=gender,
    )
    return document.render()


class _RecordExportDocument(_LetterheadDocument):
    """A person's records (subject access): a title, who, then each section's records as "label: value" lines."""

    def __init__(self, letterhead: Letterhead, *, title: str, subtitle: str,
                 sections: Sequence[tuple[str, Sequence[Sequence[str]]]]) -> None:
        super().__init__(letterhead, title=title, subject=title)
        self.subtitle = subtitle
        self.sections = sections

    def draw_content(self, canvas: Canvas, y: float) -> float:
        """Title, the person, then every section (a thin gap between its records)."""
        y = self.draw_title(canvas, y, self.title)
        y = self.draw_text_block(canvas, y, self.subtitle, size=12)
        for heading, records in self.sections:
            y -= 3 * mm
            y = self.draw_section(canvas, y, heading)
            for record in records:
                y = self.draw_text_block(canvas, y, "\n".join(record), size=9.5)
                y -= 2 * mm
        return y


def render_record_export(letterhead: Letterhead, *, title: str, subtitle: str,
                         sections: Sequence[tuple[str, Sequence[Sequence[str]]]]) -> bytes:
    """A person's records as PDF (`desktop.subject_access`)."""
    return _RecordExportDocument(letterhead, title=title, subtitle=subtitle, sections=sections).render()
