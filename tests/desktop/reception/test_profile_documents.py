"""The verify step and the missing-documents letter follow the profile's [[documents]] for the case's kind."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from desktop.reception import CaseView, DocumentInput, ListedDocument, ReceptionService
from desktop.workspace import Workspace

from .conftest import PROFILES, needs_poppler, particulars, pdf_text

#: The four policies of applications (the rescue association receives reports).
APPLICATION_PROFILES = tuple(p for p in PROFILES if p != "daam-rescue")


def _started(service: ReceptionService, case_kind_id: str) -> CaseView:
    channel = service.profile.channels[0].id
    view = service.start_contact(channel, case_kind_id)
    return service.complete_greet(view.case_id)


def _marked(view: CaseView, *, provided: Callable[[ListedDocument], bool]) -> list[DocumentInput]:
    """Every listed document as the page sends it: provided or not, a future date where it expires."""
    return [
        DocumentInput(doc.name, provided(doc), "1460/01/01" if doc.has_expiry and provided(doc) else "")
        for doc in view.listed_documents
    ]


@pytest.mark.parametrize("profile_id", PROFILES)
def test_verify_offers_the_profiles_own_list_per_case_kind(
    open_workspace: Callable[[str], Workspace], profile_id: str
) -> None:
    """Each case kind of each built-in profile is offered exactly its [[documents]], in the profile's order."""
    service = ReceptionService(open_workspace(profile_id))
    profile = service.profile
    for kind in profile.case_kinds:
        view = service.start_contact(profile.channels[0].id, kind.id)
        expected = tuple(
            ListedDocument(d.name, d.required, d.has_expiry) for d in profile.documents if d.case_kind == kind.id
        )
        assert view.listed_documents == expected, (profile_id, kind.id)
        assert service.case(view.case_id).listed_documents == expected
    if profile_id == "daam-rescue":
        assert profile.documents == ()  # reports, not applications: nothing to bring
    else:
        application = service.start_contact(profile.channels[0].id, profile.case_kinds[0].id)
        assert application.listed_documents and application.listed_documents[0].required
        assert service.start_contact(profile.channels[0].id, "inquiry").listed_documents == ()


def test_the_lists_differ_between_associations(open_workspace: Callable[[str], Workspace]) -> None:
    """Not the same five documents for everyone: each association's list is its own."""
    lists = set()
    for profile_id in APPLICATION_PROFILES:
        service = ReceptionService(open_workspace(profile_id))
        lists.add(_started(service, service.profile.case_kinds[0].id).listed_documents)
    assert len(lists) == len(APPLICATION_PROFILES)


def test_optional_document_not_brought_is_not_recorded_nor_missing(
    open_workspace: Callable[[str], Workspace],
) -> None:
    """qader-tabuk: an optional document left out is not recorded; a required one left out is missing."""
    service = ReceptionService(open_workspace("qader-tabuk"))
    view = _started(service, "support_request")
    optional = [d.name for d in view.listed_documents if not d.required]
    required = [d.name for d in view.listed_documents if d.required]
    assert optional and len(required) >= 2
    left_out = required[-1]
    docs = _marked(view, provided=lambda d: d.required and d.name != left_out)
    view = service.complete_verify(view.case_id, particulars(), docs)
    assert [(d.name, d.provided) for d in view.documents] == [(name, name != left_out) for name in required]
    verification = next(step for step in view.steps if step.kind == "verify")
    assert verification.note == "مستندات ناقصة: ١"  # the step's note counts what is missing

    # Brought later: the optional one is recorded; unticked again, it is retired.
    brought = _marked(view, provided=lambda d: True)
    view = service.record_documents(view.case_id, brought)
    assert sorted(d.name for d in view.documents) == sorted(d.name for d in view.listed_documents)
    assert all(d.provided for d in view.documents)
    view = service.record_documents(view.case_id, _marked(view, provided=lambda d: d.required))
    assert [d.name for d in view.documents] == required


@needs_poppler
@pytest.mark.parametrize("profile_id", APPLICATION_PROFILES)
def test_missing_documents_letter_lists_the_profiles_missing_required_documents(
    open_workspace: Callable[[str], Workspace], profile_id: str
) -> None:
    """Nothing brought: the letter names every required document of the case's kind and no optional one."""
    service = ReceptionService(open_workspace(profile_id))
    view = _started(service, service.profile.case_kinds[0].id)
    view = service.complete_verify(view.case_id, particulars(), _marked(view, provided=lambda d: False))
    letter = " ".join(pdf_text(service.document_pdf(view.case_id, "missing_documents").path).split())
    for doc in view.listed_documents:
        words = " ".join(doc.name.split()[:2])
        if doc.required:
            assert words in letter, (profile_id, doc.name)
        elif not any(words in " ".join(other.name.split()[:2]) for other in view.listed_documents if other.required):
            assert words not in letter, (profile_id, doc.name)


@needs_poppler
def test_letter_of_a_document_the_officer_added(open_workspace: Callable[[str], Workspace]) -> None:
    """A document the officer added by name (not in the policy's list) and not brought is missing too."""
    service = ReceptionService(open_workspace("baraah"))
    view = _started(service, "support_request")
    docs = [*_marked(view, provided=lambda d: True), DocumentInput("صك الإعالة", False)]
    view = service.complete_verify(view.case_id, particulars(), docs)
    letter = pdf_text(service.document_pdf(view.case_id, "missing_documents").path)
    assert "الإعالة" in letter
    assert "سجل الأسرة" not in letter
