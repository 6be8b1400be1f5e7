"""The embedded carrier simulator (issue 10 item 10): every leg the service knows plays a
seeded journey in its carrier's native format, pushed over HTTP to the public tracking routes."""
