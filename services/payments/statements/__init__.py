"""Bank statements: camt.053/054 (ISO 20022), MT940/MT942 (SWIFT) and a CSV of our own."""
