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
from typing import Any  # noqa: E402

import pytest  # noqa: E402

#: Real PostgreSQL and the real sync server as fixtures (postgres_url, sync_server).
pytest_plugins = ["tests.postgres"]


def pytest_configure(config: pytest.Config) -> None:
    """pytest-xdist's controller, before it starts the workers: compile the checkout and rewrite the test modules
    once, on both cores (`tests.precompile`), not once in each worker. Not when bytecode is not to be written."""
    import sys

    if hasattr(config, "workerinput") or sys.dont_write_bytecode or not config.getoption("numprocesses", None):
        return
    from tests.precompile import prepare

    prepare(config)


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


class SharedStatementCache:
    """One cache of compiled SQL statements for every desk database a test process opens.

    SQLAlchemy keeps compiled statements per engine, keyed by the engine's own dialect object; a test opens a fresh
    desk (a fresh engine) and compiled every statement of its services again: ~7 % of the suite's time. A desk opens
    one engine in its life, so this is the tests' concern only. Engines of the same driver (sqlite3 or SQLCipher's
    module) and SQLite version compile every statement alike; the dialect in the key is replaced by those. Given
    to each engine as its `compiled_cache` execution option (documented: it supersedes the engine's own). SQLAlchemy
    reads the option with `get` and fills it with item assignment, nothing else."""

    def __init__(self, size: int = 4000) -> None:
        from sqlalchemy.util import LRUCache

        self._entries: Any = LRUCache(size)

    @staticmethod
    def _key(key: tuple[Any, ...]) -> tuple[Any, ...]:
        dialect = key[0]
        return (type(dialect), id(dialect.dbapi), dialect.server_version_info, *key[1:])

    def get(self, key: tuple[Any, ...], default: Any = None) -> Any:
        """The compiled statement for `key`, or `default`."""
        return self._entries.get(self._key(key), default)

    def __setitem__(self, key: tuple[Any, ...], value: Any) -> None:
        self._entries[self._key(key)] = value


def _share_statement_cache() -> None:
    """Every desk engine made in this process compiles into one `SharedStatementCache`."""
    from db.engine import Database

    cache = SharedStatementCache()
    create_engine = Database._create_engine

    def created(self: Database) -> Any:
        engine = create_engine(self)
        engine.update_execution_options(compiled_cache=cache)
        return engine

    Database._create_engine = created  # type: ignore[method-assign]


_share_statement_cache()


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


@pytest.fixture
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every workspace opened in this test's process (the commands run in-process by `desktop.cli.main` open their
    own) hashes passwords and PINs and derives the keystore's keys at `tests.accounts.TEST_HASH`, not at the desk's
    cost of ~0.1 s a secret: those tests check the commands, not Argon2's strength (tests/desktop/test_staff.py
    checks the real parameters). A workspace reads `desktop.workspace.DEFAULT_PARAMETERS` when it is made."""
    from tests.accounts import TEST_HASH

    monkeypatch.setattr("desktop.workspace.DEFAULT_PARAMETERS", TEST_HASH)


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
