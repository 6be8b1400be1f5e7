"""traffic of the gateway."""
