"""Which party holds which enterprise code, learnt from the gateway's registry events."""
