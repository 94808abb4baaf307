"""Accounts: users, roles, memberships (user -> area subtree or unit) and API tokens."""
