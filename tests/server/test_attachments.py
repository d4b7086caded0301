"""Attachments by SHA-256: the server says which it lacks and verifies every upload."""

from __future__ import annotations

import hashlib

import httpx

from tests.server.helpers import LiveServer, http_client


def test_missing_upload_verify_and_download(any_server: LiveServer) -> None:
    """Missing list, a truncated upload refused (nothing stored), the full upload stored and served back."""
    desk = any_server.desk()
    content = "إقرار موقّع".encode() * 5000
    digest = hashlib.sha256(content).hexdigest()
    other = hashlib.sha256(b"other").hexdigest()
    url = f"{any_server.url}/v1/attachments"
    missing = http_client().post(f"{url}/missing", json={"sha256": [digest, other]}, headers=desk.headers()).json()
    assert missing == {"missing": [digest, other]}
    truncated = http_client().put(f"{url}/{digest}", content=content[:-100], headers=desk.headers())
    assert truncated.status_code == 422 and truncated.json()["error"] == "attachment_hash_mismatch"
    assert httpx.post(f"{url}/missing", json={"sha256": [digest]}, headers=desk.headers()).json()["missing"] == [digest]
    assert httpx.put(f"{url}/{digest}", content=content, headers=desk.headers()).status_code == 201
    assert httpx.put(f"{url}/{digest}", content=content, headers=desk.headers()).status_code == 201
    assert httpx.post(f"{url}/missing", json={"sha256": [digest, other]},
                      headers=desk.headers()).json()["missing"] == [other]
    got = http_client().get(f"{url}/{digest}", headers=desk.headers())
    assert got.status_code == 200 and got.content == content
    stranger = any_server.desk(association="جمعية أخرى")
    assert httpx.get(f"{url}/{digest}", headers=stranger.headers()).status_code == 404
    bad = http_client().post(f"{url}/missing", json={"sha256": ["xyz"]}, headers=desk.headers())
    assert bad.status_code == 422
