"""Core: base helpers every app uses (time, errors, personal data, audit, scoping, outbox)."""
