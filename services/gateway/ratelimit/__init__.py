"""ratelimit of the gateway."""
