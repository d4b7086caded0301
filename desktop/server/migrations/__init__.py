"""Alembic migrations of the sync server's own database."""
