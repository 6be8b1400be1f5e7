"""Stale alerts: a leg silent for longer than its mode allows is reported, once per silence."""
