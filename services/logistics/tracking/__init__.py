"""Tracking: append-only events from every source, and the state derived from them."""
