"""Yearly reward run of the stats service — the pure domain core.

No database, web framework or message broker here: a validated policy file
(:mod:`.policy`) and an input snapshot (:mod:`.inputs`) go into
:func:`.engine.compute`, which returns a :class:`.results.RunResult` with an
explanation for every amount. :mod:`.lifecycle` moves a run from draft to
published and :mod:`.export_xlsx` writes it for the regulator.
"""
