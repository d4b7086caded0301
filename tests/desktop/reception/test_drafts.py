"""Drafts: every change saved as it is made survives a killed process and is offered again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.reception import ReceptionService
from desktop.workspace import Workspace

from .conftest import documents, particulars

CHILD = textwrap.dedent(
    """
    import sys, time, uuid
    from pathlib import Path
    from desktop.workspace import Workspace
    from desktop.reception import ReceptionService

    ws = Workspace.open(Path(sys.argv[1]))
    service = ReceptionService(ws)
    view = service.start_contact("phone", "service_request")
    service.complete_greet(view.case_id, "سأل عن الأوراق المطلوبة")
    typed = {"full_name": "نوره سعد عبد العزيز الدوسري", "id_number": "1000000024", "mobile": "0551234567"}
    for i in range(1, len(typed) + 1):  # saved field by field, as typed
        service.save_draft(view.case_id, "verification", dict(list(typed.items())[:i]))
    print(view.case_id, flush=True)
    time.sleep(600)  # killed here, the workspace never closed
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_draft_saved_in_a_killed_process_is_offered_in_a_new_one(
    open_workspace: Callable[[str], Workspace], tmp_path: Path
) -> None:
    """The child saves a draft and is SIGKILLed; a new process finds it with nothing lost and resumes it."""
    ws = open_workspace("mafateeh-alkhair")
    data_dir = ws.data_dir
    ws.close()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        assert line, child.stderr.read() if child.stderr else ""
        case_id = uuid.UUID(line)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert Path(f"{data_dir / 'mustafid.sqlite3'}-wal").exists()  # not checkpointed: the crash left the log

    # A new process (this test's, which never opened the database since) offers the draft.
    program = textwrap.dedent(
        f"""
        import json, sys
        from pathlib import Path
        from desktop.workspace import Workspace
        from desktop.reception import ReceptionService
        ws = Workspace.open(Path({str(data_dir)!r}))
        service = ReceptionService(ws)
        drafts = service.open_drafts()
        print(json.dumps([[str(d.case_id), d.step_title, d.beneficiary_name] for d in drafts], ensure_ascii=False))
        print(json.dumps(service.draft_fields(drafts[0].case_id, "verification"), ensure_ascii=False))
        ws.close()
        """
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    offered, fields = done.stdout.strip().splitlines()
    import json

    assert json.loads(offered) == [[str(case_id), "مطابقة البيانات والتحقق من صلاحيتها ودقتها", None]]
    assert json.loads(fields) == {
        "full_name": "نوره سعد عبد العزيز الدوسري",
        "id_number": "1000000024",
        "mobile": "0551234567",
    }

    # Resumed here: the draft is there, the greet step is done, completing verify retires the draft.
    ws = Workspace.open(data_dir)
    try:
        service = ReceptionService(ws)
        view = service.case(case_id)
        assert view.current_step_id == "verification"
        assert next(s for s in view.steps if s.step_id == "reception").note == "سأل عن الأوراق المطلوبة"
        service.complete_verify(case_id, particulars(), documents())
        assert service.draft_fields(case_id, "verification") == {}
        # Issue 11: the reception is not over, so it is still offered, at its next step (nothing typed there).
        assert [(d.case_id, d.step_title) for d in service.open_drafts()] == [(case_id, "الإحالة إلى المسؤول")]
    finally:
        ws.close()


def test_new_case_without_typing_is_offered_until_abandoned(service: ReceptionService) -> None:
    """A case just opened (status draft) is offered; after verify, with nothing typed since, it still is (issue 11:
    an unfinished reception is offered whatever was typed), at the step reached; abandoned, it no longer is."""
    view = service.start_contact("interview", "service_request")
    offered = service.open_drafts()
    assert [(d.case_id, d.case_number, d.step_title) for d in offered] == [
        (view.case_id, view.case_number, "استقبال المستفيد")
    ]
    service.complete_greet(view.case_id)
    done = service.complete_verify(view.case_id, particulars(), documents())
    assert [(d.case_id, d.step_title) for d in service.open_drafts()] == [(view.case_id, "الإحالة إلى المسؤول")]
    service.save_draft(done.case_id, "declaration", {"signature_strokes": 3})
    offered = service.open_drafts()
    assert [d.beneficiary_name for d in offered] == [done.beneficiary.full_name]  # type: ignore[union-attr]
    assert offered[0].step_title == "الإحالة إلى المسؤول"  # the current step, where the officer resumes
    service.discard_draft(view.case_id, "غادر المستفيد")
    assert service.open_drafts() == []


def test_draft_is_replaced_not_duplicated(service: ReceptionService) -> None:
    """One draft per case and step: the last save wins; other steps keep their own."""
    view = service.start_contact("interview", "service_request")
    service.save_draft(view.case_id, "reception", {"note": "أ"})
    service.save_draft(view.case_id, "reception", {"note": "أب"})
    service.save_draft(view.case_id, "verification", {"city": "جدة"})
    assert service.draft_fields(view.case_id, "reception") == {"note": "أب"}
    assert service.draft_fields(view.case_id, "verification") == {"city": "جدة"}
    assert service.draft_fields(view.case_id, "declaration") == {}
    assert len(service.open_drafts()) == 1
