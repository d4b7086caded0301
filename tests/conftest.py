"""Shared pytest configuration: Qt runs offscreen, each test gets its own data directory."""

from __future__ import annotations

import os

# Before anything imports Qt: no display is needed to run the tests.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The desk's remembered settings (window place, panels) go to a folder of this run, never the user's own; the
# desks the tests start as processes inherit it.
import tempfile  # noqa: E402

os.environ["MUSTAFID_SETTINGS_DIR"] = tempfile.mkdtemp(prefix="mustafid-settings-")
os.environ.setdefault("MUSTAFID_ENCRYPT", "0")  # the template and most tests: plaintext (the gate's tests turn it on)
os.environ.setdefault("MUSTAFID_AUTO_BACKUP", "0")  # the tests that want the automatic backups turn them on

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

#: Real PostgreSQL and the real sync server as fixtures (postgres_url, sync_server).
pytest_plugins = ["tests.postgres"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked `slow` (a frozen build, mypy, ten desks syncing, the fuzzer) run first: started last, one
    of them alone kept a worker busy after the other had finished (the run's tail). The order is otherwise kept."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Everything alive once the tests are collected (the modules, Qt's and SQLAlchemy's classes, hypothesis'
    strategies…) lives to the end of the run: move it out of the collector's reach (`gc.freeze`), so that each
    later collection of the oldest generation walks only what the tests made, not the whole heap again."""
    import gc

    gc.collect()
    gc.freeze()


def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Once a GUI test has made `ui.ops` run, Python's automatic collector is off for the process (cycles are
    collected on the GUI thread only, `ui.collector`): collect what is due after each test too, so the tests
    that never turn Qt's event loop free their cycles (and the files those hold) as the collector would."""
    import sys

    collector = sys.modules.get("ui.collector")
    if collector is not None:
        collector.collect_due()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh, not yet created data directory for one test (the workspace creates it)."""
    return tmp_path / "mustafid-data"


@pytest.fixture(autouse=True)
def _desk_digit_style() -> Iterator[None]:
    """The desk's digit style is process-wide: every test starts and ends with the default (Arabic-Indic)."""
    from desktop.arabic_text import DigitStyle, set_digit_style

    set_digit_style(DigitStyle.ARABIC)
    yield
    set_digit_style(DigitStyle.ARABIC)


@pytest.fixture
def latin_digits() -> None:
    """Run a test with the desk's digit style set to Latin (tests that read Latin digits back from a page)."""
    from desktop.arabic_text import DigitStyle, set_digit_style

    set_digit_style(DigitStyle.LATIN)
