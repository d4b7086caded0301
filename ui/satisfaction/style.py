"""The look of the satisfaction section and of the kiosk (large type, touch-sized controls)."""

from __future__ import annotations

SATISFACTION_STYLE = """
QLabel#mode_banner {
    background: #e9f5ef;
    border: 1px solid #b6dcc9;
    border-radius: 6px;
    padding: 8px 12px;
    color: #1f4f3f;
}
QLabel#mode_banner[linked="true"] {
    background: #fff7e0;
    border: 1px solid #e6c86e;
    color: #3d3320;
}
QLabel#section_note, QLabel#field_hint {
    color: #5f6b7a;
}
QLabel#form_message {
    color: #1f4f3f;
    font-weight: bold;
}
QLabel#form_message[error="true"], QLabel#dialog_error {
    color: #a61b1b;
}
QLabel#question_text {
    font-weight: bold;
    color: #1f2d3a;
}
QLabel#slip_code {
    font-size: 20pt;
    font-weight: bold;
    color: #1f2d3a;
    background: #f3f5f7;
    border: 1px dashed #9fbbdc;
    padding: 6px 14px;
}
QPushButton#start_kiosk {
    font-size: 16pt;
    font-weight: bold;
    padding: 12px 28px;
    background: #1f6f5c;
    color: white;
    border-radius: 8px;
}
QPushButton#start_kiosk:disabled {
    background: #9aa8a3;
}
"""

KIOSK_STYLE = """
QWidget#kiosk {
    background: #f4f7f6;
}
QLabel {
    color: #1f2d3a;
}
QLabel#kiosk_title {
    font-size: 30pt;
    font-weight: bold;
}
QLabel#kiosk_question {
    font-size: 28pt;
    font-weight: bold;
}
QLabel#kiosk_text, QLabel#kiosk_mode {
    font-size: 17pt;
}
QLabel#kiosk_mode {
    background: #e9f5ef;
    border: 1px solid #b6dcc9;
    border-radius: 10px;
    padding: 10px 16px;
    color: #1f4f3f;
}
QLabel#kiosk_progress, QLabel#kiosk_hint {
    font-size: 15pt;
    color: #5f6b7a;
}
QLabel#kiosk_error {
    font-size: 16pt;
    color: #a61b1b;
    font-weight: bold;
}
QFrame#kiosk_summary {
    background: white;
    border: 1px solid #c9d1da;
    border-radius: 10px;
}
QLabel#kiosk_summary_question {
    font-size: 16pt;
}
QLabel#kiosk_summary_answer {
    font-size: 16pt;
    font-weight: bold;
    color: #1f6f5c;
}
QLabel#kiosk_summary_answer[answered="false"] {
    font-weight: normal;
    color: #8a94a0;
}
QPushButton {
    font-size: 18pt;
    padding: 10px 24px;
    border-radius: 10px;
    border: 1px solid #9fb1c2;
    background: white;
    min-height: 56px;
}
QPushButton:checked {
    background: #1f6f5c;
    color: white;
    border: 3px solid #1f2d3a;
}
QPushButton:disabled {
    color: #9aa5b1;
    background: #eef1f4;
}
QPushButton#kiosk_next, QPushButton#kiosk_send, QPushButton#kiosk_start {
    background: #1f6f5c;
    color: white;
    font-weight: bold;
    min-width: 220px;
}
QPushButton#kiosk_next:disabled {
    background: #b9c7c2;
    color: #eef1f4;
}
QPushButton#kiosk_staff {
    font-size: 12pt;
    min-height: 30px;
    padding: 4px 12px;
    color: #5f6b7a;
    background: transparent;
    border: 1px solid #d5dbe1;
}
QPlainTextEdit#kiosk_free_text {
    font-size: 18pt;
    background: white;
    border: 1px solid #9fb1c2;
    border-radius: 10px;
}
QLineEdit#pin_field {
    font-size: 24pt;
    letter-spacing: 6px;
}
QWidget#pin_pad QPushButton {
    font-size: 20pt;
}
"""
