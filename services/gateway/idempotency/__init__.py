"""idempotency of the gateway."""
