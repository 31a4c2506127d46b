"""The clinic database's tables (SQLAlchemy Core, no ORM), the same on SQLite and PostgreSQL.

This is the schema the code reads and writes; the migrations in ``clinic/migrations/versions`` build
it in the database, and a test checks that the migrated database equals this metadata, so the two
cannot drift apart. Times are ISO 8601 text with their offset and JSON is text, so both engines store
exactly the same values and a row reads back the same whichever holds it.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)

# fixed constraint names: the same in every database, so a later migration can name what it drops
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", Text, nullable=False, unique=True),  # stored lowercased
    Column("password_hash", Text, nullable=False),
    Column("role", Text, nullable=False),  # physio | clinician | admin
    Column("team", Text, nullable=True),
    Column("created_at", Text, nullable=False),
    Column("disabled", Integer, nullable=False, server_default="0"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_hash", Text, primary_key=True),  # sha256 hex: a stolen database holds no usable token
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
)

patients = Table(
    "patients",
    metadata,
    Column("id", Text, primary_key=True),  # a pseudonym (rehab.core.ids), never a name
    Column("physio_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("team", Text, nullable=True),
    Column("created_at", Text, nullable=False),
)

pairing_codes = Table(
    "pairing_codes",
    metadata,
    Column("code_hash", Text, primary_key=True),
    Column("patient_id", Text, ForeignKey("patients.id"), nullable=False),
    # null when made by 'rehab clinic pair' on the server itself (the audit log names the OS user)
    Column("created_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("created_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
    Column("used_at", Text, nullable=True),
)

devices = Table(
    "devices",
    metadata,
    Column("id", Text, primary_key=True),  # uuid4
    Column("patient_id", Text, ForeignKey("patients.id"), nullable=False, index=True),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("last_seen", Text, nullable=True),
    Column("revoked_at", Text, nullable=True),
)

home_rows = Table(
    "home_rows",
    metadata,
    Column("uuid", Text, primary_key=True),
    Column("patient_id", Text, ForeignKey("patients.id"), nullable=False),
    Column("device_id", Text, ForeignKey("devices.id"), nullable=False),
    Column("kind", Text, nullable=False),  # the home table the row comes from
    Column("body", Text, nullable=False),  # JSON
    Column("seq", BigInteger, nullable=False),  # the home's outbox sequence of this version of the row
    Column("client_time", Text, nullable=True),
    Column("received_at", Text, nullable=False),  # the server's clock: a home's clock may be wrong
    # the session a rep, set, rating, stream or device event belongs to (from its body; 0002)
    Column("session_uuid", Text, nullable=True),
    Index("ix_home_rows_patient_kind", "patient_id", "kind"),
    Index("ix_home_rows_session_uuid", "session_uuid"),
)

plan_versions = Table(
    "plan_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient_id", Text, ForeignKey("patients.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("body", Text, nullable=False),  # JSON: Plan.to_dict()
    Column("sessions_per_week", Integer, nullable=True),
    Column("effective_from", Text, nullable=True),
    Column("created_at", Text, nullable=False),
    Column("created_by", Text, nullable=False),  # user email, or "home:<device id>"
    Column("origin", Text, nullable=False),  # server | home
    Column("home_uuid", Text, nullable=True, unique=True),
    Column("reason", Text, nullable=True),
    Column("conflict", Text, nullable=True),
    UniqueConstraint("patient_id", "version"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient_id", Text, ForeignKey("patients.id"), nullable=False, index=True),
    # null when written with the command line on the server (the audit log names the OS user)
    Column("author_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("text", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Text, nullable=False),
    Column("actor", Text, nullable=False),  # user email, "device:<id>" or "cli:<os user>"
    Column("action", Text, nullable=False),
    Column("patient_id", Text, nullable=True, index=True),  # no foreign key: the log outlives what it names
    Column("detail", Text, nullable=True),
)

rate_limits = Table(
    "rate_limits",
    metadata,
    Column("key", Text, nullable=False),
    Column("window_start", BigInteger, nullable=False),  # epoch seconds at the window's start
    Column("count", Integer, nullable=False),
    PrimaryKeyConstraint("key", "window_start"),
)

sync_receipts = Table(
    "sync_receipts",
    metadata,
    Column("batch_id", Text, primary_key=True),
    Column("device_id", Text, ForeignKey("devices.id"), nullable=False, index=True),
    Column("received_at", Text, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("response", Text, nullable=True),  # JSON: the first answer, given again to a replayed batch
)


# -- the web app (revision 0002) ------------------------------------------------------------------

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", Text, primary_key=True),  # sha256 hex of the cookie's value
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", Text, nullable=False),
    Column("last_seen_at", Text, nullable=False),  # for the idle timeout
)

clinical_notes = Table(
    "clinical_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient_id", Text, ForeignKey("patients.id"), nullable=False, index=True),
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("noted_on", Text, nullable=False),  # the clinical date the note is about (YYYY-MM-DD)
    Column("text", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)

#: one row per synced home session, recomputed from its home rows whenever a push touches them:
#: what the caseload and the patient page read, so they never parse a year of JSON per request
session_facts = Table(
    "session_facts",
    metadata,
    Column("uuid", Text, primary_key=True),  # the home session's uuid
    Column("patient_id", Text, ForeignKey("patients.id"), nullable=False),
    Column("started_at", Text, nullable=True),
    Column("day", Text, nullable=True),  # YYYY-MM-DD of started_at, as the home's clock gave it
    Column("kind", Text, nullable=True),  # physical | mental
    Column("game", Text, nullable=True),
    Column("movement", Text, nullable=True),  # the angle name, e.g. knee_flexion_right
    Column("status", Text, nullable=True),
    Column("visit_uuid", Text, nullable=True),
    Column("plan_uuid", Text, nullable=True),
    Column("target_deg", Float, nullable=True),
    Column("reps", Integer, nullable=False, server_default="0"),
    Column("reps_on_target", Integer, nullable=False, server_default="0"),
    Column("best_peak_deg", Float, nullable=True),
    Column("mean_rom_deg", Float, nullable=True),
    Column("mean_hold_s", Float, nullable=True),
    Column("mean_sparc", Float, nullable=True),
    Column("over_ceiling", Integer, nullable=False, server_default="0"),
    Column("compensations", Integer, nullable=False, server_default="0"),
    Column("pain_before", Float, nullable=True),
    Column("pain_after", Float, nullable=True),
    Column("pain_max_during", Float, nullable=True),
    Column("device_problems", Integer, nullable=False, server_default="0"),
    Column("summary", Text, nullable=True),  # JSON: a mental session's measures
    Column("updated_at", Text, nullable=False),
    Index("ix_session_facts_patient_day", "patient_id", "day"),
)


# -- live sessions (revision 0003) ----------------------------------------------------------------

#: every action a physio sent to a live session at home (a message, a new target or ceiling for the
#: rest of the set, a pause, the end): stored before it is relayed, with the reason given
live_actions = Table(
    "live_actions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient_id", Text, ForeignKey("patients.id"), nullable=False, index=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("kind", Text, nullable=False),  # message | target | ceiling | pause | resume | end
    Column("text", Text, nullable=True),  # a message's words
    Column("value", Float, nullable=True),  # a target's or ceiling's degrees
    Column("reason", Text, nullable=True),
    Column("created_at", Text, nullable=False),
)
