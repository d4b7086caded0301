"""Counting nouns: every number 0–1,100 takes the noun form Arabic grammar gives it, for several nouns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop import counting
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


#: A placeholder or a written number directly before a counted noun's form: the noun cannot agree with a number
#: it does not see. Counts go through `count_phrase` / `part_of` instead. («رقم» is left out: «رقم {…}» is
#: "number …", not a count.)
_NOUN_FORMS = sorted(
    {form for noun in vars(counting).values() if isinstance(noun, Noun)
     for form in (noun.singular, noun.dual, noun.plural, noun.accusative)} - {"رقم"},
    key=len, reverse=True,
)
_HAND_COUNTED = re.compile(
    r"(?:\}\)*|(?<![\w{])\d+)\s*(?:%s)(?![\u0621-\u064a])" % "|".join(map(re.escape, _NOUN_FORMS))
)

#: Lines that match but count nothing by hand, each with its reason.
_NOT_COUNTS = {
    ("desktop/documents/letters.py", "{opening} طلب استكمال"),  # «طلب» the request, not a number of them
    ("ui/reception/lifecycle.py", "{who} حالة لم تُغلق"),  # «للمستفيد … حالة»: one case, no number
    ("desktop/reports/formatting.py", "{_decimal(value, 1)} يوم"),  # a fraction (٨٫٥ يوم) takes the singular
    ("desktop/reports/formatting.py", "{_decimal(rounded, 1)} دقيقة"),
    # The sync server loads no desk module (tests/desktop/server checks it): its batch limit, 500, is a
    # hundred and takes the singular.
    ("desktop/server/app.py", "{p.MAX_BATCH_MUTATIONS} تغيير"),
    ("desktop/server/store.py", "{p.MAX_BATCH_MUTATIONS} تغيير"),
}


def test_no_screen_or_message_counts_a_noun_by_hand() -> None:
    """Every count in ui/ and desktop/ goes through desktop.counting: no «{n} أرقام» or «10 أرقام» in the code."""
    root = Path(__file__).resolve().parents[2]
    found = []
    for package in ("ui", "desktop"):
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if relative == "desktop/counting.py" or '"""' in line or line.lstrip().startswith("#"):
                    continue  # the rule's own table, docstrings and comments show examples
                if _HAND_COUNTED.search(line) and not any(
                    relative == where and snippet in line for where, snippet in _NOT_COUNTS
                ):
                    found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "counted by hand (use desktop.counting.count_phrase / part_of):\n" + "\n".join(found)
