"""Counting nouns: every number 0–1,100 takes the noun form Arabic grammar gives it, for several nouns."""

from __future__ import annotations

import pytest

from desktop.arabic_text import to_arabic_digits
from desktop.counting import (
    BENEFICIARIES,
    CASES,
    DAYS,
    DECISIONS,
    DOCUMENTS,
    HOURS,
    MEMBERS,
    RESPONSES,
    STEPS,
    Noun,
    count_phrase,
    part_of,
)

#: The grammar as ranges of the last two digits (from 100 on) — written out, not computed by the code under test.
#: 0 → number + singular; 1 → noun + «واحد/واحدة»; 2 → dual; 3–10 → number + plural; 11–99 → number +
#: accusative singular; x00–x02 → number + singular; x03–x10 → plural; x11–x99 → accusative singular.
_BELOW_100 = [(0, 0, "zero"), (1, 1, "one"), (2, 2, "two"), (3, 10, "plural"), (11, 99, "accusative")]
_EACH_HUNDRED = [(0, 2, "singular"), (3, 10, "plural"), (11, 99, "accusative")]


def _grammar_table(last: int) -> dict[int, str]:
    table: dict[int, str] = {}
    for low, high, form in _BELOW_100:
        for n in range(low, high + 1):
            table[n] = form
    for hundred in range(100, last + 1, 100):
        for low, high, form in _EACH_HUNDRED:
            for n in range(hundred + low, min(hundred + high, last) + 1):
                table[n] = form
    return table


def _expected(n: int, noun: Noun, form: str) -> str:
    number = to_arabic_digits(str(n))
    return {
        "zero": f"{number} {noun.singular}",
        "one": f"{noun.singular} {'واحدة' if noun.feminine else 'واحد'}",
        "two": noun.dual,
        "plural": f"{number} {noun.plural}",
        "accusative": f"{number} {noun.accusative}",
        "singular": f"{number} {noun.singular}",
    }[form]


@pytest.mark.parametrize("noun", [DAYS, HOURS, CASES, DECISIONS, RESPONSES, DOCUMENTS, MEMBERS, STEPS, BENEFICIARIES],
                         ids=lambda n: n.singular)
def test_sweep_0_to_1100_follows_the_grammar(noun: Noun) -> None:
    """Every count from 0 to 1,100 gives the form the grammar table names."""
    table = _grammar_table(1100)
    assert len(table) == 1101
    wrong = [(n, count_phrase(n, noun)) for n, form in table.items() if count_phrase(n, noun) != _expected(n, noun, form)]
    assert wrong == []


def test_the_examples_readers_notice() -> None:
    """The issue's examples, and the mistakes seen on screen, written out by hand."""
    assert count_phrase(100, DAYS) == "١٠٠ يوم"
    assert count_phrase(103, DAYS) == "١٠٣ أيام"
    assert count_phrase(111, DAYS) == "١١١ يومًا"
    assert count_phrase(3, RESPONSES) == "٣ تقييمات"  # not «٣ تقييماً»
    assert count_phrase(6, DECISIONS) == "٦ قرارات"  # not «٦ قراراً»
    assert count_phrase(1, RESPONSES) == "تقييم واحد"  # not «١ تقييم»
    assert count_phrase(1, CASES) == "حالة واحدة"
    assert count_phrase(2, HOURS) == "ساعتان"
    assert count_phrase(1002, DAYS) == "١٠٠٢ يوم"
    assert count_phrase(-3, DAYS) == "٣ أيام"
    assert count_phrase(25, DAYS, digits="latin") == "25 يومًا"


def test_after_a_preposition_and_parts_of_a_whole() -> None:
    """The oblique dual after a preposition («قبل يومين»), and «٥ من ٦ قرارات» agreeing with the whole."""
    assert count_phrase(2, DAYS, oblique=True) == "يومين"
    assert count_phrase(2, HOURS, oblique=True) == "ساعتين"
    assert count_phrase(3, DAYS, oblique=True) == "٣ أيام"
    assert part_of(5, 6, DECISIONS) == "٥ من ٦ قرارات"
    assert part_of(1, 2, STEPS) == "١ من خطوتين"
    assert part_of(1, 1, STEPS) == "١ من خطوة واحدة"
    assert part_of(7, 111, DOCUMENTS) == "٧ من ١١١ مستندًا"
    assert count_phrase(12345, CASES, grouped=True) == "١٢٬٣٤٥ حالةً"
    assert count_phrase(1003, DAYS, grouped=True, digits="latin") == "1,003 أيام"
