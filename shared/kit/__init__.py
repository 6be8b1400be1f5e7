"""The kit: what makes the platform's one module shape the easy way to write a module.

* :mod:`shared.kit.repository` — ``Repository`` / ``ModelRepository``: all SQL of a module,
  built from the unit of work's session; dialect-neutral ``insert_ignore`` and ``upsert``.
* :mod:`shared.kit.sql` — the same statements as functions, for code below the modules
  (the messaging tables) and for statements built once and executed with many rows.
* :mod:`shared.kit.pagination` — opaque keyset cursors and ``Page[T]``, the list envelope
  ``{"items", "next_cursor"}`` every list route answers.
* :mod:`shared.kit.context` — typed per-service components on the runtime and the route
  dependency that reads them (no string keys).
* :mod:`shared.kit.responses` — OpenAPI declarations of problem+json and raw answers.

docs/architecture.md ("How to add a domain module") shows them together.
"""
