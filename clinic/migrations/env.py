"""Alembic's environment for the clinic database, run programmatically by ``clinic.db.upgrade``.

There is no alembic.ini: ``upgrade`` hands over an open connection in ``config.attributes``, so the
migrations run on exactly the engine (SQLite or PostgreSQL) the server or command line uses.
"""

from __future__ import annotations

from alembic import context

from clinic.tables import metadata


def run() -> None:
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place: later revisions use batch mode there
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run()
