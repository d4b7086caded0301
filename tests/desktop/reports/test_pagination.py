"""The period report's pages: a figure is never left alone on a page, away from the figures it is read with.

The monthly table is made longer one month at a time, so that its page break falls after every row in
turn; each page is read back with pdftotext.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from desktop.arabic_text import strip_bidi_controls, to_latin_digits
from desktop.documents.forms import Letterhead
from desktop.reports import DashboardService, Period, terms
from desktop.reports.pdf import PeriodReportDocument
from desktop.reports.views import MonthScore
from desktop.workspace import Workspace
from tests.desktop.reports.conftest import NOW, squash

MARCH = Period.gregorian_month(2025, 3)


def _pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """The text of each page (NFKC, Latin digits), read back with pdftotext one page at a time."""
    target = tmp_path / "report.pdf"
    target.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True).stdout
    count = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    pages = []
    for page in range(1, count + 1):
        raw = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(target), "-"],
            capture_output=True, check=True,
        ).stdout
        pages.append(to_latin_digits(strip_bidi_controls(unicodedata.normalize("NFKC", raw.decode("utf-8")))))
    return pages


def _month(index: int) -> MonthScore:
    """A synthetic month whose row is easy to find on a page: its count of responses (٧٬٠٠٠ + index) is printed
    in the table only (the chart above it shows labels and percentages)."""
    return MonthScore(label_ar=f"شهر {index + 1}", start=date(2025, 3, 1), end=date(2025, 3, 31),
                      responses=7000 + index, mean=4.0, percent=75.0)


@pytest.mark.slow
def test_no_month_of_the_trend_table_is_alone_on_a_page(march: Workspace, tmp_path: Path) -> None:
    """Whatever the length of the monthly table, no page holds exactly one of its rows."""
    figures = DashboardService(march, clock=lambda: NOW).figures(MARCH)
    letterhead = Letterhead(association_name="جمعية مفاتيح الخير الأسرية")
    broken = 0
    for months in range(16, 54):
        trend = tuple(_month(i) for i in range(months))
        document = PeriodReportDocument(letterhead, dataclasses.replace(figures, satisfaction_trend=trend), ())
        pages = _pages(document.render(), tmp_path)
        where = [[p for p, text in enumerate(pages) if str(7000 + i) in squash(text)] for i in range(months)]
        assert all(len(found) == 1 for found in where), where
        per_page: dict[int, int] = {}
        for found in where:
            per_page[found[0]] = per_page.get(found[0], 0) + 1
        if len(per_page) > 1:
            broken += 1
        assert 1 not in per_page.values(), (months, per_page)
    assert broken > 0  # the table did break across pages in some of these lengths


def test_each_recommendation_group_is_printed_with_its_count(march: Workspace, tmp_path: Path) -> None:
    """The groups of the recommendation question and the score are never split from their figures."""
    figures = DashboardService(march, clock=lambda: NOW).figures(MARCH)
    assert figures.recommendation is not None
    letterhead = Letterhead(association_name="جمعية مفاتيح الخير الأسرية")
    for months in range(0, 40, 3):
        trend = tuple(_month(i) for i in range(months))
        document = PeriodReportDocument(letterhead, dataclasses.replace(figures, satisfaction_trend=trend), ())
        pages = _pages(document.render(), tmp_path)
        lines = [to_latin_digits(line) for page in pages for line in page.splitlines()]
        r = figures.recommendation
        groups = ((terms.PROMOTERS, r.promoters), (terms.PASSIVES, r.passives), (terms.DETRACTORS, r.detractors))
        names = [squash(group.name) for group, _ in groups]
        for group, value in groups:
            # pdftotext reorders a right-to-left line's numbers, so: the group's name and its count on one line,
            # the count between the name and the next group's name.
            name = squash(group.name)  # as printed: without its shadda
            on_a_line = False
            for line in lines:
                if name not in line:
                    continue
                after = line.split(name, 1)[1]
                for other in names:
                    after = after.split(other, 1)[0]
                on_a_line = on_a_line or str(value) in re.findall(r"\d+", after)
            assert on_a_line, (months, group.name, value)
        score = f"{round(r.score or 0)}"
        assert any(squash(terms.RECOMMENDATION_SCORE) in squash(line) and score in re.findall(r"\d+", line)
                   for line in lines), (months, score)
