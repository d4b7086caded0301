"""The look of the sync dialogs and the settings box (applied to them over the desk's style sheet)."""

from __future__ import annotations

SYNC_STYLE = """
QLabel#sync_title { font-size: 14pt; font-weight: bold; color: #1f2d3a; }
QLabel#sync_intro, QLabel#sync_note { color: #3d4a58; }
QLabel#sync_error, QLabel#sync_message[tone="error"] { color: #a61b1b; }
QLabel#sync_message[tone="note"] { color: #1d4f91; }
QLabel#sync_done { color: #1f4f3f; }
QLabel#field_error { color: #a61b1b; font-size: 9pt; }
QFrame#conflict_card {
    background: #ffffff; border: 1px solid #d5dee8; border-radius: 8px;
}
QFrame#conflict_card[resolved="true"] { background: #f6f8fa; }
QLabel#conflict_heading { font-weight: bold; color: #1f2d3a; font-size: 11pt; }
QLabel#conflict_where { color: #5f6b7a; }
QFrame#conflict_side {
    background: #f8fafc; border: 1px solid #dde3ea; border-radius: 6px;
}
QFrame#conflict_side[winner="true"] { background: #eef6f1; border: 2px solid #5aa57f; }
QLabel#conflict_value { font-size: 12pt; color: #111a24; }
QLabel#conflict_meta { color: #4a5665; }
QLabel#winner_badge {
    color: #ffffff; background: #2f7d57; border-radius: 4px; padding: 1px 8px; font-weight: bold;
}
QLabel#side_caption { color: #5f6b7a; font-weight: bold; }
QLabel#conflict_resolved { color: #1f4f3f; font-weight: bold; }
QFrame#refused_panel { background: #fff8f0; border: 1px solid #e8c9a0; border-radius: 8px; }
QLabel#refused_line, QLabel#quarantined_line { color: #5a3d12; }
QLabel#conflicts_empty { color: #5f6b7a; font-size: 12pt; padding: 30px; }
"""
