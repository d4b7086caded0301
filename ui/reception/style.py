"""The reception section's look, applied to its page (the desk's own style sheet stays as it is)."""

from __future__ import annotations

RECEPTION_STYLE = """
QLabel#step_title {
    font-size: 16pt;
    font-weight: bold;
    color: #1f2d3a;
}
QLabel#case_header {
    color: #1f2d3a;
    background: #eef3f8;
    border: 1px solid #d5dee8;
    border-radius: 6px;
    padding: 6px 10px;
}
QLabel#policy_text, QLabel#officer_script, QLabel#committee_script, QLabel#dispatch_script {
    background: #f6f8f3;
    border-right: 4px solid #1f6f5c;
    padding: 8px 12px;
    color: #26332b;
}
QLabel#declaration_text {
    background: white;
    border: 1px solid #c9d1da;
    padding: 12px 14px;
    font-size: 14pt;
}
QLabel#step_state {
    color: #1f6f5c;
    font-weight: bold;
}
QLabel#step_state[state="waiting"] {
    color: #a65a00;
}
QLabel#step_state[state="skipped"] {
    color: #8a6d1f;
}
QLabel#field_error, QLabel#page_error {
    color: #a61b1b;
}
QLabel#field_error[warning="true"] {
    color: #8a5a00;
}
QLabel#field_hint, QLabel#keys_hint, QLabel#lookup_status, QLabel#date_other_calendar {
    color: #5f6b7a;
}
QLabel#duplicate_warning, QLabel#signature_pending_note {
    color: #7a4a00;
    background: #fff4dc;
    border: 1px solid #e6c86e;
    border-radius: 5px;
    padding: 6px 10px;
}
QLabel#lookup_chosen, QLabel#contact_started, QLabel#promised_date {
    color: #1f4f3f;
    background: #e9f5ef;
    border: 1px solid #b6dcc9;
    border-radius: 5px;
    padding: 6px 10px;
}
QLabel#wizard_message {
    color: #1f4f3f;
}
QLabel#wizard_message[error="true"], QLabel#lookup_status[error="true"] {
    color: #a61b1b;
    font-weight: bold;
}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"] {
    border: 1px solid #c0392b;
    background: #fff6f6;
}
QLineEdit:read-only, QPlainTextEdit:read-only, QComboBox:disabled {
    background: #eceff2;
    color: #4a5560;
    border: 1px solid #d5dbe1;
}
QLabel#checklist_title {
    font-weight: bold;
    color: #1f2d3a;
}
QWidget#checklist_holder {
    background: #f3f5f7;
}
QFrame#checklist_entry {
    border-radius: 5px;
}
QFrame#checklist_entry[on_screen="true"] {
    background: #e1ebf6;
    border: 1px solid #9fbbdc;
}
QFrame#drafts_banner {
    background: #fff7e0;
    border: 1px solid #e6c86e;
    border-radius: 6px;
}
QPushButton#next_button {
    font-weight: bold;
    padding: 4px 14px;
}
"""
