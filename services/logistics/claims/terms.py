"""The compensation rules file (YAML) and the SDR → CNY rate file (CSV), read once per process.

Both are packaged with the service (``compensation.yaml``, ``sdr_rates.csv``); the settings
``compensation_rules_file`` and ``sdr_rates_file`` replace them (the packaged rates are
IMF-like figures meant to be replaced by the IMF's daily rates).
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from services.logistics.claims.rules import SdrRates, Terms, TermsError, parse_sdr_rates, parse_terms

_PACKAGE = "services.logistics.claims"


def _text(path: Path | None, packaged: str) -> str:
    if path is None:
        return resources.files(_PACKAGE).joinpath(packaged).read_text("utf-8")
    return path.read_text(encoding="utf-8")


@cache
def load_terms(path: Path | None = None) -> Terms:
    """The compensation rules of ``path`` (None: the packaged file)."""
    try:
        raw = yaml.safe_load(_text(path, "compensation.yaml"))
    except yaml.YAMLError as exc:
        raise TermsError(f"the compensation rules are not valid YAML: {exc}") from exc
    return parse_terms(raw)


@cache
def load_sdr_rates(path: Path | None = None) -> SdrRates:
    """The SDR → CNY rates of ``path`` (None: the packaged file)."""
    return parse_sdr_rates(list(csv.DictReader(io.StringIO(_text(path, "sdr_rates.csv")))))
