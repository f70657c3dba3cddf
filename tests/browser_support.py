"""Browser test fixtures (shared by every test directory through tests/conftest.py):
Playwright drives Debian's Chromium against Django's live server,
and axe-core (shipped by axe-playwright-python) checks each page visited."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("PASSEPORT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The live server runs in a thread of the test process while Playwright's sync API
# runs an event loop in the main thread: let Django's ORM run there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 320, "height": 640}


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM) and not shutil.which("chromium"):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    p = context.new_page()
    p.set_default_timeout(15_000)
    yield p
    context.close()


class AxeChecker:
    """Runs axe-core on the current page at desktop and 320 px widths; fails on any
    serious or critical violation."""

    def __init__(self):
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.checked: list[str] = []

    def check(self, page, label: str = "") -> None:
        original = page.viewport_size
        problems = []
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            results = self.axe.run(page)
            for v in results.response["violations"]:
                if v["impact"] in ("serious", "critical"):
                    targets = [n["target"] for n in v["nodes"]][:3]
                    problems.append(f"{size['width']}px {v['id']} ({v['impact']}): {v['help']} {targets}")
        page.set_viewport_size(original or DESKTOP)
        self.checked.append(label or page.url)
        assert not problems, f"Accessibility violations on {label or page.url}:\n" + "\n".join(problems)


@pytest.fixture
def axe():
    return AxeChecker()
