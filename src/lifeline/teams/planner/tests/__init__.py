"""Tests of the field-team route planner: no database, no Django."""
