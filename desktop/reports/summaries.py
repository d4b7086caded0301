"""The local summary tables the dashboard reads, and how to recompute, compare and repair them.

A million cases are too many to aggregate at every refresh, so migration 0006 keeps small derived
tables (``report_*``, no sync columns: never synced, every PC derives its own) up to date with SQLite
triggers on every insert, update of a relevant column and delete of the source rows, whoever writes
them (the ORM, raw SQL, the sync client applying pulled rows). A period's figures then read a few
hundred rows per month. Days are Riyadh days, ``date(<UTC timestamp>, '+3 hours')``.

* ``report_contact_day`` (day, channel_id, status → cases): live cases with a submission time.
* ``report_case_waiting`` (status, promised_on → cases): live cases with a promised decision date
  ("overdue now" sums the undecided statuses before today).
* ``report_decision`` (one row per live submitted case that has a live accept or reject: its first one,
  earliest ``decided_at`` then smallest id) and from it ``report_decision_day`` (decided_on, days, promise
  'kept' | 'late' | 'none' → decisions).
* ``report_case_file`` (one row per live submitted case that is not a rescue report: missing, expired,
  unsigned flags as in `DashboardService.file_completeness`) and from it ``report_file_day``.
* ``report_response_day`` (day → responses) and ``report_answer_day`` (day, question_id, value →
  answers): every integer answer of the live responses, whatever the question (the profile's question
  kinds are applied when reading).
* ``report_follow_up_day`` (day, kind → opened, closed) and ``report_follow_up_open`` (kind → items).

Rows whose counts fall to zero are deleted. The per-case rows are recomputed from scratch for the case
concerned on every change (order-independent: a decision may arrive by sync before its case); the
counts are adjusted by ±1. `recompute` gives the expected content of every table from the source rows
alone, `snapshot` the stored content, and `rebuild_summaries` repairs the tables set-based (the bulk
loader of the demo data uses it with the triggers suspended).
"""

from __future__ import annotations

import sqlite3
from typing import Any

__all__ = ["SUMMARY_TABLES", "missing_triggers", "rebuild_summaries", "recompute", "snapshot"]

#: Every summary table, per-case tables before the day tables derived from them.
SUMMARY_TABLES: tuple[str, ...] = (
    "report_contact_day",
    "report_case_waiting",
    "report_decision",
    "report_decision_day",
    "report_case_file",
    "report_file_day",
    "report_response_day",
    "report_answer_day",
    "report_follow_up_day",
    "report_follow_up_open",
)

#: The triggers migration 0006 creates (on "case", committee_decision, required_document, declaration,
#: rescue_report, survey_response, suggestion and the two per-case summary tables).
TRIGGERS: tuple[str, ...] = (
    "report_case_insert",
    "report_case_update_counts",
    "report_case_update_rows",
    "report_case_delete",
    "report_decision_insert",
    "report_decision_update",
    "report_decision_delete",
    "report_case_file_insert",
    "report_case_file_update",
    "report_case_file_delete",
    "report_survey_response_insert",
    "report_survey_response_update",
    "report_survey_response_delete",
    "report_suggestion_insert",
    "report_suggestion_update",
    "report_suggestion_delete",
    *(
        f"report_{table}_{event}"
        for table in ("committee_decision", "required_document", "declaration", "rescue_report")
        for event in ("insert", "update", "delete")
    ),
)


def _day(column: str) -> str:
    return f"date({column}, '+3 hours')"


_PROMISE = (
    "CASE WHEN promised_on IS NULL THEN 'none' WHEN decided_on <= promised_on THEN 'kept' ELSE 'late' END"
)

#: (columns, SELECT) giving each table's content from the source rows alone.
_RECOMPUTE: dict[str, tuple[str, str]] = {
    "report_contact_day": (
        "day, channel_id, status, cases",
        f"SELECT {_day('submitted_at')} AS day, channel_id, status, count(*) FROM \"case\" "
        "WHERE deleted_at IS NULL AND day IS NOT NULL GROUP BY day, channel_id, status",
    ),
    "report_case_waiting": (
        "status, promised_on, cases",
        'SELECT status, promised_decision_date, count(*) FROM "case" NOT INDEXED '
        "WHERE deleted_at IS NULL AND promised_decision_date IS NOT NULL GROUP BY status, promised_decision_date",
    ),
    "report_decision": (
        "case_id, decision, submitted_on, decided_on, promised_on",
        f"SELECT c.id, f.decision, {_day('c.submitted_at')}, {_day('f.decided_at')}, c.promised_decision_date "
        "FROM (SELECT case_id, decision, decided_at, "
        "row_number() OVER (PARTITION BY case_id ORDER BY decided_at, id) AS n FROM committee_decision "
        "WHERE decision IN ('accept', 'reject') AND deleted_at IS NULL) AS f "
        'JOIN "case" AS c ON c.id = f.case_id '
        f"WHERE f.n = 1 AND c.deleted_at IS NULL AND {_day('c.submitted_at')} IS NOT NULL "
        f"AND {_day('f.decided_at')} IS NOT NULL",
    ),
    "report_decision_day": (
        "decided_on, days, promise, decisions",
        "SELECT decided_on, CAST(julianday(decided_on) - julianday(submitted_on) AS INTEGER), "
        f"{_PROMISE}, count(*) FROM report_decision GROUP BY 1, 2, 3",
    ),
    "report_case_file": (
        "case_id, submitted_on, missing, expired, unsigned",
        f"SELECT c.id, {_day('c.submitted_at')}, "
        "EXISTS (SELECT 1 FROM required_document AS r WHERE r.case_id = c.id AND r.deleted_at IS NULL "
        "AND r.provided = 0), "
        "EXISTS (SELECT 1 FROM required_document AS r WHERE r.case_id = c.id AND r.deleted_at IS NULL "
        f"AND r.provided = 1 AND r.valid_until < {_day('c.submitted_at')}), "
        "(c.signature_pending = 1 OR NOT EXISTS (SELECT 1 FROM declaration AS d WHERE d.case_id = c.id "
        "AND d.deleted_at IS NULL)) "
        f'FROM "case" AS c WHERE c.deleted_at IS NULL AND {_day("c.submitted_at")} IS NOT NULL '
        "AND NOT EXISTS (SELECT 1 FROM rescue_report AS rr WHERE rr.case_id = c.id)",
    ),
    "report_file_day": (
        "submitted_on, missing, expired, unsigned, cases",
        "SELECT submitted_on, missing, expired, unsigned, count(*) FROM report_case_file GROUP BY 1, 2, 3, 4",
    ),
    "report_response_day": (
        "day, responses",
        f"SELECT {_day('answered_at')} AS day, count(*) FROM survey_response "
        "WHERE deleted_at IS NULL AND day IS NOT NULL GROUP BY day",
    ),
    "report_answer_day": (
        "day, question_id, value, answers",
        f"SELECT {_day('r.answered_at')} AS day, j.key, j.value, count(*) FROM survey_response AS r, "
        "json_each(CASE WHEN json_valid(r.answers) THEN r.answers ELSE '{}' END) AS j "
        "WHERE r.deleted_at IS NULL AND day IS NOT NULL AND j.type = 'integer' AND typeof(j.key) = 'text' "
        "GROUP BY 1, 2, 3",
    ),
    "report_follow_up_day": (
        "day, kind, opened, closed",
        "SELECT day, kind, sum(opened), sum(closed) FROM ("
        f"SELECT {_day('created_at')} AS day, kind, 1 AS opened, 0 AS closed FROM suggestion "
        "WHERE deleted_at IS NULL "
        f"UNION ALL SELECT {_day('closed_at')}, kind, 0, 1 FROM suggestion WHERE deleted_at IS NULL) "
        "WHERE day IS NOT NULL GROUP BY day, kind",
    ),
    "report_follow_up_open": (
        "kind, items",
        "SELECT kind, count(*) FROM suggestion WHERE deleted_at IS NULL AND closed_at IS NULL "
        "AND status != 'closed' GROUP BY kind",
    ),
}


def recompute(conn: sqlite3.Connection) -> dict[str, set[tuple[Any, ...]]]:
    """What every summary table should hold, computed from the source rows alone (for checks; slow on big data).

    The day tables are computed from the recomputed per-case rows (in a temporary copy), not the stored ones.
    """
    per_case = ("report_decision", "report_case_file")
    for source in per_case:  # temporary copies shadow the stored tables while the day tables are computed
        columns, select = _RECOMPUTE[source]
        conn.execute(f"DROP TABLE IF EXISTS temp.{source}")
        conn.execute(f"CREATE TEMP TABLE {source} ({columns})")
        conn.execute(f"INSERT INTO temp.{source} ({columns}) {select}")
    try:
        return {
            table: {tuple(row) for row in conn.execute(select).fetchall()}
            for table, (_columns, select) in _RECOMPUTE.items()
        }
    finally:
        for source in per_case:
            conn.execute(f"DROP TABLE temp.{source}")


def snapshot(conn: sqlite3.Connection) -> dict[str, set[tuple[Any, ...]]]:
    """What every summary table holds now, in the columns of `recompute`."""
    return {
        table: {tuple(row) for row in conn.execute(f"SELECT {columns} FROM main.{table}").fetchall()}
        for table, (columns, _select) in _RECOMPUTE.items()
    }


def missing_triggers(conn: sqlite3.Connection) -> list[str]:
    """The report_* triggers absent from the database (a batch copy of a source table drops them)."""
    present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    return [name for name in TRIGGERS if name not in present]


def rebuild_summaries(conn: sqlite3.Connection) -> None:
    """Refill every summary table from the source rows, set-based, inside the caller's transaction.

    The report_* triggers are dropped for the refill and recreated as they were (the per-case tables'
    own triggers would otherwise count every row twice, one at a time).
    """
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'report_*'"
    ).fetchall()
    for name, _sql in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    for table, (columns, select) in _RECOMPUTE.items():
        conn.execute(f"DELETE FROM {table}")
        conn.execute(f"INSERT INTO {table} ({columns}) {select}")
    for _name, sql in triggers:
        conn.execute(sql)
