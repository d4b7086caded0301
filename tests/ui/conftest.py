"""UI test fixtures: the session QApplication configured like the real desk, and workspaces on temporary data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from desktop.workspace import Workspace
from tests.templates import seed_data_dir
from tests.accounts import TEST_HASH, sign_in_desk
from ui.app import configure_application
from ui.settings import desk_settings

#: A built-in policy with a licence, an approval record, a committee and a declaration (NCNP template).
FULL_PROFILE_ID = "mafateeh-alkhair"


@pytest.fixture(scope="session", autouse=True)
def desk_app(qapp: QApplication) -> QApplication:
    """The test QApplication made right-to-left and Arabic exactly as ui.app does it at start-up."""
    configure_application(qapp)
    return qapp


@pytest.fixture(autouse=True)
def fresh_desk_settings() -> Iterator[None]:
    """Each test starts with nothing remembered (a first run: window maximised, panels as by default)."""
    desk_settings().clear()
    yield


@pytest.fixture
def workspace(data_dir: Path) -> Iterator[Workspace]:
    """A fresh workspace (first run: no policy adopted yet), on a copy of the migrated template database."""
    opened = Workspace.open(seed_data_dir(data_dir))
    opened.hash_parameters = TEST_HASH
    yield opened
    opened.close()


@pytest.fixture
def adopted_workspace(workspace: Workspace) -> Workspace:
    """A workspace whose association adopted the built-in policy of جمعية مفاتيح الخير الأسرية, with its
    first administrator (holding every role) signed in, as every screen is used after sign-in."""
    workspace.adopt_builtin_profile(FULL_PROFILE_ID)
    sign_in_desk(workspace)
    return workspace


@pytest.fixture
def unsigned_workspace(workspace: Workspace) -> Workspace:
    """A workspace with the policy adopted and nobody signed in (nor any account able to sign in)."""
    workspace.adopt_builtin_profile(FULL_PROFILE_ID)
    return workspace
