"""The core of the exchange with customs — pure, independently testable parts.

No database, web framework or broker: plain Python over bytes, with async only
where I/O happens (the remote signer's HTTP call, the directory transport's
files).  The service around it (:mod:`services.declaration.customs`) wires these together:

* :mod:`.signing` — enveloped XML-DSig (RSA-SHA1, SM2-with-SM3, remote), send policy;
* :mod:`.envelope` — DxpMsg / DxpMsgSv wrap and unwrap;
* :mod:`.lifecycle` — per-document state machine over receipts;
* :mod:`.simulator` — the deterministic customs simulator (embedded default transport);
* :mod:`.transports` — :class:`CustomsTransport`, simulator and directory transports;
* :mod:`.summaries` — 9610 export monthly summaries (CEB701) and CEB792 linking;
* :mod:`.peer` — a directory peer process answering an outbox with receipt files.
"""
