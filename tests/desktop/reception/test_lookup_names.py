"""Names in search (issue 12): invisible format characters, the article, whole words first, a wrong ID flagged.

Every search of a person's name (the reception look-up, the case desk's `beneficiary_ids`) reads the typed
text and the stored key through the one normaliser `desktop.arabic_text.name_tokens`.
"""

from __future__ import annotations

import uuid

import pytest

from db.engine import HEAD_REVISION, alembic_config
from desktop.casedesk.search import beneficiary_ids, understand
from desktop.identity import make_saudi_id
from desktop.reception import ReceptionError, ReceptionService
from desktop.workspace import Workspace

from .conftest import particulars

#: Invisible characters an officer's keyboard, a copied message or a PDF may put inside a name.
INVISIBLE: dict[str, str] = {
    "zwnj": "\u200c",
    "zwj": "\u200d",
    "soft_hyphen": "\u00ad",
    "zwsp": "\u200b",
    "word_joiner": "\u2060",
    "bom": "\ufeff",
    "lrm": "\u200e",
    "rlm": "\u200f",
    "alm": "\u061c",
    "rli": "\u2067",
    "pdf": "\u202c",
    "arabic_number_sign": "\u0600",
}


def _register(service: ReceptionService, full_name: str, nine: str, mobile: str) -> uuid.UUID:
    view = service.start_contact("interview", "service_request")
    service.complete_greet(view.case_id)
    done = service.complete_verify(
        view.case_id, particulars(full_name=full_name, id_number=make_saudi_id(nine), mobile=mobile), []
    )
    assert done.beneficiary is not None
    return done.beneficiary.beneficiary_id


def _looked_up(service: ReceptionService, text: str) -> list[uuid.UUID]:
    return [m.beneficiary_id for m in service.lookup(text)]


def _desk_found(service: ReceptionService, text: str) -> list[uuid.UUID]:
    workspace: Workspace = service._workspace  # noqa: SLF001 - the same workspace as the reception's
    with workspace.db.session(read_only=True) as session:
        return beneficiary_ids(session, understand(text), limit=50)


@pytest.mark.parametrize("name", sorted(INVISIBLE))
def test_an_invisible_character_in_a_stored_name(service: ReceptionService, name: str) -> None:
    """A name stored with an invisible character inside a word is found by the word typed plainly."""
    ch = INVISIBLE[name]
    person = _register(service, f"سل{ch}مان خالد سعد الق{ch}حطاني", "103456789", "0551230001")
    for typed in ("سلمان القحطاني", "القحطاني", "سلمان"):
        assert _looked_up(service, typed) == [person], typed
        assert _desk_found(service, typed) == [person], typed


@pytest.mark.parametrize("name", sorted(INVISIBLE))
def test_an_invisible_character_in_a_typed_name(service: ReceptionService, name: str) -> None:
    """A name typed (or pasted) with an invisible character inside a word finds the name stored plainly."""
    ch = INVISIBLE[name]
    person = _register(service, "سلمان خالد سعد القحطاني", "103456789", "0551230001")
    for typed in (f"سل{ch}مان الق{ch}حطاني", f"سلمان{ch}", f"{ch}القحطاني", f"القحط{ch}اني"):
        assert _looked_up(service, typed) == [person], ascii(typed)
        assert _desk_found(service, typed) == [person], ascii(typed)


def test_tatweel_is_no_letter(service: ReceptionService) -> None:
    """The tatweel only stretches a letter: «ســلمان» is «سلمان», typed or stored."""
    person = _register(service, "ســلمان خالد سعد القحطـــاني", "103456789", "0551230001")
    assert _looked_up(service, "سلمان القحطاني") == [person]
    assert _desk_found(service, "سلـمان") == [person]


def test_a_surname_with_or_without_its_article(service: ReceptionService) -> None:
    """قحطاني finds القحطاني, and القحطاني finds a surname written without it."""
    with_article = _register(service, "سلمان خالد سعد القحطاني", "103456789", "0551230001")
    without = _register(service, "نورة علي حسن قحطاني", "103456790", "0551230002")
    for typed in ("قحطاني", "القحطاني"):
        assert set(_looked_up(service, typed)) == {with_article, without}, typed
        assert set(_desk_found(service, typed)) == {with_article, without}, typed
    assert _looked_up(service, "سلمان قحطاني") == [with_article]
    assert _looked_up(service, "نوره القحطاني") == [without]
    assert _desk_found(service, "قحطان") and set(_desk_found(service, "القحطان")) == {with_article, without}


def test_a_whole_word_ranks_before_a_longer_name(service: ReceptionService) -> None:
    """عمر finds عمرو too, but after every عمر; the same name comes first of all."""
    amr = [_register(service, f"عمرو خالد سعد {family}", f"10345678{i}", f"055123000{i}")
           for i, family in enumerate(("الحربي", "الشمري", "العتيبي"))]
    omar = _register(service, "محمد عمر سعد الغامدي", "103456783", "0551230003")
    for found in (_looked_up(service, "عمر"), _desk_found(service, "عمر")):
        assert found[0] == omar and set(found[1:]) == set(amr), found
    for found in (_looked_up(service, "عمر الغامدي"), _desk_found(service, "عمر الغامدي")):
        assert found == [omar]


def test_a_wrong_check_digit_is_flagged_at_the_look_up(service: ReceptionService) -> None:
    """A whole ID whose check digit is wrong is refused by the look-up (before any case number is taken)."""
    good = make_saudi_id("103456789")
    wrong = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ReceptionError) as refused:
        service.lookup(wrong)
    assert refused.value.field == "lookup" and "خانة التحقق" in refused.value.message_ar
    with pytest.raises(ReceptionError):
        service.lookup(wrong.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))  # Arabic-Indic digits
    assert service.lookup(good) == []  # a valid ID no file holds: nobody, no refusal
    assert service.lookup(wrong[:7]) == []  # a start is no whole ID


def test_a_report_is_found_by_a_caller_name_with_invisible_characters(rescue: ReceptionService) -> None:
    """The rescue reports' search words drop format characters as the name key does; the article both ways."""
    from desktop.casedesk import CaseFilter, CaseListService, CaseSort

    view = rescue.start_contact("phone", "report")
    rescue.complete_greet(view.case_id)
    rescue.record_report(view.case_id, reporter_name="سل\u200cمان الق\u00adحطاني", reporter_phone="0501234567",
                         platform="whatsapp", place="وادي\u200f حنيفة", latitude="", longitude="",
                         what_happened="عالق في الرمال")
    workspace: Workspace = rescue._workspace  # noqa: SLF001 - the same workspace as the reception's
    listing = CaseListService(workspace)
    for typed in ("سلمان", "القحطاني", "قحطاني", "سل\u2060مان", "حنيفه", "وادي"):
        rows = listing.page(CaseFilter(text=typed), CaseSort.NEWEST).rows
        assert [row.case_id for row in rows] == [view.case_id], ascii(typed)


def test_the_migration_makes_the_old_keys_again(service: ReceptionService) -> None:
    """A key the old normaliser split at a soft hyphen is made again by revision 0011 (and found again)."""
    from sqlalchemy import text

    person = _register(service, "سل\u00adمان خالد سعد القحطاني", "103456789", "0551230001")
    workspace: Workspace = service._workspace  # noqa: SLF001 - the same workspace as the reception's
    with workspace.db.session() as session:
        session.execute(text("UPDATE beneficiary SET name_key = 'سل مان خالد سعد القحطاني'"))
        session.execute(text("UPDATE alembic_version SET version_num = '0010'"))
    assert _desk_found(service, "سلمان") == []
    # Only revision 0011 runs again (later revisions add columns this database already has).
    from alembic import command

    with workspace.db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0011")
        connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": HEAD_REVISION})
    with workspace.db.session(read_only=True) as session:
        assert session.scalar(text("SELECT name_key FROM beneficiary")) == "سلمان خالد سعد القحطاني"
    assert _desk_found(service, "سلمان") == [person]
    assert _looked_up(service, "سلمان القحطاني") == [person]
