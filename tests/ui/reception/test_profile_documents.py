"""The verify page's documents box shows the policy's list for the case's kind (optional ones, expiry asked)."""

from __future__ import annotations

from ui.reception.verify import VerifyPage


def test_support_request_rows_follow_the_profile(open_reception) -> None:
    """qader-tabuk: one row per listed document; the optional one says so and is not missing when left out."""
    page, officer = open_reception("qader-tabuk")
    officer.start_contact("interview", "support_request", "")
    officer.greet()
    verify = officer.on("verification")
    assert isinstance(verify, VerifyPage)
    listed = page.wizard.case.listed_documents
    rows = verify.document_rows
    assert [row.name for row in rows] == [d.name for d in listed]
    for row, document in zip(rows, listed, strict=True):
        assert row.required == document.required
        assert row.valid_until.isVisibleTo(verify) == document.has_expiry
        assert row.provided.text().endswith("(اختياري)") == (not document.required)
    officer.mark_documents()
    optional = next(row for row in rows if not row.required)
    optional.provided.setChecked(False)
    assert "✓" in verify.documents_box.missing_label.text()


def test_inquiry_asks_for_no_document(open_reception) -> None:
    """An inquiry lists no document and, needing no committee decision, is answered at the greeting: the wizard
    never shows it a documents box (behaviour change with the decision gate: it used to reach verification)."""
    page, officer = open_reception("qader-tabuk")
    officer.start_contact("interview", "inquiry", "")
    assert page.wizard.case.listed_documents == ()
    assert page.wizard.case.ends_at_answer
    officer.greet()
    assert officer.page.key == "reception"
    assert "تُغلق الحالة بهذه الإجابة" in page.wizard.message_text()
