"""Tax assessment of accepted import inventories (CEB816 fields)."""
