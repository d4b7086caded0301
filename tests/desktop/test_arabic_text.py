"""Tests for desktop.arabic_text: digits, bidi controls, clean_text, name search keys."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.arabic_text import (
    ARABIC_LETTERS,
    BIDI_CONTROLS,
    FSI,
    PDI,
    clean_text,
    has_arabic,
    isolate,
    name_tokens,
    normalize_name,
    strip_bidi_controls,
    to_arabic_digits,
    to_latin_digits,
)
from desktop.errors import InputError

ARABIC_RE_CHARS = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
NAME_PIECE = st.one_of(
    ARABIC_RE_CHARS,
    st.sampled_from(list(" \u00a0\t\u0640\u200e\u200f\u202b\u202c\u2066\u2069\u061c" "ﷲﻻﺃ")),
    st.sampled_from(["عبد", " ال", "الله", " ", "ة", "ى", "أ", "إ", "آ", "ٱ", "ؤ", "ئ", "ء"]),
    st.characters(min_codepoint=0x20, max_codepoint=0x24F),
)
NAME_TEXT = st.lists(NAME_PIECE, max_size=20).map("".join)


def _has_arabic_digit(s: str) -> bool:
    return any("\u0660" <= c <= "\u0669" or "\u06f0" <= c <= "\u06f9" for c in s)


# --- digits ---------------------------------------------------------------------------------


def test_to_latin_digits_arabic_indic_and_persian() -> None:
    assert to_latin_digits("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert to_latin_digits("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert to_latin_digits("رقم ١٤٤٤/٥/٨ هـ") == "رقم 1444/5/8 هـ"


def test_to_arabic_digits() -> None:
    assert to_arabic_digits("0123456789") == "٠١٢٣٤٥٦٧٨٩"
    assert to_arabic_digits("۱۲") == "١٢"
    assert to_arabic_digits("سنة 1446") == "سنة ١٤٤٦"


def test_digit_conversion_leaves_separators() -> None:
    assert to_latin_digits("١٬٥٠٠٫٥") == "1٬500٫5"


@given(st.text())
def test_digit_round_trip(s: str) -> None:
    latin = to_latin_digits(s)
    assert not _has_arabic_digit(latin)
    assert to_latin_digits(to_arabic_digits(latin)) == latin
    assert not any(c in "0123456789" for c in to_arabic_digits(s))


# --- bidi -----------------------------------------------------------------------------------


def test_strip_bidi_controls_all_listed() -> None:
    controls = "".join(chr(c) for c in range(0x202A, 0x202F)) + "\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    assert set(controls) == BIDI_CONTROLS
    assert strip_bidi_controls(f"a{controls}ب١") == "aب١"


def test_strip_bidi_controls_keeps_zwj_and_text() -> None:
    assert strip_bidi_controls("لا\u200dإله") == "لا\u200dإله"


def test_isolate_wraps_in_fsi_pdi() -> None:
    assert isolate("1098765432") == "\u20681098765432\u2069"
    assert isolate("x").startswith(FSI) and isolate("x").endswith(PDI)
    assert strip_bidi_controls(isolate("+966501234567")) == "+966501234567"


# --- clean_text -----------------------------------------------------------------------------


def test_clean_text_trims_and_collapses_spaces() -> None:
    assert clean_text("   طلب    مساعدة \t عاجلة  ", max_length=100) == "طلب مساعدة عاجلة"


def test_clean_text_keeps_newlines_for_notes() -> None:
    raw = "  السطر الأول  \r\n\r\n\r\n\r\n   السطر   الثاني\r\nالثالث\n\n"
    assert clean_text(raw, max_length=200) == "السطر الأول\n\nالسطر الثاني\nالثالث"


def test_clean_text_removes_bidi_and_control_chars() -> None:
    raw = "\u202eملاحظة\u200f\x00 \x07مهمة\ufeff\u200b"
    assert clean_text(raw, max_length=50) == "ملاحظة مهمة"


def test_clean_text_applies_nfc() -> None:
    decomposed = "\u0627\u0654\u062d\u0645\u062f"  # alef + combining hamza above
    assert unicodedata.normalize("NFC", decomposed) != decomposed
    assert clean_text(decomposed, max_length=10) == "أحمد"


def test_clean_text_length_limit_counts_after_cleaning() -> None:
    assert clean_text("  " + "ا" * 10 + "   ", max_length=10) == "ا" * 10


def test_clean_text_too_long_raises_arabic_error_with_field() -> None:
    with pytest.raises(InputError) as info:
        clean_text("ب" * 11, max_length=10, field="notes")
    err = info.value
    assert err.field == "notes"
    assert has_arabic(err.message_ar)
    assert "10" in err.message_ar and "11" in err.message_ar


def test_clean_text_empty_is_empty() -> None:
    assert clean_text(" \n \t ", max_length=0) == ""


@given(st.text(max_size=80))
def test_clean_text_properties(s: str) -> None:
    out = clean_text(s, max_length=10_000)
    assert out == out.strip()
    assert not any(c in BIDI_CONTROLS for c in out)
    assert all(c == "\n" or unicodedata.category(c) != "Cc" for c in out)
    assert "  " not in out
    assert clean_text(out, max_length=10_000) == out


# --- normalize_name -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    ["عبد الله", "عبدالله", "عبـــد اللّه", "عَبْدُ اللَّه", "  عبد   الله ", "\u202bعبد الله\u202c", "عبد ﷲ"],
)
def test_abdullah_variants_share_one_key(variant: str) -> None:
    assert normalize_name(variant) == "عبدالله"


def test_abd_joins_any_al_word() -> None:
    assert normalize_name("عبد الرحمن") == normalize_name("عبدالرحمن") == "عبدالرحمن"
    assert normalize_name("محمد عبد العزيز آل سعود") == "محمد عبدالعزيز ال سعود"


def test_abd_not_joined_without_al() -> None:
    assert normalize_name("عبد ربه") == "عبد ربه"
    assert normalize_name("سعد عبد") == "سعد عبد"


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("أحمد", "احمد"),
        ("إبراهيم", "ابراهيم"),
        ("آمنة", "امنه"),
        ("ٱلعلاء", "العلاء"),
        ("فاطمة", "فاطمه"),
        ("مصطفى", "مصطفي"),
        ("مؤمن", "مومن"),
        ("عائشة", "عايشه"),
        ("مُحَمَّدٌ", "محمد"),
        ("مـــحـــمـــد", "محمد"),
        ("یوسف", "يوسف"),  # Persian yeh
        ("ﺃﺣﻤﺪ", "احمد"),  # presentation forms pasted from a PDF
        ("John  SMITH", "john smith"),
    ],
)
def test_normalize_name_unifications(raw: str, key: str) -> None:
    assert normalize_name(raw) == key


def test_standalone_hamza_is_kept() -> None:
    assert normalize_name("علاء") == "علاء"
    assert normalize_name("علاء") != normalize_name("علا")
    assert normalize_name("دعاء") != normalize_name("دعا")


def test_name_tokens_after_join() -> None:
    assert name_tokens("  عبد الرحمن   بن  سعيد ") == ["عبدالرحمن", "بن", "سعيد"]
    assert name_tokens("") == []
    assert name_tokens("\u200f \u0640 ") == []


def test_name_tokens_any_order_match() -> None:
    stored = set(name_tokens("سارة عبد الله القحطاني"))
    assert set(name_tokens("القحطانى ساره عبدالله")) == stored


@given(NAME_TEXT)
def test_normalize_name_idempotent(s: str) -> None:
    once = normalize_name(s)
    assert normalize_name(once) == once
    assert name_tokens(once) == name_tokens(s)


@given(st.text())
def test_normalize_name_idempotent_any_text(s: str) -> None:
    once = normalize_name(s)
    assert normalize_name(once) == once


@given(NAME_TEXT)
def test_normalize_name_output_shape(s: str) -> None:
    out = normalize_name(s)
    assert out == out.strip() and "  " not in out
    for forbidden in "أإآٱةىؤئ\u0640\u064b\u064e\u0651\u0652\u0670":
        assert forbidden not in out
    assert not any(c in BIDI_CONTROLS for c in out)


# --- has_arabic -----------------------------------------------------------------------------


def test_has_arabic() -> None:
    assert has_arabic("Ahmad أحمد")
    assert has_arabic("ﺃ")
    assert not has_arabic("Ahmad 123")
    assert not has_arabic("١٢٣ ، ؟")  # digits and punctuation are not letters
    assert not has_arabic("")


def test_arabic_letters_constant() -> None:
    assert len(set("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")) == 28
    assert set("ابتثجحخدذرزسشصضطظعغفقكلمنهوي") <= ARABIC_LETTERS
    assert {"ة", "ى", "ء", "أ"} <= ARABIC_LETTERS
    assert all(has_arabic(c) for c in ARABIC_LETTERS)


# --- names in search (issue 12) -------------------------------------------------------------


FORMAT_CHARACTERS = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]


@pytest.mark.parametrize("ch", FORMAT_CHARACTERS, ids=lambda ch: f"U+{ord(ch):04X}")
def test_every_format_character_is_removed_never_a_space(ch: str) -> None:
    assert normalize_name(f"عبد{ch}الله الق{ch}حطاني{ch}") == "عبدالله القحطاني"
    assert name_tokens(f"{ch}سل{ch}مان") == ["سلمان"]


def test_control_characters_still_separate_words() -> None:
    assert name_tokens("سلمان\tخالد\nسعد") == ["سلمان", "خالد", "سعد"]


def test_article_forms_both_ways() -> None:
    from desktop.arabic_text import article_forms

    assert article_forms("قحطاني") == ("قحطاني", "القحطاني")
    assert article_forms("القحطاني") == ("القحطاني", "قحطاني")
    assert article_forms("ال") == ("ال",)  # the article alone (or آل) has no twin
    assert article_forms("عبدالله") == ("عبدالله",)
    assert article_forms("1234") == ("1234",)


def test_name_match_rank_whole_words_before_starts() -> None:
    from desktop.arabic_text import name_match_rank

    assert name_match_rank(["عمر"], "عمر") == 0
    assert name_match_rank(["عمر"], "محمد عمر الغامدي") == 1
    assert name_match_rank(["عمر"], "عمرو خالد") == 2
    assert name_match_rank(["قحطاني", "سلمان"], "سلمان القحطاني") == 1
    assert name_match_rank(["سلمان", "قحطاني"], "سلمان القحطاني") == 0


def test_fts_name_query_quotes_every_form() -> None:
    from desktop.arabic_text import fts_name_query

    assert fts_name_query(["عمر"], whole_words=True) == '("عمر" OR "العمر")'
    assert fts_name_query(["القحطاني", "x\"y"], whole_words=False) == '("القحطاني"* OR "قحطاني"*) AND "x""y"*'
