"""auth of the gateway."""
