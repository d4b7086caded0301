"""The look of the reports section: figure cards, the empty-period notice, the officer box."""

from __future__ import annotations

REPORTS_STYLE = """
QFrame#figure_card {
    background: white;
    border: 1px solid #d5dee8;
    border-radius: 8px;
}
QLabel#figure_caption {
    color: #5f6b7a;
}
QLabel#figure_value {
    font-size: 20pt;
    font-weight: bold;
    color: #1f2d3a;
}
QLabel#figure_value[missing="true"] {
    font-size: 13pt;
    font-weight: normal;
    color: #8a94a0;
}
QLabel#figure_note, QLabel#date_other_calendar, QLabel#page_note {
    color: #5f6b7a;
}
QLabel#date_other_calendar[invalid="true"], QLabel#refresh_state[error="true"] {
    color: #a61b1b;
}
QLabel#period_label {
    font-weight: bold;
    color: #1f2d3a;
}
QLabel#empty_period {
    background: #fff7e0;
    border: 1px solid #e6c86e;
    border-radius: 6px;
    padding: 8px 12px;
    color: #3d3320;
}
QFrame#officer_box {
    background: white;
    border: 1px solid #d5dee8;
    border-radius: 8px;
}
QLabel#officer_title {
    font-weight: bold;
}
QLabel#officer_message {
    color: #5f6b7a;
}
"""
