"""Retention (PDPL, issue 14 item 4): a closed case past its profile's retention period is anonymised.

Decisions recorded here:

* The period is the case's own policy version's ``[privacy] retention_years`` counted from ``closed_at``; a case
  under a profile without ``[privacy]`` is never anonymised. Only CLOSED cases are; a beneficiary is anonymised
  only when every case of theirs is (one still open or within its period keeps the person).
* The bulk updates leave ``version`` alone: a row whose content changes reaches the outbox and the server's
  answer sets its version; one already empty (a case without a summary) must keep the version the server has,
  or the sync's verification finds the desk and the server differ.
* Anonymising removes the person and keeps the counts: the columns `db.erasure.ANONYMISED_COLUMNS` lists (the
  one list, also applied by the server to a late edit): the beneficiary's name, name key, ID number (replaced by a
  marker unique per row), ID expiry, birth date, mobile and city are cleared (gender, nationality and household
  size stay: they identify nobody and the reports count them); the case's summary and location, the free-text
  notes of its referrals, assessments, services, notices and recommendations, a rescue report's reporter and
  story; the case's unfinished reception drafts and its stored scans, signatures and PDFs (files removed from the
  attachment store, rows soft-deleted) unless another case still uses the same file. Rows are updated, never
  deleted, so every dashboard figure (summary tables kept by triggers on statuses and dates) stays; the changes
  reach the server through the sync outbox like any other.
* The append-only rows are reached by a sanctioned erasure (`db.erasure`): an `Erasure` row per case (who, when,
  the rule), audited (``erasure_recorded``) and synced, applied in the same transaction with the outbox
  suppressed: the declaration's signed text, step notes and skip reasons, the committee's reasons and the
  details of the audit events about the case or the person become «محذوف بموجب سياسة الاحتفاظ» (the audit chain
  still verifies: it hashes a digest of the details the erased form keeps). The server checks the erasure and
  applies it to its copy; every desk that pulls it applies it too (`desktop.sync.storage`). Survey answers are
  not erased (ratings, asked without the person's name). Only an account holding one of `ERASURE_ROLES` may
  apply a run once the desk has accounts (nobody signed in on a desk without any, as before).
* `mustafid-admin retention run` is a dry run by default (it counts what would be anonymised and changes
  nothing); ``--apply`` anonymises, one transaction for the whole run, audited as one ``retention_applied`` event
  (counts only). The manager is reminded once a year (`retention_due`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.engine import Database, driver_connection
from db.erasure import ANONYMISED_NAME, ERASURE_ROLES, anonymised_values, apply_erasure_sqlite, years_before
from db.models import (
    Assessment,
    AppUser,
    AssessmentItem,
    Attachment,
    AuditEvent,
    Beneficiary,
    BeneficiaryNotice,
    Case,
    CaseStatus,
    DecisionLetter,
    Declaration,
    DeskSetting,
    EligibilityRecommendation,
    Erasure,
    ReceptionDraft,
    Referral,
    RequiredDocument,
    RescueReport,
    Service,
)
from db.outbox import resume_outbox, suppress_outbox
from desktop.attachments import AttachmentStore
from desktop.audit import desk_device_id, record_audit
from desktop.backup_erasures import (
    Erasures,
    cases_present,
    erasure_case_ids,
    erasures_in_database,
    merge,
    read_ledger,
    write_ledger,
)
from desktop.errors import InputError
from desktop.policy import load_profile_text

__all__ = ["ANONYMISED_NAME", "LAST_RUN_KEY", "PROMPTED_KEY", "RetentionReport", "reapply_erasures",
           "record_in_ledger", "retention_due", "run_retention", "yearly_reminder"]

#: The `desk_setting` row remembering the last applied run: {"at": ISO time}.
LAST_RUN_KEY = "retention_last_run"
#: The `desk_setting` row remembering when the manager was last reminded: {"at": ISO time}.
PROMPTED_KEY = "retention_prompted"
#: Who is reminded: the roles that answer for the association's data.
REMINDED_ROLES = ("manager", "admin", "operations_manager")
_ANONYMISED_ACTION = "case_anonymised"


@dataclass(frozen=True)
class RetentionReport:
    """What a run found (dry run) or did (`applied`): cases, beneficiaries and stored files anonymised."""

    applied: bool
    cases: int
    beneficiaries: int
    files: int


_years_before = years_before

#: Said when somebody without a role that may run retention applies it.
NOT_ALLOWED_AR = "تطبيق مدة الاحتفاظ وحذف البيانات الشخصية لمدير الجمعية أو مدير العمليات أو مسؤول النظام فقط"


def _retention_years(session: Session) -> dict[uuid.UUID, int | None]:
    """{policy version id: its profile's retention years (None without a [privacy] section)}."""
    from db.models import PolicyVersion

    years: dict[uuid.UUID, int | None] = {}
    for version in session.scalars(select(PolicyVersion)):
        profile = load_profile_text(version.source_text, source=version.profile_id)
        years[version.id] = profile.privacy.retention_years if profile.privacy is not None else None
    return years


def _check_role(session: Session, actor_id: uuid.UUID | None) -> None:
    """Refuse (InputError) an actor without a role of `ERASURE_ROLES`, or nobody once the desk has accounts."""
    from desktop.permissions import sign_in_required

    if actor_id is None:
        if sign_in_required(session):
            raise InputError(NOT_ALLOWED_AR)
        return
    account = session.get(AppUser, actor_id)
    if account is None or not set(account.role_list) & set(ERASURE_ROLES):
        raise InputError(NOT_ALLOWED_AR)


def _due_cases(session: Session, now: dt.datetime) -> list[Case]:
    """The CLOSED cases past their own profile's retention period and not yet anonymised."""
    cutoffs: dict[uuid.UUID, dt.datetime | None] = {
        version: None if years is None else _years_before(now, years)
        for version, years in _retention_years(session).items()}
    done = set(session.scalars(select(AuditEvent.entity_id).where(AuditEvent.action == _ANONYMISED_ACTION)))
    done |= set(session.scalars(select(Erasure.case_id).where(Erasure.deleted_at.is_(None))))  # re-applied by a
    # restore (`reapply_erasures`: no audit event of its own) or pulled from another desk
    due: list[Case] = []
    for case in session.scalars(
        select(Case).where(Case.status == CaseStatus.CLOSED.value, Case.closed_at.is_not(None),
                           Case.deleted_at.is_(None))
    ):
        cutoff = cutoffs.get(case.policy_version_id)
        if cutoff is not None and case.closed_at is not None and case.closed_at <= cutoff and case.id not in done:
            due.append(case)
    return due


def _case_attachments(session: Session) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Every attachment id referenced by each case (its documents, declarations, letters)."""
    found: dict[uuid.UUID, set[uuid.UUID]] = {}
    queries = (
        select(RequiredDocument.case_id, RequiredDocument.attachment_id),
        select(Declaration.case_id, Declaration.signature_attachment_id),
        select(Declaration.case_id, Declaration.pdf_attachment_id),
        select(DecisionLetter.case_id, DecisionLetter.attachment_id),
    )
    for query in queries:
        for case_id, attachment_id in session.execute(query):
            if attachment_id is not None:
                found.setdefault(case_id, set()).add(attachment_id)
    return found


def _files_of(session: Session, cases: set[uuid.UUID],
              references: dict[uuid.UUID, set[uuid.UUID]] | None = None) -> set[uuid.UUID]:
    """The attachments referenced by `cases` and by no other case (those go with them); `references` are
    `_case_attachments`' answer when the caller has read it already."""
    references = _case_attachments(session) if references is None else references
    kept_elsewhere = {a for case_id, ids in references.items() if case_id not in cases for a in ids}
    return {a for case_id, ids in references.items() if case_id in cases for a in ids} - kept_elsewhere


def run_retention(db: Database, data_dir: Path, *, apply: bool, actor_id: uuid.UUID | None = None,
                  now: dt.datetime | None = None) -> RetentionReport:
    """Find (and with `apply`, anonymise) the closed cases past their retention period in one transaction; the
    stored files go from the attachment store only once it is committed (a file another case uses is kept)."""
    with db.session(read_only=not apply) as session:
        report, stored = _run(session, apply=apply, actor_id=actor_id, now=now or dt.datetime.now(dt.UTC))
    store = AttachmentStore(data_dir)
    for relative_path in stored:
        store.path_of(relative_path).unlink(missing_ok=True)
    if report.applied and report.cases:
        record_in_ledger(db, data_dir)
    return report


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def record_in_ledger(db: Database, data_dir: Path) -> None:
    """Add this desk's erasure rows to the ledger beside its database (`desktop.backup_erasures`), so a restore of
    an older backup re-applies them; never their personal content (the erasure rows hold none)."""
    with db.session(read_only=True) as session:
        rows = erasures_in_database(driver_connection(session.connection().connection))
    write_ledger(data_dir, merge(read_ledger(data_dir), rows))


def reapply_erasures(db: Database, erasures: Erasures) -> tuple[int, list[str]]:
    """A restore's re-application (PDPL «beyond use»): every erasure of `erasures` whose case is in `db` and whose
    row is not is applied again — the erasure row stored as it was, the case and (when the erasure names them)
    the person anonymised like `run_retention` does, their append-only rows erased (`db.erasure`), in one
    transaction with SQLite's ``secure_delete`` on. An erasure the server had acknowledged (``server_seq`` set)
    is re-applied with the outbox suppressed (the server holds it); one it never received (the desk was offline
    between the retention run and the restore) is stored with the outbox recording it, like retention itself, so
    the next sync still sends it and the anonymised rows. Returns the cases erased again and the stored paths of
    the files that went with them (to remove from the attachment store)."""
    with db.session() as session:
        raw = driver_connection(session.connection().connection)
        present = set(erasures_in_database(raw))
        absent = [row for key, row in sorted(erasures.items()) if key not in present]
        cases = cases_present(raw, erasure_case_ids(absent))
        missing = [row for row in absent if erasure_case_ids([row]) <= cases]
        if not missing:
            return 0, []
        columns = [str(column[1]) for column in raw.execute("PRAGMA table_info(erasure)")]
        accounts = {row[0] for row in raw.execute("SELECT id FROM app_user")}
        all_cases = {uuid.UUID(str(row["case_id"])) for row in missing}
        references = _case_attachments(session)
        files = _files_of(session, all_cases, references)
        moment = dt.datetime.now(dt.UTC)
        was = raw.execute("PRAGMA secure_delete").fetchone()[0]
        raw.execute("PRAGMA secure_delete = ON")  # what is overwritten or freed is zeroed in the file, not left
        stored: list[str] = []

        def store(rows: list[dict[str, Any]]) -> None:
            """Insert these erasure rows as they were and anonymise their cases (and people, and files)."""
            for row in rows:
                names = [name for name in columns if name in row]
                # An account made after the backup is not in it: the erasure then names nobody as its author.
                values = [None if name == "erased_by" and row[name] not in accounts else row[name] for name in names]
                raw.execute(f"INSERT INTO erasure ({', '.join(_quoted(name) for name in names)}) "
                            f"VALUES ({', '.join('?' for _ in names)})", values)
            case_ids = {uuid.UUID(str(row["case_id"])) for row in rows}
            people = {uuid.UUID(str(row["beneficiary_id"])) for row in rows if row.get("beneficiary_id")}
            theirs = {a for case_id in case_ids for a in references.get(case_id, ())} & files
            files.difference_update(theirs)
            stored.extend(_anonymise(session, case_ids, people, theirs, None, moment))
            session.flush()

        try:
            store([row for row in missing if row.get("server_seq") is None])  # never sent: the outbox records it
            suppress_outbox(raw)
            try:
                store([row for row in missing if row.get("server_seq") is not None])
                for row in missing:
                    apply_erasure_sqlite(raw, str(row["id"]), str(row["case_id"]),
                                         str(row["beneficiary_id"]) if row.get("beneficiary_id") else None)
            finally:
                resume_outbox(raw)
        finally:
            raw.execute(f"PRAGMA secure_delete = {int(was)}")
    return len(all_cases), stored


def _run(session: Session, *, apply: bool, actor_id: uuid.UUID | None, now: dt.datetime
         ) -> tuple[RetentionReport, list[str]]:
    moment = now
    due = _due_cases(session, moment)
    due_ids = {case.id for case in due}
    by_beneficiary: dict[uuid.UUID, list[Case]] = {}
    for case in due:
        if case.beneficiary_id is not None:
            by_beneficiary.setdefault(case.beneficiary_id, [])
    people: set[uuid.UUID] = set()
    for beneficiary_id in by_beneficiary:
        others = session.scalars(select(Case.id).where(Case.beneficiary_id == beneficiary_id,
                                                       Case.deleted_at.is_(None))).all()
        if all(other in due_ids for other in others):
            people.add(beneficiary_id)
    files = _files_of(session, due_ids)
    if not apply:
        return RetentionReport(False, len(due), len(people), len(files)), []
    _check_role(session, actor_id)

    stored = _anonymise(session, due_ids, people, files, actor_id, moment)
    for case in due:
        record_audit(session, action=_ANONYMISED_ACTION, entity="case", entity_id=case.id, actor_id=actor_id,
                     association_id=case.association_id, details={"retention": True}, at=moment)
    session.flush()  # the attachment rows' deletions reach the outbox before the erasures (the server removes an
    # erased case's files when it applies the erasure: their rows must be deleted by then, in that push or before)
    _erase(session, due, people, actor_id, moment)
    association = due[0].association_id if due else None
    record_audit(session, action="retention_applied", entity="desk_setting", entity_id=None, actor_id=actor_id,
                 association_id=association,
                 details={"cases": len(due), "beneficiaries": len(people), "files": len(stored)}, at=moment)
    row = session.scalars(select(DeskSetting).where(DeskSetting.key == LAST_RUN_KEY,
                                                    DeskSetting.deleted_at.is_(None))).first()
    if row is None:
        session.add(DeskSetting(key=LAST_RUN_KEY, value={"at": moment.isoformat()}, updated_by=actor_id))
    else:
        row.value = {"at": moment.isoformat()}
    return RetentionReport(True, len(due), len(people), len(stored)), stored


def _anonymise(session: Session, cases: set[uuid.UUID], people: set[uuid.UUID], files: set[uuid.UUID],
               actor_id: uuid.UUID | None, moment: dt.datetime) -> list[str]:
    """Clear the personal content of the mutable rows of `cases` and of `people`, soft-delete their drafts and the
    attachment rows `files`; returns the stored paths of those files (removed once the transaction commits)."""
    for beneficiary_id in people:
        session.execute(update(Beneficiary).where(Beneficiary.id == beneficiary_id).values(
            **anonymised_values("beneficiary", beneficiary_id.hex), updated_by=actor_id))
    ids = list(cases)
    if ids:
        session.execute(update(Case).where(Case.id.in_(ids)).values(
            **anonymised_values("case", ""), updated_by=actor_id))
        for model in (Referral, Assessment, AssessmentItem, Service, BeneficiaryNotice, EligibilityRecommendation,
                      RescueReport):
            session.execute(update(model).where(model.case_id.in_(ids)).values(
                **anonymised_values(model.__tablename__, ""), updated_by=actor_id))
        session.execute(update(ReceptionDraft).where(ReceptionDraft.case_id.in_(ids),
                                                     ReceptionDraft.deleted_at.is_(None)).values(
            **anonymised_values("reception_draft", ""), deleted_at=moment, version=ReceptionDraft.version + 1))
    stored: list[str] = []
    if files:
        for attachment in session.scalars(select(Attachment).where(Attachment.id.in_(list(files)),
                                                                   Attachment.deleted_at.is_(None))):
            stored.append(attachment.stored_path)
            attachment.deleted_at = moment
    return stored


def _erase(session: Session, due: list[Case], people: set[uuid.UUID], actor_id: uuid.UUID | None,
           moment: dt.datetime) -> None:
    """Record an erasure per case (audited, synced) and apply it to the append-only rows, outbox suppressed."""
    years = _retention_years(session)
    device = desk_device_id(session)
    erasures: list[Erasure] = []
    for case in due:
        assert case.closed_at is not None  # a due case is closed
        erasure = Erasure(
            association_id=case.association_id, case_id=case.id,
            beneficiary_id=case.beneficiary_id if case.beneficiary_id in people else None,
            policy_version_id=case.policy_version_id, retention_years=years.get(case.policy_version_id) or 0,
            closed_at=case.closed_at, erased_by=actor_id, erased_at=moment, device_id=device, updated_by=actor_id)
        session.add(erasure)
        erasures.append(erasure)
        record_audit(session, action="erasure_recorded", entity="erasure", entity_id=erasure.id, actor_id=actor_id,
                     association_id=case.association_id, at=moment, device_id=device,
                     details={"rule": "retention_years", "years": erasure.retention_years})
    session.flush()
    raw = driver_connection(session.connection().connection)
    suppress_outbox(raw)
    try:
        for erasure in erasures:
            apply_erasure_sqlite(raw, erasure.id.hex, erasure.case_id.hex,
                                 erasure.beneficiary_id.hex if erasure.beneficiary_id else None)
    finally:
        resume_outbox(raw)


def _setting_time(session: Session, key: str) -> dt.datetime | None:
    value = session.scalar(select(DeskSetting.value).where(DeskSetting.key == key, DeskSetting.deleted_at.is_(None)))
    try:
        return dt.datetime.fromisoformat(str(value["at"])) if isinstance(value, dict) else None
    except (KeyError, ValueError):
        return None


def retention_due(session: Session, now: dt.datetime | None = None) -> bool:
    """True when the manager should be asked to run retention: neither applied nor asked in the last year."""
    moment = now or dt.datetime.now(dt.UTC)
    times = [t for t in (_setting_time(session, LAST_RUN_KEY), _setting_time(session, PROMPTED_KEY)) if t]
    return not times or max(times) <= _years_before(moment, 1)


def yearly_reminder(db: Database, role: str, *, now: dt.datetime | None = None) -> RetentionReport | None:
    """The yearly reminder for a manager (or administrator): when due, what a run would anonymise (a dry run),
    and the reminder remembered for a year; None when not due, not their role, or nothing is past its period."""
    moment = now or dt.datetime.now(dt.UTC)
    if role not in REMINDED_ROLES:
        return None
    with db.session(read_only=True) as session:
        if not retention_due(session, moment):
            return None
    report = run_retention(db, Path("."), apply=False, now=moment)
    with db.session() as session:
        row = session.scalars(select(DeskSetting).where(DeskSetting.key == PROMPTED_KEY,
                                                        DeskSetting.deleted_at.is_(None))).first()
        if row is None:
            session.add(DeskSetting(key=PROMPTED_KEY, value={"at": moment.isoformat()}))
        else:
            row.value = {"at": moment.isoformat()}
    return report if report.cases else None
