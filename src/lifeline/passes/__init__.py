"""Signed movement passes: issued by a unit, verified offline at checkpoints.

The ORM-free cryptographic core lives in :mod:`lifeline.passes.credential`.
"""
