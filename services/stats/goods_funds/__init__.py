"""Goods–funds consistency: declared exports against matched receipts, imports against payments,
per enterprise and month — a view a single window can give because it sees both flows."""
