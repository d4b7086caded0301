"""Satisfaction surveys and board corrective actions: survey slips, corrective actions, desk settings, and the
local summary tables the dashboard and the reports read, with the triggers that keep them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22

Frozen: this file must not import `db.models`. Only new tables, new indexes and new triggers: no existing
table is copied (so the FTS triggers and append-only guards of 0001 and the outbox triggers of 0005 are
untouched).

Summaries (``report_*``, see the section at the end and `desktop.reports.summaries`): derived tables without
sync columns (never synced; each PC derives them), kept by AFTER INSERT / UPDATE OF / DELETE triggers on
"case", committee_decision, required_document, declaration, rescue_report, survey_response and suggestion,
and back-filled here set-based (INSERT ... SELECT ... GROUP BY). Alembic's autogenerate does not see
triggers: they are listed in `_triggers` (28 of them) and checked by tests/desktop/reports/test_summaries.py.
On the demo database of 1.5 million cases the back-fill takes about half a minute, once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sync_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("server_seq", sa.Integer(), nullable=True),
        sa.Column("hlc", sa.String(length=40), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ]


def upgrade() -> None:
    """Create the survey slip, corrective action and desk setting tables and the dashboard indexes."""
    op.create_table(
        "survey_slip",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("association_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        *_sync_columns(),
        sa.ForeignKeyConstraint(["association_id"], ["association.id"],
                                name=op.f("fk_survey_slip_association_id_association"),
                                initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_survey_slip_case_id_case"),
                                initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_slip")),
    )
    with op.batch_alter_table("survey_slip", schema=None) as batch_op:
        batch_op.create_index("uq_survey_slip_code", ["code"], unique=True)

    op.create_table(
        "corrective_action",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("association_id", sa.Uuid(), nullable=False),
        sa.Column("finding", sa.Text(), nullable=False),
        sa.Column("finding_period_start", sa.Date(), nullable=True),
        sa.Column("finding_period_end", sa.Date(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        *_sync_columns(),
        sa.ForeignKeyConstraint(["association_id"], ["association.id"],
                                name=op.f("fk_corrective_action_association_id_association"),
                                initially="DEFERRED", deferrable=True),
        sa.ForeignKeyConstraint(["recorded_by"], ["app_user.id"],
                                name=op.f("fk_corrective_action_recorded_by_app_user"),
                                initially="DEFERRED", deferrable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrective_action")),
    )
    with op.batch_alter_table("corrective_action", schema=None) as batch_op:
        batch_op.create_index("ix_corrective_action_recorded_at", ["recorded_at"], unique=False)

    op.create_table(
        "desk_setting",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        *_sync_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_setting")),
    )
    with op.batch_alter_table("desk_setting", schema=None) as batch_op:
        batch_op.create_index("uq_desk_setting_key", ["key"], unique=True)

    op.create_index("ix_suggestion_created_at", "suggestion", ["created_at"], unique=False)
    op.create_index("ix_suggestion_closed_at", "suggestion", ["closed_at"], unique=False)
    _create_report_summaries()

def downgrade() -> None:
    """Drop the indexes and the three tables (only for development: their data is lost)."""
    for name in reversed(_TRIGGER_NAMES):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in reversed(REPORT_TABLES):
        op.drop_table(table)
    op.drop_index("ix_suggestion_closed_at", table_name="suggestion")
    op.drop_index("ix_suggestion_created_at", table_name="suggestion")
    with op.batch_alter_table("desk_setting", schema=None) as batch_op:
        batch_op.drop_index("uq_desk_setting_key")
    op.drop_table("desk_setting")
    with op.batch_alter_table("corrective_action", schema=None) as batch_op:
        batch_op.drop_index("ix_corrective_action_recorded_at")
    op.drop_table("corrective_action")
    with op.batch_alter_table("survey_slip", schema=None) as batch_op:
        batch_op.drop_index("uq_survey_slip_code")
    op.drop_table("survey_slip")


# --------------------------------------------------------------------------- report summaries
#
# Local derived tables the dashboard and the reports read instead of the million-row tables (see the
# module docstring of `desktop.reports.summaries`). They carry no sync columns: they are never synced,
# every PC derives them from its own rows. They are kept by the SQLite triggers below (named report_*) on
# every insert, update of a relevant column and delete of "case", committee_decision, required_document,
# declaration, rescue_report, survey_response and suggestion, whoever writes (the ORM, raw SQL, the sync
# client applying pulled rows), and back-filled here by set-based INSERT ... SELECT.
#
# A later migration that rebuilds (batch-copies) one of those source tables drops its triggers: it must
# recreate them (copy `_trigger_sql` of this file) and rebuild the summaries
# (`desktop.reports.summaries.rebuild_summaries` does the same as the back-fill below).
#
# Local days are Riyadh days: date(<UTC timestamp>, '+3 hours') (Saudi Arabia keeps UTC+3 all year).

REPORT_TABLES: tuple[str, ...] = (
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


def _day(column: str) -> str:
    return f"date({column}, '+3 hours')"


def _count(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Integer(), nullable=False)


def _create_report_tables() -> None:
    def table(name: str, *columns: sa.Column, key: tuple[str, ...]) -> None:  # type: ignore[type-arg]
        op.create_table(
            name, *columns, sa.PrimaryKeyConstraint(*key, name=op.f(f"pk_{name}")), sqlite_with_rowid=False
        )

    table(
        "report_contact_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        _count("cases"),
        key=("day", "channel_id", "status"),
    )
    table(
        "report_case_waiting",
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("promised_on", sa.Date(), nullable=False),
        _count("cases"),
        key=("status", "promised_on"),
    )
    table(
        "report_decision",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("promised_on", sa.Date(), nullable=True),
        key=("case_id",),
    )
    table(
        "report_decision_day",
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("promise", sa.String(length=8), nullable=False),
        _count("decisions"),
        key=("decided_on", "days", "promise"),
    )
    table(
        "report_case_file",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("expired", sa.Integer(), nullable=False),
        sa.Column("unsigned", sa.Integer(), nullable=False),
        key=("case_id",),
    )
    table(
        "report_file_day",
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("expired", sa.Integer(), nullable=False),
        sa.Column("unsigned", sa.Integer(), nullable=False),
        _count("cases"),
        key=("submitted_on", "missing", "expired", "unsigned"),
    )
    table(
        "report_response_day",
        sa.Column("day", sa.Date(), nullable=False),
        _count("responses"),
        key=("day",),
    )
    table(
        "report_answer_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        _count("answers"),
        key=("day", "question_id", "value"),
    )
    table(
        "report_follow_up_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        _count("opened"),
        _count("closed"),
        key=("day", "kind"),
    )
    table(
        "report_follow_up_open",
        sa.Column("kind", sa.String(length=16), nullable=False),
        _count("items"),
        key=("kind",),
    )


def _delta(
    table: str, keys: dict[str, str], counts: dict[str, str], where: str, source: str = "", group: str = ""
) -> str:
    """Add `counts` (signed expressions) to the summary rows `keys`, then drop rows left at zero."""
    names = ", ".join([*keys, *counts])
    values = ", ".join([*keys.values(), *counts.values()])
    sets = ", ".join(f"{c} = {c} + excluded.{c}" for c in counts)
    first, first_value = next(iter(keys.items()))
    zero = " AND ".join(f"{c} = 0" for c in counts)
    return (
        f"INSERT INTO {table} ({names}) SELECT {values} {source} WHERE {where} {group} "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}; "
        f"DELETE FROM {table} WHERE {first} = {first_value} AND {zero};"
    )


def _contact(r: str, sign: str) -> str:
    day = _day(f"{r}.submitted_at")
    return _delta(
        "report_contact_day",
        {"day": day, "channel_id": f"{r}.channel_id", "status": f"{r}.status"},
        {"cases": sign},
        f"{r}.deleted_at IS NULL AND {day} IS NOT NULL",
    )


def _waiting(r: str, sign: str) -> str:
    return _delta(
        "report_case_waiting",
        {"status": f"{r}.status", "promised_on": f"{r}.promised_decision_date"},
        {"cases": sign},
        f"{r}.deleted_at IS NULL AND {r}.promised_decision_date IS NOT NULL",
    )


def _decision_day(r: str, sign: str) -> str:
    return _delta(
        "report_decision_day",
        {
            "decided_on": f"{r}.decided_on",
            "days": f"CAST(julianday({r}.decided_on) - julianday({r}.submitted_on) AS INTEGER)",
            "promise": f"CASE WHEN {r}.promised_on IS NULL THEN 'none' "
            f"WHEN {r}.decided_on <= {r}.promised_on THEN 'kept' ELSE 'late' END",
        },
        {"decisions": sign},
        "1",
    )


def _file_day(r: str, sign: str) -> str:
    return _delta(
        "report_file_day",
        {
            "submitted_on": f"{r}.submitted_on",
            "missing": f"{r}.missing",
            "expired": f"{r}.expired",
            "unsigned": f"{r}.unsigned",
        },
        {"cases": sign},
        "1",
    )


def _response(r: str, sign: str) -> str:
    day = _day(f"{r}.answered_at")
    where = f"{r}.deleted_at IS NULL AND {day} IS NOT NULL"
    return _delta("report_response_day", {"day": day}, {"responses": sign}, where) + _delta(
        "report_answer_day",
        {"day": day, "question_id": "j.key", "value": "j.value"},
        {"answers": f"{sign} * count(*)"},
        f"{where} AND j.type = 'integer' AND typeof(j.key) = 'text'",
        source=f"FROM json_each(CASE WHEN json_valid({r}.answers) THEN {r}.answers ELSE '{{}}' END) AS j",
        group="GROUP BY j.key, j.value",
    )


def _follow_up(r: str, sign: str) -> str:
    opened, closed = _day(f"{r}.created_at"), _day(f"{r}.closed_at")
    live = f"{r}.deleted_at IS NULL"
    return (
        _delta(
            "report_follow_up_day", {"day": opened, "kind": f"{r}.kind"}, {"opened": sign, "closed": "0"},
            f"{live} AND {opened} IS NOT NULL",
        )
        + _delta(
            "report_follow_up_day", {"day": closed, "kind": f"{r}.kind"}, {"opened": "0", "closed": sign},
            f"{live} AND {closed} IS NOT NULL",
        )
        + _delta(
            "report_follow_up_open", {"kind": f"{r}.kind"}, {"items": sign},
            f"{live} AND {r}.closed_at IS NULL AND {r}.status != 'closed'",
        )
    )


def _refresh_decision(case_id: str) -> str:
    """Recompute the one report_decision row of a case from scratch (its first live accept or reject)."""
    return (
        f"DELETE FROM report_decision WHERE case_id = {case_id}; "
        "INSERT INTO report_decision (case_id, decision, submitted_on, decided_on, promised_on) "
        f"SELECT c.id, d.decision, {_day('c.submitted_at')}, {_day('d.decided_at')}, c.promised_decision_date "
        'FROM "case" AS c, (SELECT decision, decided_at FROM committee_decision '
        f"WHERE case_id = {case_id} AND decision IN ('accept', 'reject') AND deleted_at IS NULL "
        "ORDER BY decided_at, id LIMIT 1) AS d "
        f"WHERE c.id = {case_id} AND c.deleted_at IS NULL AND {_day('c.submitted_at')} IS NOT NULL "
        f"AND {_day('d.decided_at')} IS NOT NULL;"
    )


_FILE_FLAGS = (
    "EXISTS (SELECT 1 FROM required_document AS r WHERE r.case_id = c.id AND r.deleted_at IS NULL "
    "AND r.provided = 0), "
    "EXISTS (SELECT 1 FROM required_document AS r WHERE r.case_id = c.id AND r.deleted_at IS NULL "
    f"AND r.provided = 1 AND r.valid_until < {_day('c.submitted_at')}), "
    "(c.signature_pending = 1 OR NOT EXISTS (SELECT 1 FROM declaration AS d WHERE d.case_id = c.id "
    "AND d.deleted_at IS NULL))"
)
_FILE_CASE = (
    f"c.deleted_at IS NULL AND {_day('c.submitted_at')} IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM rescue_report AS rr WHERE rr.case_id = c.id)"
)


def _refresh_file(case_id: str) -> str:
    """Recompute the one report_case_file row of a case from scratch."""
    return (
        f"DELETE FROM report_case_file WHERE case_id = {case_id}; "
        "INSERT INTO report_case_file (case_id, submitted_on, missing, expired, unsigned) "
        f"SELECT c.id, {_day('c.submitted_at')}, {_FILE_FLAGS} "
        f'FROM "case" AS c WHERE c.id = {case_id} AND {_FILE_CASE};'
    )


def _triggers() -> list[tuple[str, str, str]]:
    """(name, event, body) of every report_* trigger."""
    case_counts = "submitted_at, channel_id, status, promised_decision_date, deleted_at"
    case_rows = "id, submitted_at, promised_decision_date, deleted_at, signature_pending"
    triggers = [
        ("report_case_insert", 'AFTER INSERT ON "case"',
         _contact("NEW", "1") + _waiting("NEW", "1") + _refresh_decision("NEW.id") + _refresh_file("NEW.id")),
        ("report_case_update_counts", f'AFTER UPDATE OF {case_counts} ON "case"',
         _contact("OLD", "-1") + _contact("NEW", "1") + _waiting("OLD", "-1") + _waiting("NEW", "1")),
        ("report_case_update_rows", f'AFTER UPDATE OF {case_rows} ON "case"',
         _refresh_decision("OLD.id") + _refresh_file("OLD.id") + _refresh_decision("NEW.id")
         + _refresh_file("NEW.id")),
        ("report_case_delete", 'AFTER DELETE ON "case"',
         _contact("OLD", "-1") + _waiting("OLD", "-1") + _refresh_decision("OLD.id") + _refresh_file("OLD.id")),
        ("report_decision_insert", "AFTER INSERT ON report_decision", _decision_day("NEW", "1")),
        ("report_decision_update", "AFTER UPDATE ON report_decision",
         _decision_day("OLD", "-1") + _decision_day("NEW", "1")),
        ("report_decision_delete", "AFTER DELETE ON report_decision", _decision_day("OLD", "-1")),
        ("report_case_file_insert", "AFTER INSERT ON report_case_file", _file_day("NEW", "1")),
        ("report_case_file_update", "AFTER UPDATE ON report_case_file", _file_day("OLD", "-1") + _file_day("NEW", "1")),
        ("report_case_file_delete", "AFTER DELETE ON report_case_file", _file_day("OLD", "-1")),
        ("report_survey_response_insert", "AFTER INSERT ON survey_response", _response("NEW", "1")),
        ("report_survey_response_update", "AFTER UPDATE OF answers, answered_at, deleted_at ON survey_response",
         _response("OLD", "-1") + _response("NEW", "1")),
        ("report_survey_response_delete", "AFTER DELETE ON survey_response", _response("OLD", "-1")),
        ("report_suggestion_insert", "AFTER INSERT ON suggestion", _follow_up("NEW", "1")),
        ("report_suggestion_update", "AFTER UPDATE OF kind, created_at, closed_at, status, deleted_at ON suggestion",
         _follow_up("OLD", "-1") + _follow_up("NEW", "1")),
        ("report_suggestion_delete", "AFTER DELETE ON suggestion", _follow_up("OLD", "-1")),
    ]
    for table, columns, refresh in (
        ("committee_decision", "case_id, decision, decided_at, deleted_at", _refresh_decision),
        ("required_document", "case_id, provided, valid_until, deleted_at", _refresh_file),
        ("declaration", "case_id, deleted_at", _refresh_file),
        ("rescue_report", "case_id", _refresh_file),
    ):
        triggers += [
            (f"report_{table}_insert", f"AFTER INSERT ON {table}", refresh("NEW.case_id")),
            (f"report_{table}_update", f"AFTER UPDATE OF {columns} ON {table}",
             refresh("OLD.case_id") + refresh("NEW.case_id")),
            (f"report_{table}_delete", f"AFTER DELETE ON {table}", refresh("OLD.case_id")),
        ]
    return triggers


_TRIGGER_NAMES: tuple[str, ...] = tuple(name for name, _event, _body in _triggers())


def _trigger_sql() -> list[str]:
    """CREATE TRIGGER statements of every report_* trigger."""
    return [f"CREATE TRIGGER {name} {event} FOR EACH ROW BEGIN {body} END" for name, event, body in _triggers()]


#: Set-based back-fill, in dependency order (the per-case rows before the day tables made from them).
_BACKFILL: tuple[str, ...] = (
    "INSERT INTO report_contact_day (day, channel_id, status, cases) "
    f"SELECT {_day('submitted_at')}, channel_id, status, count(*) FROM \"case\" "
    f"WHERE deleted_at IS NULL AND {_day('submitted_at')} IS NOT NULL GROUP BY 1, 2, 3",
    "INSERT INTO report_case_waiting (status, promised_on, cases) "
    'SELECT status, promised_decision_date, count(*) FROM "case" NOT INDEXED '
    "WHERE deleted_at IS NULL AND promised_decision_date IS NOT NULL GROUP BY 1, 2",
    "INSERT INTO report_decision (case_id, decision, submitted_on, decided_on, promised_on) "
    f"SELECT c.id, f.decision, {_day('c.submitted_at')}, {_day('f.decided_at')}, c.promised_decision_date "
    "FROM (SELECT case_id, decision, decided_at, "
    "row_number() OVER (PARTITION BY case_id ORDER BY decided_at, id) AS n FROM committee_decision "
    "WHERE decision IN ('accept', 'reject') AND deleted_at IS NULL) AS f "
    'JOIN "case" AS c ON c.id = f.case_id '
    f"WHERE f.n = 1 AND c.deleted_at IS NULL AND {_day('c.submitted_at')} IS NOT NULL "
    f"AND {_day('f.decided_at')} IS NOT NULL",
    "INSERT INTO report_decision_day (decided_on, days, promise, decisions) "
    "SELECT decided_on, CAST(julianday(decided_on) - julianday(submitted_on) AS INTEGER), "
    "CASE WHEN promised_on IS NULL THEN 'none' WHEN decided_on <= promised_on THEN 'kept' ELSE 'late' END, "
    "count(*) FROM report_decision GROUP BY 1, 2, 3",
    "INSERT INTO report_case_file (case_id, submitted_on, missing, expired, unsigned) "
    f"SELECT c.id, {_day('c.submitted_at')}, {_FILE_FLAGS} FROM \"case\" AS c WHERE {_FILE_CASE}",
    "INSERT INTO report_file_day (submitted_on, missing, expired, unsigned, cases) "
    "SELECT submitted_on, missing, expired, unsigned, count(*) FROM report_case_file GROUP BY 1, 2, 3, 4",
    "INSERT INTO report_response_day (day, responses) "
    f"SELECT {_day('answered_at')}, count(*) FROM survey_response "
    f"WHERE deleted_at IS NULL AND {_day('answered_at')} IS NOT NULL GROUP BY 1",
    "INSERT INTO report_answer_day (day, question_id, value, answers) "
    f"SELECT {_day('r.answered_at')}, j.key, j.value, count(*) FROM survey_response AS r, "
    "json_each(CASE WHEN json_valid(r.answers) THEN r.answers ELSE '{}' END) AS j "
    f"WHERE r.deleted_at IS NULL AND {_day('r.answered_at')} IS NOT NULL AND j.type = 'integer' "
    "AND typeof(j.key) = 'text' GROUP BY 1, 2, 3",
    "INSERT INTO report_follow_up_day (day, kind, opened, closed) "
    f"SELECT {_day('created_at')}, kind, count(*), 0 FROM suggestion "
    f"WHERE deleted_at IS NULL AND {_day('created_at')} IS NOT NULL GROUP BY 1, 2",
    "INSERT INTO report_follow_up_day (day, kind, opened, closed) "
    f"SELECT {_day('closed_at')}, kind, 0, count(*) FROM suggestion "
    f"WHERE deleted_at IS NULL AND {_day('closed_at')} IS NOT NULL GROUP BY 1, 2 "
    "ON CONFLICT (day, kind) DO UPDATE SET closed = closed + excluded.closed",
    "INSERT INTO report_follow_up_open (kind, items) SELECT kind, count(*) FROM suggestion "
    "WHERE deleted_at IS NULL AND closed_at IS NULL AND status != 'closed' GROUP BY 1",
)


def _create_report_summaries() -> None:
    """Create the summary tables, fill them from the existing rows, then create their triggers."""
    _create_report_tables()
    for statement in _BACKFILL:
        op.execute(statement)
    for statement in _trigger_sql():
        op.execute(statement)
