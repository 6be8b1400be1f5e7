"""The party registry as payments knows it: a mirror kept from the gateway's events."""
