"""The models as stored: ids, UTC timestamps, money, row versions, append-only guards, name search index."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db.engine import Database
from db.models import (
    APPEND_ONLY_TABLES,
    LOCAL_TABLES,
    SYNC_COLUMN_NAMES,
    AppUser,
    Association,
    AuditEvent,
    Base,
    Beneficiary,
    Case,
    CaseStatus,
    PolicyVersion,
    Service,
    StepCompletion,
    UserRole,
)


def _setup(session: Session) -> tuple[Association, PolicyVersion, AppUser]:
    association = Association(name="جمعية مفاتيح الخير الأسرية", profile_id="mafateeh-alkhair")
    policy = PolicyVersion(
        association_id=association.id,
        profile_id="mafateeh-alkhair",
        version_label="2025-10",
        content_hash="f" * 64,
        source_text="schema_version = 1",
        adopted_at=dt.datetime(2025, 10, 19, 9, 0, tzinfo=dt.UTC),
    )
    officer = AppUser(
        association_id=association.id, username="muna", full_name="منى الحربي", role=UserRole.OFFICER
    )
    session.add_all([association, policy, officer])
    return association, policy, officer


def _beneficiary(association: Association, name_key: str, id_number: str = "1000000008") -> Beneficiary:
    return Beneficiary(
        association_id=association.id,
        full_name=name_key,
        name_key=name_key,
        id_number=id_number,
        id_kind="national_id",
        mobile="+966501234567",
        phone_key="501234567",
    )


def _case(association: Association, policy: PolicyVersion, beneficiary: Beneficiary, number: str) -> Case:
    return Case(
        association_id=association.id,
        case_number=number,
        beneficiary_id=beneficiary.id,
        policy_version_id=policy.id,
        channel_id="interview",
        case_kind_id="service_request",
        status=CaseStatus.RECEIVED,
    )


def test_every_table_has_the_sync_columns() -> None:
    for table in Base.metadata.sorted_tables:
        if table.name in LOCAL_TABLES:  # stays on this PC: sync bookkeeping, derived summaries
            assert not set(SYNC_COLUMN_NAMES) <= set(table.columns.keys()), table.name
            continue
        assert set(SYNC_COLUMN_NAMES) <= set(table.columns.keys()), table.name
        assert [c.name for c in table.primary_key.columns] == ["id"]


def test_ids_are_uuid7_from_construction_and_stored_as_32_hex(database: Database) -> None:
    with database.session() as session:
        association, _policy, _officer = _setup(session)
        assert isinstance(association.id, uuid.UUID) and association.id.version == 7
    with database.session(read_only=True) as session:
        stored = session.execute(text("SELECT id FROM association")).scalar_one()
    assert stored == association.id.hex


def test_timestamps_are_utc_aware_and_naive_input_is_taken_as_utc(database: Database) -> None:
    riyadh = dt.timezone(dt.timedelta(hours=3))
    with database.session() as session:
        association, policy, _officer = _setup(session)
        policy.adopted_at = dt.datetime(2025, 10, 19, 12, 0, tzinfo=riyadh)
    with database.session(read_only=True) as session:
        loaded = session.get_one(PolicyVersion, policy.id)
        assert loaded.adopted_at == dt.datetime(2025, 10, 19, 9, 0, tzinfo=dt.UTC)
        assert loaded.adopted_at.tzinfo is dt.UTC
        assert loaded.created_at.tzinfo is dt.UTC
        raw = session.execute(text("SELECT adopted_at FROM policy_version")).scalar_one()
    assert raw == "2025-10-19 09:00:00.000000"


def test_money_is_exact(database: Database) -> None:
    with database.session() as session:
        association, policy, _officer = _setup(session)
        beneficiary = _beneficiary(association, "سارة محمد")
        case = _case(association, policy, beneficiary, "T-1")
        service = Service(case_id=case.id, kind="cash", amount=Decimal("1500.75"))
        session.add_all([beneficiary, case, service])
    with database.session(read_only=True) as session:
        assert session.get_one(Service, service.id).amount == Decimal("1500.75")
        assert session.execute(text("SELECT amount FROM service")).scalar_one() == 150075


def test_row_version_increments_and_stale_edit_is_refused(database: Database) -> None:
    with database.session() as session:
        association, _policy, _officer = _setup(session)
    assert association.version == 1
    with database.session() as session:
        session.get_one(Association, association.id).city = "الرياض"
    with database.session(read_only=True) as session:
        assert session.get_one(Association, association.id).version == 2
    with pytest.raises(StaleDataError), database.session() as session:
        mine = session.get_one(Association, association.id)
        # Another writer changes the row behind this session's back (as a sync would).
        session.execute(text("UPDATE association SET version = version + 1 WHERE id = :id"), {"id": association.id.hex})
        mine.city = "جدة"


def test_case_number_is_unique(database: Database) -> None:
    with database.session() as session:
        association, policy, _officer = _setup(session)
        beneficiary = _beneficiary(association, "علي")
        session.add_all([beneficiary, _case(association, policy, beneficiary, "PC1-2025-0000001")])
    with pytest.raises(IntegrityError), database.session() as session:
        session.add(_case(association, policy, beneficiary, "PC1-2025-0000001"))


def test_id_number_is_unique_among_beneficiaries_not_deleted(database: Database) -> None:
    with database.session() as session:
        association, _policy, _officer = _setup(session)
        first = _beneficiary(association, "محمد")
        session.add(first)
    with pytest.raises(IntegrityError), database.session() as session:
        session.add(_beneficiary(association, "محمد"))
    with database.session() as session:
        session.get_one(Beneficiary, first.id).deleted_at = dt.datetime.now(dt.UTC)
    with database.session() as session:
        session.add(_beneficiary(association, "محمد"))  # the old record is soft-deleted


def test_search_indexes_exist(database: Database) -> None:
    with database.session(read_only=True) as session:
        names = set(session.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars())
        unique_case_columns = [
            session.execute(text("SELECT name FROM pragma_index_info(:index)"), {"index": index}).scalars().all()
            for index, unique in session.execute(text("SELECT name, \"unique\" FROM pragma_index_list('case')"))
            if unique
        ]
    assert {
        "uq_beneficiary_id_number_live",
        "ix_beneficiary_phone_key",
        "ix_beneficiary_name_key",
        "ix_case_status_promised_decision_date",
        "ix_case_promised_decision_date",
    } <= names
    assert ["case_number"] in unique_case_columns


def _fts(session: Session, query: str) -> set[str]:
    sql = text(
        "SELECT b.name_key FROM beneficiary_fts JOIN beneficiary AS b ON b.rowid = beneficiary_fts.rowid "
        "WHERE beneficiary_fts MATCH :query"
    )
    return set(session.execute(sql, {"query": query}).scalars())


def test_name_search_index_follows_inserts_updates_and_deletes(database: Database) -> None:
    with database.session() as session:
        association, _policy, _officer = _setup(session)
        first = _beneficiary(association, "محمد عبدالله سعد العتيبي", "1000000008")
        second = _beneficiary(association, "فاطمه احمد علي القحطاني", "1000000016")
        session.add_all([first, second])
    with database.session(read_only=True) as session:
        assert _fts(session, "عبدالله") == {"محمد عبدالله سعد العتيبي"}
        assert _fts(session, "القحط*") == {"فاطمه احمد علي القحطاني"}
        assert _fts(session, "العتيبي محمد") == {"محمد عبدالله سعد العتيبي"}  # any order
    with database.session() as session:
        session.get_one(Beneficiary, first.id).name_key = "محمد عبدالله سعد الشمري"
    with database.session(read_only=True) as session:
        assert _fts(session, "العتيبي") == set()
        assert _fts(session, "الشمري") == {"محمد عبدالله سعد الشمري"}
    with database.session() as session:
        session.execute(text("DELETE FROM beneficiary WHERE id = :id"), {"id": second.id.hex})
    with database.session(read_only=True) as session:
        assert _fts(session, "القحطاني") == set()
        session.execute(text("INSERT INTO beneficiary_fts(beneficiary_fts, rank) VALUES ('integrity-check', 1)"))


def test_append_only_rows_cannot_be_changed_or_deleted(database: Database) -> None:
    assert set(APPEND_ONLY_TABLES) == {
        "step_completion",
        "declaration",
        "committee_decision",
        "survey_response",
        "audit_event",
        "erasure",
    }
    with database.session() as session:
        association, policy, officer = _setup(session)
        beneficiary = _beneficiary(association, "نورة")
        case = _case(association, policy, beneficiary, "T-2")
        step = StepCompletion(
            case_id=case.id,
            step_id="reception",
            step_kind="greet",
            officer_id=officer.id,
            channel_id="interview",
            completed_at=dt.datetime.now(dt.UTC),
            policy_version_id=policy.id,
        )
        event = AuditEvent(action="create", entity="case", entity_id=case.id, details={"ملاحظة": "إنشاء"})
        session.add_all([beneficiary, case, step, event])
    with pytest.raises(IntegrityError, match="append-only"), database.session() as session:
        session.get_one(StepCompletion, step.id).note = "تعديل لاحق"
    with pytest.raises(IntegrityError, match="append-only"), database.session() as session:
        session.execute(text("DELETE FROM audit_event"))
    # The sync bookkeeping may still be filled in once the server has the row.
    with database.session() as session:
        session.get_one(StepCompletion, step.id).server_seq = 42
    with database.session(read_only=True) as session:
        loaded = session.get_one(StepCompletion, step.id)
        assert (loaded.server_seq, loaded.note) == (42, None)
        assert session.scalars(select(AuditEvent.details)).one() == {"ملاحظة": "إنشاء"}
        raw = session.execute(text("SELECT details FROM audit_event")).scalar_one()
    assert "إنشاء" in raw  # JSON stored readable, not \\u-escaped


def test_case_status_values_and_arabic_labels() -> None:
    assert CaseStatus.AWAITING_COMMITTEE == "awaiting_committee"
    assert {s.value for s in CaseStatus} >= {"draft", "closed", "reported", "escalated", "dispatched"}
    assert all(s.label_ar for s in CaseStatus)
    assert all(r.label_ar for r in UserRole)
