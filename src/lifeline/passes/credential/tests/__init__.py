"""Tests for the pass credential core (pure Python, no database)."""
