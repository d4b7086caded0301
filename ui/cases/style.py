"""The case desk's look (cases and committee sections), applied to their pages over the desk's style sheet."""

from __future__ import annotations

CASEDESK_STYLE = """
QLabel#search_understood, QLabel#case_count, QLabel#filter_date_other, QLabel#list_state {
    color: #5f6b7a;
}
QLabel#case_count {
    font-weight: bold;
    color: #1f2d3a;
}
QLabel#list_error, QLabel#dialog_error, QLabel#field_error {
    color: #a61b1b;
}
QLabel#case_header {
    color: #1f2d3a;
    background: #eef3f8;
    border: 1px solid #d5dee8;
    border-radius: 6px;
    padding: 6px 10px;
}
QLabel#case_title, QLabel#section_title {
    font-size: 15pt;
    font-weight: bold;
    color: #1f2d3a;
}
QLabel#overdue_badge, QLabel#expired_note {
    color: #a61b1b;
    font-weight: bold;
}
QLabel#decision_done, QLabel#informed_done {
    color: #1f4f3f;
    background: #e9f5ef;
    border: 1px solid #b6dcc9;
    border-radius: 5px;
    padding: 6px 10px;
}
QLabel#notification_text {
    background: white;
    border: 1px solid #c9d1da;
    padding: 10px 12px;
}
QLabel#case_summary {
    background: #f6f8f3;
    border-right: 4px solid #1f6f5c;
    padding: 8px 12px;
    color: #26332b;
}
QTableView {
    gridline-color: #e3e7eb;
    selection-background-color: #1f6f5c;
    selection-color: white;
}
QHeaderView::section {
    background: #f3f5f7;
    padding: 4px 6px;
    border: none;
    border-bottom: 1px solid #d5dbe1;
    border-left: 1px solid #e3e7eb;
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
"""
