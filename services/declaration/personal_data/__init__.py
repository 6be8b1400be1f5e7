"""Personal data (buyer/payer ID numbers, names, phones, addresses): encrypted at rest,
found by keyed hash, masked for everyone but the filer, never in events or logs."""
