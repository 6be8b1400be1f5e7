"""webhooks of the gateway."""
