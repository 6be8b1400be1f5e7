"""Stateful pre-checks the pure core cannot do: who may file, duplicates, locks."""
