"""Banks and payment institutions: licence data, the enterprises they serve, and the
access enterprises grant them to their transaction information."""
