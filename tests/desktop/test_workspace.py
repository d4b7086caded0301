"""The workspace service: adopting a policy, remembering its exact version, the officer, the desk snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models import AppUser, Association, Device, PolicyVersion
from desktop.policy import ProfileError, builtin_profile_paths
from desktop.startup import DeskSnapshot, read_snapshot, snapshot_path, write_snapshot
from desktop.workspace import ConnectionState, Workspace, WorkspaceError
from tests.templates import seed_data_dir


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A fresh workspace in a temporary data directory (a copy of the migrated template: nothing adopted yet)."""
    opened = Workspace.open(seed_data_dir(tmp_path / "data"))
    yield opened  # type: ignore[misc]
    opened.close()


def test_first_open_has_no_policy_and_five_to_choose_from(workspace: Workspace) -> None:
    """A new data directory has nothing adopted yet; the five seed associations are offered."""
    assert workspace.active_profile() is None
    assert sorted(p.id for p in workspace.available_profiles()) == [
        "baraah", "daam-rescue", "mafateeh-alkhair", "qader-tabuk", "tahfeez-bir-bin-hirmas",
    ]
    assert workspace.connection_state() is ConnectionState.NOT_CONFIGURED
    assert "غير متصل" in workspace.connection_state().label_ar


def test_adoption_records_association_version_device_and_officer(workspace: Workspace) -> None:
    """Adopting stores the association, the exact policy text and hash, this PC and its officer."""
    profile = workspace.adopt_builtin_profile("baraah")
    with workspace.db.session(read_only=True) as session:
        association = session.scalars(select(Association)).one()
        version = session.scalars(select(PolicyVersion)).one()
        assert association.name == "جمعية براعة التعليمية"
        assert association.licence_number == "1000651200"
        assert version.profile_id == "baraah" and version.version_label == profile.version
        assert version.content_hash == profile.content_hash
        assert version.source_text == profile.source_text
        assert session.scalar(select(func.count()).select_from(Device)) == 1
        assert session.scalar(select(func.count()).select_from(AppUser)) == 1
    assert workspace.officer_name()


def test_adopted_policy_survives_reopening(tmp_path: Path) -> None:
    """The next start finds the adopted policy in the database, identical to what was adopted."""
    first = Workspace.open(tmp_path)
    adopted = first.adopt_builtin_profile("qader-tabuk")
    first.close()
    second = Workspace.open(tmp_path)
    try:
        again = second.active_profile()
        assert again is not None
        assert again.id == "qader-tabuk" and again.content_hash == adopted.content_hash
    finally:
        second.close()


def test_adopting_the_same_version_twice_adds_nothing(workspace: Workspace) -> None:
    """Idempotent: one association, one policy version row."""
    workspace.adopt_builtin_profile("mafateeh-alkhair")
    workspace.adopt_builtin_profile("mafateeh-alkhair")
    with workspace.db.session(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(PolicyVersion)) == 1
        assert session.scalar(select(func.count()).select_from(Association)) == 1


def test_edited_policy_under_a_used_version_label_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    """Cases remember the policy version they were handled under: its text may not change behind them."""
    workspace.adopt_builtin_profile("baraah")
    source = next(p for p in builtin_profile_paths() if p.stem == "baraah").read_text(encoding="utf-8")
    edited = tmp_path / "baraah.toml"
    edited.write_text(source.replace("لا تقل عن أسبوعين", "لا تقل عن عشرة أيام", 1), encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        workspace.import_profile(edited)
    assert "الإصدار" in caught.value.problems[0].reason
    relabelled = tmp_path / "baraah-2.toml"
    text = edited.read_text(encoding="utf-8")
    import re

    relabelled.write_text(re.sub(r'^version = ".*"$', 'version = "1446/09"', text, count=1, flags=re.M),
                          encoding="utf-8")
    adopted = workspace.import_profile(relabelled)
    assert adopted.version == "1446/09"
    assert workspace.active_profile() is not None and workspace.active_profile().version == "1446/09"  # type: ignore[union-attr]


def test_a_broken_import_adopts_nothing(workspace: Workspace) -> None:
    """A profile with problems raises ProfileError and leaves the database as it was."""
    broken = Path(__file__).parent / "data" / "unknown_step_kind.toml"
    with pytest.raises(ProfileError):
        workspace.import_profile(broken)
    assert workspace.active_profile() is None
    with workspace.db.session(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(PolicyVersion)) == 0


def test_adoption_writes_the_desk_snapshot(workspace: Workspace) -> None:
    """The first screen of the next start is drawn from the snapshot the workspace keeps current."""
    workspace.adopt_builtin_profile("daam-rescue")
    snapshot = read_snapshot(workspace.data_dir)
    assert snapshot is not None
    assert snapshot.association_name == "جمعية دعم للبحث والإنقاذ والإغاثة"
    assert snapshot.profile_id == "daam-rescue"
    # Behaviour change (issue 13): the snapshot is read before sign-in, so it names nobody.
    assert workspace.officer_name() not in snapshot_path(workspace.data_dir).read_text(encoding="utf-8")


def test_snapshot_round_trip_and_damaged_files(tmp_path: Path) -> None:
    """A damaged or foreign snapshot reads as None (the slow, sure path), never as wrong data."""
    snapshot = DeskSnapshot("جمعية", "baraah", "1")
    write_snapshot(tmp_path, snapshot)
    assert read_snapshot(tmp_path) == snapshot
    assert snapshot_path(tmp_path).stat().st_mode & 0o077 == 0  # owner-only, as every file of the data directory
    for damaged in ("{", "[]", '{"format": 99}', '{"format": 1}', '{"format": 2}', ""):
        snapshot_path(tmp_path).write_text(damaged, encoding="utf-8")
        assert read_snapshot(tmp_path) is None
    assert read_snapshot(tmp_path / "absent") is None


def test_unopenable_data_directory_is_a_workspace_error(tmp_path: Path) -> None:
    """A data directory that cannot be created gives an Arabic message naming it."""
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(WorkspaceError) as caught:
        Workspace.open(blocker / "data")
    assert "مجلد البيانات" in caught.value.message_ar
    assert str(blocker / "data") in caught.value.message_ar
