"""Tests for desktop.documents: Arabic shaping and bidi per line, wrapping, and the printed PDFs.

The PDFs are checked with the real tools: `qpdf --check` for structure, `pdftotext` for the text.
pdftotext returns presentation forms (compared after NFKC) and, in this poppler, logical order
with bidi embedding controls around number and Latin runs. The helper `_text_of` calibrates that
on a one-line PDF first (it reverses each line if a poppler gives visual order) and then
compares "squashed" text: no whitespace, no bidi controls, no harakat, and no punctuation that
poppler moves across the boundary of a Latin run (brackets, colons, commas). Words, digits,
"/" and "@" keep their order, so a reversed line, a reversed date or lines in reverse order fail
— `test_checker_*` prove it on deliberately wrong PDFs.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import unicodedata
from dataclasses import FrozenInstanceError
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from bidi import get_display
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from desktop.arabic_text import display_digits
from desktop.documents import arabic_pdf
from desktop.documents.arabic_pdf import sha256_hex, shape_line, wrap
from desktop.documents.forms import (
    PAPER_SIGNATURE_NOTE,
    BeneficiaryParticulars,
    Letterhead,
    MissingDocument,
    render_blank_declaration,
    render_declaration,
    render_missing_documents,
    render_receipt,
)
from desktop.documents.arabic_pdf import FONT_BOLD, FONT_REGULAR, ArabicDocument, ltr, register_fonts
from desktop.errors import InputError
from desktop.hijri import format_dual, format_gregorian, format_hijri

NAME = "عبد الله محمد عبد الرحمن القحطاني"
ASSOCIATION = "جمعية مفاتيح الخير الأسرية"
CASE = "1447-000123"
ID_NUMBER = "1234567897"
SIGNED = date(2022, 12, 2)  # ١٤٤٤/٠٥/٠٨ هـ
POLICY_LABEL = "سياسة تنظيم العلاقة مع المستفيدين — الإصدار 1/7، اعتماد مجلس الإدارة الجلسة 1/7 بتاريخ ١٤٤٤/٠٥/٠٨ هـ"
DECLARATION_TEXT = (
    f"أقر أنا {NAME}، هوية وطنية رقم {ID_NUMBER}، بصحة ودقة جميع المعلومات والبيانات التي قدمتها إلى "
    f"{ASSOCIATION} في الطلب رقم {CASE}، وأتحمل المسؤولية الكاملة عنها، وعلى ذلك أوقّع.\n\n"
    f"التاريخ: {format_dual(SIGNED)}"
)

ORDINALS = ("الأولى", "الثانية", "الثالثة", "الرابعة", "الخامسة", "السادسة", "السابعة", "الثامنة", "التاسعة", "العاشرة")
LONG_PARAGRAPH = " ".join(
    f"الجملة {word} من هذا الإقرار تذكر أن عبد الله وعبدالله قدّم طلبه بتاريخ 1444/05/08 هـ "
    f"وأن رقم الهوية 1234567890 والبريد info@example.org للتواصل معه."
    for word in ORDINALS
)

_BIDI_CONTROLS = (
    {chr(c) for c in range(0x202A, 0x202F)}
    | {chr(c) for c in range(0x2066, 0x206A)}
    | {
        "\u200e",
        "\u200f",
        "\u061c",
    }
)
_HARAKAT = {chr(c) for c in range(0x064B, 0x0660)} | {"\u0670", "\u0640"}
# Neutral punctuation poppler may place on the wrong side of a Latin or number run.
_MOVABLE = set(" \t\n\r\f\u00a0:،,؛;()[]{}«»|—.")


def _squash(text: str) -> str:
    """Text reduced to what must keep its order: letters, digits, "/", "@", "-" (after NFKC); "…" as "~"."""
    text = unicodedata.normalize("NFKC", text.replace("…", "~"))
    return "".join(ch for ch in text if ch not in _BIDI_CONTROLS and ch not in _HARAKAT and ch not in _MOVABLE)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian packages poppler-utils and qpdf)")
    return path


def _pdftotext_raw(pdf: bytes, tmp_path: Path) -> str:
    target = tmp_path / "extract.pdf"
    target.write_bytes(pdf)
    result = subprocess.run([_tool("pdftotext"), "-enc", "UTF-8", str(target), "-"], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


class _OneLine(ArabicDocument):
    """A page with one line drawn by the engine: the calibration sample for pdftotext."""

    def __init__(self, text: str) -> None:
        super().__init__(title="calibration")
        self.text = text

    def draw_content(self, canvas: Canvas, y: float) -> float:
        """The one line."""
        return self.draw_paragraph(canvas, self.text, self.right, y, self.width, FONT_REGULAR, 14, 24)


@functools.cache
def _poppler_order(tmp_dir: str) -> str:
    """'logical' or 'visual': how this machine's pdftotext returns right-to-left lines."""
    sample = "كتاب جديد على الطاولة"
    raw = _pdftotext_raw(_OneLine(sample).render(), Path(tmp_dir))
    got = _squash(raw)
    if got == _squash(sample):
        return "logical"
    if got == _squash(sample[::-1]):
        return "visual"
    pytest.skip(f"pdftotext gives neither logical nor visual order for Arabic: {raw!r}")
    raise AssertionError  # unreachable


def _text_of(pdf: bytes, tmp_path: Path) -> tuple[str, str]:
    """(raw pdftotext output, squashed logical text) of a PDF."""
    raw = _pdftotext_raw(pdf, tmp_path)
    if _poppler_order(str(tmp_path)) == "visual":
        lines = [get_display(unicodedata.normalize("NFKC", line), base_dir="R") for line in raw.splitlines()]
        return raw, _squash("\n".join(str(line) for line in lines))
    return raw, _squash(raw)


def _assert_in_order(haystack: str, needles: list[str]) -> None:
    """Every needle (squashed) occurs in the squashed text, each after the previous one."""
    position = -1
    for needle in needles:
        squashed = _squash(needle)
        found = haystack.find(squashed, position + 1)
        assert found > position, f"{needle!r} missing or out of order in {haystack!r}"
        position = found


def _qpdf_check(pdf: bytes, tmp_path: Path) -> None:
    target = tmp_path / "check.pdf"
    target.write_bytes(pdf)
    result = subprocess.run([_tool("qpdf"), "--check", str(target)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


def _page_count(pdf: bytes, tmp_path: Path) -> int:
    target = tmp_path / "pages.pdf"
    target.write_bytes(pdf)
    result = subprocess.run([_tool("qpdf"), "--show-npages", str(target)], capture_output=True, text=True, check=True)
    return int(result.stdout.strip())


def _png(width: int = 300, height: int = 100) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(10, 80), (80, 20), (150, 85), (290, 15)], fill=(10, 20, 120, 255), width=5)
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def letterhead(tmp_path: Path) -> Letterhead:
    """The letterhead of جمعية مفاتيح الخير الأسرية (seed 003), with a small PNG logo."""
    logo = tmp_path / "logo.png"
    logo.write_bytes(_png(120, 120))
    return Letterhead(
        association_name=ASSOCIATION,
        licence="1000651200",
        logo_path=logo,
        phone="0112345678",
        website="www.mafateeh.org.sa",
        email="info@mafateeh.org.sa",
        city="الرياض",
        policy_label=POLICY_LABEL,
    )


@pytest.fixture
def beneficiary() -> BeneficiaryParticulars:
    """A beneficiary whose name holds "عبد الله" and "عبد الرحمن"."""
    return BeneficiaryParticulars(
        full_name=NAME,
        id_number=ID_NUMBER,
        id_kind_label="هوية وطنية",
        mobile="0501234567",
        city="الرياض",
        birth_date=date(1985, 3, 14),
        other=(("عدد أفراد الأسرة", "6"),),
    )


def _declaration(letterhead: Letterhead, beneficiary: BeneficiaryParticulars, **overrides: object) -> bytes:
    arguments: dict[str, object] = {
        "letterhead": letterhead,
        "title": "إقرار بتحمل المسؤولية",
        "text": DECLARATION_TEXT,
        "beneficiary": beneficiary,
        "case_number": CASE,
        "signed_on": SIGNED,
        "officer_name": "سارة أحمد العتيبي",
        "signature_png": _png(),
    }
    arguments.update(overrides)
    return render_declaration(**arguments)  # type: ignore[arg-type]


# --- The text engine -----------------------------------------------------------------------------


def _logical_of_rtl_visual(visual: str) -> str:
    """A visual string of pure Arabic read back: reverse it, then NFKC the presentation forms."""
    return unicodedata.normalize("NFKC", visual[::-1])


def test_fonts_register_once_and_carry_arabic_and_latin() -> None:
    """Registering again is harmless; both faces have Arabic letters, Latin letters and digits."""
    register_fonts()
    register_fonts()
    assert FONT_REGULAR in pdfmetrics.getRegisteredFontNames()
    for name in (FONT_REGULAR, FONT_BOLD):
        face = pdfmetrics.getFont(name).face  # type: ignore[attr-defined]
        for ch in "ﻋﺒﺪ ﻻ ABCxyz@ 0123 ٠١٢٣ ،؛":
            assert ord(ch) in face.charToGlyph, (name, ch)


def test_shape_line_joins_letters_and_reads_right_to_left() -> None:
    """Pure Arabic comes out as presentation forms in reverse (visual) order."""
    visual = shape_line("جمعية مفاتيح الخير الأسرية")
    assert all(not ("\u0600" <= ch <= "\u06ff") for ch in visual), "letters left unshaped"
    assert _logical_of_rtl_visual(visual) == "جمعية مفاتيح الخير الأسرية"


@pytest.mark.parametrize("name", ["عبد الله", "عبدالله", "عبد الله محمد عبد الرحمن القحطاني", "الله"])
def test_allah_in_names_is_not_a_ligature(name: str) -> None:
    """Names holding "الله" keep their letters: no U+FDF2."""
    visual = shape_line(name)
    assert "\ufdf2" not in visual
    assert _logical_of_rtl_visual(visual) == name


def test_pasted_allah_ligature_is_spelled_out() -> None:
    """A ﷲ pasted into a name prints as letters too."""
    visual = shape_line("عبد\ufdf2")
    assert "\ufdf2" not in visual
    assert _logical_of_rtl_visual(visual) == "عبدالله"


def test_lam_alef_ligature_is_kept() -> None:
    """لا and لأ are still joined into their ligatures."""
    visual = shape_line("لا سلام لأحد")
    assert "\ufefb" in visual  # لا alone
    assert "\ufefc" in visual  # لا joined to the letter before it (سلام)
    assert "\ufef7" in visual  # لأ


def test_frozen_reshaper_settings_match_the_reshaper_configuration() -> None:
    """The settings read once answer exactly as the reshaper's own configparser section does."""
    import arabic_reshaper

    reference = arabic_reshaper.ArabicReshaper(configuration=arabic_pdf._reshaper_configuration()).configuration
    frozen = arabic_pdf._RESHAPER.configuration
    assert frozen.get("language") == reference.get("language")
    for key in reference:
        if key != "language":
            assert frozen.getboolean(key) == reference.getboolean(key), key
    assert frozen.getboolean("ARABIC LIGATURE ALLAH") is False
    assert frozen.getboolean("ARABIC LIGATURE LAM WITH ALEF") is True


def test_harakat_are_dropped() -> None:
    """Without GPOS, harakat would print beside their letter: they are removed."""
    assert _logical_of_rtl_visual(shape_line("وُقِّع")) == "وقع"


@pytest.mark.usefixtures("latin_digits")  # reads Latin digits back: ordering, not digit style
@pytest.mark.parametrize(
    ("text", "date_text"),
    [
        ("التاريخ 1444/05/08 هـ", "1444/05/08"),
        ("التاريخ ١٤٤٤/٠٥/٠٨ هـ", "١٤٤٤/٠٥/٠٨"),
        ("بتاريخ 2022/12/02 م الموافق", "2022/12/02"),
        ("التاريخ 1444-05-08 هـ", "1444-05-08"),
        ("رقم الطلب 2025-0000123 لديكم", "2025-0000123"),
    ],
)
def test_dates_and_hyphenated_numbers_keep_their_order(text: str, date_text: str) -> None:
    """Dates with "/" and numbers joined by "-" are drawn as written, not with their groups swapped."""
    visual = shape_line(text)
    assert display_digits(date_text) in visual
    assert "08/05/1444" not in visual and "٠٨/٠٥/١٤٤٤" not in visual and "0000123-2025" not in visual


@pytest.mark.parametrize("isolate", [True, False])
def test_dual_date_reads_hijri_first(isolate: bool) -> None:
    """format_dual with or without isolates: Hijri on the right (read first), Gregorian on the left."""
    visual = shape_line(f"التاريخ: {format_dual(SIGNED, isolate=isolate)}")
    hijri, gregorian = "١٤٤٤/٠٥/٠٨", "٢٠٢٢/١٢/٠٢"
    assert hijri in visual and gregorian in visual
    assert visual.index(gregorian) < visual.index(hijri)
    assert "\u2068" not in visual and "\u2069" not in visual
    assert visual == shape_line(f"التاريخ: {format_dual(SIGNED, isolate=not isolate)}")


@pytest.mark.usefixtures("latin_digits")  # reads Latin digits back: ordering, not digit style
def test_mixed_arabic_digits_and_latin() -> None:
    """An ID or an e-mail address inside Arabic keeps its order and sits where it is read."""
    visual = shape_line("رقم الهوية 1234567890")
    assert visual.startswith("1234567890 ")
    assert _logical_of_rtl_visual(visual[len("1234567890 ") :]) == "رقم الهوية"
    visual = shape_line("البريد info@example.org للتواصل")
    left, email, right = visual.partition("info@example.org")
    assert email and _logical_of_rtl_visual(left).strip() == "للتواصل"
    assert _logical_of_rtl_visual(right).strip() == "البريد"


@pytest.mark.usefixtures("latin_digits")  # reads Latin digits back: ordering, not digit style
def test_international_mobile_and_identifiers_stay_left_to_right() -> None:
    """ "+966 …" keeps its plus on the left; `ltr` values are drawn exactly as written."""
    assert "+966 50 123 4567" in shape_line("الجوال +966 50 123 4567 فقط")
    assert "A1B2-2025-0000123" in shape_line(f"رقم الطلب {ltr('A1B2-2025-0000123')}")
    assert display_digits("٢٠٢٥-٠٠٠١٢") in shape_line(f"رقم {ltr('٢٠٢٥-٠٠٠١٢')} هنا")


@pytest.mark.usefixtures("latin_digits")  # reads Latin digits back: ordering, not digit style
def test_brackets_are_mirrored_in_right_to_left_text() -> None:
    """python-bidi does not mirror (rule L4): the engine does, so "(14)" still opens towards 14."""
    assert "(14)" in shape_line("مدة لا تقل عن (14) يوماً")
    visual = shape_line("الاجتماع رقم (4) للجمعية")
    assert "(4)" in visual and ")4(" not in visual
    visual = shape_line("البريد (للتواصل) فقط")
    inner = visual[visual.index("(") + 1 : visual.index(")")]
    assert _logical_of_rtl_visual(inner) == "للتواصل"
    assert "(note)" in shape_line("ملاحظة (note) هنا")


_ALPHABET = st.sampled_from(
    list("ابتثجحخدسشعلمنهوية") + list("abcXYZ") + list("0123456789٠١٢٣") + list(" /:.,-+%@،") + ["\u2068", "\u2069"]
)


@settings(max_examples=300, deadline=None)
@given(st.text(_ALPHABET, min_size=1, max_size=40))
def test_reordering_from_levels_matches_python_bidi(text: str) -> None:
    """The engine's own L1/L2 reordering (used for lines with brackets) equals python-bidi's."""
    levels = arabic_pdf._char_levels(text)
    assert levels is not None
    mine = arabic_pdf._visual_from_levels(text, levels).translate(arabic_pdf._STRIP_INVISIBLE)
    theirs = str(get_display(text, base_dir="R")).translate(arabic_pdf._STRIP_INVISIBLE)
    assert mine == theirs


@settings(max_examples=200, deadline=None)
@given(st.text(st.one_of(_ALPHABET, st.sampled_from(list("()[]«»"))), min_size=1, max_size=40))
def test_bracket_lines_differ_from_python_bidi_only_by_mirroring(text: str) -> None:
    """With brackets the order is python-bidi's; only bracket glyphs may be swapped for their mirror."""
    levels = arabic_pdf._char_levels(text)
    assert levels is not None
    mine = arabic_pdf._visual_from_levels(text, levels).translate(arabic_pdf._STRIP_INVISIBLE)
    theirs = str(get_display(text, base_dir="R")).translate(arabic_pdf._STRIP_INVISIBLE)
    fold = str.maketrans({"(": "(", ")": "(", "[": "[", "]": "[", "«": "«", "»": "«"})
    assert mine.translate(fold) == theirs.translate(fold)


@pytest.mark.usefixtures("latin_digits")  # reads Latin digits back: ordering, not digit style
def test_wrap_respects_width_keeps_words_and_order() -> None:
    """Lines fit the width, keep every word in logical order, and a هـ stays with its number."""
    width = 260.0
    lines = wrap(LONG_PARAGRAPH, FONT_REGULAR, 13, width)
    assert len(lines) >= 8
    assert " ".join(lines).split() == LONG_PARAGRAPH.split()
    for line in lines:
        assert pdfmetrics.stringWidth(shape_line(line), FONT_REGULAR, 13) <= width + 0.01
        assert not line.startswith("هـ")


def test_wrap_hard_breaks_blank_lines_and_long_words() -> None:
    """Newlines force breaks, blank lines stay, a word wider than the line is cut."""
    assert wrap("سطر أول\n\nسطر ثالث", FONT_REGULAR, 12, 400) == ["سطر أول", "", "سطر ثالث"]
    pieces = wrap("x" * 200, FONT_REGULAR, 12, 100)
    assert "".join(pieces) == "x" * 200
    assert all(pdfmetrics.stringWidth(p, FONT_REGULAR, 12) <= 100 for p in pieces)


def test_sha256_hex() -> None:
    """The stored hash of a document is the lowercase hex SHA-256 of its bytes."""
    assert sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# --- The checker itself catches wrong output -------------------------------------------------------


class _WrongOrderPage(ArabicDocument):
    """A page that wraps correctly but draws the lines bottom-up (the classic mistake)."""

    def __init__(self, text: str) -> None:
        super().__init__(title="wrong")
        self.text = text

    def draw_content(self, canvas: Canvas, y: float) -> float:
        """The wrapped lines, last first."""
        for line in reversed(wrap(self.text, FONT_REGULAR, 13, self.width)):
            y -= 24
            self.draw_line(canvas, line, self.right, y, FONT_REGULAR, 13)
        return y


class _VisualPage(ArabicDocument):
    """A page that draws given visual strings as they are (to fake a reversed date)."""

    def __init__(self, visual_lines: list[str]) -> None:
        super().__init__(title="wrong")
        self.visual_lines = visual_lines

    def draw_content(self, canvas: Canvas, y: float) -> float:
        """The visual strings, unchanged."""
        canvas.setFont(FONT_REGULAR, 13)
        for line in self.visual_lines:
            y -= 24
            canvas.drawRightString(self.right, y, line)
        return y


def test_checker_catches_lines_in_reverse_order(tmp_path: Path) -> None:
    """Bottom-up lines fail the order check that the real documents pass."""
    _raw, text = _text_of(_WrongOrderPage(LONG_PARAGRAPH).render(), tmp_path)
    with pytest.raises(AssertionError):
        _assert_in_order(text, [f"الجملة {word}" for word in ORDINALS])
    assert _squash(LONG_PARAGRAPH) not in text


@pytest.mark.usefixtures("latin_digits")  # reads Latin digits back: ordering, not digit style
def test_checker_catches_a_reversed_date_and_reversed_words(tmp_path: Path) -> None:
    """A date drawn day-first, or Arabic drawn in logical order, is not found."""
    good = shape_line("التاريخ 1444/05/08 هـ")
    reversed_date = good.replace("1444/05/08", "08/05/1444")
    unordered = arabic_pdf._reshape("رقم الهوية 1234567890")  # shaped, never reordered
    _raw, text = _text_of(_VisualPage([reversed_date, unordered]).render(), tmp_path)
    assert _squash("التاريخ 1444/05/08 هـ") not in text
    assert _squash("رقم الهوية 1234567890") not in text
    _raw, text = _text_of(_VisualPage([good, shape_line("رقم الهوية 1234567890")]).render(), tmp_path)
    assert _squash("التاريخ 1444/05/08 هـ") in text
    assert _squash("رقم الهوية 1234567890") in text


# --- The documents -----------------------------------------------------------------------------------


def test_declaration_is_valid_and_reads_in_logical_order(
    tmp_path: Path, letterhead: Letterhead, beneficiary: BeneficiaryParticulars
) -> None:
    """The signed declaration: association, licence, case, particulars, text, both dates, page number."""
    pdf = _declaration(letterhead, beneficiary)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    _qpdf_check(pdf, tmp_path)
    raw, text = _text_of(pdf, tmp_path)
    assert "\ufdf2" not in raw
    for expected in (
        ASSOCIATION,
        "رقم الترخيص: 1000651200",
        f"رقم الطلب: {CASE}",
        NAME,
        ID_NUMBER,
        "0501234567",
        "إقرار بتحمل المسؤولية",
        f"هوية وطنية رقم {ID_NUMBER}",
        f"في الطلب رقم {CASE}",
        "التاريخ: ١٤٤٤/٠٥/٠٨ هـ الموافق ٢٠٢٢/١٢/٠٢ م",
        "هجري: ١٤٤٤/٠٥/٠٨ هـ",
        "ميلادي: ٢٠٢٢/١٢/٠٢ م",
        f"تاريخ الميلاد {format_hijri(date(1985, 3, 14))}",
        "سارة أحمد العتيبي",
        "الإصدار 1/7",
        "صفحة ١ من ١",
    ):
        assert _squash(display_digits(expected)) in text, expected
    assert "٠٨/٠٥/١٤٤٤" not in text and "٠٢/١٢/٢٠٢٢" not in text
    assert _squash(PAPER_SIGNATURE_NOTE) not in text
    assert b"/Subtype /Image" in pdf  # the logo and the signature


def test_declaration_signed_on_paper_says_so(
    tmp_path: Path, letterhead: Letterhead, beneficiary: BeneficiaryParticulars
) -> None:
    """Without a pad signature and signed on paper: the note in the signature box."""
    pdf = _declaration(letterhead, beneficiary, signature_png=None, signed_on_paper=True)
    _qpdf_check(pdf, tmp_path)
    _raw, text = _text_of(pdf, tmp_path)
    assert _squash(PAPER_SIGNATURE_NOTE) in text


def test_declaration_with_no_signature_leaves_an_empty_box(
    tmp_path: Path, letterhead: Letterhead, beneficiary: BeneficiaryParticulars
) -> None:
    """Neither pad nor paper: an empty signature box, no note."""
    pdf = _declaration(letterhead, beneficiary, signature_png=None)
    _qpdf_check(pdf, tmp_path)
    _raw, text = _text_of(pdf, tmp_path)
    assert _squash(PAPER_SIGNATURE_NOTE) not in text
    assert _squash("التوقيع") in text


def test_unreadable_signature_is_refused(letterhead: Letterhead, beneficiary: BeneficiaryParticulars) -> None:
    """Corrupt signature bytes raise an error the officer can read, not a blank signature."""
    with pytest.raises(InputError) as caught:
        _declaration(letterhead, beneficiary, signature_png=b"not a png")
    assert "التوقيع" in caught.value.message_ar


@pytest.mark.usefixtures("latin_digits")  # reads Latin digits back: ordering, not digit style
def test_blank_declaration_has_dotted_lines_for_signature_and_date(tmp_path: Path, letterhead: Letterhead) -> None:
    """The pre-filled paper form: particulars printed, signature and date left to be written by hand."""
    pdf = render_blank_declaration(
        letterhead=letterhead,
        title="إقرار بتحمل المسؤولية",
        text=DECLARATION_TEXT.split("\n")[0],
        beneficiary=BeneficiaryParticulars(full_name=NAME, id_number=ID_NUMBER, id_kind_label="هوية وطنية"),
        case_number=CASE,
        officer_name="سارة أحمد العتيبي",
    )
    _qpdf_check(pdf, tmp_path)
    _raw, text = _text_of(pdf, tmp_path)
    assert _squash(NAME) in text and ID_NUMBER in text and _squash(f"رقم الطلب: {CASE}") in text
    assert "التوقيع~~~" in text
    # The year's slot on the left and the day's on the right, as in a printed date.
    assert _squash("هجري: …………/……/…… هـ") in text and _squash("ميلادي: …………/……/…… م") in text
    assert _squash("هجري: ١٤٤٤") not in text  # no printed date
    assert b"/Subtype /Image" in pdf  # the logo only


def test_long_declaration_keeps_line_order_across_pages(
    tmp_path: Path, letterhead: Letterhead, beneficiary: BeneficiaryParticulars
) -> None:
    """A long paragraph (≥ 8 lines, repeated to fill pages) keeps its sentences and lines in order."""
    width = ArabicDocument(title="x").width
    assert len(wrap(LONG_PARAGRAPH, FONT_REGULAR, 13, width)) >= 8
    text_in = "\n\n".join([LONG_PARAGRAPH] * 4)
    pdf = _declaration(letterhead, beneficiary, text=text_in)
    _qpdf_check(pdf, tmp_path)
    pages = _page_count(pdf, tmp_path)
    assert pages >= 2
    raw, text = _text_of(pdf, tmp_path)
    assert "\ufdf2" not in raw
    _assert_in_order(text, [f"الجملة {word}" for word in ORDINALS] * 4)
    for word in ORDINALS:
        sentence = (
            f"الجملة {word} من هذا الإقرار تذكر أن عبد الله وعبدالله قدّم طلبه بتاريخ 1444/05/08 هـ "
            "وأن رقم الهوية 1234567890 والبريد info@example.org للتواصل معه"
        )
        assert _squash(display_digits(sentence)) in text, word
    assert "08/05/1444" not in text and "٠٨/٠٥/١٤٤٤" not in text
    for page in range(1, pages + 1):
        assert _squash(f"صفحة {to_arabic(page)} من {to_arabic(pages)}") in text
    assert text.count(_squash(ASSOCIATION)) >= pages  # the header on every page


def to_arabic(number: int) -> str:
    """Arabic-Indic digits of a number, as printed in page numbers."""
    return str(number).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


def test_receipt_shows_case_both_dates_and_committee_sentence(tmp_path: Path, letterhead: Letterhead) -> None:
    """The receipt: case number, submission and promised dates in both calendars, the committee's promise."""
    submitted, promised = date(2025, 10, 26), date(2025, 11, 9)
    pdf = render_receipt(
        letterhead=letterhead,
        case_number=CASE,
        beneficiary_name=NAME,
        id_number=ID_NUMBER,
        submitted_on=submitted,
        promised_on=promised,
        committee_name="لجنة البحث",
        period_text="لا تقل عن (14) يوماً من تاريخ تقديم الطلب",
        channel_name="المقابلة",
        officer_name="سارة أحمد العتيبي",
        contact_lines=("الهاتف: 0112345678", "البريد الإلكتروني: info@mafateeh.org.sa"),
    )
    _qpdf_check(pdf, tmp_path)
    raw, text = _text_of(pdf, tmp_path)
    assert "\ufdf2" not in raw
    for expected in (
        ASSOCIATION,
        "إشعار استلام طلب",
        CASE,
        NAME,
        ID_NUMBER,
        "المقابلة",
        format_hijri(submitted),
        format_gregorian(submitted),
        format_hijri(promised),
        format_gregorian(promised),
        (
            "يحال طلبكم إلى لجنة البحث لدراسته، وتبلغون بنتيجة القبول أو الرفض خلال مدة لا تقل عن (14) يوما "
            "من تاريخ تقديم الطلب"
        ),
        "الهاتف: 0112345678",
        "البريد الإلكتروني: info@mafateeh.org.sa",
        "صفحة ١ من ١",
    ):
        assert _squash(display_digits(expected)) in text, expected


def test_receipt_without_committee_or_period(tmp_path: Path, letterhead: Letterhead) -> None:
    """A profile with no committee and no period (rescue): no promise sentence, one date box."""
    pdf = render_receipt(
        letterhead=letterhead,
        case_number="A1B2-2025-0000007",
        beneficiary_name=NAME,
        id_number=ID_NUMBER,
        submitted_on=SIGNED,
        promised_on=None,
        committee_name=None,
        period_text=None,
        channel_name="الاتصالات الهاتفية",
        officer_name="سارة",
        contact_lines=(),
    )
    _qpdf_check(pdf, tmp_path)
    _raw, text = _text_of(pdf, tmp_path)
    assert display_digits("A1B2-2025-0000007") in text
    assert _squash("١٤٤٤/٠٥/٠٨ هـ") in text
    assert _squash("القبول أو الرفض") not in text


def test_missing_documents_lists_each_document_with_its_reason(tmp_path: Path, letterhead: Letterhead) -> None:
    """The missing-documents notice: the documents in order with their reasons, and today's date."""
    documents = [
        MissingDocument("صورة الهوية الوطنية", "منتهية الصلاحية في ١٤٤٤/٠٣/٠١ هـ"),
        MissingDocument("صك الإعالة", "غير مرفق"),
        MissingDocument("تعريف بالراتب أو إثبات الدخل الشهري للأسرة من جهة العمل", "غير مرفق"),
    ]
    pdf = render_missing_documents(
        letterhead=letterhead,
        case_number=CASE,
        beneficiary_name=NAME,
        id_number=ID_NUMBER,
        documents=documents,
        today=SIGNED,
    )
    _qpdf_check(pdf, tmp_path)
    _raw, text = _text_of(pdf, tmp_path)
    needles: list[str] = []
    for document in documents:
        needles += [document.name, document.reason]
    _assert_in_order(text, [display_digits(needle) for needle in needles])
    for expected in (ASSOCIATION, CASE, NAME, ID_NUMBER, "١٤٤٤/٠٥/٠٨ هـ الموافق ٢٠٢٢/١٢/٠٢ م", "صفحة ١ من ١"):
        assert _squash(display_digits(expected)) in text, expected


def test_same_input_gives_the_same_bytes(letterhead: Letterhead, beneficiary: BeneficiaryParticulars) -> None:
    """Rendering is deterministic: identical bytes and hash; a changed input changes the hash."""
    first = _declaration(letterhead, beneficiary)
    second = _declaration(letterhead, beneficiary)
    assert first == second
    assert sha256_hex(first) == sha256_hex(second)
    other = _declaration(letterhead, beneficiary, case_number="1447-000124")
    assert sha256_hex(other) != sha256_hex(first)


@pytest.mark.parametrize("logo", ["missing.png", "not-an-image.png", None])
def test_unreadable_logo_is_skipped(tmp_path: Path, beneficiary: BeneficiaryParticulars, logo: str | None) -> None:
    """A missing or broken logo leaves the header without an image; the document still renders."""
    path = None if logo is None else tmp_path / logo
    if logo == "not-an-image.png":
        assert path is not None
        path.write_text("no image here", encoding="utf-8")
    letterhead = Letterhead(association_name=ASSOCIATION, logo_path=path)
    pdf = _declaration(letterhead, beneficiary, signature_png=None)
    _qpdf_check(pdf, tmp_path)
    assert b"/Subtype /Image" not in pdf
    _raw, text = _text_of(pdf, tmp_path)
    assert _squash(ASSOCIATION) in text and _squash("صفحة ١ من ١") in text


def test_fonts_are_embedded(tmp_path: Path, letterhead: Letterhead, beneficiary: BeneficiaryParticulars) -> None:
    """Every font in the PDF is embedded (pdffonts: emb = yes)."""
    target = tmp_path / "fonts.pdf"
    target.write_bytes(_declaration(letterhead, beneficiary))
    result = subprocess.run([_tool("pdffonts"), str(target)], capture_output=True, text=True, check=True)
    rows = result.stdout.splitlines()[2:]
    assert rows
    for row in rows:
        assert row.split()[-5] == "yes", row


def test_dataclasses_are_frozen() -> None:
    """The renderers' inputs are immutable."""
    letterhead = Letterhead(association_name=ASSOCIATION)
    with pytest.raises(FrozenInstanceError):
        letterhead.association_name = "x"  # type: ignore[misc]


def _plain_reportlab_fonts() -> None:
    """Remove the engine's subset/width/compression caches from the two fonts (reportlab's own methods again)."""
    for name in (FONT_REGULAR, FONT_BOLD):
        font = pdfmetrics.getFont(name)
        for attribute in ("makeSubset", "addSubsetObjects", "getCharWidth", "_mustafid_memoized"):
            font.face.__dict__.pop(attribute, None)  # type: ignore[attr-defined]
        for attribute in ("addObjects", "splitString", "stringWidth"):
            font.__dict__.pop(attribute, None)


def test_font_caches_change_no_byte(letterhead: Letterhead, beneficiary: BeneficiaryParticulars) -> None:
    """The cached subsets, widths and compressed streams give exactly the bytes reportlab itself gives."""
    cached = [_declaration(letterhead, beneficiary, case_number=f"1447-00012{i}") for i in range(3)]
    try:
        _plain_reportlab_fonts()
        plain = [_declaration(letterhead, beneficiary, case_number=f"1447-00012{i}") for i in range(3)]
    finally:
        for name in (FONT_REGULAR, FONT_BOLD):
            arabic_pdf._memoize_subsetting(pdfmetrics.getFont(name))  # type: ignore[arg-type]
    assert cached == plain
    assert _declaration(letterhead, beneficiary, case_number="1447-000120") == cached[0]


def test_rendering_from_two_threads_gives_the_same_documents(
    letterhead: Letterhead, beneficiary: BeneficiaryParticulars
) -> None:
    """Documents rendered from worker threads at once equal those rendered one after the other."""
    from concurrent.futures import ThreadPoolExecutor

    numbers = [f"1447-0002{i:02d}" for i in range(8)]
    sequential = [_declaration(letterhead, beneficiary, case_number=n) for n in numbers]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda n: _declaration(letterhead, beneficiary, case_number=n), numbers))
    assert parallel == sequential


def test_large_logo_is_scaled_down_and_embedded_once_as_jpeg(
    tmp_path: Path, beneficiary: BeneficiaryParticulars
) -> None:
    """A 2000-pixel logo is embedded at most 300 pixels wide, as JPEG, and the PDF stays valid."""
    logo = tmp_path / "big-logo.png"
    Image.new("RGB", (2000, 1000), (28, 92, 90)).save(logo)
    pdf = _declaration(Letterhead(association_name=ASSOCIATION, logo_path=logo), beneficiary, signature_png=None)
    _qpdf_check(pdf, tmp_path)
    assert b"/DCTDecode" in pdf
    assert b"/Width 300" in pdf and b"/Height 150" in pdf


def test_black_signature_is_embedded_grey(letterhead: Letterhead, beneficiary: BeneficiaryParticulars) -> None:
    """A signature without colour is embedded as one grey channel (a third of the data)."""
    image = Image.new("RGBA", (400, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 100), (200, 10), (390, 100)], fill=(0, 0, 0, 255), width=4)
    buffer = BytesIO()
    image.save(buffer, "PNG")
    pdf = _declaration(letterhead, beneficiary, signature_png=buffer.getvalue())
    assert b"/DeviceGray" in pdf


def test_a_signature_is_decoded_once_and_never_mixed_with_another(
    letterhead: Letterhead, beneficiary: BeneficiaryParticulars
) -> None:
    """Rendering the same signature again reuses its decoded picture (equal bytes, another object) and prints
    the same document; a different signature is decoded and printed as itself."""
    from desktop.documents import forms

    signature = _png()
    forms._signature_image.cache_clear()
    first = _declaration(letterhead, beneficiary, signature_png=signature)
    again = _declaration(letterhead, beneficiary, signature_png=bytes(bytearray(signature)))
    assert forms._signature_image.cache_info().hits == 1
    assert again == first
    other = _declaration(letterhead, beneficiary, signature_png=_png(320, 100))
    assert forms._signature_image.cache_info().misses == 2
    assert b"/Width 320" in other and b"/Width 320" not in first
    forms._signature_image.cache_clear()
    assert _declaration(letterhead, beneficiary, signature_png=signature) == first
