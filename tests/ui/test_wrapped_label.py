"""The word-wrapped label's measured heights (issue 10: no layout pass re-shapes a fixed wording again): the same
answer as Qt's own label, shared by labels of the same text, and a new answer once the text, font or width
changes."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from ui.widgets import wrapped_label
from ui.widgets.wrapped_label import WrappedLabel

NOTICE = ("تُستخدم بياناتك الشخصية لدراسة طلبك وتقديم الخدمة فقط، ولا تُشارك مع جهة أخرى إلا بما يوجبه النظام، "
          "ولك أن تطلب نسخة منها أو تصحيحها في أي وقت. ") * 4


def _qt_height(text: str, width: int, font_size: int | None = None) -> int:
    label = QLabel(text)
    label.setWordWrap(True)
    if font_size is not None:
        font = label.font()
        font.setPointSize(font_size)
        label.setFont(font)
    return label.heightForWidth(width)


def test_heights_are_qt_s_own_and_follow_the_text_font_and_width() -> None:
    """For every width, text and font the answer is what a plain QLabel says; a changed text is measured anew."""
    label = WrappedLabel(NOTICE)
    for width in (240, 420, 700, 420):
        assert label.heightForWidth(width) == _qt_height(NOTICE, width)
    assert label.heightForWidth(240) > label.heightForWidth(700)
    label.setText("سطر قصير")
    assert label.heightForWidth(240) == _qt_height("سطر قصير", 240)
    font = label.font()
    font.setPointSize(font.pointSize() + 6)
    label.setFont(font)
    assert label.heightForWidth(240) == _qt_height("سطر قصير", 240, font.pointSize())
    plain = QLabel("سطر قصير")
    plain.setWordWrap(True)
    plain.setFont(font)
    plain.setText("")
    label.setText("")
    assert label.heightForWidth(240) == plain.heightForWidth(240)


def test_a_second_label_of_the_same_wording_is_not_measured_again() -> None:
    """A new page's label of a fixed wording takes the height measured for the previous page's."""
    first = WrappedLabel(NOTICE + "أ")
    before = len(wrapped_label._table)  # noqa: SLF001 - the shared table is what is under test
    height = first.heightForWidth(512)
    assert len(wrapped_label._table) == before + 1  # noqa: SLF001
    second = WrappedLabel(NOTICE + "أ")
    assert second.heightForWidth(512) == height
    assert len(wrapped_label._table) == before + 1  # noqa: SLF001
