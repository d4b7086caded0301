"""Alembic environment of the sync server: the connection is handed over by `desktop.server.store`."""

from __future__ import annotations

from alembic import context

from desktop.server.models import metadata

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    compare_type=True,
    version_table="mustafid_server_version",
)
with context.begin_transaction():
    context.run_migrations()
