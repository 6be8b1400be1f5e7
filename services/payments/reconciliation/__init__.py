"""Reconciliation: statement entries against expected receipts and payments."""
