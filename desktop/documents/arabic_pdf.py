"""Arabic text on reportlab pages: fonts registered once, shaping, bidi per line, wrapping, tables.

Decisions recorded here (the document templates rely on them):

* The bundled Amiri fonts carry Arabic and Latin glyphs; reportlab has no font fallback, so
  every string of a document is drawn in them. They are registered once, at import, with
  reportlab's own HarfBuzz shaping switched off: the text arrives already shaped and ordered.
* Shaping is ``arabic_reshaper`` with every word and sentence ligature disabled (so "عبد الله"
  never becomes ﷲ, and a ﷲ pasted by the user is spelled out) and the letter ligatures kept
  (لا, لأ, لإ, لآ). Harakat are dropped: without GPOS positioning they would land beside their
  letter instead of above it.
* Wrap first, then reorder each line: words are measured in logical order (width of the shaped
  word), lines are filled greedily, and only then is each line turned into its visual string.
  A Hijri/Gregorian marker (هـ, م) never starts a line away from its number.
* Ordering is python-bidi's fast implementation with base direction RTL. It keeps isolates
  (U+2066–U+2069) correct but does not mirror brackets (UAX #9 rule L4), so a line holding
  a bracket is reordered here from the levels python-bidi resolved (rules L1, L2 and L4).
  Bidi control characters are removed from the visual string: Amiri has no glyph for them.
* Runs of digits joined by hyphens ("2025-0000123", "1444-05-08") and international phone
  numbers ("+966 50 …") are drawn left to right as they are written (a left-to-right
  override), since bidi would otherwise swap their groups inside Arabic text. `ltr` does the
  same for a value the caller knows is an identifier (ID, case number, mobile, e-mail).
* Every string drawn or measured passes through `desktop.arabic_text.display_digits` (in `shape_line`
  and `wrap`): dates, IDs, phones, case numbers, counts and the policy's own texts are printed in the
  desk's one digit style, whatever the renderer wrote.
* Documents are rendered with ``invariant=1``: the same input gives the same bytes.
* Speed (a declaration in well under 25 ms): streams are written binary (``rl_config.useA85 = 0``,
  set process-wide at import; reportlab's ASCII85 encoder is pure Python without rl_accel); the
  common characters are assigned to the font subsets in a fixed order in every document, so the
  TrueType subsets, their widths and their compressed streams are built once per process and
  reused (byte-identical to what reportlab builds itself, see the tests); so are each subset's
  Widths array and ToUnicode map. Strings made only of those pre-seeded characters are measured,
  encoded and written as text operators from caches (`_draw_text_fast`, the same operators
  reportlab's drawString writes). Images are `PreparedImage`s, encoded once and named by a
  digest of their bytes (reportlab's drawImage digests and deflates every pixel per document): the
  logo as a JPEG, a pad signature as its alpha channel on a white-to-ink palette.
* Page breaks: a paragraph never leaves one line, nor a table one row, alone on a page.
* reportlab's font objects hold per-document state: documents are rendered one at a time
  (a process-wide lock), so rendering from worker threads is safe.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import unicodedata
import weakref
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import arabic_reshaper
from bidi import get_display
from reportlab import rl_config
from reportlab.lib.boxstuff import aspectRatioFix
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.lib import units
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

import resources
from desktop.arabic_text import display_digits, ltr

#: One millimetre in PDF points, typed (reportlab's own constant is untyped).
mm: float = float(units.mm)

__all__ = [
    "ACCENT",
    "FONT_BOLD",
    "FONT_REGULAR",
    "GRID",
    "MUTED",
    "SHADE",
    "ArabicDocument",
    "PreparedImage",
    "ltr",
    "register_fonts",
    "sha256_hex",
    "shape_line",
    "wrap",
]

FONT_REGULAR = "MustafidAmiri"
FONT_BOLD = "MustafidAmiri-Bold"

ACCENT = Color(0.11, 0.36, 0.35)
SHADE = Color(0.93, 0.96, 0.95)
GRID = Color(0.62, 0.68, 0.67)
MUTED = Color(0.33, 0.36, 0.36)

_LRO = "\u202d"
_PDF = "\u202c"

# Invisible characters with no glyph in Amiri: bidi controls, marks, zero-width characters.
_INVISIBLE = (
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\ufeff"]
)
_STRIP_INVISIBLE = str.maketrans({c: None for c in _INVISIBLE})

# UAX #9 rule L4: characters drawn mirrored at an odd (right-to-left) level, by their partner.
_MIRROR: dict[str, str] = {}
for _a, _b in ("()", "[]", "{}", "<>", "«»", "‹›", "≤≥", "⁅⁆", "⁽⁾", "₍₎", "〈〉", "⟨⟩"):
    _MIRROR[_a], _MIRROR[_b] = _b, _a

# Characters removed by UAX #9 rule X9 before reordering (embeddings, overrides, boundary neutrals).
_X9_REMOVED = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "BN"})
_LINE_END_NEUTRALS = frozenset({"WS", "FSI", "LRI", "RLI", "PDI"})

_LEVELS_BLOCK = re.compile(r"\blevels: \[(.*?)\]\s*,\s*paragraphs", re.DOTALL)
_LEVEL = re.compile(r"Level\(\s*(\d+)\s*,?\s*\)")

# Digit groups joined by hyphens, and "+" international numbers: always drawn left to right.
_LTR_NUMBER = re.compile(r"\+\d+(?:[ \-\u2010\u2011]\d+)*|\d+(?:[\-\u2010\u2011\u2013]\d+)+")

_ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_BREAKABLE_SPACE = re.compile(r"[ \t\u2000-\u200a\u3000]+")
_CALENDAR_MARKERS = frozenset({"هـ", "ه", "م"})


# The characters every document may draw, assigned to the font subsets in this fixed order before
# anything is drawn: the embedded subsets are then the same in every document, so reportlab's
# (slow, pure Python) TrueType subsetting runs once per font and process instead of once per document.
# They fit in one subset of 256 codes per font: a second subset would add four PDF objects per font.
_PRESEED = "".join(
    chr(c)
    for c in (
        *range(0x20, 0x7F),
        *range(0xFE80, 0xFEFD),  # the letters' forms; not FE70–FE7F, harakat, which the shaping drops
        *range(0x0660, 0x066D),
        0x0640,
        0x060C,
        0x061B,
        0x061F,
        0x00AB,
        0x00BB,
        0x2014,
        0x2013,
        0x2026,
        0x00D7,
        0x2022,
        0x2212,
    )
)


class _CachedFlate:
    """reportlab's Flate stream filter, remembering the compressed bytes of the font subsets it saw."""

    pdfname = "FlateDecode"

    @functools.lru_cache(maxsize=32)  # noqa: B019 - one module-level instance, kept for the process
    def encode(self, content: bytes | str) -> bytes:
        """Compressed `content` (computed once per distinct content)."""
        return zlib.compress(content.encode("utf-8") if isinstance(content, str) else content)

    def decode(self, encoded: bytes) -> bytes:
        """Decompressed `encoded`."""
        return zlib.decompress(encoded)


_CACHED_FLATE = _CachedFlate()


class _PdfNumber(pdfdoc.PDFObject):  # type: ignore[misc]
    """A number in a font's Widths array, formatted once (reportlab's formatter is pure Python here)."""

    def __init__(self, value: float) -> None:
        self._formatted: bytes = fp_str(value).encode("ascii")

    def format(self, document: Any) -> bytes:
        """The number as PDF source."""
        return self._formatted


class _PdfSource(pdfdoc.PDFObject):  # type: ignore[misc]
    """A piece of PDF source written as it is (e.g. a colour space array)."""

    def __init__(self, source: str | bytes) -> None:
        self._source = source.encode("latin-1") if isinstance(source, str) else source

    def format(self, document: Any) -> bytes:
        """The source bytes."""
        return self._source


def _memoize_subsetting(font: TTFont) -> None:
    """Make the font's face reuse the subsets it has already built and compressed (same glyphs, same order)."""
    face = font.face
    if getattr(face, "_mustafid_memoized", False):
        return
    build = face.makeSubset
    add_subset = face.addSubsetObjects

    @functools.lru_cache(maxsize=32)
    def cached(subset: tuple[int, ...]) -> bytes:
        return bytes(build(list(subset)))

    def add_subset_objects(doc: Any, fontname: str, subset: list[int]) -> Any:
        reference = add_subset(doc, fontname, subset)
        font_file = doc.idToObject.get(f"fontFile:{face.filename}({fontname})")
        if font_file is not None and getattr(font_file, "filters", None):
            font_file.filters = [_CACHED_FLATE]
        return reference

    @functools.lru_cache(maxsize=4096)
    def char_width(code: int) -> _PdfNumber:
        return _PdfNumber(face.charWidths.get(code, face.defaultWidth))

    @functools.lru_cache(maxsize=64)
    def widths_source(subset: tuple[int, ...]) -> _PdfSource:
        return _PdfSource(bytes(pdfdoc.PDFArray([char_width(code) for code in subset]).format(None)))

    @functools.lru_cache(maxsize=64)
    def cmap_content(base_font_name: str, subset: tuple[int, ...]) -> str:
        return str(ttfonts.makeToUnicodeCMap(base_font_name, list(subset)))

    def add_font_and_cmaps(doc: Any) -> None:
        """reportlab's ``TTFont.addObjects`` with each subset's widths and ToUnicode map built once per process."""
        state = font._assignState(doc)
        state.frozen = 1
        for n, subset in enumerate(state.subsets):
            key = tuple(subset)
            internal_name = font.getSubsetInternalName(n, doc)[1:]
            base_font_name = b"".join((ttfonts.SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
            pdf_font = pdfdoc.PDFTrueTypeFont()
            pdf_font.__Comment__ = f"Font {font.fontName} subset {n}"
            pdf_font.Name = internal_name
            pdf_font.BaseFont = base_font_name
            pdf_font.FirstChar = 0
            pdf_font.LastChar = len(subset) - 1
            pdf_font.Widths = widths_source(key)
            cmap = pdfdoc.PDFStream()
            cmap.content = cmap_content(base_font_name, key)
            if doc.compression:
                cmap.filters = [_CACHED_FLATE]
            pdf_font.ToUnicode = doc.Reference(cmap, "toUnicodeCMap:" + base_font_name)
            pdf_font.FontDescriptor = face.addSubsetObjects(doc, base_font_name, subset)
            doc.Reference(pdf_font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = pdf_font
        del font.state[doc]

    face.makeSubset = lambda subset: cached(tuple(subset))
    face.addSubsetObjects = add_subset_objects
    face.getCharWidth = char_width
    font.addObjects = add_font_and_cmaps
    face._mustafid_memoized = True
    _memoize_text(font)


def _memoize_text(font: TTFont) -> None:
    """Make the font remember string widths and, for the pre-seeded characters, their subset codes.

    reportlab measures and encodes every drawn string character by character in pure Python. A
    width depends on the face only; the subset codes of characters assigned by `_preseed_subsets`
    are the same in every document, so a string made only of them (or of characters the font
    lacks, always code 0) is encoded once per process. Any other string takes reportlab's path.
    """
    measure = font.stringWidth
    split = font.splitString

    @functools.lru_cache(maxsize=8192)
    def string_width(text: str, size: float, encoding: str = "utf8") -> float:
        return float(measure(text, size, encoding))

    def split_string(text: str | bytes, doc: Any, encoding: str = "utf-8") -> list[tuple[int, bytes]]:
        if isinstance(text, str) and doc in _PRESEEDED_DOCUMENTS:
            known = _preseeded_split(font.fontName, text)
            if known is not None:
                return list(known)
        return list(split(text, doc, encoding))

    font.stringWidth = string_width
    font.splitString = split_string


@functools.lru_cache(maxsize=8192)
def _preseeded_split(font_name: str, text: str) -> tuple[tuple[int, bytes], ...] | None:
    """`text` as reportlab's splitString gives it in a pre-seeded document, or None when a character
    of it is not pre-seeded (its code then depends on the document)."""
    font = pdfmetrics.getFont(font_name)
    codes = _preseeded_codes(font)
    glyphs = font.face.charToGlyph
    results: list[tuple[int, bytes]] = []
    current_subset = -1
    current: list[int] = []
    for code in map(ord, text):
        if code == 0xA0:
            code = 32
        n = codes.get(code)
        if n is None:
            if code in glyphs:
                return None
            n = 0
        if (n >> 8) != current_subset:
            if current:
                results.append((current_subset, bytes(current)))
            current_subset, current = n >> 8, []
        current.append(n & 0xFF)
    if current:
        results.append((current_subset, bytes(current)))
    return tuple(results)


@functools.lru_cache(maxsize=8192)
def _escaped_runs(font_name: str, text: str) -> tuple[tuple[int, str], ...] | None:
    """The subset and PDF-escaped bytes of each run of `text`, or None when not pre-seeded."""
    runs = _preseeded_split(font_name, text)
    if runs is None:
        return None
    return tuple((subset, str(escapePDF(chunk))) for subset, chunk in runs)


@functools.lru_cache(maxsize=8192)
def _fp_pair(x: float, y: float) -> str:
    """reportlab's fp_str of a text origin (pure Python here); a layout's positions recur in every document."""
    return str(fp_str(x, y))


@functools.lru_cache(maxsize=256)
def _font_size_operands(size: float, leading: float) -> str:
    return f"{fp_str(size)} Tf {fp_str(leading)} TL"


def _draw_text_fast(canvas: Canvas, visual: str, x: float, y: float) -> bool:
    """Draw `visual` from `x` (its left end) at baseline `y` in the canvas's font, writing the text
    operators reportlab's ``drawString`` writes, from cached encodings. False (nothing drawn) when
    the string or the font is not one the caches know: the caller then draws it through reportlab."""
    font = pdfmetrics.getFont(canvas._fontname)
    doc = canvas._doc
    if doc not in _PRESEEDED_DOCUMENTS or not getattr(font.face, "_mustafid_memoized", False):
        return False
    if not canvas.bottomup or "splitString" not in font.__dict__:
        return False
    runs = _escaped_runs(canvas._fontname, visual)
    if runs is None:
        return False
    operands = _font_size_operands(canvas._fontsize, canvas._leading)
    code = ["BT", f"1 0 0 1 {_fp_pair(x, y)} Tm"]
    for subset, escaped in runs:
        code.append(f"{font.getSubsetInternalName(subset, doc)} {operands}")
        code.append(f"({escaped}) Tj")
    code[-1] += " T*"
    code.append("ET")
    canvas._code.append(" ".join(code))
    return True


class _ScratchDocument:
    """A stand-in document: only its identity keys a font's per-document state."""


@functools.lru_cache(maxsize=4)
def _preseeded_state(font_name: str) -> Any:
    """The font's per-document state after reportlab assigned `_PRESEED` on a fresh document."""
    font = pdfmetrics.getFont(font_name)
    scratch = _ScratchDocument()
    try:
        font.splitString(_PRESEED, scratch)
        return font.state[scratch]
    finally:
        font.state.pop(scratch, None)


def _preseeded_codes(font: TTFont) -> dict[int, int]:
    """The subset code of every pre-seeded character of the font (the same in every document)."""
    codes: dict[int, int] = _preseeded_state(font.fontName).assignments
    return codes


def register_fonts() -> None:
    """Register the bundled Amiri regular and bold faces with reportlab (idempotent)."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, path in ((FONT_REGULAR, resources.ARABIC_FONT_REGULAR), (FONT_BOLD, resources.ARABIC_FONT_BOLD)):
        if name not in registered:
            font = TTFont(name, str(path), shapable=False)
            _memoize_subsetting(font)
            pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(FONT_REGULAR, normal=FONT_REGULAR, bold=FONT_BOLD)


# The documents whose first characters were the pre-seeded ones (their codes are then known).
_PRESEEDED_DOCUMENTS: weakref.WeakSet[Any] = weakref.WeakSet()


def _preseed_subsets(canvas: Canvas) -> None:
    """Assign the common characters to subset codes in a fixed order for this document.

    The assignment is the one reportlab makes for `_PRESEED` on a fresh document, made once per
    font and copied into each document (reportlab's loop over the characters is pure Python).
    """
    doc = canvas._doc
    for name in (FONT_REGULAR, FONT_BOLD):
        font = pdfmetrics.getFont(name)
        if doc in font.state:  # the font was used before the pre-seeding: reportlab's own path
            font.splitString(_PRESEED, doc)
            continue
        template = _preseeded_state(name)
        state = font._assignState(doc)
        state.assignments = dict(template.assignments)
        state.subsets = [list(subset) for subset in template.subsets]
        state.nextCode = template.nextCode
    _PRESEEDED_DOCUMENTS.add(doc)


register_fonts()

# Binary (zlib only) streams instead of ASCII85 + zlib: valid PDF, smaller, and reportlab's ASCII85
# encoder is pure Python here (no rl_accel), which cost more than the whole page. Process-wide setting.
rl_config.useA85 = 0


def _reshaper_configuration() -> dict[str, Any]:
    config: dict[str, Any] = {"delete_harakat": True, "support_ligatures": True}
    for name, _forms in (*arabic_reshaper.ligatures.SENTENCES_LIGATURES, *arabic_reshaper.ligatures.WORDS_LIGATURES):
        config[name] = False
    return config


class _FrozenConfiguration:
    """The reshaper's settings read once: it consults them on every call, through slow configparser look-ups."""

    def __init__(self, section: Any) -> None:
        # configparser keys are case-insensitive (stored lowercased); so are these.
        self._values: dict[str, Any] = {key.lower(): section.get(key) for key in section}
        self._booleans: dict[str, bool] = {}
        for key, value in self._values.items():
            if str(value).lower() in ("true", "false", "yes", "no", "on", "off", "1", "0"):
                self._booleans[key] = section.getboolean(key)

    def get(self, key: str, fallback: Any = None) -> Any:
        """A setting as text."""
        return self._values.get(key.lower(), fallback)

    def getboolean(self, key: str, fallback: bool | None = None) -> bool | None:
        """A yes/no setting."""
        return self._booleans.get(key.lower(), fallback)


def _make_reshaper() -> arabic_reshaper.ArabicReshaper:
    reshaper = arabic_reshaper.ArabicReshaper(configuration=_reshaper_configuration())
    reshaper.configuration = _FrozenConfiguration(reshaper.configuration)
    return reshaper


_RESHAPER = _make_reshaper()


def _protect_numbers(text: str) -> str:
    if "-" not in text and "+" not in text and "\u2010" not in text and "\u2011" not in text and "\u2013" not in text:
        return text
    return _LTR_NUMBER.sub(lambda m: f"{_LRO}{m.group(0)}{_PDF}", text)


def _prepare(text: str) -> str:
    """Logical text ready for shaping: the ﷲ ligature spelled out, line breaks as spaces."""
    text = text.replace("\ufdf2", "الله").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return _protect_numbers(text)


@functools.lru_cache(maxsize=16384)
def _reshape_word(word: str) -> str:
    if _ARABIC_LETTER.search(word) is None:
        return word  # digits, dates, Latin: nothing to shape (and the reshaper is slow per call)
    return str(_RESHAPER.reshape(word))


def _reshape(text: str) -> str:
    """Shaped text; Arabic letters never join across a space, so words are shaped (and cached) one by one."""
    return " ".join([_reshape_word(word) if word else word for word in text.split(" ")])


def _char_levels(text: str) -> list[int] | None:
    """The embedding level python-bidi resolves for each character (None if it cannot be read)."""
    debug = get_display(text, base_dir="R", debug=True)
    if not isinstance(debug, str):
        return None
    block = _LEVELS_BLOCK.search(debug)
    if block is None:
        return None
    byte_levels = [int(v) for v in _LEVEL.findall(block.group(1))]
    encoded_length = len(text.encode("utf-8"))
    if len(byte_levels) != encoded_length:
        return None
    levels: list[int] = []
    offset = 0
    for ch in text:
        levels.append(byte_levels[offset])
        offset += len(ch.encode("utf-8"))
    return levels


def _visual_from_levels(text: str, levels: Sequence[int], base_level: int = 1) -> str:
    """Visual order of one line from its resolved levels: UAX #9 rules L1, L2 and L4."""
    chars: list[str] = []
    lv: list[int] = []
    for ch, level in zip(text, levels, strict=True):
        if unicodedata.bidirectional(ch) not in _X9_REMOVED:
            chars.append(ch)
            lv.append(level)
    trailing = True
    for i in range(len(chars) - 1, -1, -1):
        cls = unicodedata.bidirectional(chars[i])
        if cls in ("S", "B"):
            lv[i] = base_level
            trailing = True
        elif trailing and cls in _LINE_END_NEUTRALS:
            lv[i] = base_level
        else:
            trailing = False
    for i, ch in enumerate(chars):
        if lv[i] % 2 and ch in _MIRROR:
            chars[i] = _MIRROR[ch]
    if not lv:
        return ""
    highest = max(lv)
    lowest_odd = min((v for v in lv if v % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(chars):
            if lv[i] >= level:
                j = i
                while j < len(chars) and lv[j] >= level:
                    j += 1
                chars[i:j] = chars[i:j][::-1]
                lv[i:j] = lv[i:j][::-1]
                i = j
            else:
                i += 1
    return "".join(chars)


def shape_line(text: str) -> str:
    """The visual string of one line of Arabic (or mixed) text, to be drawn left to right.

    Its digits are in the desk's digit style (`display_digits`), like every string a document draws.
    """
    return _shape_line(display_digits(text))


@functools.lru_cache(maxsize=4096)
def _shape_line(text: str) -> str:
    shaped = _reshape(_prepare(text))
    visual: str | None = None
    if any(ch in _MIRROR for ch in shaped):
        levels = _char_levels(shaped)
        if levels is not None:
            visual = _visual_from_levels(shaped, levels)
    if visual is None:
        visual = str(get_display(shaped, base_dir="R"))
    return visual.translate(_STRIP_INVISIBLE)


@functools.lru_cache(maxsize=16384)
def _unit_width(word: str, font: str) -> float:
    """Width of a logical word at size 1, measured on its shaped form."""
    shaped = _reshape(_prepare(word)).translate(_STRIP_INVISIBLE)
    return float(pdfmetrics.stringWidth(shaped, font, 1.0))


def _words(line: str) -> list[str]:
    """The words of a logical line; a calendar marker (هـ, م) stays with the number before it."""
    words: list[str] = []
    for word in _BREAKABLE_SPACE.split(line):
        if not word:
            continue
        bare = word.translate(_STRIP_INVISIBLE).rstrip("،,.؛;:)»")
        if words and bare in _CALENDAR_MARKERS and words[-1].translate(_STRIP_INVISIBLE)[-1:].isdigit():
            words[-1] = f"{words[-1]} {word}"
        else:
            words.append(word)
    return words


def _split_long_word(word: str, font: str, size: float, width: float) -> list[str]:
    pieces: list[str] = []
    current = ""
    for ch in word:
        if current and _unit_width(current + ch, font) * size > width:
            pieces.append(current)
            current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break logical text into logical lines no wider than `width` points; a newline forces a break.

    The lines come back with their digits in the desk's digit style (`display_digits`), measured as drawn.
    """
    return list(_wrapped(display_digits(text), font, size, width))


@functools.lru_cache(maxsize=4096)
def _wrapped(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """`wrap`, remembered: letterheads, labels and headings come back in every document."""
    lines: list[str] = []
    space = pdfmetrics.stringWidth(" ", font, size)
    for hard_line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        words = _words(hard_line)
        if not words:
            lines.append("")
            continue
        current: list[str] = []
        current_width = 0.0
        for word in words:
            word_width = _unit_width(word, font) * size
            if word_width > width:
                pieces = _split_long_word(word, font, size, width)
                if current:
                    lines.append(" ".join(current))
                lines.extend(pieces[:-1])
                current = [pieces[-1]]
                current_width = _unit_width(pieces[-1], font) * size
                continue
            needed = word_width if not current else current_width + space + word_width
            if current and needed > width:
                lines.append(" ".join(current))
                current, current_width = [word], word_width
            else:
                current.append(word)
                current_width = needed
        lines.append(" ".join(current))
    return tuple(lines)


def sha256_hex(pdf: bytes) -> str:
    """The SHA-256 of a rendered document, as stored beside it (lowercase hex)."""
    return hashlib.sha256(pdf).hexdigest()


@dataclass(frozen=True)
class PreparedImage:
    """An image encoded once for embedding: its PDF stream, filter and colour space.

    reportlab's ``drawImage`` digests every pixel (MD5) to name the image and compresses the
    pixels again in every document; a prepared image is named by a digest of its encoded bytes and
    its stream is copied as it is (JPEG bytes, or pixels already deflated).
    """

    width: int
    height: int
    color_space: str  # PDF source: "/DeviceRGB", "/DeviceGray" or an "[/Indexed …]" array
    filter_name: str  # "DCTDecode" or "FlateDecode"
    data: bytes
    bits_per_component: int = 8

    @functools.cached_property
    def name(self) -> str:
        """The image's name in a document: a digest of what is embedded."""
        digest = hashlib.blake2b(digest_size=12)
        digest.update(f"{self.width}x{self.height}{self.color_space}{self.filter_name}".encode("ascii"))
        digest.update(self.data)
        return "img" + digest.hexdigest()


class _PreparedImageXObject(pdfdoc.PDFObject):  # type: ignore[misc]
    """The image XObject of a `PreparedImage`: its stream written without encoding it again."""

    __RefOnly__ = 1

    def __init__(self, image: PreparedImage) -> None:
        self.image = image

    def format(self, document: Any) -> bytes:
        """The XObject stream (as reportlab's PDFStream writes it; its dictionary holds no reference)."""
        content = document.encrypt.encode(self.image.data)
        head = _image_dictionary(self.image, len(content))
        return head + b"\nstream\n" + bytes(pdfdoc.format(content, document)) + b"endstream\n"


@functools.lru_cache(maxsize=64)
def _image_dictionary(image: PreparedImage, length: int) -> bytes:
    """The formatted dictionary of an image XObject whose stream is `length` bytes long."""
    entries = pdfdoc.PDFDictionary()
    entries["Type"] = pdfdoc.PDFName("XObject")
    entries["Subtype"] = pdfdoc.PDFName("Image")
    entries["Width"] = image.width
    entries["Height"] = image.height
    entries["BitsPerComponent"] = image.bits_per_component
    entries["ColorSpace"] = _PdfSource(image.color_space)
    entries["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName(image.filter_name)])
    entries["Length"] = length
    return bytes(pdfdoc.format(entries, None))


def draw_prepared_image(canvas: Canvas, image: PreparedImage, x: float, y: float, width: float, height: float) -> None:
    """Draw `image` centred in the box (x, y, width, height), its aspect ratio kept (as ``drawImage`` does)."""
    doc = canvas._doc
    registered = doc.getXObjectName(image.name)
    if registered not in doc.idToObject:
        xobject = _PreparedImageXObject(image)
        doc.Reference(xobject, registered)
        doc.addForm(image.name, xobject)
    x, y, width, height, _scaled = aspectRatioFix(True, "c", x, y, width, height, image.width, image.height)
    canvas._currentPageHasImages = 1
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width, height)
    canvas._code.append(f"/{registered} Do")
    canvas.restoreState()
    canvas._formsinuse.append(image.name)


# reportlab keeps per-document state in the shared font objects ("you cannot use the same TTFont
# object for different documents at the same time"): documents are rendered one at a time.
_RENDER_LOCK = threading.RLock()


class _DeferredFooterCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no types
    """A canvas that keeps its pages until `save`, so each footer can say "page n of N"."""

    def __init__(self, *args: Any, footer: Callable[[Canvas, int, int], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept_pages: list[dict[str, Any]] = []
        self._footer = footer

    def showPage(self) -> None:
        """Keep the finished page; it is written when the page count is known."""
        self._kept_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        """Draw every kept page's footer with the total page count, then write the file."""
        count = len(self._kept_pages)
        for number, state in enumerate(self._kept_pages, start=1):
            self.__dict__.update(state)
            self._footer(self, number, count)
            Canvas.showPage(self)
        Canvas.save(self)


class ArabicDocument:
    """An A4 right-to-left document: template methods for header, footer and content (pretix style)."""

    pagesize: tuple[float, float] = A4
    margin: float = 18 * mm
    font: str = FONT_REGULAR
    bold_font: str = FONT_BOLD

    def __init__(self, *, title: str, author: str = "", subject: str = "") -> None:
        self.title = title
        self.author = author
        self.subject = subject

    # Geometry ------------------------------------------------------------------------------

    @property
    def left(self) -> float:
        """x of the left margin."""
        return self.margin

    @property
    def right(self) -> float:
        """x of the right margin (where right-to-left lines start)."""
        return self.pagesize[0] - self.margin

    @property
    def width(self) -> float:
        """Width between the margins."""
        return self.pagesize[0] - 2 * self.margin

    @property
    def top(self) -> float:
        """y of the top margin."""
        return self.pagesize[1] - self.margin

    def footer_height(self) -> float:
        """Height kept free above the bottom margin for the footer."""
        return 0.0

    @property
    def content_bottom(self) -> float:
        """Lowest y content may reach on a page."""
        return self.margin + self.footer_height()

    # Template methods ----------------------------------------------------------------------

    def draw_header(self, canvas: Canvas) -> float:
        """Draw the page header; returns the y where content starts."""
        return self.top

    def draw_footer(self, canvas: Canvas, page: int, page_count: int) -> None:
        """Draw the page footer (called once per page when the page count is known)."""

    def draw_content(self, canvas: Canvas, y: float) -> float:
        """Draw the document body from `y` down; returns the y after it."""
        raise NotImplementedError

    # Rendering -----------------------------------------------------------------------------

    def render(self) -> bytes:
        """The complete PDF; deterministic for the same input. One document at a time per process."""
        with _RENDER_LOCK:
            return self._render()

    def _render(self) -> bytes:
        buffer = BytesIO()
        canvas = _DeferredFooterCanvas(
            buffer,
            pagesize=self.pagesize,
            invariant=1,
            pageCompression=1,
            initialFontName=self.font,
            initialFontSize=11,
            footer=self.draw_footer,
        )
        _preseed_subsets(canvas)
        canvas.setTitle(self.title)
        canvas.setAuthor(self.author)
        canvas.setSubject(self.subject)
        canvas.setCreator("Mustafid Desk")
        canvas.setProducer("Mustafid Desk (reportlab)")
        y = self.draw_header(canvas)
        self.draw_content(canvas, y)
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    def new_page(self, canvas: Canvas) -> float:
        """Finish the page and start the next one with its header; returns the content top."""
        canvas.showPage()
        return self.draw_header(canvas)

    def ensure_space(self, canvas: Canvas, y: float, needed: float) -> float:
        """`y`, or the top of a new page when less than `needed` points are left."""
        if y - needed < self.content_bottom:
            return self.new_page(canvas)
        return y

    # Text ------------------------------------------------------------------------------------

    shape_line = staticmethod(shape_line)
    wrap = staticmethod(wrap)

    @staticmethod
    def baseline_offset(size: float, leading: float) -> float:
        """Distance from the top of a line box to its baseline."""
        return (leading - size) / 2 + size * 0.82

    def draw_line(
        self, canvas: Canvas, text: str, x: float, y: float, font: str, size: float, *, align: str = "right"
    ) -> None:
        """Draw one logical line at baseline `y`; `x` is its right edge, centre or left edge per `align`."""
        visual = shape_line(text)
        canvas.setFont(font, size)
        if align == "right":
            left = x - canvas.stringWidth(visual, font, size)
        elif align == "center":
            left = x - 0.5 * canvas.stringWidth(visual, font, size)
        else:
            left = x
        if not _draw_text_fast(canvas, visual, left, y):
            canvas.drawString(left, y, visual)

    def draw_paragraph(
        self,
        canvas: Canvas,
        text: str,
        x_right: float,
        y_top: float,
        width: float,
        font: str,
        size: float,
        leading: float,
        *,
        align: str = "right",
    ) -> float:
        """Wrap and draw right-aligned text from `y_top` down, going on to new pages; returns the y after it.

        A paragraph never leaves one line alone at the foot of a page or at the head of the next: the
        break moves up a line, or the whole paragraph goes to the next page.
        """
        y = y_top
        lines = wrap(text, font, size, width)
        early_break = self._paragraph_break(len(lines), y, leading)
        for index, line in enumerate(lines):
            if index == early_break or y - leading < self.content_bottom:
                y = self.new_page(canvas)
            if line:
                baseline = y - self.baseline_offset(size, leading)
                if align == "center":
                    self.draw_line(canvas, line, x_right - width / 2, baseline, font, size, align="center")
                else:
                    self.draw_line(canvas, line, x_right, baseline, font, size)
            y -= leading
        return y

    def _paragraph_break(self, count: int, y: float, leading: float) -> int | None:
        """The line before which a paragraph of `count` lines starting at `y` must go on to a new page
        so that neither page holds a single line of it (None: the natural break, or none, will do)."""
        if count < 2:
            return None
        room = int((y - self.content_bottom) // leading + 1e-9)
        if room >= count or room < 1:
            return None
        if room == 1:
            return 0  # one line at the foot of the page: the whole paragraph goes on
        if count - room == 1:
            return room - 1 if room - 1 >= 2 else 0  # one line at the head of the next: break a line earlier
        return None

    # Tables ----------------------------------------------------------------------------------

    def draw_table(
        self,
        canvas: Canvas,
        rows: Sequence[Sequence[str]],
        col_widths: Sequence[float],
        x_right: float,
        y_top: float,
        *,
        size: float = 11,
        header: Sequence[str] | None = None,
        shaded_columns: frozenset[int] = frozenset(),
        bold_columns: frozenset[int] = frozenset(),
        centred_columns: frozenset[int] = frozenset(),
        padding: float = 4.0,
    ) -> float:
        """Draw a bordered table whose first column is the rightmost; rows wrap and may go on to new pages.

        The header row (if any) is repeated at the top of each new page. A page never holds a single row
        of a longer table: the table starts on a new page rather than leave its header and first row at
        the foot of one, and breaks a row earlier rather than carry its last row alone over to the next
        (a figure stays with the figures it is read with). Returns the y after the table.
        """
        leading = size * 1.6

        def cell_lines(row: Sequence[str], bold: frozenset[int]) -> list[list[str]]:
            return [
                wrap(text, self.bold_font if c in bold else self.font, size, col_widths[c] - 2 * padding)
                for c, text in enumerate(row)
            ]

        def draw_row(
            row: Sequence[str], y: float, *, bold: frozenset[int], shaded: frozenset[int], fill_all: bool
        ) -> float:
            lines = cell_lines(row, bold)
            height = max(len(cell) for cell in lines) * leading + 2 * padding
            x = x_right
            canvas.setLineWidth(0.6)
            canvas.setStrokeColor(GRID)
            for c, cell in enumerate(lines):
                w = col_widths[c]
                fill = fill_all or c in shaded
                if fill:
                    canvas.setFillColor(SHADE)
                canvas.rect(x - w, y - height, w, height, stroke=1, fill=1 if fill else 0)
                canvas.setFillColor(Color(0, 0, 0))
                font = self.bold_font if c in bold else self.font
                for i, line in enumerate(cell):
                    baseline = y - padding - i * leading - self.baseline_offset(size, leading)
                    if c in centred_columns:
                        self.draw_line(canvas, line, x - w / 2, baseline, font, size, align="center")
                    else:
                        self.draw_line(canvas, line, x - padding, baseline, font, size)
                x -= w
            return y - height

        all_columns = frozenset(range(len(col_widths)))
        y = y_top
        header_height = 0.0
        if header is not None:
            header_height = max(len(c) for c in cell_lines(header, all_columns)) * leading + 2 * padding
        heights = [max(len(c) for c in cell_lines(row, bold_columns)) * leading + 2 * padding for row in rows]
        rows_on_page = 0
        for index, row in enumerate(rows):
            row_height = heights[index]
            first = index == 0
            needed = row_height + (header_height if first else 0.0)
            if index + 1 < len(rows) and (first or (index + 2 == len(rows) and rows_on_page >= 2)):
                # Keep the first two rows together (with the header; a table of three rows whole), and the last two.
                kept = heights[index + 1 : (len(rows) if first and len(rows) <= 3 else index + 2)]
                together = needed + sum(kept)
                if y - needed >= self.content_bottom and y - together < self.content_bottom:
                    needed = together
            if y - needed < self.content_bottom:
                y = self.new_page(canvas)
                first = True
                rows_on_page = 0
            rows_on_page += 1
            if first and header is not None:
                y = draw_row(header, y, bold=all_columns, shaded=all_columns, fill_all=True)
            y = draw_row(row, y, bold=bold_columns, shaded=shaded_columns, fill_all=False)
        if not rows and header is not None:
            y = self.ensure_space(canvas, y, header_height)
            y = draw_row(header, y, bold=all_columns, shaded=all_columns, fill_all=True)
        return y

    def draw_key_values(
        self,
        canvas: Canvas,
        rows: Sequence[tuple[str, str]],
        x_right: float,
        y_top: float,
        width: float,
        *,
        label_width: float = 34 * mm,
        pairs_per_row: int = 1,
        size: float = 11,
    ) -> float:
        """Draw label/value pairs as a table, labels shaded and bold on the right; returns the y after it.

        With several pairs per row, a last incomplete row spans the full width.
        """
        remainder = len(rows) % pairs_per_row
        if pairs_per_row > 1 and remainder:
            y = y_top
            if len(rows) > remainder:
                y = self.draw_key_values(
                    canvas,
                    rows[:-remainder],
                    x_right,
                    y,
                    width,
                    label_width=label_width,
                    pairs_per_row=pairs_per_row,
                    size=size,
                )
            return self.draw_key_values(
                canvas, rows[-remainder:], x_right, y, width, label_width=label_width, pairs_per_row=1, size=size
            )
        value_width = width / pairs_per_row - label_width
        col_widths = [label_width, value_width] * pairs_per_row
        table: list[list[str]] = []
        for start in range(0, len(rows), pairs_per_row):
            group = list(rows[start : start + pairs_per_row])
            while len(group) < pairs_per_row:
                group.append(("", ""))
            table.append([cell for pair in group for cell in pair])
        labels = frozenset(range(0, 2 * pairs_per_row, 2))
        return self.draw_table(
            canvas, table, col_widths, x_right, y_top, size=size, shaded_columns=labels, bold_columns=labels
        )
