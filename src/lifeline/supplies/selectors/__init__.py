"""Supplies reads for other apps (the command centre's figures). Inside supplies, import
the part's module (``lifeline.supplies.selectors.stock``)."""
