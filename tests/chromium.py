"""Debian's chromium, headless through Playwright, for the browser tests (Playwright's own browser download is never
used); a missing chromium skips them with one line where it cannot be installed, and fails them where it can."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextlib.contextmanager
def chromium(profile: Path, width: int, height: int):
    """A browser context with a window of width x height pixels and its own profile folder."""
    if not CHROMIUM.exists():
        if os.geteuid() != 0:
            pytest.skip("Debian's chromium is not installed, and installing it needs root (sudo apt-get install chromium)")
        pytest.fail("Debian's chromium is missing: run `make browser` (CI does it in `make test`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": width, "height": height})
        try:
            yield context
        finally:
            context.close()
