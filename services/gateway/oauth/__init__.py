"""oauth of the gateway."""
