"""Alembic migrations of the local database (run programmatically by db.engine.Database.upgrade)."""
