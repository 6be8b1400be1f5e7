"""Every filed document: the original message kept verbatim (encrypted), the parsed
record, its status and history, and the read API."""
