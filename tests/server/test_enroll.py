"""Enrolment: single-use, expiring codes; association binding; revocation; the `devices` commands."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from desktop.server.admin_cli import main as devices_main
from tests.server.helpers import BASE_HEADERS, Desk, LiveServer, http_client, is_arabic


def _enroll(server: LiveServer, code: str, association_id: uuid.UUID | None = None) -> httpx.Response:
    return Desk(server.url).enroll(code, association_id or uuid.uuid4())


def test_first_enrolment_binds_the_association_and_later_ones_get_it_back(server: LiveServer) -> None:
    """The first PC keeps its association id; a second PC is told that id; prefixes differ."""
    first_id = uuid.uuid4()
    first = _enroll(server, server.code("جمعية البر"), first_id).json()
    second = _enroll(server, server.code("جمعية البر"), uuid.uuid4()).json()
    assert first["association_id"] == second["association_id"] == str(first_id)
    assert first["association_name"] == "جمعية البر"
    assert first["case_number_prefix"] != second["case_number_prefix"]
    for body in (first, second):
        assert len(body["case_number_prefix"]) == 4 and body["case_number_prefix"].isalnum()
        assert body["case_number_prefix"] == body["case_number_prefix"].upper()
        assert len(body["token"]) >= 40


def test_code_is_single_use(server: LiveServer) -> None:
    """The second use of a code is refused in Arabic."""
    code = server.code()
    assert _enroll(server, code).status_code == 200
    again = _enroll(server, code)
    assert again.status_code == 401 and again.json()["error"] == "code_used" and is_arabic(again.json()["message_ar"])


def test_expired_and_wrong_codes_are_refused(server: LiveServer) -> None:
    """An expired or unknown code: 401 with an Arabic message."""
    code = server.code(hours=1e-7)
    time.sleep(0.01)
    expired = _enroll(server, code)
    assert expired.status_code == 401 and expired.json()["error"] == "code_expired"
    wrong = _enroll(server, "AAAA-BBBB-CCCC")
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_code" and is_arabic(wrong.json()["message_ar"])


def test_enrolment_checks_versions_and_body(server: LiveServer) -> None:
    """Enrolment carries protocol and schema headers too; a malformed body is a 400/422."""
    code = server.code()
    no_headers = http_client().post(f"{server.url}/v1/enroll", json={"code": code, "device_name": "x"})
    assert no_headers.status_code == 426
    bad = http_client().post(f"{server.url}/v1/enroll", headers=BASE_HEADERS, content=b"{")
    assert bad.status_code == 400
    wrong = http_client().post(f"{server.url}/v1/enroll", headers=BASE_HEADERS, json={"code": 5})
    assert wrong.status_code == 422
    assert _enroll(server, code).status_code == 200  # the failed attempts did not use the code


def test_token_is_stored_only_as_a_hash(server: LiveServer) -> None:
    """The server database never holds the token itself."""
    from sqlalchemy import select

    from desktop.server.models import server_device

    desk = server.desk()
    with server.store.engine.connect() as conn:
        hashes = conn.execute(select(server_device.c.token_hash)).scalars().all()
    assert desk.token not in hashes and len(hashes) == 1 and len(hashes[0]) == 64


def test_devices_commands(server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    """enroll-code prints a usable code; list shows the device; revoke refuses it afterwards."""
    assert devices_main(["devices", "enroll-code", "--server-db", server.db_url, "--association", "جمعية الخير",
                         "--branch", "جدة"]) == 0
    code = capsys.readouterr().out.strip()
    desk = Desk(server.url)
    assert desk.enroll(code, uuid.uuid4(), "مكتب جدة").status_code == 200
    assert devices_main(["devices", "list", "--server-db", server.db_url]) == 0
    listing = capsys.readouterr().out
    assert str(desk.device_id) in listing and "مكتب جدة" in listing and "جدة" in listing and "فعّال" in listing
    assert devices_main(["devices", "revoke", str(desk.device_id), "--server-db", server.db_url]) == 0
    capsys.readouterr()
    assert httpx.get(f"{server.url}/v1/pull", headers=desk.headers()).status_code == 403
    assert devices_main(["devices", "list", "--server-db", server.db_url]) == 0
    assert "ملغى" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["devices", "revoke", "not-a-uuid", "--server-db", "sqlite:///{tmp}/s.db"],
    ["devices", "revoke", str(uuid.uuid4()), "--server-db", "sqlite:///{tmp}/s.db"],
    ["devices", "list", "--server-db", "postgresql+psycopg://nobody@127.0.0.1:1/none"],
    ["devices", "enroll-code", "--server-db", "sqlite:///{tmp}/s.db", "--association", "  "],
])
def test_devices_command_failures_are_one_arabic_line(argv: list[str], tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Every failure: one Arabic line on stderr and a non-zero exit."""
    code = devices_main([part.replace("{tmp}", str(tmp_path)) for part in argv])
    err = capsys.readouterr().err.strip()
    assert code != 0 and len(err.splitlines()) == 1 and is_arabic(err)
