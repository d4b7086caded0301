"""Issue 15 on the conflicts screen: what did not sync — changes the server rejected, rows set aside here."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text

from desktop.workspace import Workspace
from tests.ui.sync.test_sync_desk import shot
from ui.sync.conflicts import EMPTY, ConflictsDialog
from ui.sync.controller import SyncController

REASON = "السجل الجديد في الجدول «declaration» ينقصه حقول مطلوبة: case_id؛ لم يُطبّق هذا التغيير"


def test_the_supervisor_sees_rejected_changes_and_rows_set_aside(qtbot: Any, adopted_workspace: Workspace) -> None:
    rejected_id, kept_id = uuid.uuid4(), uuid.uuid4()
    with adopted_workspace.db.engine.begin() as conn:
        conn.execute(text("INSERT INTO sync_outbox (table_name, row_id, op, changed_at, state, message_ar) "
                          "VALUES ('declaration', :r, 'insert', '2026-12-05 09:30:00.000000', 'rejected', :m)"),
                     {"r": rejected_id.hex, "m": REASON})
        conn.execute(text("INSERT INTO sync_quarantine (table_name, row_id, version, server_seq, row, reason, "
                          "quarantined_at, attempts) VALUES ('case', :r, 1, 7, '{\"deleted\": false, \"fields\": {}}', "
                          "'حقول مطلوبة فارغة في السجل: case_number، status', '2026-12-05 09:31:00.000000', 0)"),
                     {"r": kept_id.hex})
    controller = SyncController(adopted_workspace)
    controller.start()
    qtbot.waitUntil(lambda: controller.service is not None, timeout=20_000)
    dialog = ConflictsDialog(controller)
    qtbot.addWidget(dialog)
    dialog.resize(980, 640)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.refused_area.isVisible(), timeout=20_000)
    assert dialog.refused.heading.text() == (
        "ما لم تكتمل مزامنته — رفضه الخادم: تغيير واحد؛ جُنّب على هذا الجهاز: سجل واحد")
    lines = [dialog.refused.lines.itemAt(i).widget().text() for i in range(dialog.refused.lines.count())]
    assert len(lines) == 2
    assert lines[0].startswith("رفض الخادم تغييرًا على الإقرار") and REASON in lines[0]
    assert str(rejected_id) in lines[0] and "١٤٤٨" in lines[0]  # the Hijri year beside the Gregorian date
    assert lines[1].startswith("جُنّب الحالة") and "case_number" in lines[1] and str(kept_id) in lines[1]
    qtbot.waitUntil(lambda: dialog.message.text() == EMPTY, timeout=20_000)  # no conflict: said above the panel
    assert controller.service is not None and controller.service.status().quarantined_rows == 1
    shot(dialog, "refused")
    dialog.close()
    controller.shutdown()
