"""PostgreSQL behind a transaction-mode pooler (PgBouncer): Django's backend with a test
database that can be dropped while the pooler still holds idle connections to it."""
