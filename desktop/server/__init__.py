"""The central sync server (`mustafid-server`): FastAPI on PostgreSQL (SQLite for a one-office trial).

Public API: `create_app(db_url)`, `ServerStore` (enrolment codes, devices, push/pull/summary),
`bulk_load_rows(db_url, association_id, rows)` for benchmarks and first imports.

The names are loaded on first use, not when the package is: a desk installed without the ``server`` extra
(no FastAPI, uvicorn or psycopg) still loads ``desktop.server.admin_cli`` for `mustafid-admin devices …`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["MIN_CLIENT_SCHEMA", "SERVER_SCHEMA", "ServerError", "ServerStore", "bulk_load_rows", "create_app"]

_HOMES = {"create_app": "desktop.server.app", "MIN_CLIENT_SCHEMA": "desktop.server.store",
          "SERVER_SCHEMA": "desktop.server.store", "ServerError": "desktop.server.store",
          "ServerStore": "desktop.server.store", "bulk_load_rows": "desktop.server.store"}


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'desktop.server' has no attribute {name!r}")
    return getattr(import_module(home), name)
