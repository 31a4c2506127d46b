"""The web app: login sessions, clinical notes, per-session facts, and each synced row's session.

``home_rows.session_uuid`` is filled from the bodies already stored; ``clinic.db.open_database``
then builds the facts of every session already synced, so an upgraded clinic sees its history.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("home_rows") as batch:
        batch.add_column(sa.Column("session_uuid", sa.Text, nullable=True))
        batch.create_index("ix_home_rows_session_uuid", ["session_uuid"])
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.Text, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("last_seen_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_web_sessions"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_web_sessions_user_id_users"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "clinical_notes",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.Text, nullable=False),
        sa.Column("author_id", sa.Integer, nullable=False),
        sa.Column("noted_on", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_clinical_notes"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name="fk_clinical_notes_patient_id_patients"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name="fk_clinical_notes_author_id_users"),
    )
    op.create_index("ix_clinical_notes_patient_id", "clinical_notes", ["patient_id"])
    _session_facts()
    _backfill()


def _session_facts() -> None:
    op.create_table(
        "session_facts",
        sa.Column("uuid", sa.Text, nullable=False),
        sa.Column("patient_id", sa.Text, nullable=False),
        sa.Column("started_at", sa.Text, nullable=True),
        sa.Column("day", sa.Text, nullable=True),
        sa.Column("kind", sa.Text, nullable=True),
        sa.Column("game", sa.Text, nullable=True),
        sa.Column("movement", sa.Text, nullable=True),
        sa.Column("status", sa.Text, nullable=True),
        sa.Column("visit_uuid", sa.Text, nullable=True),
        sa.Column("plan_uuid", sa.Text, nullable=True),
        sa.Column("target_deg", sa.Float, nullable=True),
        sa.Column("reps", sa.Integer, server_default="0", nullable=False),
        sa.Column("reps_on_target", sa.Integer, server_default="0", nullable=False),
        sa.Column("best_peak_deg", sa.Float, nullable=True),
        sa.Column("mean_rom_deg", sa.Float, nullable=True),
        sa.Column("mean_hold_s", sa.Float, nullable=True),
        sa.Column("mean_sparc", sa.Float, nullable=True),
        sa.Column("over_ceiling", sa.Integer, server_default="0", nullable=False),
        sa.Column("compensations", sa.Integer, server_default="0", nullable=False),
        sa.Column("pain_before", sa.Float, nullable=True),
        sa.Column("pain_after", sa.Float, nullable=True),
        sa.Column("pain_max_during", sa.Float, nullable=True),
        sa.Column("device_problems", sa.Integer, server_default="0", nullable=False),
        sa.Column("summary", sa.Text, nullable=True),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("uuid", name="pk_session_facts"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name="fk_session_facts_patient_id_patients"),
    )
    op.create_index("ix_session_facts_patient_day", "session_facts", ["patient_id", "day"])


def _backfill() -> None:
    """Each stored row's session, from its body (the facts are derived data: ``clinic.db`` builds
    those missing after every upgrade, with the code a push runs)."""
    conn = op.get_bind()
    rows = conn.execute(sa.text("select uuid, body from home_rows where kind <> 'sessions'")).all()
    for row_uuid, body in rows:
        parent = json.loads(body).get("session_uuid")
        if parent:
            conn.execute(
                sa.text("update home_rows set session_uuid = :s where uuid = :u"), {"s": str(parent), "u": row_uuid}
            )


def downgrade() -> None:
    op.drop_table("session_facts")
    op.drop_table("clinical_notes")
    op.drop_table("web_sessions")
    with op.batch_alter_table("home_rows") as batch:
        batch.drop_index("ix_home_rows_session_uuid")
        batch.drop_column("session_uuid")
