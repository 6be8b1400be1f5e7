"""Shipments and their legs: one consignment as the enterprise and customs know it, and the
stretches of its journey, each with its mode, carrier and numbers."""
