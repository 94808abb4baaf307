"""Lifeline: keeps a shut-down city alive."""
