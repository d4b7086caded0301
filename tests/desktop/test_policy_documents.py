"""The profile's [[documents]] (per case kind) and [[roles]] held_by: validated with Arabic problems and lines."""

from __future__ import annotations

import re

import pytest

from db.models import UserRole
from desktop.policy import (
    ACCOUNT_ROLES,
    ProfileError,
    ProfileProblem,
    load_builtin_profile,
    load_builtin_profiles,
    load_profile_text,
)

ARABIC = re.compile(r"[\u0600-\u06FF]")


def _baraah_text() -> str:
    return load_builtin_profile("baraah").source_text


def _with_documents(extra: str) -> str:
    """Baraah's profile with more [[documents]] tables at its end (their lines are after the file's own)."""
    return _baraah_text().rstrip("\n") + "\n\n" + extra.strip("\n") + "\n"


def _problems(text: str) -> list[ProfileProblem]:
    with pytest.raises(ProfileError) as caught:
        load_profile_text(text, source="اختبار.toml")
    return caught.value.problems


def _line_of(text: str, needle: str, *, last: bool = True) -> int:
    lines = text.split("\n")
    indexes = [i for i, line in enumerate(lines) if line.startswith(needle)]
    return (indexes[-1] if last else indexes[0]) + 1


def test_unknown_case_kind_is_refused_with_its_line() -> None:
    """A [[documents]] naming a case kind the profile does not define: its line, the known kinds, nothing loaded."""
    text = _with_documents('[[documents]]\ncase_kind = "loan"\nname = "كشف حساب"\n')
    [problem] = _problems(text)
    assert problem.key.endswith(".case_kind") and problem.key.startswith("documents[")
    assert "نوع الحالة «loan» غير معرّف في [[case_kinds]]" in problem.reason
    assert "support_request" in problem.reason and "inquiry" in problem.reason
    assert problem.line == _line_of(text, 'case_kind = "loan"')
    assert ARABIC.search(problem.reason)
    with pytest.raises(ProfileError) as caught:
        load_profile_text(text, source="اختبار.toml")
    assert caught.value.message_ar.startswith("سياسة الجمعية فيها أخطاء:")
    assert "السطر" in caught.value.message_ar


def test_duplicate_document_of_one_case_kind_is_refused() -> None:
    """The same document twice for one case kind is a problem at the second; for another kind it is fine."""
    name = load_builtin_profile("baraah").documents_for("support_request")[0].name
    text = _with_documents(f'[[documents]]\ncase_kind = "support_request"\nname = "{name}"\n')
    [problem] = _problems(text)
    assert re.fullmatch(r"documents\[\d+\]\.name", problem.key)
    assert f"المستند «{name}» مكرر لنوع الحالة «support_request»" in problem.reason
    assert "documents[0]" in problem.reason
    assert problem.line == _line_of(text, f'name = "{name}"')
    other_kind = _with_documents(f'[[documents]]\ncase_kind = "inquiry"\nname = "{name}"\nrequired = false\n')
    assert [d.name for d in load_profile_text(other_kind, source="x").documents_for("inquiry")] == [name]


def test_document_without_a_name_is_refused() -> None:
    """A [[documents]] table without name: «مفتاح مطلوب غير موجود» at its header line."""
    text = _with_documents('[[documents]]\ncase_kind = "support_request"\nrequired = true\n')
    [problem] = _problems(text)
    assert re.fullmatch(r"documents\[\d+\]\.name", problem.key)
    assert problem.reason == "مفتاح مطلوب غير موجود"
    assert problem.line == _line_of(text, "[[documents]]")


@pytest.mark.parametrize(
    ("table", "key", "words"),
    [
        ('case_kind = "support_request"\nname = "   "', "name", "يجب ألا يكون النص فارغًا"),
        ('case_kind = "support_request"\nname = "صك"\nrequired = "نعم"', "required", "true أو false"),
        ('case_kind = "support_request"\nname = "صك"\nhas_expiry = 1', "has_expiry", "true أو false"),
        ('case_kind = "support_request"\nname = "صك"\ncolour = "أحمر"', "colour", "مفتاح غير معروف"),
        ('name = "صك"', "case_kind", "مفتاح مطلوب غير موجود"),
    ],
)
def test_bad_document_values_are_worded_in_arabic(table: str, key: str, words: str) -> None:
    """Each wrong value of a [[documents]] table: one Arabic problem on its own key."""
    [problem] = _problems(_with_documents("[[documents]]\n" + table))
    assert problem.key.endswith("." + key) and words in problem.reason


def test_documents_need_a_verify_step() -> None:
    """A rescue policy (reports, no applications) listing documents is refused: nobody would be asked for them."""
    text = load_builtin_profile("daam-rescue").source_text + '\n[[documents]]\ncase_kind = "report"\nname = "صورة"\n'
    [problem] = _problems(text)
    assert problem.key == "documents[0]" and "لا تُطلب فيها مستندات" in problem.reason


def test_unknown_account_role_in_held_by_is_refused() -> None:
    """held_by names account roles only; another word is an Arabic problem listing the accepted ones."""
    text = _baraah_text().replace('held_by = ["researcher"]', 'held_by = ["teacher"]', 1)
    [problem] = _problems(text)
    assert problem.key.startswith("roles[") and "held_by" in problem.key
    assert "دور الحساب «teacher» غير معروف" in problem.reason and "researcher" in problem.reason


def test_account_roles_are_the_desk_user_roles() -> None:
    """The roles held_by accepts are exactly the desk accounts' roles."""
    assert set(ACCOUNT_ROLES) == {role.value for role in UserRole}


def test_builtin_profiles_documents_per_case_kind() -> None:
    """Every application kind of a committee policy asks for the identity document (required, with expiry);
    inquiries and the rescue association's reports ask for none."""
    for profile in load_builtin_profiles():
        for kind in profile.case_kinds:
            documents = profile.documents_for(kind.id)
            if kind.id in ("inquiry", "report"):
                assert documents == (), (profile.id, kind.id)
                continue
            first = documents[0]
            assert "الهوية" in first.name and first.required and first.has_expiry, profile.id
            assert len({d.name for d in documents}) == len(documents)


def test_roles_held_by_account_roles() -> None:
    """A researcher account holds the social researcher's role; a role left without held_by is held by its id."""
    baraah = load_builtin_profile("baraah")
    assert baraah.roles_held_by("researcher") == ("social_researcher",)
    assert baraah.roles_held_by("officer") == ("officer",)
    assert load_builtin_profile("mafateeh-alkhair").roles_held_by("manager") == ("responsible_official",)
    assert load_builtin_profile("daam-rescue").roles_held_by("operations_manager") == ("operations_manager",)
    no_held_by = load_profile_text(_baraah_text().replace('held_by = ["committee"]\n', "", 1), source="x")
    assert no_held_by.roles_held_by("committee") == ("committee",)
