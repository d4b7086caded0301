"""The sign-ins remembered before a pushed sign-in had to be proven are judged by the chain rule.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

0005 filled ``device_sign_in`` from every ``signed_in`` audit event the server held, and pushes until now added
every one they carried, a forged one included. This keeps only those a held event proves as a link of its
device's audit hash chain (`desktop.server.sign_ins.rejudge_held_sign_ins`); an account dropped is proven again
by its next sign-in on that device. Nothing to undo on downgrade (a dropped proof is not restored).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Drop the remembered sign-ins no held event proves."""
    from desktop.server.sign_ins import rejudge_held_sign_ins

    rejudge_held_sign_ins(op.get_bind())


def downgrade() -> None:
    """Nothing: the dropped proofs are not restored."""
