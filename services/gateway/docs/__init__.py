"""docs of the gateway."""
