"""audit of the gateway."""
