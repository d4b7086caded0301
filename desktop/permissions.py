"""Who may see and do what (issue 13): the one table of protected actions and the roles that may do each.

Every service asks `require(roles, action)` (through `acting_roles`, which reads the account acting now) before
it reads or writes; a refusal is a `PermissionDenied` (an `InputError`) whose Arabic message names the action and
the roles that may do it. Screens ask `may(roles, action)` only to hide what the account may not do: the services
decide. No Qt, no database here apart from `acting_roles`' one read of the acting account.

Nobody signed in: once the association has an account with a password (the first administrator of
`mustafid-admin init`, then every account made by one), every protected action needs a signed-in account and is
refused without one («ادخل بحسابك أولًا»). A desk with no such account yet (the legacy desk before issue 13,
the demo data, a test's fresh database) keeps the earlier behaviour: the OS login's account acts unchecked
(`acting_roles` returns None).
"""

from __future__ import annotations

import functools
import json
import sqlite3
import uuid
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from db.engine import driver_connection
from db.models import UserRole
from desktop.errors import InputError
from desktop.session_identity import SessionIdentity

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from desktop.workspace import Workspace

__all__ = ["ACCOUNT_GONE", "NOT_SIGNED_IN", "PERMISSIONS", "REDACTED", "SENSITIVE_READERS", "SENSITIVE_SCAN_REFUSED", "Action",
           "PermissionDenied", "Guarded", "acting_roles", "guarded", "may", "refusal", "require", "roles_phrase", "sign_in_required"]

#: What a screen shows instead of a text the account may not read (never an empty field that looks missing):
#: it names who may read it (`SENSITIVE_READERS`: the researcher, the committee and its secretary, the manager).
REDACTED = "محجوب — يطّلع عليه الباحث واللجنة والمدير"
NOT_SIGNED_IN = "لم يدخل أحد إلى المكتب: ادخل بحسابك أولًا، فهذه العملية تُسجَّل باسم من يقوم بها."
ACCOUNT_GONE = "الحساب الذي دخلت به موقوف أو محذوف: ادخل من جديد بحساب نشط"


class PermissionDenied(InputError):
    """An action the acting account's roles may not do (Arabic `message_ar` naming the action and who may)."""


class Action(StrEnum):
    """A protected action of the desk; `what_ar` words it after «لا يملك حسابك صلاحية …»."""

    SEE_CASES = "see_cases"
    RECEIVE_CASE = "receive_case"
    VERIFY_PARTICULARS = "verify_particulars"
    PRINT_DOCUMENTS = "print_documents"
    READ_SENSITIVE = "read_sensitive"
    RECORD_ASSESSMENT = "record_assessment"
    VIEW_COMMITTEE_QUEUE = "view_committee_queue"
    RECORD_DECISION = "record_decision"
    MANAGE_COMMITTEE = "manage_committee"
    INFORM_BENEFICIARY = "inform_beneficiary"
    REGISTER_SERVE = "register_serve"
    RESCUE_DISPATCH = "rescue_dispatch"
    RESCUE_MEMBERS = "rescue_members"
    SUGGESTIONS = "suggestions"
    DASHBOARDS = "dashboards"
    CORRECTIVE_ACTIONS = "corrective_actions"
    SATISFACTION_SLIPS = "satisfaction_slips"
    SATISFACTION_ADMIN = "satisfaction_admin"
    SYNC_RUN = "sync_run"
    SYNC_SUPERVISE = "sync_supervise"
    ACCOUNTS_SETTINGS = "accounts_settings"
    POLICY_IMPORT = "policy_import"

    @property
    def what_ar(self) -> str:
        """The action in Arabic, as it reads after «صلاحية»."""
        return _WHAT_AR[self]


_WHAT_AR: dict[Action, str] = {
    Action.SEE_CASES: "الاطلاع على الحالات وقائمتها والبحث فيها",
    Action.RECEIVE_CASE: "استقبال المستفيد وفتح حالة له",
    Action.VERIFY_PARTICULARS: "التحقق من بيانات المستفيد وتصحيحها",
    Action.PRINT_DOCUMENTS: "طباعة مستندات الحالة",
    Action.READ_SENSITIVE: "الاطلاع على ملاحظات المقابلة وتقييم الأهلية وما تعدّه السياسة سريًا",
    Action.RECORD_ASSESSMENT: "تسجيل فحص المستندات والمقابلة وتوصية الأهلية",
    Action.VIEW_COMMITTEE_QUEUE: "الاطلاع على قائمة انتظار اللجنة",
    Action.RECORD_DECISION: "تسجيل قرار اللجنة",
    Action.MANAGE_COMMITTEE: "إعادة الطلب إلى اللجنة",
    Action.INFORM_BENEFICIARY: "إبلاغ المستفيد بالقرار",
    Action.REGISTER_SERVE: "تسجيل المستفيد وتقديم الخدمة وإغلاق الطلب",
    Action.RESCUE_DISPATCH: "تصعيد البلاغات وتوجيهها وإغلاقها",
    Action.RESCUE_MEMBERS: "إدارة أعضاء فرق الإنقاذ",
    Action.SUGGESTIONS: "استقبال الاقتراحات والشكاوى ومتابعتها",
    Action.DASHBOARDS: "لوحة المؤشرات والتقارير الدورية",
    Action.CORRECTIVE_ACTIONS: "تسجيل الإجراءات التصحيحية",
    Action.SATISFACTION_SLIPS: "إصدار قسائم استبيان الرضا",
    Action.SATISFACTION_ADMIN: "ضبط رمز كشك استبيان الرضا",
    Action.SYNC_RUN: "ربط الجهاز بالخادم وتشغيل المزامنة",
    Action.SYNC_SUPERVISE: "مراجعة تعارضات المزامنة وحلّها",
    Action.ACCOUNTS_SETTINGS: "إدارة الحسابات والإعدادات",
    Action.POLICY_IMPORT: "اعتماد سياسة الجمعية أو استيرادها",
}

_O, _R, _CS, _CM = UserRole.OFFICER, UserRole.RESEARCHER, UserRole.COMMITTEE_SECRETARY, UserRole.COMMITTEE
_OM, _M, _A, _SS = UserRole.OPERATIONS_MANAGER, UserRole.MANAGER, UserRole.ADMIN, UserRole.SYNC_SUPERVISOR

#: Who may read interview notes, eligibility assessments and what a policy marks sensitive.
SENSITIVE_READERS: frozenset[UserRole] = frozenset({_R, _CS, _CM, _M})

#: The refusal of a scan of a document a policy marks sensitive (a medical report) to anyone else.
SENSITIVE_SCAN_REFUSED = ("هذا المستند سري بحسب سياسة الجمعية: لا يفتحه ولا يطبعه إلا مسؤول البحث الاجتماعي "
                          "أو لجنة البحث وأمين سرها أو المدير.")

#: The table (ARCHITECTURE.md, "Who may see and do what", is this table in words).
PERMISSIONS: dict[Action, frozenset[UserRole]] = {
    Action.SEE_CASES: frozenset({_O, _R, _CS, _CM, _OM, _M}),
    Action.RECEIVE_CASE: frozenset({_O, _OM}),
    Action.VERIFY_PARTICULARS: frozenset({_O, _R, _M}),
    Action.PRINT_DOCUMENTS: frozenset({_O, _R, _CS, _CM, _OM, _M}),
    Action.READ_SENSITIVE: SENSITIVE_READERS,
    Action.RECORD_ASSESSMENT: frozenset({_R}),
    Action.VIEW_COMMITTEE_QUEUE: frozenset({_CS, _CM, _M}),
    Action.RECORD_DECISION: frozenset({_CS}),
    Action.MANAGE_COMMITTEE: frozenset({_CS, _R, _M}),
    Action.INFORM_BENEFICIARY: frozenset({_O, _CS, _M}),
    Action.REGISTER_SERVE: frozenset({_O, _M}),
    Action.RESCUE_DISPATCH: frozenset({_O, _OM}),
    Action.RESCUE_MEMBERS: frozenset({_OM}),
    Action.SUGGESTIONS: frozenset({_O, _M}),
    Action.DASHBOARDS: frozenset({_M, _OM}),
    Action.CORRECTIVE_ACTIONS: frozenset({_M}),
    Action.SATISFACTION_SLIPS: frozenset({_O, _M}),
    Action.SATISFACTION_ADMIN: frozenset({_M}),
    Action.SYNC_RUN: frozenset({_A, _SS}),
    Action.SYNC_SUPERVISE: frozenset({_SS}),
    Action.ACCOUNTS_SETTINGS: frozenset({_A}),
    Action.POLICY_IMPORT: frozenset({_A, _M}),
}


def roles_phrase(roles: Iterable[UserRole]) -> str:
    """The roles' Arabic names joined with «أو», in the enum's order (`لأمين سر اللجنة أو المدير`)."""
    chosen = set(roles)
    names = [role.label_ar for role in UserRole if role in chosen]
    return " أو ".join(names)


def refusal(action: Action) -> str:
    """The Arabic sentence refusing `action` and naming who may do it."""
    return f"لا يملك حسابك صلاحية {action.what_ar}؛ هذا لـ{roles_phrase(PERMISSIONS[action])}."


def may(roles: Iterable[str] | None, action: Action) -> bool:
    """True when an account holding `roles` may do `action` (None: the unchecked legacy desk)."""
    if roles is None:
        return True
    allowed = PERMISSIONS[action]
    return any(role in allowed for role in roles)


def require(roles: Iterable[str] | SessionIdentity | None, action: Action,
            error: type[InputError] = PermissionDenied) -> None:
    """Refuse `action` (an `error`, PermissionDenied by default) unless `roles` may do it (None: legacy desk)."""
    held = roles.roles if isinstance(roles, SessionIdentity) else roles
    if not may(held, action):
        raise error(refusal(action), field="permission")


_SIGN_IN_REQUIRED_SQL = "SELECT 1 FROM app_user WHERE deleted_at IS NULL AND password_hash IS NOT NULL LIMIT 1"
_ACCOUNT_SQL = "SELECT active, deleted_at, roles, role FROM app_user WHERE id = ?"


def _cursor(bind: Session | Connection) -> sqlite3.Cursor:
    """A cursor of the desk's SQLite connection under `bind` (the check is one indexed read: the driver's
    own cursor costs microseconds where an ORM or Core statement costs a fifth of a millisecond)."""
    connection = bind.connection() if isinstance(bind, Session) else bind
    return driver_connection(connection.connection).cursor()  # sqlite3, or SQLCipher's (the same API)


def sign_in_required(session: Session | Connection) -> bool:
    """True once this association has an account with a password: from then on nobody acts unsigned."""
    return _cursor(session).execute(_SIGN_IN_REQUIRED_SQL).fetchone() is not None


def acting_roles(session: Session | Connection, identity: SessionIdentity | None,
                 error: type[InputError] = PermissionDenied) -> tuple[str, ...] | None:
    """The roles of the account acting now, read from its row (a role taken away elsewhere counts at once).

    A signed-in account disabled or deleted since is refused (`ACCOUNT_GONE`); nobody signed in is refused
    once sign-in is required (`NOT_SIGNED_IN`), else None: the legacy desk, unchecked (module docstring).
    It runs before every service action: one indexed read on the driver's cursor.
    """
    if identity is None:
        if sign_in_required(session):
            raise error(NOT_SIGNED_IN, field="account")
        return None
    row = _cursor(session).execute(_ACCOUNT_SQL, (identity.account_id.hex,)).fetchone()
    if row is None or row[1] is not None or not row[0]:
        raise error(ACCOUNT_GONE, field="account")
    roles = json.loads(row[2]) if row[2] else []
    return tuple(str(role) for role in roles) if roles else ((str(row[3]),) if row[3] else ())


class Guarded:
    """A service whose public methods are `@guarded`: it acts as its workspace's signed-in account.

    `desktop.casework.CaseWork` overrides `_acting_identity` (a service may be given its own identity) and the
    error class; the others (reports, satisfaction, sync, the case list) use this as it is.
    """

    _workspace: Workspace
    _permission_error: type[InputError] = PermissionDenied

    def _acting_identity(self) -> SessionIdentity | None:
        return self._workspace.signed_in

    def _acting_account_id(self, session: Session) -> uuid.UUID | None:
        """The id stamped on what this service writes: the acting account, else the legacy desk's."""
        identity = self._acting_identity()
        return identity.account_id if identity is not None else self._workspace.acting_account_id(session)

    def _refusal_class(self) -> type[InputError]:
        return self._permission_error

    def _require_action(self, action: Action, session: Session | None = None) -> None:
        """Refuse `action` unless the acting account may do it (read in `session`, else a short read)."""
        error = self._refusal_class()
        if session is not None:
            require(acting_roles(session, self._acting_identity(), error), action, error)
            return
        with self._workspace.db.reading() as connection:
            require(acting_roles(connection, self._acting_identity(), error), action, error)

    def may(self, action: Action) -> bool:
        """True when the acting account may do `action` (what a screen asks to hide a section or a button)."""
        try:
            self._require_action(action)
        except InputError:
            return False
        return True


_S = TypeVar("_S", bound=Guarded)
_P = ParamSpec("_P")
_T = TypeVar("_T")


def guarded(action: Action) -> Callable[[Callable[Concatenate[_S, _P], _T]], Callable[Concatenate[_S, _P], _T]]:
    """Decorate a public service method: `action` is checked (and refused in Arabic) before the method runs."""

    def wrap(method: Callable[Concatenate[_S, _P], _T]) -> Callable[Concatenate[_S, _P], _T]:
        def checked(self: _S, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
            self._require_action(action)
            return method(self, *args, **kwargs)

        functools.update_wrapper(checked, method)
        checked.__dict__["permission"] = action  # what the table-driven test reads
        return checked

    return wrap
