"""Headless Chromium for the dashboard tests: Debian's /usr/bin/chromium driven by Playwright.

Without Chromium (or Playwright) the browser tests skip and say why — unless
``DDT_REQUIRE_BROWSER=1`` (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("DDT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def require_browser() -> None:
    """Skip (or, under CI, fail) when headless Chromium cannot be driven."""
    problem = None
    try:
        import playwright  # noqa: F401
    except ImportError:
        problem = "the python package 'playwright' is not installed"
    if problem is None and not (CHROMIUM.exists() or shutil.which(str(CHROMIUM))):
        problem = f"Chromium is not installed at {CHROMIUM} (Debian: apt-get install chromium)"
    if problem is None:
        return
    if os.environ.get("DDT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required here (DDT_REQUIRE_BROWSER=1) but {problem}")
    pytest.skip(f"browser tests skipped: {problem}")
