"""Read-only outline of the active policy's reception: channels, tools and the ordered steps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from desktop.arabic_text import display_digits

_HTML_SPECIALS = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def escape(text: str) -> str:
    """`text` safe inside the outline's rich text (what html.escape does, without loading html and its tables)."""
    return text.translate(_HTML_SPECIALS)
from desktop.policy_text import counted_parts

if TYPE_CHECKING:
    from desktop.policy import PolicyProfile


def _selectable_label(text: str, parent: QWidget, *, rich: bool = False) -> QLabel:
    """A wrapped label the officer can select and copy, but not edit."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ReceptionOutline(QWidget):
    """The channels, tools and reception steps of a policy, as the policy words them (nothing to click)."""

    def __init__(self, profile: PolicyProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reception_outline")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)

        channel_count, tool_count, step_count = counted_parts(profile)
        channels = QGroupBox(f"قنوات التواصل في سياسة الجمعية ({channel_count})", self)
        channels_layout = QVBoxLayout(channels)
        names = "، ".join(
            channel.name + (f" ({channel.details})" if channel.details else "") for channel in profile.channels
        )
        self.channels_label = _selectable_label(names + ".", channels)
        channels_layout.addWidget(self.channels_label)
        layout.addWidget(channels)

        if profile.tools:
            tools = QGroupBox(f"الأدوات المعتمدة ({tool_count})", self)
            tools_layout = QVBoxLayout(tools)
            lines = [
                "• " + escape(tool.name) + (f" — {escape(tool.details)}" if tool.details else "")
                for tool in profile.tools
            ]
            self.tools_label: QLabel | None = _selectable_label("<br>".join(lines), tools, rich=True)
            tools_layout.addWidget(self.tools_label)
            layout.addWidget(tools)
        else:
            self.tools_label = None

        steps = QGroupBox(f"آلية التعامل مع المستفيد: خطوات الاستقبال ({step_count})", self)
        steps_layout = QVBoxLayout(steps)
        # One rich-text label for all steps: a single text layout keeps the first screen quick.
        paragraphs = []
        for number, step in enumerate(profile.steps, start=1):
            status = "إلزامية" if step.mandatory else "اختيارية"
            paragraphs.append(
                f"<p style='margin-bottom:8px'><b>{display_digits(str(number))}. {escape(step.title)}</b> "
                f"<span style='color:#5f6b7a'>({status})</span><br>{escape(display_digits(step.text))}</p>"
            )
        self.steps_label = _selectable_label("".join(paragraphs), steps, rich=True)
        steps_layout.addWidget(self.steps_label)
        layout.addWidget(steps)

    def steps_text(self) -> str:
        """The steps as plain text, in order (what the officer reads)."""
        document = QTextDocument()
        document.setHtml(self.steps_label.text())
        return document.toPlainText()
