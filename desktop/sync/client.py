"""The desk's sync client: one round = pull, upload missing files, push the outbox, pull again, verify.

`SyncClient` composes the parts of a round, each in its own module:

* `desktop.sync.link` — the HTTP link to the server (`ServerLink`), errors in Arabic;
* `desktop.sync.storage` — the local side (`SyncStorage`): raw sqlite3 transactions, the sync
  state and clock, pulled rows applied (`desktop.sync.forms` for storage forms,
  `desktop.sync.duplicates` for rows colliding on a unique key);
* `desktop.sync.bulk` — a first sync applied in bulk, several pages per transaction;
* `desktop.sync.push` — outbox batches, acknowledgements, attachment uploads (`Pusher`);
* `desktop.sync.pull` — pages after the cursor, missing files downloaded (`Puller`);
* `desktop.sync.verify` — bucket checksums compared top-down, only differing buckets re-read (`Verifier`).

The wire contract both sides import stays in `desktop.sync.protocol`.

Order of a round: pull to the head first (a row another PC made that duplicates one made here —
the same ID number, username, policy version or file — is met before this PC pushes its own),
then push, then pull again when anything was pushed (merged rows and conflict records come back),
then fetch the files of pulled attachments, then compare bucket checksums with the server
(after a round that moved anything, and at most every `SUMMARY_INTERVAL` otherwise).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from db.engine import HEAD_REVISION, Database
from desktop.attachments import AttachmentStore
from desktop.sync import quarantine
from desktop.sync.hlc import DeskClock
from desktop.sync.link import ServerLink
from desktop.sync.outcome import SyncError, SyncReport
from desktop.sync.protocol import MAX_BATCH_MUTATIONS
from desktop.sync.pull import PULL_PAGE, Puller
from desktop.sync.pulled import PulledPage, PulledRow, parse_pull_page
from desktop.sync.push import AccountSource, Batch, Pusher, signed_in_account
from desktop.sync.storage import SyncStorage, local_synced_tables, queue_unsynced_rows
from desktop.sync.verify import SUMMARY_INTERVAL, Verifier, busy_tables_left, local_summary

if TYPE_CHECKING:
    from desktop.sync.bulk import _BulkApply

__all__ = [
    "SUMMARY_INTERVAL",
    "PulledPage",
    "PulledRow",
    "SyncClient",
    "SyncError",
    "SyncReport",
    "busy_tables_left",
    "local_synced_tables",
    "parse_pull_page",
    "queue_unsynced_rows",
]


class SyncClient:
    """Runs sync rounds between one desk database and the server, over HTTP, by composing the round's parts.

    `last_round_moved` is True after a round that pulled or pushed something.
    """

    def __init__(
        self,
        db: Database,
        data_dir: Path,
        server_url: str,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        wall: Callable[[], float] | None = None,
        timeout: float = 30.0,
        page_limit: int = PULL_PAGE,
        batch_limit: int = MAX_BATCH_MUTATIONS,
        schema: str = HEAD_REVISION,
        account: AccountSource = signed_in_account,
        store: AttachmentStore | None = None,
        pinned_pem: str | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> None:
        """`account` names the account every push carries (the legacy desk's OS-login account by default);
        `pinned_pem` is the server certificate trusted alone (pinned at enrolment); `on_token` stores a rotated
        token."""
        self._link = ServerLink(server_url, token, transport=transport, wall=wall, timeout=timeout, schema=schema,
                                pinned_pem=pinned_pem, on_token=on_token)
        self._storage = SyncStorage(db, Path(data_dir), wall=wall or time.time, store=store)
        self._pusher = Pusher(self._link, self._storage, batch_limit=batch_limit, account=account)
        self._puller = Puller(self._link, self._storage, lambda conn, rows: self._apply_rows(conn, rows))
        self._verifier = Verifier(self._link, self._storage, lambda report: self._puller.pull(
            report, None, lambda: False, page_limit=self._page_limit))
        self._page_limit = page_limit
        self.last_round_moved = False

    def close(self) -> None:
        """Close the HTTP connections."""
        self._link.close()

    def _ensure_ready(self) -> None:
        """Outbox triggers matching the live schema and the clock loaded (then corrected by every answer)."""
        self._storage.ensure_triggers()
        self._link.clock = self._storage.clock

    @property
    def clock(self) -> DeskClock:
        """This desk's HLC (loaded on first use)."""
        self._ensure_ready()
        return self._storage.clock

    def run_round(
        self,
        progress: Callable[[int, int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        *,
        verify: bool | None = None,
    ) -> SyncReport:
        """One sync round (pull, push, pull, verify); raises SyncError when the server cannot be used.

        `verify` True verifies in full (every table summed again from its rows); None verifies after a round that
        moved anything and when due; False never.
        """
        started = time.perf_counter()
        self._ensure_ready()
        report = SyncReport()
        stop = cancel or (lambda: False)
        self._puller.pull(report, progress, stop, page_limit=self._page_limit)
        if not stop():
            self._pusher.push(report, stop)
        if report.acknowledged or report.conflicts or report.duplicates:
            self._puller.pull(report, None, stop, page_limit=self._page_limit)
        if stop():
            report.cancelled = True
        else:
            self._puller.download_missing_files(report)
            moved = bool(report.pulled or report.acknowledged)
            asked = verify is True
            if verify is None:
                verify = moved or self._verifier.due()
            if verify:
                self._verifier.verify(report, full=asked)
        with self._storage.read() as conn:
            report.quarantined = quarantine.count(conn)
        self.last_round_moved = bool(report.pulled or report.acknowledged)
        report.seconds = time.perf_counter() - started
        return report

    def local_summary(self, conn: sqlite3.Connection, table_name: str) -> tuple[int, str]:
        """(count, hash) of this desk's rows of a table that the server has acknowledged."""
        return local_summary(conn, table_name)

    # ------------------------------------------------------------------ the parts one at a time (tests, benchmarks)

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request over this desk's authenticated link (SyncError in Arabic)."""
        return self._link.request(method, url, **kwargs)

    def _push(self, report: SyncReport, stop: Callable[[], bool]) -> None:
        """The push half of a round alone."""
        self._ensure_ready()
        self._pusher.push(report, stop)

    def _compose_batch(self, limit: int) -> Batch | None:
        """Compose and store the next outbox batch exactly as it will be sent (None when nothing is pending)."""
        self._ensure_ready()
        return self._pusher.compose_batch(limit)

    def _apply_rows(self, conn: sqlite3.Connection, rows: Sequence[PulledRow]) -> None:
        """Apply one pulled page inside the pull's transaction (looked up on every page: the fault tests
        interrupt a round here)."""
        self._storage.apply_rows(conn, rows)

    @property
    def _bulk(self) -> _BulkApply | None:
        """The bulk mode of the pull transaction being applied (None outside one)."""
        return self._storage.bulk
