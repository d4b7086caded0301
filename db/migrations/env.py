"""Alembic environment: batch mode for SQLite, the connection handed over by `Database.upgrade`.

Programmatic use: ``alembic_config(connection)`` puts the open connection (already in a
transaction) into ``config.attributes["connection"]``. Developer use (``alembic revision
--autogenerate``) passes a URL instead: ``alembic -x url=sqlite:///path/to.db ...`` with a
config whose script_location is this directory, or ``sqlalchemy.url`` in that config.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo
from sqlalchemy import create_engine, event

from db.engine import (
    APPLICATION_ID,
    autogenerate_include_name,
    begin_sqlite_transaction,
    configure_sqlite_connection,
    revision_stamp,
)
from db.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=autogenerate_include_name,
        on_version_apply=_stamp_header,
    )


def _stamp_header(ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any],
                  run_args: Mapping[str, Any]) -> None:
    """After each migration step, up or down, in its transaction: the file's header names the revision it is at
    (`db.engine.APPLICATION_ID`, `revision_stamp`), so that opening it at head reads no schema."""
    head = str(next(iter(heads))) if len(heads) == 1 else None
    if ctx.connection is None:
        return  # offline (a SQL script is written): no file to stamp
    ctx.connection.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
    ctx.connection.exec_driver_sql(f"PRAGMA user_version={revision_stamp(head)}")


def run_migrations_online() -> None:
    """Run the migrations on the handed-over connection, or on one made from the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database: pass -x url=sqlite:///path/to.db")
    engine = create_engine(url)
    event.listen(engine, "connect", configure_sqlite_connection)
    event.listen(engine, "begin", begin_sqlite_transaction)
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or "sqlite://",
        target_metadata=target_metadata,
        render_as_batch=True,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
