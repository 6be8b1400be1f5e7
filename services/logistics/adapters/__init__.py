"""Carrier formats → normalised tracking events.

Each source (UPU EMSEVT, IATA Cargo-IMP FSU, DCSA T&T 2.x/3, Kdniao, SF, AfterShip,
17TRACK, our generic JSON and CSV batch, and the platform's own customs receipts) is a
parser of its native shape plus a mapping table in ``data/<source>.csv`` — a code is a row,
not a branch. Parsers are pure: bytes in, candidates and per-event refusals out; the
tracking service authorises, deduplicates and stores them.
"""
