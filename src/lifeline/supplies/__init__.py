"""Supplies, donations and deliveries: items, a stock ledger, donors and pledges, needs,
optimal allocation, shipments with receipts, supply packages for residents, and the trace
from a donor's line to the hand that received it."""
