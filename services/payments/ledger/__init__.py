"""A double-entry ledger per currency with TigerBeetle's transfer semantics."""
