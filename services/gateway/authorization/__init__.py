"""authorization of the gateway."""
