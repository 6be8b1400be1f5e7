"""credentials of the gateway."""
