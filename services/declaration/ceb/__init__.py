"""The wire format of the customs declaration messages (GACC CEB, 202205 edition).

No database, web framework or broker here, and no business rules: how a message is
read, checked against the official XSD, modelled, written back and answered. The
rules over messages live in the modules named for them — single-message rules in
:mod:`services.declaration.prechecks.rules`, limits in :mod:`services.declaration.quota.rules`,
tax in :mod:`services.declaration.tax.rules`, the three-document match in
:mod:`services.declaration.matching.rules`, returns in :mod:`services.declaration.customs.core`.

Typical intake of a declaration::

    result = decode_xml(raw_bytes)                 # hostile-XML guard + XSD
    if not result.ok:
        ceb900 = render_format_receipt(raw_bytes, result.issues, now, cop_msg_id, result.message_type)
    else:
        issues = check_message(result.message)     # prechecks.rules
        answer = build_answer(result.message, issues)
        receipt = render_receipt(answer, result.message, now)   # CEB312, CEB622 …

Modules:

* codecs — :mod:`.xml_security` (hardened parse), :mod:`.xml_codec`, :mod:`.json_codec`;
* XSD — :mod:`.schemas` (cached, compiled XSDs), :mod:`.xsd_fields` (their fields), ``xsd/``;
* catalogue — :mod:`.catalogue` (every message type, from the XSDs), :mod:`.keys` (the
  fields that identify a record), :mod:`.codes` (customs return codes);
* model — :mod:`.model` (messages, records, pointers), :mod:`.issues`, :mod:`.money`
  (amount identities of the N19,5 fields), :mod:`.customs_time`;
* receipts — :mod:`.receipts` (answers and receipt XML, CEB900), :mod:`.receipt_events`
  (receipts read back).
"""
