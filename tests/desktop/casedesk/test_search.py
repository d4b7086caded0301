"""Search as you type: how text is understood, spelling variants found, near-miss names not found, bad input safe."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.arabic_text import to_arabic_digits
from desktop.casedesk import CaseFilter, CaseListService, CaseSort, understand
from desktop.casedesk.search import MAX_SEARCH_CHARS, MAX_SEARCH_TOKENS, beneficiary_ids, case_ids
from tests.desktop.casedesk._listing_world import ListingWorld, build_world


@pytest.fixture(scope="module")
def search_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ListingWorld]:
    """One workspace of 003 with the people of `PEOPLE` and a few more, shared by this module's tests."""
    world = build_world(Path(tmp_path_factory.mktemp("search")))
    yield world
    world.workspace.close()


def names_found(world: ListingWorld, text: str) -> set[str]:
    """Beneficiary names of the case list filtered by `text`."""
    service = CaseListService(world.workspace, clock=world.clock)
    return {row.beneficiary_name for row in service.page(CaseFilter(text=text), CaseSort.NEWEST).rows}


# --------------------------------------------------------------------------- understand (pure)


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [
        ("0501234567", "phone", "501234567"),
        ("050 123 4567", "phone", "501234567"),
        ("050-123-4567", "phone", "501234567"),
        ("501234567", "phone", "501234567"),
        ("+966501234567", "phone", "501234567"),
        ("+966 50 123 4567", "phone", "501234567"),
        ("00966501234567", "phone", "501234567"),
        ("٠٥٠١٢٣٤٥٦٧", "phone", "501234567"),
        ("0501", "phone", "501"),
        ("1700000019", "id", "1700000019"),
        ("17000", "id", "17000"),
        ("١٧٠٠٠", "id", "17000"),
        ("A591-1447-000001", "case_number", "A591-1447-000001"),
        ("a591-1447-0000", "case_number", "A591-1447-0000"),
    ],
)
def test_digits_and_numbers_are_understood(text: str, kind: str, key: str) -> None:
    query = understand(text)
    assert (query.kind, query.key) == (kind, key)
    assert query.description


def test_a_bare_sequence_is_a_case_number_and_an_id_start_may_be_one() -> None:
    assert understand("000123").kind == "case_number"
    assert understand("000123").case_sequence == "000123"
    assert understand("17000").case_sequence == "17000"


def test_names_are_normalised_into_parts() -> None:
    query = understand("  عَبْدُ اللّٰه   القحطانـــى ")
    assert query.kind == "name"
    assert query.tokens == ("عبدالله", "القحطاني")
    assert "بحث بالاسم" in query.description


def test_too_short_input_leaves_the_list_as_it_is() -> None:
    for text in ("", "   ", "1", "05", "م", "ال"):
        assert understand(text).kind == "empty", text


@pytest.mark.parametrize(
    "text",
    ["%", "_", "%%__", "'", '"', "' OR 1=1 --", 'محمد" OR "', "محمد*", "NEAR(محمد علي)", "^محمد", "محمد:علي",
     "(محمد) AND (علي)", "\x00\x01\x1b", "\u202e\u2066محمد\u2069", "a" * 1_000_000, "محمد " * 200_000],
)
def test_bad_input_is_understood_without_error_and_bounded(text: str) -> None:
    query = understand(text)
    assert len(query.text) <= MAX_SEARCH_CHARS
    assert len(query.tokens) <= MAX_SEARCH_TOKENS
    for token in query.tokens:
        assert all(ch.isalnum() for ch in token), token


# --------------------------------------------------------------------------- spelling variants found


@pytest.mark.parametrize(
    "text",
    [
        "عبد الله محمد عبد الرحمن القحطاني",
        "عبدالله القحطاني",
        "عبدالله القحطانى",
        "عَبْدُ اللَّهِ القَحْطَانِي",
        "عبـــدالله القحطـــاني",
        "القحطاني عبدالله",
        "محمد القحطاني",
        "عبدالرحمن",
        "القحط",
        "\u202bعبدالله\u202c القحطاني",
    ],
)
def test_a_name_is_found_across_spelling_variants(search_world: ListingWorld, text: str) -> None:
    assert "عبد الله محمد عبد الرحمن القحطاني" in names_found(search_world, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("اسماء ابراهيم", "أسماء إبراهيم سعد آل سعود"),
        ("أسماء آل سعود", "أسماء إبراهيم سعد آل سعود"),
        ("فاطمه الزهراني", "فاطمة علي حسن الزهراني"),
        ("مصطفي الغامدي", "مصطفى أحمد عيسى الغامدي"),
        ("مصطفى احمد", "مصطفى أحمد عيسى الغامدي"),
        ("عيسي", "مصطفى أحمد عيسى الغامدي"),
    ],
)
def test_hamza_taa_marbuta_and_alef_maqsura_variants(search_world: ListingWorld, text: str, expected: str) -> None:
    assert expected in names_found(search_world, text)


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("محمد الحربي", "محمود سالم ناصر الحربي"),  # محمد is not محمود
        ("احمد", "حامد سالم ناصر العتيبي"),  # أحمد is not حامد
        ("حامد الحربي", "محمود سالم ناصر الحربي"),  # every part must match
        ("علاء", "علا يوسف خالد الشمري"),  # the standalone hamza is kept
        ("سالم العتيبي", "محمود سالم ناصر الحربي"),
        ("القحطاني الزهراني", "عبد الله محمد عبد الرحمن القحطاني"),
    ],
)
def test_near_miss_names_are_not_found(search_world: ListingWorld, text: str, wrong: str) -> None:
    assert wrong not in names_found(search_world, text)


def test_near_miss_searches_still_find_the_right_person(search_world: ListingWorld) -> None:
    assert names_found(search_world, "علاء") == {"علاء يوسف خالد الدوسري"}
    assert names_found(search_world, "حامد سالم") == {"حامد سالم ناصر العتيبي"}
    assert names_found(search_world, "سالم ناصر") == {"محمود سالم ناصر الحربي", "حامد سالم ناصر العتيبي"}


# --------------------------------------------------------------------------- ID, phone, case number


def test_id_number_and_its_start(search_world: ListingWorld) -> None:
    name = "فاطمة علي حسن الزهراني"
    id_number = search_world.people[name][0]
    assert names_found(search_world, id_number) == {name}
    assert names_found(search_world, to_arabic_digits(id_number)) == {name}
    assert name in names_found(search_world, id_number[:6])
    assert names_found(search_world, "1999999") == set()


@pytest.mark.parametrize(
    "text", ["0562223333", "056 222 3333", "056-222-3333", "562223333", "+966562223333", "+966 56 222 3333",
             "00966562223333", "٠٥٦٢٢٢٣٣٣٣", "05622"],
)
def test_phone_in_any_common_form(search_world: ListingWorld, text: str) -> None:
    assert names_found(search_world, text) == {"فاطمة علي حسن الزهراني"}


def test_a_wrong_phone_finds_nobody(search_world: ListingWorld) -> None:
    assert names_found(search_world, "0569999999") == set()


def test_case_number_full_lowercase_prefix_and_sequence(search_world: ListingWorld) -> None:
    service = CaseListService(search_world.workspace, clock=search_world.clock)
    case_id = search_world.cases["عبد الله محمد عبد الرحمن القحطاني"]
    number = service.row(case_id).case_number
    prefix, year, sequence = number.split("-")
    for text in (number, number.lower(), f"{prefix}-{year}-{sequence[:-1]}", sequence, sequence.lstrip("0").zfill(3)):
        rows = service.page(CaseFilter(text=text), CaseSort.NEWEST).rows
        assert case_id in {row.case_id for row in rows}, text
    exact = service.page(CaseFilter(text=number), CaseSort.NEWEST).rows
    assert [row.case_id for row in exact] == [case_id]
    assert service.page(CaseFilter(text=f"{prefix}-{year}-999999"), CaseSort.NEWEST).rows == ()


def test_search_functions_used_by_reception(search_world: ListingWorld) -> None:
    with search_world.workspace.db.session(read_only=True) as session:
        assert len(beneficiary_ids(session, understand("سالم ناصر"), limit=10)) == 2
        assert len(beneficiary_ids(session, understand("سالم ناصر"), limit=1)) == 1
        assert beneficiary_ids(session, understand("000001"), limit=10) == []
        assert len(case_ids(session, understand("000001"), limit=10)) == 1


# --------------------------------------------------------------------------- bad input through the list


@pytest.mark.parametrize(
    "text",
    ["%", "_", "%_%", "'", "''", '"', "' OR '1'='1", "محمد%", "%محمد%", "_حمد", '"محمد"', "محمد OR علي",
     "NEAR(محمد علي)", "محمد*", "*", "^", ":", "(", ")", "محمد AND", "\x00", "\x1b[31m", "\u202e", "\ufeff",
     "a" * 1_000_000, "٠" * 1_000_000, "عبدالله " * 150_000],
)
def test_bad_input_returns_safely(search_world: ListingWorld, text: str) -> None:
    service = CaseListService(search_world.workspace, clock=search_world.clock)
    page = service.page(CaseFilter(text=text), CaseSort.NEWEST)
    count, _capped = service.count(CaseFilter(text=text))
    assert count == len(page.rows)
    everyone = len(service.page(CaseFilter(), CaseSort.NEWEST).rows)
    if understand(text).kind == "empty":  # nothing left once control characters are dropped: a blank box
        assert len(page.rows) == everyone
    else:
        assert len(page.rows) < everyone  # never "everything" for symbols or garbage


def test_wildcards_match_literally_nothing(search_world: ListingWorld) -> None:
    for text in ("%", "_", "%%", "*", "'", '"'):
        assert names_found(search_world, text) == set(), text
