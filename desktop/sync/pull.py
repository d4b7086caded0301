"""Pull: the server's changes since this desk's cursor, page by page, and the files of pulled attachments.

Decisions recorded here:

* One page = one transaction holding the applied rows and the cursor (outside a first sync, see
  `desktop.sync.bulk`, where several pages share one); the rows are applied by the storage
  (`SyncStorage.apply_rows`: triggers suppressed, foreign keys not checked, pending local columns kept).
* The next page is downloaded on a helper thread while this one is applied; pages are decoded with
  msgspec (`parse_pull_page`: envelopes typed in C, fields left raw; a first sync's bulk path then
  decodes each table's fields straight into storage tuples, `desktop.sync.wire`) on the applying
  thread: a decode holds the GIL for its whole call, so on the helper it would stall the apply, which
  takes the GIL back after every row SQLite writes. Offline, refused or garbled mid-pull: the pages
  already applied are kept, with their cursor.
* Pulled attachment rows whose file is not here are noted while applying; after the pull their
  files are fetched, verified against their hash, stored atomically, and retried until they arrive.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from desktop.sync.bulk import ApplyRows, Chunk, plan_pull
from desktop.sync.link import ServerLink
from desktop.sync.outcome import SyncError, SyncReport
from desktop.sync.pulled import parse_pull_page
from desktop.sync.storage import SyncStorage

__all__ = ["Puller"]

#: Rows per page outside a first sync.
PULL_PAGE = 1000


class Puller:
    """Pulls to the server's head into one desk database; `apply` writes one page inside its transaction."""

    def __init__(self, link: ServerLink, storage: SyncStorage, apply: ApplyRows) -> None:
        self._link = link
        self._storage = storage
        self._apply = apply

    def _fetch_page(self, after: int, limit: int) -> bytes:
        """The body of one ``/v1/pull`` answer (runs on the prefetch thread: network only — parsing there
        would hold the GIL against the apply, which gives it up and takes it back for every row)."""
        return self._link.request("GET", "/v1/pull", params={"after": after, "limit": limit}).content

    def _held_cases(self) -> int:
        with self._storage.read() as conn:
            return int(conn.execute('SELECT count(*) FROM "case"').fetchone()[0])

    def pull(
        self,
        report: SyncReport,
        progress: Callable[[int, int], None] | None,
        stop: Callable[[], bool],
        *,
        page_limit: int = PULL_PAGE,
    ) -> None:
        """Pull to the head. The next page is downloaded (on a helper thread) while this one is applied; a
        large backlog (a first sync) is applied in bulk with larger pages, several per transaction, each
        transaction holding its cursor (`desktop.sync.bulk.plan_pull`)."""
        if stop():
            return
        storage = self._storage
        with storage.read() as conn:
            after = int(storage.state(conn)["pull_after"])
        start = after
        page = parse_pull_page(self._fetch_page(after, page_limit))
        plan = plan_pull(page_limit, page, after, self._held_cases)
        executor: ThreadPoolExecutor | None = None
        upcoming: Future[bytes] | None = None
        chunk: Chunk | None = None
        try:
            while True:
                if page.has_more and not stop():
                    if executor is None:
                        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-pull")
                    upcoming = executor.submit(self._fetch_page, page.next_after, plan.limit)
                if page.rows or page.next_after != after:
                    if chunk is None:
                        chunk = plan.open_chunk(storage, self._apply, first=after == start)
                    chunk.apply(page.rows)
                    clock = storage.clock
                    chunk.conn.execute(
                        "UPDATE sync_state SET pull_after = ?, last_hlc = ?, clock_offset_ms = ? WHERE id = 1",
                        (page.next_after, clock.last, clock.offset_ms))
                    if plan.commit_due(chunk, more=upcoming is not None):
                        plan.committed(chunk.commit())
                        chunk = None
                    report.pulled += len(page.rows)
                after = page.next_after
                if progress is not None:
                    total = max(page.head_seq - start, 1)
                    progress(min(after - start, total), total)
                if upcoming is None:
                    break
                try:
                    body, upcoming = upcoming.result(), None
                    page = parse_pull_page(body)
                except SyncError:  # offline, refused or a garbled answer mid-pull: keep the pages already applied
                    upcoming = None
                    if chunk is not None:
                        chunk.commit()
                        chunk = None
                    raise
            if chunk is not None:
                chunk.commit()
                chunk = None
        finally:
            if chunk is not None:
                chunk.rollback()
            if upcoming is not None:
                upcoming.cancel()
                try:
                    upcoming.result()
                except BaseException:  # noqa: BLE001 - the round already fails or stops; this page is not applied
                    pass
            if executor is not None:
                executor.shutdown(wait=True)

    def download_missing_files(self, report: SyncReport) -> None:
        """Fetch the files of pulled attachment rows, verify each against its hash, store atomically."""
        storage = self._storage
        with storage.read() as conn:
            wanted = conn.execute("SELECT sha256, stored_path FROM sync_missing_file ORDER BY attempts").fetchall()
        for sha, path in wanted:
            target = storage.store.path_of(str(path))
            data: bytes | None = None
            try:
                data = self._link.request("GET", f"/v1/attachments/{sha}").content
            except SyncError as exc:
                if exc.kind == "offline":
                    raise
            ok = data is not None and hashlib.sha256(data).hexdigest() == sha
            if ok and data is not None:
                storage.store.write_verified(target, data, sha)  # sealed on an encrypted desk
                report.downloaded += 1
            with storage.write() as conn:
                if ok:
                    conn.execute("DELETE FROM sync_missing_file WHERE sha256 = ?", (sha,))
                else:
                    conn.execute("UPDATE sync_missing_file SET attempts = attempts + 1 WHERE sha256 = ?", (sha,))
