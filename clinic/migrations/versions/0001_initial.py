"""The clinic's first schema: accounts, patients, pairing, devices, synced rows, plans, messages,
the audit log, rate limits and sync receipts.

Written out in full rather than built from ``clinic.tables``: a revision is history and must not
change when the tables module does later (a test checks the migrated database equals the tables).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    _accounts()
    _patients_and_devices()
    _synced_data()
    _bookkeeping()


def downgrade() -> None:
    for table in (
        "sync_receipts",
        "rate_limits",
        "audit_log",
        "messages",
        "plan_versions",
        "home_rows",
        "devices",
        "pairing_codes",
        "patients",
        "api_tokens",
        "users",
    ):
        op.drop_table(table)


def _accounts() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("team", sa.Text, nullable=True),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("disabled", sa.Integer, server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("token_hash", sa.Text, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_api_tokens"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_api_tokens_user_id_users"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])


def _patients_and_devices() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("physio_id", sa.Integer, nullable=False),
        sa.Column("team", sa.Text, nullable=True),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_patients"),
        sa.ForeignKeyConstraint(["physio_id"], ["users.id"], name="fk_patients_physio_id_users"),
    )
    op.create_index("ix_patients_physio_id", "patients", ["physio_id"])
    op.create_table(
        "pairing_codes",
        sa.Column("code_hash", sa.Text, nullable=False),
        sa.Column("patient_id", sa.Text, nullable=False),
        sa.Column("created_by", sa.Integer, nullable=True),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Text, nullable=False),
        sa.Column("used_at", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("code_hash", name="pk_pairing_codes"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name="fk_pairing_codes_patient_id_patients"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_pairing_codes_created_by_users"),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("patient_id", sa.Text, nullable=False),
        sa.Column("token_hash", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("last_seen", sa.Text, nullable=True),
        sa.Column("revoked_at", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_devices"),
        sa.UniqueConstraint("token_hash", name="uq_devices_token_hash"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name="fk_devices_patient_id_patients"),
    )
    op.create_index("ix_devices_patient_id", "devices", ["patient_id"])


def _synced_data() -> None:
    op.create_table(
        "home_rows",
        sa.Column("uuid", sa.Text, nullable=False),
        sa.Column("patient_id", sa.Text, nullable=False),
        sa.Column("device_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("client_time", sa.Text, nullable=True),
        sa.Column("received_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("uuid", name="pk_home_rows"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name="fk_home_rows_patient_id_patients"),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name="fk_home_rows_device_id_devices"),
    )
    op.create_index("ix_home_rows_patient_kind", "home_rows", ["patient_id", "kind"])
    op.create_table(
        "plan_versions",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("sessions_per_week", sa.Integer, nullable=True),
        sa.Column("effective_from", sa.Text, nullable=True),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("home_uuid", sa.Text, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("conflict", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_plan_versions"),
        sa.UniqueConstraint("home_uuid", name="uq_plan_versions_home_uuid"),
        sa.UniqueConstraint("patient_id", "version", name="uq_plan_versions_patient_id_version"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name="fk_plan_versions_patient_id_patients"),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.Text, nullable=False),
        sa.Column("author_id", sa.Integer, nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name="fk_messages_patient_id_patients"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name="fk_messages_author_id_users"),
    )
    op.create_index("ix_messages_patient_id", "messages", ["patient_id"])


def _bookkeeping() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("patient_id", sa.Text, nullable=True),
        sa.Column("detail", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_patient_id", "audit_log", ["patient_id"])
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("window_start", sa.BigInteger, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name="pk_rate_limits"),
    )
    op.create_table(
        "sync_receipts",
        sa.Column("batch_id", sa.Text, nullable=False),
        sa.Column("device_id", sa.Text, nullable=False),
        sa.Column("received_at", sa.Text, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("response", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("batch_id", name="pk_sync_receipts"),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name="fk_sync_receipts_device_id_devices"),
    )
    op.create_index("ix_sync_receipts_device_id", "sync_receipts", ["device_id"])
