"""The period report PDF, the workbook and the evidence pack print the hand-computed numbers; CLI exit codes."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from desktop.reports import Period, ReportCancelled, ReportService
from desktop.workspace import Workspace
from tests.desktop.reports.conftest import NOW, pdf_text, qpdf_ok, squash

MARCH = Period.gregorian_month(2025, 3)


def test_period_report_pdf_prints_the_figures(march: Workspace, tmp_path: Path) -> None:
    pdf = ReportService(march, clock=lambda: NOW).period_report_pdf(MARCH)
    assert qpdf_ok(pdf, tmp_path)
    text = pdf_text(pdf, tmp_path)
    for expected in (
        "تقرير علاقات المستفيدين للفترة",
        "الفترة: مارس 2025 م",
        "المقابلة 2 50.0%",          # interview: 2 of 4 contacts
        "الاتصالات الهاتفية 1 25.0%",
        "المجموع 4 100.0%",
        "مؤشر الرضا 50.0%",
        "3.00 من 5",
        "الوسيط من التقديم إلى القرار 9 أيام",
        "66.7",
        "مؤشر التوصية 0",
    ):
        assert squash(expected) in squash(text), expected


def test_workbook_holds_the_same_numbers(march: Workspace) -> None:
    data = ReportService(march, clock=lambda: NOW).period_report_xlsx(MARCH)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "الملخص"
    summary = book["الملخص"]
    assert summary.sheet_view.rightToLeft
    values = {summary.cell(r, 1).value: summary.cell(r, 2).value for r in range(5, summary.max_row + 1)}
    assert values["التواصل (الطلبات والبلاغات المستلمة)"] == 4
    assert values["قرارات لجنة البحث"] == 3
    assert values["الوسيط من التقديم إلى القرار (أيام)"] == 9
    assert values["نسبة القرارات في المدة الموعودة"] == pytest.approx(0.6667)
    assert values["متوسط الرضا (من 5)"] == 3.0
    assert values["مؤشر الرضا"] == 0.5
    assert values["مؤشر التوصية"] == 0
    channels = book["التواصل حسب القناة"]
    rows = {channels.cell(r, 1).value: channels.cell(r, 2).value for r in range(5, channels.max_row + 1)}
    assert rows["المقابلة"] == 2 and rows["المجموع"] == 4
    complaints = book["الاقتراحات والشكاوى"]
    assert [complaints.cell(6, c).value for c in range(1, 5)] == ["الشكاوى", 1, 2, 0]


def test_empty_period_says_so(march: Workspace, tmp_path: Path) -> None:
    service = ReportService(march, clock=lambda: NOW)
    empty = Period.gregorian_month(2024, 1)
    text = pdf_text(service.period_report_pdf(empty), tmp_path)
    assert "لا توجد بيانات في هذه الفترة" in text
    book = openpyxl.load_workbook(io.BytesIO(service.period_report_xlsx(empty)))
    values = [c.value for c in book["الملخص"]["B"]]
    assert "لا توجد بيانات" in values


def test_evidence_pack(march: Workspace, tmp_path: Path) -> None:
    pdf = ReportService(march, clock=lambda: NOW).evidence_pack_pdf(MARCH)
    assert qpdf_ok(pdf, tmp_path)
    text = pdf_text(pdf, tmp_path)
    for expected in (
        "حزمة أدلة تطبيق سياسة تنظيم العلاقة مع المستفيدين",
        "مجلس إدارة الجمعية",
        "ملخص سجل الشكاوى",
        "اكتمال ملفات المستفيدين",
        "الملفات المكتملة",
        "الملف المكتمل",
    ):
        assert squash(expected) in squash(text), expected


def test_evidence_pack_without_approval_record(open_workspace, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws = open_workspace("tahfeez-bir-bin-hirmas")  # 001 carries no approval record
    text = pdf_text(ReportService(ws, clock=lambda: NOW).evidence_pack_pdf(MARCH), tmp_path)
    assert "لا تذكر السياسة محضر اعتمادها" in text


def test_progress_and_cancel(march: Workspace) -> None:
    seen: list[tuple[int, int]] = []
    ReportService(march, clock=lambda: NOW).period_report_pdf(MARCH, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)
    with pytest.raises(ReportCancelled):
        ReportService(march).period_report_xlsx(MARCH, cancel=lambda: True)


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys, argparse\n"
        "from desktop import cli\n"
        "cli.COMMAND_MODULES = ('desktop.reports.cli',)\n"
        "sys.exit(cli.main(sys.argv[1:]))\n"
    )
    return subprocess.run([sys.executable, "-c", code, "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True)


def test_cli_report(march: Workspace, tmp_path: Path) -> None:
    data_dir = march.data_dir
    out = tmp_path / "r.xlsx"
    done = _cli(data_dir, "report", "--from", "1446/09/01", "--to", "2025-03-31", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(out).sheetnames[0] == "الملخص"
    pdf = tmp_path / "e.pdf"
    assert _cli(data_dir, "report", "--from", "2025-03-01", "--to", "2025-03-31", "--out", str(pdf),
                "--evidence").returncode == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    bad_ext = _cli(data_dir, "report", "--from", "2025-03-01", "--to", "2025-03-31", "--out", str(tmp_path / "r.doc"))
    assert bad_ext.returncode == 2 and len(bad_ext.stderr.strip().splitlines()) == 1 and "امتداد" in bad_ext.stderr
    bad_date = _cli(data_dir, "report", "--from", "2025-02-30", "--to", "2025-03-31", "--out", str(out))
    assert bad_date.returncode == 2 and len(bad_date.stderr.strip().splitlines()) == 1
    reversed_ = _cli(data_dir, "report", "--from", "2025-03-31", "--to", "2025-03-01", "--out", str(out))
    assert reversed_.returncode == 2 and "قبل" in reversed_.stderr
