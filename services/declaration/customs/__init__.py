"""The declaration service's exchange with customs (part 2).

Two layers, named for what they are:

* :mod:`.core` — the pure library: no database, web framework or broker (signing,
  envelopes, the receipt lifecycle, the simulator, transports, summary rules), tested alone;
* the modules beside it — the service around the core: its tables, the staging, sending
  and receiving passes over the unit of work, the background task and the pull API.

The service modules:

* :mod:`.models` — tables: the customs outbox, per-document customs state, receipts and
  their per-document entries, tax bills, summary results, reminders, simulator snapshots;
* :mod:`.signers` — the configured XML signer (software RSA/SM2 or remote), dev keys;
* :mod:`.outbound` — ready documents → signed, enveloped CEB messages in the customs outbox;
* :mod:`.dispatch` — the outbox → the transport, exactly the stored bytes;
* :mod:`.embedded` — the customs simulator inside the platform, its state rebuilt from the database;
* :mod:`.transports` — the transport chosen by settings;
* :mod:`.receipts` — receipts stored, resolved to documents, applied through the lifecycle;
* :mod:`.effects` — what an applied receipt causes beyond the status (quota, returns, tax bills,
  summary results, cancelled inventories);
* :mod:`.references` — cancellations and returns checked against their inventory at intake;
* :mod:`.summaries` — 9610 export monthly summaries and the reminder check;
* :mod:`.driver` — the background task tying it together;
* :mod:`.routes` / :mod:`.views` — the pull API.
"""
