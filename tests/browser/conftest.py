"""Every test of this directory drives the browser (fixtures in tests/browser_support.py,
registered once for the whole suite by tests/conftest.py)."""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
