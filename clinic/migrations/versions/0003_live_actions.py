"""Live sessions: the physio's actions on a session at home (issue #18).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_actions",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.Text, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_live_actions"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name="fk_live_actions_patient_id_patients"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_live_actions_user_id_users"),
    )
    op.create_index("ix_live_actions_patient_id", "live_actions", ["patient_id"])


def downgrade() -> None:
    op.drop_index("ix_live_actions_patient_id", "live_actions")
    op.drop_table("live_actions")
