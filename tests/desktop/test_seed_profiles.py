"""The five shipped policy profiles against the text of the five real policies (the seeds)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from desktop.arabic_text import to_latin_digits
from desktop.hijri import parse_hijri
from desktop.policy import (
    ChannelKind,
    MechanismKind,
    PolicyProfile,
    ProfileError,
    QuestionKind,
    StepKind,
    builtin_profile_paths,
    load_builtin_profile,
    load_builtin_profiles,
)

# Copies of the five real policies (PDF-extracted text), kept with the tests as acceptance material.
SEEDS_DIR = Path(__file__).resolve().parent / "data" / "seeds"

SEED_OF = {
    "daam-rescue": "000",
    "tahfeez-bir-bin-hirmas": "001",
    "qader-tabuk": "002",
    "mafateeh-alkhair": "003",
    "baraah": "004",
}

G, V, R, D, N = StepKind.GREET, StepKind.VERIFY, StepKind.REFER, StepKind.DECLARE, StepKind.NOTIFY_COMMITTEE
REG, S, E, DIS = StepKind.REGISTER, StepKind.SERVE, StepKind.ESCALATE, StepKind.DISPATCH


# --------------------------------------------------------------------------- seed text helpers


def _normalise(text: str) -> str:
    """Compare Arabic text across the PDF extraction: no diacritics, tatweel, punctuation or digits.

    The extraction of 001 drops the alef of every lam-alef ligature ("الجتماعي"), so "لا" becomes
    "ل" on both sides of a comparison.
    """
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\u064B-\u0652\u0640\u200c-\u200f]", "", text)
    text = text.replace("لا", "ل")
    text = re.sub(r"[^\w\s]|_|\d", " ", text)
    return " ".join(text.split())


def _seed_raw(profile_id: str) -> str:
    (path,) = SEEDS_DIR.glob(f"{SEED_OF[profile_id]}_*.txt")
    return path.read_text(encoding="utf-8")


def _seed(profile_id: str) -> str:
    """The normalised seed text; 001's lines are put back in reading order first.

    In 001 each line was extracted in visual order: the pieces separated by runs of spaces come
    right-to-left, so reversing them restores the sentence.
    """
    raw = _seed_raw(profile_id)
    if profile_id == "tahfeez-bir-bin-hirmas":
        raw = "\n".join(" ".join(reversed(re.split(r"\s{2,}", line.strip()))) for line in raw.splitlines())
    return _normalise(raw)


def _assert_phrase(phrase: str, seed: str) -> None:
    assert _normalise(phrase) in seed, f"not in the seed: {phrase}"


def _assert_words(text: str, seed: str, *, known_artifacts: frozenset[str] = frozenset()) -> None:
    """Every word is a word of the seed, or two adjacent fragments of it (lines scrambled by the PDF)."""
    tokens = set(seed.split())
    missing = [
        word
        for word in _normalise(text).split()
        if word not in tokens
        and word not in known_artifacts
        and not any(word[:i] in tokens and word[i:] in tokens for i in range(1, len(word)))
    ]
    assert not missing, f"words not in the seed: {missing} (in: {text})"


def _profile(profile_id: str) -> PolicyProfile:
    return load_builtin_profile(profile_id)


def _check_common(profile: PolicyProfile, *, channels: list[tuple[str, ChannelKind]], tools: list[str],
                  steps: list[StepKind], known_artifacts: frozenset[str] = frozenset()) -> str:
    """Checks every seed shares: channels, tools, step kinds in order, wording taken from the seed."""
    seed = _seed(profile.id)
    assert [(c.name, c.kind) for c in profile.channels] == channels
    assert [t.name for t in profile.tools] == tools
    assert [s.kind for s in profile.steps] == steps
    _assert_phrase(profile.association.name.removeprefix("جمعية "), seed)
    for item in [*profile.channels, *profile.tools]:
        _assert_words(item.name, seed)
    for step in profile.steps:
        _assert_words(step.text, seed, known_artifacts=known_artifacts)
    for step in profile.steps:
        assert step.mandatory is (step.kind not in (R, E)), step.id
    assert profile.survey.anonymous is True
    assert profile.survey.link_to_officer is False
    kinds = [q.kind for q in profile.survey.questions]
    assert QuestionKind.SCALE5 in kinds and QuestionKind.RECOMMEND10 in kinds and QuestionKind.TEXT in kinds
    for question in profile.survey.questions:
        assert question.required is (question.kind is QuestionKind.SCALE5)
    return seed


def _check_declaration(profile: PolicyProfile) -> None:
    declaration_step = profile.declaration_step
    assert declaration_step is not None and declaration_step.kind is D
    assert profile.declaration is not None
    rendered = profile.declaration.render(
        {
            "full_name": "سارة محمد عبدالله القحطاني",
            "id_number": "1000000008",
            "id_kind": "هوية وطنية",
            "association": profile.association.name,
            "case_number": "1447-000123",
            "date": "1447/04/27",
        }
    )
    assert "سارة محمد عبدالله القحطاني" in rendered and profile.association.name in rendered
    assert "{" not in rendered


def _check_dates(hijri: str | None, gregorian: date | None) -> None:
    if hijri is not None and gregorian is not None:
        assert parse_hijri(hijri).to_gregorian() == gregorian


# --------------------------------------------------------------------------- the five seeds


def test_000_daam_rescue() -> None:
    profile = _profile("daam-rescue")
    seed = _check_common(
        profile,
        channels=[
            ("المقابلة اثناء المهمة", ChannelKind.IN_PERSON),
            ("الاتصالات الهاتفية", ChannelKind.PHONE),
            ("وسائل التواصل الاجتماعي", ChannelKind.SOCIAL_MEDIA),
            ("الخطابات", ChannelKind.LETTER),
            ("خدمات طلب المساعدة", ChannelKind.HELP_REQUEST),
            ("الموقع الالكتروني للجمعية", ChannelKind.WEBSITE),
        ],
        tools=["رقم البلاغات الرسمي", "المنصة الالكترونية التي استقبل فيها البلاغ", "لائحة العمليات المركزية"],
        steps=[G, V, E, DIS, S],
    )
    assert profile.association.name == "جمعية دعم للبحث والإنقاذ والإغاثة"
    assert profile.association.licence is None
    assert profile.tools[0].details == "٥٣٧٩٩٨٩٩٧" and "٥٣٧٩٩٨٩٩٧" in _seed_raw(profile.id)
    assert [k.name for k in profile.case_kinds] == ["بلاغ"]
    # A rescue association: no committee, no decision promise, no declaration.
    assert not profile.has_committee and profile.decision is None
    assert profile.declaration is None and profile.declaration_step is None
    assert profile.eligibility is None
    escalate = profile.step("escalate")
    assert escalate.role == "operations_manager" and profile.role("operations_manager").name == "مدير العمليات المركزية"
    assert escalate.skip_reason_required
    for phrase in (
        "استقبال بلاغ المستفيد بلباقة واحترام",
        "وإعطاء المراجع الوقت الكافي لشرح مشكلته",
        "التأكد من تقديم المبلغ كافة المعلومات المطلوبة",
        "على مستقبل البلاغ التأكد من صحة معلومات البلاغ",
        "فعلى مستقبل البلاغ تحويله إلى مدير العمليات المركزية",
        "بلاغه سيتم تحويله إلى أقرب عضو لديه للتوجه لمساعدته",
        "تقديم المساعدة اللازمة",
    ):
        _assert_phrase(phrase, seed)
    for step in profile.steps:
        _assert_phrase(step.text, seed)
    approval = profile.approval
    assert approval is not None and approval.replaces is not None
    assert approval.body == "مجلس الإدارة" and "1/7" in approval.meeting
    assert (approval.date_hijri, approval.date_gregorian) == ("1444/05/08", date(2022, 12, 2))
    assert "1/2" in approval.replaces.meeting
    assert (approval.replaces.date_hijri, approval.replaces.date_gregorian) == ("1443/12/15", date(2022, 7, 14))
    latin = to_latin_digits(_seed_raw(profile.id))
    for text in ("1/7", "1444/5/8", "2022/12/2", "1/2", "1443/12/15", "2022/7/14"):
        assert text in latin
    _check_dates(approval.date_hijri, approval.date_gregorian)
    _check_dates(approval.replaces.date_hijri, approval.replaces.date_gregorian)


def test_001_tahfeez_bir_bin_hirmas() -> None:
    profile = _profile("tahfeez-bir-bin-hirmas")
    seed = _check_common(
        profile,
        channels=[
            ("المقابلة", ChannelKind.IN_PERSON),
            ("الاتصالات الهاتفية", ChannelKind.PHONE),
            ("وسائل التواصل الاجتماعي", ChannelKind.SOCIAL_MEDIA),
            ("الخطابات", ChannelKind.LETTER),
            ("خدمات طلب المساعدة", ChannelKind.HELP_REQUEST),
            ("خدمة التطوع", ChannelKind.VOLUNTEERING),
            ("الموقع الالكتروني للجمعية", ChannelKind.WEBSITE),
            ("مناديب المكاتب الفرعية", ChannelKind.BRANCH_OFFICE),
        ],
        tools=["اللائحة الأساسية للجمعية", "دليل خدمات البحث الاجتماعي", "دليل سياسة الدعم للمستفيدين", "طلب دعم مستفيد"],
        steps=[G, V, R, D, N, REG, S],
        # Line 104 of the seed carries the "ا" of التوضيح and the "ة" of للجنة in the wrong places.
        known_artifacts=frozenset({"التوضيح", "للجنة"}),
    )
    assert profile.association.name == "جمعية تحفيظ القرآن الكريم في بئر بن هرماس"
    assert profile.association.licence is None
    # The seed has no approval section: none is invented.
    assert profile.approval is None
    assert profile.step("referral").role == "social_researcher"
    assert profile.role("social_researcher").name == "مسئول البحث الاجتماعي"
    for phrase in (
        "استقبال المستفيد بلباقة واحترام والإجابة على جميع الاستفسارات وإعطاء المراجع الوقت الكافي",
        "التأكد من تقديم المراجع كافة المعلومات المطلوبة وعلى الموظف مطابقة البيانات والتأكد من صلاحيتها وقت التقديم",
        "في حالة عدم وضوح الإجراءات للمستفيد فعلى الموظف إحالته لمسئول البحث الاجتماعي للإجابة على تساؤلاته",
        "البيانات المقدمة من طال",
        "الدعم والتوقيع عليها وأنه مسؤول مسئولية",
        "للمستفيد بأن طلبه سيرفع",
        "البحث لدراسة طلبه والرد عليه بشأن قبوله أو رفضه خلال مدة لا تقل عن أسبوعين",
        "استكمال اجراءات التسجيل مع اكتمال الطلبات",
        "تقديم الخدمة اللازمة",
    ):
        _assert_phrase(phrase, seed)
    decision = profile.decision
    assert decision is not None and profile.has_committee
    assert (decision.period_days, decision.period_months, decision.period_text) == (14, None, "لا تقل عن أسبوعين")
    assert decision.committee_role == "committee" and profile.role("committee").name == "لجنة البحث"
    _assert_phrase(decision.period_text, seed)
    _check_declaration(profile)


def test_002_qader_tabuk() -> None:
    profile = _profile("qader-tabuk")
    seed = _check_common(
        profile,
        channels=[
            ("المقابلة", ChannelKind.IN_PERSON),
            ("الاتصالات الهاتفية", ChannelKind.PHONE),
            ("وسائل التواصل الاجتماعي", ChannelKind.SOCIAL_MEDIA),
            ("الخطابات", ChannelKind.LETTER),
            ("خدمات طلب المساعدة", ChannelKind.HELP_REQUEST),
            ("خدمة التطوع", ChannelKind.VOLUNTEERING),
            ("الموقع الالكتروني للجمعية", ChannelKind.WEBSITE),
        ],
        tools=["اللائحة الأساسية للجمعية", "لائحة البحث الاجتماعي", "دليل سياسة الدعم للمستفيدين", "طلب دعم مستفيد"],
        steps=[G, V, D, N, REG, S],
    )
    assert profile.association.name == "جمعية قادر لتعزيز الصحة النفسية بتبوك"
    assert profile.association.city == "تبوك"
    # Six steps and no referral.
    assert all(step.kind is not R for step in profile.steps)
    for phrase in (
        "استقبال المستفيد بلباقة واحترام والإجابة على جميع الاستفسارات وإعطاء المراجع الوقت الكافي",
        "التأكد من تقديم المراجع كافة المعلومات المطلوبة وعلى الموظف مطابقة البيانات والتأكد من صلاحيتها وقت التقديم",
        "التأكد من صحة البيانات المقدمة من طالب الدعم والتوقيع عليها",
        "مسئول مسئولية مباشرة عن صحة المعلومات",
        "استكمال إجراءات التسجيل مع اكتمال الطلبات",
        "تقديم الخدمة اللازمة",
    ):
        _assert_phrase(phrase, seed)
    # The committee sentence is scrambled in the extraction (pieces in reverse order, words cut at
    # the tatweel); its pieces are there, "مدة لا تقل عن شهر" reading "هر ن ش ل ع دة ل تق".
    for piece in ("التوضي", "للمس", "يرفع للجن", "لدراس", "رد علي", "أو رفض", "أن قبول", "هر ن ش ل ع دة ل تق"):
        _assert_phrase(piece, seed)
    decision = profile.decision
    assert decision is not None
    # "One month" is one Umm al-Qura month.
    assert (decision.period_days, decision.period_months, decision.period_text) == (None, 1, "لا تقل عن شهر")
    approval = profile.approval
    assert approval is not None and approval.replaces is None
    # "بجلسته الثامنة" is cut at the tatweel in the extraction: "ــته الثامن ــس الإدارة بجلس".
    assert approval.meeting == "الجلسة الثامنة"
    _assert_phrase("ته الثامن", seed)
    assert (approval.date_hijri, approval.date_gregorian) == ("1442/12/22", None)
    assert "1442/12/22" in _seed_raw(profile.id)
    assert approval.chair == "إبراهيم بن لافي العنزي"
    _check_declaration(profile)


def test_003_mafateeh_alkhair() -> None:
    profile = _profile("mafateeh-alkhair")
    seed = _check_common(
        profile,
        channels=[
            ("المقابلة", ChannelKind.IN_PERSON),
            ("الاتصالات الهاتفية", ChannelKind.PHONE),
            ("الموقع الالكتروني", ChannelKind.WEBSITE),
            ("وسائل التواصل الاجتماعي", ChannelKind.SOCIAL_MEDIA),
            ("الخطابات", ChannelKind.LETTER),
            ("خدمة التطوع", ChannelKind.VOLUNTEERING),
        ],
        tools=["اللائحة الأساسية للجمعية", "اللوائح والسياسات الداخلية ذات الصلة بخدمات المستفيدين"],
        steps=[G, V, R, D, N, REG, S],
    )
    assert profile.association.name == "جمعية مفاتيح الخير الأسرية"
    for step in profile.steps:
        _assert_phrase(step.text, seed)
    assert profile.step("referral").role == "responsible_official"
    assert profile.role("responsible_official").name == "المسؤول"
    assert "إقرار" in profile.step("declaration").text
    decision = profile.decision
    assert decision is not None
    assert (decision.period_days, decision.period_months) == (14, None)
    assert decision.counted_from == "submission"
    _assert_phrase(decision.period_text, seed)
    assert "(14)" in decision.period_text and "تاريخ تقديم الطلب" in decision.period_text
    eligibility = profile.eligibility
    assert eligibility is not None
    assert [m.kind for m in eligibility.mechanisms] == [
        MechanismKind.ADMINISTRATIVE_EXAMINATION,
        MechanismKind.PERSONAL_INTERVIEW,
    ]
    assert [m.name for m in eligibility.mechanisms] == ["آلية الفحص الإداري", "آلية المقابلة الشخصية"]
    assert len(eligibility.stages) == 4 and len(eligibility.criteria) == 2
    for text in [*eligibility.stages, *eligibility.criteria, *(m.name for m in eligibility.mechanisms)]:
        _assert_phrase(text, seed)
    for mechanism in eligibility.mechanisms:
        assert mechanism.text is not None
        _assert_phrase(mechanism.text, seed)
    approval = profile.approval
    assert approval is not None
    assert "(4)" in approval.meeting and "الاجتماع رقم (4)" in _seed_raw(profile.id)
    assert (approval.date_hijri, approval.date_gregorian) == (None, date(2025, 10, 19))
    assert "2025/10/19" in _seed_raw(profile.id)
    assert profile.declaration is not None and "المسؤولية الكاملة" in profile.declaration.text
    _check_declaration(profile)


def test_004_baraah() -> None:
    profile = _profile("baraah")
    seed = _check_common(
        profile,
        channels=[
            ("المقابلة", ChannelKind.IN_PERSON),
            ("الاتصالات الهاتفية", ChannelKind.PHONE),
            ("وسائل التواصل الاجتماعي", ChannelKind.SOCIAL_MEDIA),
            ("المخاطبة", ChannelKind.LETTER),
            ("خدمات طلب المساعدة", ChannelKind.HELP_REQUEST),
            ("خدمة التطوع", ChannelKind.VOLUNTEERING),
            ("مندوبي المكاتب الفرعية", ChannelKind.BRANCH_OFFICE),
            ("الموقع الإلكتروني للجمعية", ChannelKind.WEBSITE),
        ],
        tools=["اللائحة الأساسية للجمعية", "دليل خدمات البحث الاجتماعي", "طلب دعم مستفيد", "دليل سياسة الدعم للمستفيدين"],
        steps=[G, V, R, D, N, REG, S],
    )
    assert profile.association.name == "جمعية براعة التعليمية"
    assert profile.association.licence == "1000651200" and "(1000651200)" in _seed_raw(profile.id)
    assert profile.title is not None and "المستخدمين" in profile.title
    for step in profile.steps:
        _assert_phrase(step.text, seed)
    assert profile.step("referral").role == "social_researcher"
    decision = profile.decision
    assert decision is not None
    assert (decision.period_days, decision.period_months, decision.period_text) == (14, None, "لا تقل عن أسبوعين")
    approval = profile.approval
    assert approval is not None and approval.replaces is None
    assert "(2)" in approval.meeting
    assert (approval.date_hijri, approval.date_gregorian) == ("1446/04/10", date(2024, 10, 13))
    assert "1446/4/10" in _seed_raw(profile.id) and "13 /10 /2024" in _seed_raw(profile.id)
    assert approval.chair == "د. رزان علي العقلاء"
    _check_dates(approval.date_hijri, approval.date_gregorian)
    _check_declaration(profile)


# --------------------------------------------------------------------------- all built-ins


def test_all_five_builtins_load() -> None:
    profiles = load_builtin_profiles()
    assert sorted(p.id for p in profiles) == sorted(SEED_OF)
    assert [p.source_path for p in profiles] == builtin_profile_paths()
    for profile in profiles:
        assert profile.source_path is not None and profile.source_path.name == f"{profile.id}.toml"
        raw = profile.source_path.read_bytes()
        assert profile.content_hash == hashlib.sha256(raw).hexdigest()
        assert profile.source_text == raw.decode("utf-8")
        assert profile.schema_version == 1 and profile.version


def test_channel_counts_match_the_seeds() -> None:
    counts = {p.id: len(p.channels) for p in load_builtin_profiles()}
    assert counts == {
        "daam-rescue": 6,
        "tahfeez-bir-bin-hirmas": 8,
        "qader-tabuk": 7,
        "mafateeh-alkhair": 6,
        "baraah": 8,
    }


def test_unknown_builtin_profile_is_a_profile_error() -> None:
    with pytest.raises(ProfileError) as caught:
        load_builtin_profile("no-such-association")
    (problem,) = caught.value.problems
    assert problem.key == "id" and "no-such-association" in problem.reason
    with pytest.raises(ProfileError):
        load_builtin_profile("../policies/baraah")


def test_builtin_files_are_commented_for_the_administrator() -> None:
    for path in builtin_profile_paths():
        text = path.read_text(encoding="utf-8")
        for header in ("[association]", "[[channels]]", "[[tools]]", "[[roles]]", "[[case_kinds]]", "[[steps]]", "[survey]"):
            index = text.index(header)
            previous_line = text[:index].rstrip("\n").rsplit("\n", 1)[-1]
            assert previous_line.startswith("#"), f"{path.name}: no comment above {header}"
