"""The central sync server (`mustafid-server`): FastAPI on PostgreSQL (SQLite for a one-office trial).

Public API: `create_app(db_url)`, `ServerStore` (enrolment codes, devices, push/pull/summary),
`bulk_load_rows(db_url, association_id, rows)` for benchmarks and first imports.
"""

from __future__ import annotations

from desktop.server.app import create_app
from desktop.server.store import MIN_CLIENT_SCHEMA, SERVER_SCHEMA, ServerError, ServerStore, bulk_load_rows

__all__ = ["MIN_CLIENT_SCHEMA", "SERVER_SCHEMA", "ServerError", "ServerStore", "bulk_load_rows", "create_app"]
