"""The small JSON protocol between :class:`~.remote.RemoteSigner` and a signing server.

It mirrors how the e-port key is reached in practice (a local UKey bridge or
a 服务类密码设备 on the network): the client builds the document and its
canonical ``SignedInfo``; only those bytes (a few hundred) cross the wire, and
the server answers with ``SignatureValue`` and the certificate that fills
``KeyInfo``.  Sending ``SignedInfo`` rather than a digest keeps SM2 simple —
the server computes ``Z_A`` from its own public key and user id.

Version 1, JSON bodies, UTF-8, base64 for bytes::

    GET  {base}/v1/info
      200 {"signatureMethod": uri, "digestMethod": uri, "keyName": str|null,
           "certificate": b64|null}
    POST {base}/v1/sign
      {"signatureMethod": uri, "signedInfo": b64}
      200 {"signatureMethod": uri, "signatureValue": b64,
           "keyName": str|null, "certificate": b64|null}
      4xx/5xx {"error": code, "message": text}

``Authorization: Bearer <token>`` when the server is configured with a token.
Error codes: ``unauthorized``, ``bad_request``, ``unsupported_algorithm``,
``not_signed_info``, ``too_large``, ``signing_failed``.
"""

from __future__ import annotations

SIGN_PATH = "/v1/sign"
INFO_PATH = "/v1/info"
MAX_SIGNED_INFO_BYTES = 16 * 1024
"""A canonical SignedInfo is < 1 KB; anything far larger is not one."""
