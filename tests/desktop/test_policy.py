"""Policy profile validation: broken profiles give one precise Arabic problem per fault."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from desktop.policy import (
    DECLARATION_PLACEHOLDERS,
    Approval,
    PolicyProfile,
    SECRET_IN_POLICY,
    ProfileError,
    ProfileProblem,
    StepKind,
    check_profile_file,
    load_profile,
    load_profile_text,
)

DATA = Path(__file__).resolve().parent / "data"
VALID = DATA / "valid_minimal.toml"
ARABIC = re.compile(r"[\u0600-\u06FF]")


def _valid_text() -> str:
    return VALID.read_text(encoding="utf-8")


def _approval_of(text: str) -> Approval:
    approval = load_profile_text(text, source="x").approval
    assert approval is not None
    return approval


def _problems_of_text(text: str) -> list[ProfileProblem]:
    with pytest.raises(ProfileError) as caught:
        load_profile_text(text, source="اختبار.toml")
    return caught.value.problems


# --------------------------------------------------------------------------- one broken file per fault

BROKEN = [
    # (file, key, words in the reason, line)
    ("missing_key", "association.name", "مفتاح مطلوب غير موجود", 6),
    ("extra_key", "association.colour", "مفتاح غير معروف", 8),
    ("wrong_type", "decision.period_days", "عددًا صحيحًا", 59),
    ("unknown_step_kind", "steps[0].kind", "قيمة غير مقبولة: 'welcome'. القيم المقبولة: greet، verify", 33),
    ("negative_period", "decision.period_days", "يجب أن تكون القيمة أكبر من 0", 59),
    ("impossible_hijri", "approval.date_hijri", "تاريخ هجري غير ممكن «1444/05/31»", 11),
    ("bad_gregorian", "approval.date_gregorian", "تاريخ ميلادي غير موجود «2022-02-30»", 12),
    ("dates_disagree", "approval.date_gregorian", "التاريخان لا يتوافقان", 12),
    ("no_approval_date", "approval.date_hijri", "مفتاح مطلوب غير موجود", 9),
    ("duplicate_ids", "steps[1].id", "المعرّف «reception» مكرر", 38),
    ("unknown_role", "steps[1].role", "الدور «researcher» غير معرّف", 43),
    ("refer_without_role", "steps[1].role", "مفتاح مطلوب غير موجود", 37),
    ("unknown_committee_role", "decision.committee_role", "الدور «board» غير معرّف", 58),
    ("both_periods", "decision.period_months", "لا بكليهما", 60),
    ("missing_decision", "decision", "مفتاح مطلوب غير موجود", None),
    ("missing_declaration", "declaration", "مفتاح مطلوب غير موجود", None),
    ("declaration_wrong_step", "declaration.required_step", "وليست من نوع declare", 64),
    ("unknown_placeholder", "declaration.text", "عنصر نائب غير معروف {name}", 65),
    ("bad_gender_marking", "declaration.text", "علامة الجنس «{الموقع|}» غير صحيحة", 65),
    ("wrong_bool", "steps[1].mandatory", "true أو false", 42),
    ("bad_profile_id", "id", "معرّف السياسة غير صالح", 3),
    ("schema_version", "schema_version", "قيمة غير مقبولة: 2. القيم المقبولة: 1", 2),
    ("no_channels", "channels", "مفتاح مطلوب غير موجود", None),
    ("channels_as_table", "channels", "[[channels]]", 14),
    ("syntax_error", "", "خطأ في صيغة TOML في السطر 40", 40),
    ("not_utf8", "", "ليس بترميز UTF-8", 1),
]


@pytest.mark.parametrize(("name", "key", "reason", "line"), BROKEN, ids=[case[0] for case in BROKEN])
def test_broken_profile_gives_one_precise_problem(name: str, key: str, reason: str, line: int | None) -> None:
    path = DATA / f"{name}.toml"
    problems = check_profile_file(path)
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.file == str(path)
    assert problem.key == key
    assert reason in problem.reason
    assert ARABIC.search(problem.reason)
    assert problem.line == line
    text = str(problem)
    assert "\n" not in text and text.startswith(str(path)) and text.endswith(problem.reason)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert caught.value.problems == problems


def test_broken_samples_differ_from_the_valid_one_by_their_fault_only() -> None:
    assert check_profile_file(VALID) == []
    names = {path.stem for path in DATA.glob("*.toml")} - {"valid_minimal"}
    assert names == {case[0] for case in BROKEN}


def test_missing_file_and_directory() -> None:
    (missing,) = check_profile_file(DATA / "no-such-profile.toml")
    assert (missing.key, missing.reason) == ("", "الملف غير موجود")
    assert str(missing) == f"{DATA / 'no-such-profile.toml'}: الملف غير موجود"
    (folder,) = check_profile_file(DATA)
    assert "مجلد" in folder.reason


def test_several_problems_are_all_reported_in_file_order() -> None:
    text = (
        _valid_text()
        .replace('name = "جمعية الاختبار"', 'nam = "جمعية الاختبار"')
        .replace('kind = "greet"', 'kind = "hello"')
        .replace('kind = "scale5"', 'kind = "stars"')
    )
    problems = _problems_of_text(text)
    assert [(p.key, p.reason.split(":")[0]) for p in problems] == [
        ("association.name", "مفتاح مطلوب غير موجود"),
        ("association.nam", "مفتاح غير معروف"),
        ("steps[0].kind", "قيمة غير مقبولة"),
        ("survey.questions[0].kind", "قيمة غير مقبولة"),
    ]
    assert all(p.file == "اختبار.toml" for p in problems)
    assert problems[-1].line == _valid_text().splitlines().index('kind = "scale5"') + 1


# --------------------------------------------------------------------------- rules in detail


def test_valid_profile_api() -> None:
    profile = load_profile(VALID)
    assert profile.id == "sample" and profile.has_committee
    assert profile.declaration_step is not None and profile.declaration_step.id == "declaration"
    assert profile.step("referral").kind is StepKind.REFER
    assert profile.step("referral").skip_reason_required
    assert not profile.step("reception").skip_reason_required
    with pytest.raises(KeyError):
        profile.step("nothing")
    assert profile.source_path == VALID
    assert profile.source_text == _valid_text()
    assert profile.content_hash == hashlib.sha256(VALID.read_bytes()).hexdigest()
    assert profile.approval is not None and profile.approval.body == "مجلس الإدارة"
    assert profile.decision is not None and profile.decision.counted_from == "submission"
    assert profile.survey.anonymous and not profile.survey.link_to_officer
    assert StepKind("notify-committee") is StepKind.NOTIFY_COMMITTEE and StepKind.NOTIFY_COMMITTEE == "notify-committee"
    assert "source_text" not in PolicyProfile.model_json_schema()["properties"]


def test_profiles_are_frozen() -> None:
    profile = load_profile(VALID)
    with pytest.raises(ValidationError):
        profile.id = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        profile.steps[0].mandatory = False  # type: ignore[misc]


def test_loaded_from_text_has_no_path() -> None:
    text = _valid_text()
    profile = load_profile_text(text, source="لصق")
    assert profile.source_path is None and profile.source_text == text
    assert profile.content_hash == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    raw = b"\xef\xbb\xbf" + VALID.read_bytes()
    path.write_bytes(raw)
    profile = load_profile(path)
    assert profile.content_hash == hashlib.sha256(raw).hexdigest()
    assert not profile.source_text.startswith("\ufeff")


@pytest.mark.parametrize(
    ("gregorian", "ok"), [("2022-12-01", True), ("2022-12-03", True), ("2022-11-30", False), ("2022-12-04", False)]
)
def test_hijri_and_gregorian_may_differ_by_one_day(gregorian: str, ok: bool) -> None:
    text = _valid_text().replace('date_gregorian = "2022-12-02"', f'date_gregorian = "{gregorian}"')
    if ok:
        assert _approval_of(text).date_gregorian == date.fromisoformat(gregorian)
    else:
        (problem,) = _problems_of_text(text)
        assert problem.key == "approval.date_gregorian" and "يوافق 2022/12/02 م" in problem.reason


def test_hijri_date_is_normalised_and_checked() -> None:
    text = _valid_text().replace('date_hijri = "1444/05/08"', 'date_hijri = "١٤٤٤/٥/٨"')
    assert _approval_of(text).date_hijri == "1444/05/08"
    for bad, words in (
        ("1444/13/08", "الشهر 13 غير موجود"),
        ("08/05/1444", "الصيغة المطلوبة YYYY/MM/DD"),
        ("1444/03/30", "اليوم 30 غير موجود"),
    ):
        (problem,) = _problems_of_text(_valid_text().replace("1444/05/08", bad))
        assert problem.key == "approval.date_hijri" and words in problem.reason, problem


def test_gregorian_date_forms() -> None:
    native = _valid_text().replace('date_gregorian = "2022-12-02"', "date_gregorian = 2022-12-02")
    assert _approval_of(native).date_gregorian == date(2022, 12, 2)
    for bad, words in (
        ('"2022/12/02"', "YYYY-MM-DD"),
        ("20221202", "تاريخًا ميلاديًا"),
        ("2022-12-02T10:00:00", "دون وقت"),
        ('"1444-05-08"', "هل هذا تاريخ هجري"),
    ):
        (problem,) = _problems_of_text(_valid_text().replace('"2022-12-02"', bad))
        assert problem.key == "approval.date_gregorian" and words in problem.reason, problem


def test_replaced_version_must_be_earlier() -> None:
    text = _valid_text().replace(
        "\n[[channels]]", '\n[approval.replaces]\nmeeting = "الاجتماع (0)"\ndate_gregorian = "2023-01-01"\n\n[[channels]]', 1
    )
    (problem,) = _problems_of_text(text)
    assert problem.key == "approval.replaces.date_gregorian" and "يسبق" in problem.reason
    earlier = text.replace('date_gregorian = "2023-01-01"', 'date_hijri = "1443/12/15"')
    replaced = _approval_of(earlier).replaces
    assert replaced is not None and replaced.date_hijri == "1443/12/15"


def test_approval_is_optional_but_never_empty() -> None:
    text = _valid_text().replace('[approval]\nmeeting = "الاجتماع (1)"\ndate_hijri = "1444/05/08"\ndate_gregorian = "2022-12-02"\n', "")
    assert load_profile_text(text, source="x").approval is None
    (problem,) = _problems_of_text(_valid_text().replace('meeting = "الاجتماع (1)"\n', ""))
    assert (problem.key, problem.reason) == ("approval.meeting", "مفتاح مطلوب غير موجود")


def test_decision_period_in_months() -> None:
    text = _valid_text().replace("period_days = 14", "period_months = 1")
    decision = load_profile_text(text, source="x").decision
    assert decision is not None and (decision.period_days, decision.period_months) == (None, 1)
    (problem,) = _problems_of_text(_valid_text().replace("period_days = 14\n", ""))
    assert problem.key == "decision.period_days" and "period_months" in problem.reason
    (problem,) = _problems_of_text(_valid_text().replace("period_days = 14", "period_days = 0"))
    assert problem.reason == "يجب أن تكون القيمة أكبر من 0"


def test_rescue_profile_has_no_committee() -> None:
    text = _valid_text()
    for block in ("[decision]", "[declaration]"):
        start = text.index(block)
        text = text[:start] + text[text.index("\n\n", start) + 2 :]
    text = text.replace('kind = "notify-committee"', 'kind = "dispatch"').replace('kind = "declare"', 'kind = "serve"')
    profile = load_profile_text(text, source="x")
    assert not profile.has_committee and profile.declaration_step is None


def test_escalate_needs_a_role_and_dispatch_does_not() -> None:
    text = _valid_text().replace('kind = "refer"', 'kind = "escalate"').replace('role = "social_researcher"\n', "")
    (problem,) = _problems_of_text(text)
    assert problem.key == "steps[1].role" and "escalate" in problem.reason
    assert load_profile_text(text.replace('kind = "escalate"', 'kind = "dispatch"'), source="x").step("referral").role is None


def test_declaration_placeholders() -> None:
    template = 'text = "أقر أنا {full_name} بصحة البيانات. التاريخ: {date}"'
    every = " ".join("{" + name + "}" for name in sorted(DECLARATION_PLACEHOLDERS))
    text = _valid_text().replace(template, f'text = "{every} {{{{حرفي}}}}"')
    declaration = load_profile_text(text, source="x").declaration
    assert declaration is not None
    rendered = declaration.render({name: name.upper() for name in DECLARATION_PLACEHOLDERS})
    assert rendered.endswith("{حرفي}") and "FULL_NAME" in rendered
    for bad, words in (
        ('text = "أقر أنا {full_name"', "غير متوازن في النص؛ لكتابة قوس حرفي اكتب {{ أو }}"),
        ('text = "التاريخ {date:%Y}"', "{date:%Y}"),
        ('text = "{full_name!r}"', "{full_name!r}"),
        ('text = "{}"', "عنصر نائب غير معروف {}"),
        ('text = "   "', "فارغ"),
    ):
        (problem,) = _problems_of_text(_valid_text().replace(template, bad))
        assert problem.key == "declaration.text" and words in problem.reason, problem


def test_duplicate_ids_in_every_list() -> None:
    text = _valid_text().replace('id = "social_researcher"', 'id = "committee"').replace(
        'role = "social_researcher"', 'role = "committee"'
    )
    (problem,) = _problems_of_text(text)
    assert problem.key == "roles[1].id" and "roles[0]" in problem.reason
    text = _valid_text() + '\n[[survey.questions]]\nid = "overall"\ntext = "اقتراحك؟"\nkind = "text"\n'
    (problem,) = _problems_of_text(text)
    assert problem.key == "survey.questions[1].id" and problem.line == len(_valid_text().splitlines()) + 3


def test_unknown_section_and_wrong_section_type() -> None:
    (problem,) = _problems_of_text(_valid_text() + '\n[colours]\nmain = "أخضر"\n')
    assert (problem.key, problem.reason) == ("colours", "مفتاح غير معروف")
    assert problem.line == len(_valid_text().splitlines()) + 2
    (problem,) = _problems_of_text('association = "جمعية"\n' + _valid_text().replace('[association]\nname = "جمعية الاختبار"\n', ""))
    assert problem.key == "association" and "قسمًا" in problem.reason


def test_item_ids_and_text_fields() -> None:
    (problem,) = _problems_of_text(_valid_text().replace('id = "phone"', 'id = "Phone Line"'))
    assert problem.key == "channels[0].id" and "معرّف غير صالح" in problem.reason
    (problem,) = _problems_of_text(_valid_text().replace('title = "الاستقبال"', "title = 5"))
    assert problem.key == "steps[0].title" and "نصًا" in problem.reason
    (problem,) = _problems_of_text(_valid_text().replace('title = "الاستقبال"', 'title = ""'))
    assert problem.key == "steps[0].title" and problem.reason == "يجب ألا يكون النص فارغًا"
    (problem,) = _problems_of_text(_valid_text().replace('kind = "phone"', 'kind = "fax"'))
    assert problem.key == "channels[0].kind" and "platform" in problem.reason
    (problem,) = _problems_of_text(_valid_text().replace('version = "1"', 'version = 1'))
    assert problem.key == "version"
    block = '[[channels]]\nid = "phone"\nname = "الاتصالات الهاتفية"\nkind = "phone"\n\n'
    text = _valid_text().replace(block, "").replace('version = "1"\n', 'version = "1"\nchannels = []\n')
    (problem,) = _problems_of_text(text)
    assert (problem.key, problem.reason) == ("channels", "يجب أن تحتوي القائمة على عنصر واحد على الأقل")
    assert problem.line == 5


def test_logo_is_relative_and_must_exist(tmp_path: Path) -> None:
    text = _valid_text().replace('name = "جمعية الاختبار"', 'name = "جمعية الاختبار"\nlogo = "logo.png"')
    path = tmp_path / "sample.toml"
    path.write_text(text, encoding="utf-8")
    (problem,) = check_profile_file(path)
    assert problem.key == "association.logo" and "غير موجود" in problem.reason
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert load_profile(path).logo_path == tmp_path / "logo.png"
    (problem,) = _problems_of_text(text.replace('"logo.png"', '"C:/logos/logo.png"'))
    assert problem.key == "association.logo" and "نسبيًا" in problem.reason


def test_problem_string_forms() -> None:
    assert str(ProfileProblem("a.toml", "steps[3].kind", "سبب")) == "a.toml: steps[3].kind: سبب"
    assert str(ProfileProblem("a.toml", "steps[3].kind", "سبب", 12)) == "a.toml:12: steps[3].kind: سبب"
    assert str(ProfileProblem("a.toml", "", "سبب")) == "a.toml: سبب"
    error = ProfileError([ProfileProblem("a.toml", "id", "أ"), ProfileProblem("a.toml", "version", "ب")])
    assert str(error) == "a.toml: id: أ\na.toml: version: ب"


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_damaged_profiles_only_ever_raise_profile_error(data: st.DataObject) -> None:
    lines = _valid_text().splitlines()
    index = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
    replacement = data.draw(st.sampled_from(["", "x", '"', "[[steps]]", "kind = 3", "id = \"\"", lines[index][:5]]))
    lines[index] = replacement
    try:
        profile = load_profile_text("\n".join(lines), source="x")
    except ProfileError as exc:
        assert exc.problems and all(ARABIC.search(p.reason) for p in exc.problems)
    else:
        assert profile.id == "sample"


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_any_text_only_ever_raises_profile_error(text: str) -> None:
    with pytest.raises(ProfileError):
        load_profile_text(text, source="x")


def test_import_stays_light() -> None:
    code = (
        "import sys, desktop.policy; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'PySide6', 'sqlalchemy', 'reportlab', 'hijridate', 'db', 'ui'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("line", ['password = "سر-مكشوف-1"', 'admin_pin = "4817"', 'Secret_Key = "سر-مكشوف-1"'])
def test_a_password_in_a_policy_file_is_refused_and_never_echoed(line: str) -> None:
    """A key that would hold a secret is refused with its own sentence (accounts are managed elsewhere)."""
    text = _valid_text().replace("[association]", f"[association]\n{line}", 1)
    (problem,) = _problems_of_text(text)
    assert problem.reason == SECRET_IN_POLICY and problem.key.startswith("association.")
    assert "سر-مكشوف" not in str(problem) and "4817" not in str(problem)
