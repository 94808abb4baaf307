"""The engine ``database_from_url`` picks when ``LIFELINE_DB_POOLER=transaction``."""

from __future__ import annotations

from django.db.backends.postgresql import base, creation


class DatabaseCreation(creation.DatabaseCreation):
    def _destroy_test_db(self, test_database_name: str, verbosity: int) -> None:
        # The pooler keeps idle server connections to the test database after the run's
        # last client has gone; a plain DROP DATABASE would fail on them. FORCE
        # (PostgreSQL 13+) ends them first.
        self.connection.close_pool()
        name = self.connection.ops.quote_name(test_database_name)
        with self.connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE {name} WITH (FORCE)")


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
