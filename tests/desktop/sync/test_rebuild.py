"""A desk enrolled with a server rebuilt from it (issue 14): its data folder lost or damaged beyond its backups,
a new data folder enrolled again receives every row of the association in its first sync."""

from __future__ import annotations

from tests.desktop.sync.conftest import assert_converged


def test_a_desk_is_rebuilt_from_the_server_in_a_new_data_folder(make_desk, sync_server) -> None:
    lost = make_desk("lost")
    for _ in range(3):
        lost.new_case()
    lost.settle()
    cases = lost.scalar('SELECT count(*) FROM "case"')
    people = lost.scalar("SELECT count(*) FROM beneficiary")
    assert cases == 3
    rebuilt = make_desk("rebuilt")  # a new data folder, a new enrolment code: what the README tells to do
    rebuilt.round()
    assert rebuilt.scalar('SELECT count(*) FROM "case"') == cases
    assert rebuilt.scalar("SELECT count(*) FROM beneficiary") == people
    rebuilt.settle()
    lost.settle()
    assert_converged(sync_server, lost, rebuilt)
