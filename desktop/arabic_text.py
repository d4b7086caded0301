"""Arabic text helpers: digits, bidi controls, cleaning user input and name search keys.

Decisions recorded here (other modules rely on them):

* ``normalize_name`` keeps a standalone hamza ``ء``: it separates real, different names
  (علاء / علا, دعاء / دعا). Hamza carried on a letter is unified (أ إ آ ٱ → ا, ؤ → و, ئ → ي).
* ``normalize_name`` applies NFKC first, so Arabic presentation forms pasted from PDFs and the
  ligature ﷲ become ordinary letters; Persian ی ک become Arabic ي ك.
* ``normalize_name`` removes every invisible format character (Unicode category Cf: ZWNJ, ZWJ, soft
  hyphen, word joiner, bidi marks and controls, BOM, Arabic number signs…): it is dropped, never turned
  into a space, so «عبد\u200cالله» is «عبدالله» and a soft hyphen pasted inside a surname keeps it one
  word. Control characters (tabs, line breaks) do separate words.
* The tatweel ``ـ`` is dropped like the harakat: it only stretches a letter (مـــحـــمـــد is محمد).
* The article: a surname is found with or without it (`article_forms`: قحطاني ↔ القحطاني); the stored
  key keeps the name as written, only the search tries both forms.
* "عبد" is joined to a following word that begins with "ال" (عبد الله → عبدالله,
  عبد الرحمن → عبدالرحمن) only; other compounds (عبد ربه) are left as typed.
* ``to_latin_digits`` / ``to_arabic_digits`` convert digits only, never separators (٫ ٬).
* The desk shows every number the officer reads in Arabic text — dates, counts, IDs, phones, case
  numbers, the numbers inside the policy's texts — in ONE digit style (`DigitStyle`: Arabic-Indic by
  default, or Latin), chosen in the settings and set process-wide when the workspace opens
  (`set_digit_style`). `display_digits` is the one function that applies it, on screens and in print.
  A word holding a Latin letter (the "A1F3" of a case number, an e-mail, a web address) keeps its
  digits as written. Typed numbers are read in either style (`to_latin_digits` at every parse).
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from desktop.errors import InputError

__all__ = [
    "ARABIC_LETTERS",
    "ARTICLE",
    "BIDI_CONTROLS",
    "DigitStyle",
    "FSI",
    "PDI",
    "clean_text",
    "digit_style",
    "display_digits",
    "has_arabic",
    "identifier_text",
    "isolate",
    "ltr",
    "article_forms",
    "fts_name_query",
    "name_match_rank",
    "name_tokens",
    "normalize_name",
    "set_digit_style",
    "strip_bidi_controls",
    "to_arabic_digits",
    "to_latin_digits",
]

FSI = "\u2068"
PDI = "\u2069"

#: Explicit bidirectional formatting characters (embeddings, overrides, isolates, marks, ALM).
BIDI_CONTROLS: frozenset[str] = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c"]
)

#: The Arabic alphabet as written in names: the 28 letters, hamza and its carriers, ta marbuta, alef maqsura.
ARABIC_LETTERS: frozenset[str] = frozenset("ابتثجحخدذرزسشصضطظعغفقكلمنهوي" "ءأإآؤئٱةى")

_ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
_EASTERN_ARABIC_INDIC = "۰۱۲۳۴۵۶۷۸۹"
_LATIN = "0123456789"

_TO_LATIN = str.maketrans(_ARABIC_INDIC + _EASTERN_ARABIC_INDIC, _LATIN * 2)
_TO_ARABIC = str.maketrans(_LATIN + _EASTERN_ARABIC_INDIC, _ARABIC_INDIC * 2)
_TO_LATIN_DISPLAY = str.maketrans(_ARABIC_INDIC + _EASTERN_ARABIC_INDIC + "٬٫", _LATIN * 2 + ",.")
_STRIP_BIDI = str.maketrans({c: None for c in BIDI_CONTROLS})

# Characters removed from free text besides bidi controls: zero-width space and BOM.
_INVISIBLE = frozenset({"\u200b", "\ufeff"})

_ARABIC_RANGES = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)

# Harakat, tanwin, shadda, sukun, Quranic small marks, dagger alef and the tatweel.
_NAME_DROPPED = frozenset(
    [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670", "\u0640"]
    + [chr(c) for c in range(0x0610, 0x061B)]
    + [chr(c) for c in range(0x06D6, 0x06DD)]
    + [chr(c) for c in range(0x06DF, 0x06E9)]
    + [chr(c) for c in range(0x06EA, 0x06EE)]
)

_NAME_LETTER_MAP = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "\u0672": "ا",  # alef with wavy hamza above
    "\u0673": "ا",  # alef with wavy hamza below
    "ة": "ه",
    "\u06c0": "ه",  # heh with yeh above (ۀ)
    "ى": "ي",
    "\u06cc": "ي",  # Persian yeh (ی)
    "ؤ": "و",
    "ئ": "ي",
    "\u06a9": "ك",  # keheh (ک)
}

_HSPACE_RUN = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")

_ABD = "عبد"


class DigitStyle(StrEnum):
    """How the desk writes the numbers the officer reads: Arabic-Indic (٠١٢, the default) or Latin (012)."""

    ARABIC = "arabic"
    LATIN = "latin"

    @property
    def label_ar(self) -> str:
        """How the settings page names the style (its digits written in the style itself)."""
        return "أرقام عربية مشرقية (٠١٢٣)" if self is DigitStyle.ARABIC else "أرقام لاتينية (0123)"


# A word holding a Latin letter keeps its digits ("A1F3", "info2@…", "www.x2.org").
_LATIN_LETTER = re.compile("[A-Za-z]")
_LATIN_WORD = re.compile("[0-9]*[A-Za-z][A-Za-z0-9]*")

# The process-wide style: the translation `display_digits` applies (Arabic-Indic until a workspace says).
_style = DigitStyle.ARABIC


def set_digit_style(style: DigitStyle | str) -> DigitStyle:
    """Make `style` the desk's digit style for this process (the workspace sets it when it opens); returns it.

    An unknown value falls back to Arabic-Indic, the default.
    """
    global _style
    try:
        _style = DigitStyle(style)
    except ValueError:
        _style = DigitStyle.ARABIC
    return _style


def digit_style() -> DigitStyle:
    """The desk's digit style in this process."""
    return _style


def display_digits(text: str) -> str:
    """`text` with its digits in the desk's style (`set_digit_style`): the one place the style is applied.

    Numbers are written with the Arabic separators ٬ (thousands) and ٫ (decimal); Latin style: every
    Arabic-Indic digit becomes 0-9 and those separators «,» and «.». Arabic-Indic style: 0-9 become ٠-٩, except inside a
    word holding a Latin letter (a case number's "A1F3", an e-mail, a web address), written as it is.
    """
    if _style is DigitStyle.LATIN:
        return text.translate(_TO_LATIN_DISPLAY)
    if _LATIN_LETTER.search(text) is None:
        return text.translate(_TO_ARABIC)
    parts: list[str] = []
    start = 0
    for word in _LATIN_WORD.finditer(text):
        parts.append(text[start : word.start()].translate(_TO_ARABIC))
        parts.append(word.group())
        start = word.end()
    parts.append(text[start:].translate(_TO_ARABIC))
    return "".join(parts)


def to_latin_digits(text: str) -> str:
    """Replace Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits by 0-9."""
    return text.translate(_TO_LATIN)


def to_arabic_digits(text: str) -> str:
    """Replace 0-9 (and Eastern Arabic-Indic ۰-۹) by Arabic-Indic digits ٠-٩."""
    return text.translate(_TO_ARABIC)


def strip_bidi_controls(text: str) -> str:
    """Remove explicit bidi controls: U+202A–U+202E, U+2066–U+2069, LRM, RLM and ALM."""
    return text.translate(_STRIP_BIDI)


def clean_text(text: str, *, max_length: int, field: str | None = None) -> str:
    """Clean free text typed or pasted by the officer and enforce `max_length` (in characters).

    NFC; bidi controls, zero-width spaces and control characters removed (line breaks kept,
    CR LF and Unicode separators become ``\\n``, tabs become spaces); runs of spaces collapsed,
    each line trimmed, at most one blank line in a row, no leading or trailing blank lines.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    kept: list[str] = []
    for ch in strip_bidi_controls(text):
        if ch == "\n":
            kept.append(ch)
        elif ch in _INVISIBLE:
            continue
        elif unicodedata.category(ch) == "Cc":
            kept.append(" " if ch in "\t\v\f\x1c\x1d\x1e\x1f\x85" else "")
        else:
            kept.append(ch)
    lines = [_HSPACE_RUN.sub(" ", line).strip() for line in "".join(kept).split("\n")]
    cleaned = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")
    if len(cleaned) > max_length:
        raise InputError(
            f"النص أطول من المسموح: {len(cleaned)} حرفًا، والحد الأقصى {max_length} حرفًا",
            field=field,
        )
    return cleaned


def _drop_format_characters(text: str) -> str:
    """`text` without its invisible format characters (category Cf): removed, never made a space."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _normalize_chars(text: str) -> str:
    text = unicodedata.normalize("NFKC", _drop_format_characters(text)).casefold()
    text = unicodedata.normalize("NFKC", _drop_format_characters(text))
    out: list[str] = []
    for ch in text:
        if ch in _NAME_DROPPED:
            continue
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        if category == "Cc":
            out.append(" ")
            continue
        out.append(_NAME_LETTER_MAP.get(ch, ch))
    return to_latin_digits("".join(out))


def _join_abd(tokens: list[str]) -> list[str]:
    joined: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == _ABD and i + 1 < len(tokens) and tokens[i + 1].startswith("ال"):
            joined.append(tok + tokens[i + 1])
            i += 2
        else:
            joined.append(tok)
            i += 1
    return joined


def name_tokens(text: str) -> list[str]:
    """The parts of a name's search key (see `normalize_name`), for matching parts in any order."""
    return _join_abd(_normalize_chars(text).split())


def normalize_name(text: str) -> str:
    """The search key of a name: no diacritics/tatweel, unified alef/ta marbuta/ya/hamza carriers, عبد joined; idempotent."""
    return " ".join(name_tokens(text))


#: The definite article as the name key writes it (ال، also for ٱل once normalised).
ARTICLE = "ال"


def _without_article(word: str) -> str:
    """A name part without its article, when at least two letters remain (القحطاني → قحطاني; ال stays)."""
    if word.startswith(ARTICLE) and len(word) >= len(ARTICLE) + 2:
        return word[len(ARTICLE):]
    return word


def article_forms(token: str) -> tuple[str, ...]:
    """A normalised name part and its twin with or without the article, the part as typed first.

    قحطاني → (قحطاني، القحطاني); القحطاني → (القحطاني، قحطاني). A part of digits or of one letter, and
    a joined «عبدال…», has no twin.
    """
    if len(token) < 2 or not token.isalpha() or token.startswith("عبد") or token == ARTICLE:
        return (token,)
    bare = _without_article(token)
    return (token, bare) if bare != token else (token, ARTICLE + token)


def name_match_rank(tokens: list[str] | tuple[str, ...], name_key: str) -> int:
    """How well a stored name key matches the typed parts: 0 the same name, 1 every part a whole word,
    2 a part only the start of a word (عمر ranks عمر before عمرو); the article never counts."""
    words = [_without_article(word) for word in name_key.split()]
    typed = [_without_article(token) for token in tokens]
    if typed == words:
        return 0
    if all(token in words for token in typed):
        return 1
    return 2


def fts_name_query(tokens: tuple[str, ...] | list[str], *, whole_words: bool) -> str:
    """An FTS5 query of name key parts: each part (and its article twin) quoted, so nothing typed is an
    FTS operator; `whole_words` matches whole words, otherwise a word's start."""
    star = "" if whole_words else "*"
    groups = []
    for token in tokens:
        forms = ['"' + form.replace('"', '""') + '"' + star for form in article_forms(token)]
        groups.append(forms[0] if len(forms) == 1 else "(" + " OR ".join(forms) + ")")
    return " AND ".join(groups)


def isolate(text: str) -> str:
    """Wrap `text` in FSI … PDI so numbers, IDs and Latin keep their order inside Arabic text."""
    return f"{FSI}{text}{PDI}"


def _is_arabic_char(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _ARABIC_RANGES)


def has_arabic(text: str) -> bool:
    """True when `text` contains at least one Arabic letter."""
    return any(ch.isalpha() and _is_arabic_char(ch) for ch in text)


def identifier_text(text: str) -> str:
    """An ID, phone or case number inside Arabic text: the desk's digits (`display_digits`), drawn as written.

    Arabic-Indic digit groups joined by "-" or spaces would swap places under the bidi rules: the value is
    held left to right (`ltr`).
    """
    return ltr(display_digits(text))


def ltr(text: str) -> str:
    """Mark an identifier (ID, case number, mobile, e-mail, web address) to be drawn left to right.

    Text without Arabic letters gets a left-to-right override, so "2025-0000123" or
    "+966 50 123 4567" keep their written order; text with Arabic letters only an isolate.
    """
    if not text:
        return text
    if has_arabic(text):
        return f"\u2068{text}\u2069"
    return f"\u2066\u202d{text}\u202c\u2069"
