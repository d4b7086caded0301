"""Alembic revisions (one module per revision; Alembic skips this file)."""
