"""UI test fixtures: the session QApplication configured like the real desk, and workspaces on temporary data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from desktop.workspace import Workspace
from tests.accounts import sign_in_desk
from tests.ui.cases.world import WORLD_KEY, seed_world
from tests.ui.workspaces import FULL_PROFILE_ID, open_test_workspace
from ui.app import configure_application
from ui.settings import desk_settings


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


#: The fixtures that adopt `FULL_PROFILE_ID` first thing: a test using one gets its workspace on a template with
#: that policy already adopted (tests/templates.py), not adopting it again.
ADOPTING_FIXTURES = frozenset({"adopted_workspace", "unsigned_workspace"})


@pytest.fixture
def workspace(data_dir: Path, request: pytest.FixtureRequest) -> Iterator[Workspace]:
    """A fresh workspace (first run: no policy adopted yet), on a copy of the migrated template database; when
    the test asks for an adopting fixture (`ADOPTING_FIXTURES`), on the template with that policy adopted (and for
    `adopted_workspace`, its first administrator made, who signs in there); when
    it asks for the case desk's `world`, on a copy of that world (tests/ui/cases/world.py), left in the stash."""
    if "world" in request.fixturenames:
        world = seed_world(data_dir)
        request.node.stash[WORLD_KEY] = world
        opened = world.workspace
    else:
        adopting = ADOPTING_FIXTURES.intersection(request.fixturenames)
        opened = open_test_workspace(data_dir, FULL_PROFILE_ID if adopting else None,
                                     with_administrator=adopting == {"adopted_workspace"})
    yield opened
    opened.close()


@pytest.fixture
def adopted_workspace(workspace: Workspace) -> Workspace:
    """A workspace whose association adopted the built-in policy of جمعية مفاتيح الخير الأسرية, with its
    first administrator (holding every role) signed in, as every screen is used after sign-in."""
    _adopted(workspace)
    sign_in_desk(workspace)
    return workspace


@pytest.fixture
def unsigned_workspace(workspace: Workspace) -> Workspace:
    """A workspace with the policy adopted and nobody signed in (nor any account able to sign in)."""
    return _adopted(workspace)


def _adopted(workspace: Workspace) -> Workspace:
    """`workspace` with `FULL_PROFILE_ID` adopted (already, when it was opened on the adopted template)."""
    profile = workspace.active_profile()
    if profile is None:
        workspace.adopt_builtin_profile(FULL_PROFILE_ID)
    elif profile.id != FULL_PROFILE_ID:
        raise RuntimeError(f"the test workspace adopted {profile.id}, not {FULL_PROFILE_ID}")
    return workspace
