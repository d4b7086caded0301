"""The desk's keys and the keystore that keeps them wrapped (issue 14): the database opens only for its staff.

Decisions recorded here:

* Two random 256-bit keys per desk (`DeskKeys`): the **data key** SQLCipher opens the database with (a raw
  key, `db.engine`) and the **attachment key** the scans and PDFs are sealed with (`desktop.attachments`).
  They exist in clear only in memory, from a sign-in to the sign-out (the idle lock keeps them: sync goes on).
* The keystore, ``<data dir>/keystore.json``, holds them only *wrapped*: AES-256-GCM under a key derived from
  a secret with Argon2id (argon2-cffi's ``hash_secret_raw``, its salt and cost stored beside it); once per
  staff account (from that account's password) and once for the **recovery key** shown once at setup, to be
  printed and kept sealed. The authenticated data of each wrap names its slot, so a wrap cannot be moved to
  another login. A wrong password fails the GCM tag: that is also the offline check of a sign-in before the
  database is open. The keystore holds no name, ID or password hash: logins and account ids only.
* The file is owner-only (0600, written atomically) and, on Windows, additionally sealed with DPAPI
  (``CryptProtectData`` for the current Windows user, via ctypes): another Windows account on the PC, or the
  file copied elsewhere, reads nothing. DPAPI is coded for Windows and exercised only there.
* An administrator signed in wraps the keys for a new account or a new password (`DeskKeyring`, called by
  `desktop.staff.StaffService`); a disabled account's wrap is removed (a password then sets a new one).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop import dpapi
from desktop.errors import InputError

__all__ = [
    "KEYSTORE_FILE",
    "DeskKeyring",
    "DeskKeys",
    "KdfCost",
    "Keystore",
    "KeystoreError",
    "SIGN_IN_REFUSED",
    "format_recovery_key",
    "keystore_path",
]

KEYSTORE_FILE = "keystore.json"
_FORMAT = 1
_KEY_BYTES = 32
_NONCE_BYTES = 12
_SALT_BYTES = 16
_RECOVERY_BYTES = 25  # 200 bits: 40 base32 characters, printed in eight groups of five
_DPAPI_MAGIC = b"MUSTAFID-DPAPI-1\n"

#: The one refusal of a wrong login or password (`desktop.staff` says it with these words too).
SIGN_IN_REFUSED = "تعذّر الدخول: تحقّق من اسم الدخول وكلمة المرور، أو راجع مسؤول النظام"
WRONG_RECOVERY_KEY = "مفتاح الاسترداد غير صحيح: تحقق منه كما طُبع عند الإعداد"


class KeystoreError(InputError):
    """The keystore refused (a wrong password or recovery key) or cannot be read; Arabic for the desk."""


@dataclass(frozen=True)
class KdfCost:
    """Argon2id's cost for deriving a wrapping key: passes, memory in KiB, lanes."""

    time_cost: int = 2
    memory_kib: int = 65536
    parallelism: int = 1


@dataclass(frozen=True, repr=False)
class DeskKeys:
    """The desk's two secrets in memory: the database's data key and the attachments' key (32 bytes each)."""

    database: bytes
    attachments: bytes

    @classmethod
    def generate(cls) -> DeskKeys:
        """Two fresh random 256-bit keys."""
        return cls(secrets.token_bytes(_KEY_BYTES), secrets.token_bytes(_KEY_BYTES))

    def packed(self) -> bytes:
        """Both keys as the 64 bytes a wrap protects."""
        return self.database + self.attachments

    @classmethod
    def unpacked(cls, data: bytes) -> DeskKeys:
        """The keys from `packed`'s 64 bytes."""
        if len(data) != 2 * _KEY_BYTES:
            raise KeystoreError("ملف مفاتيح التشفير تالف: استعمل مفتاح الاسترداد أو آخر نسخة احتياطية")
        return cls(data[:_KEY_BYTES], data[_KEY_BYTES:])

    def __repr__(self) -> str:
        return "DeskKeys(…)"  # never the keys themselves, in a log or a traceback


def keystore_path(data_dir: Path) -> Path:
    """Where the keystore of the desk in `data_dir` lives."""
    return Path(data_dir) / KEYSTORE_FILE


def format_recovery_key(raw: bytes) -> str:
    """The recovery key as printed: base32, eight groups of five separated by hyphens."""
    text = base64.b32encode(raw).decode("ascii")
    return "-".join(text[i:i + 5] for i in range(0, len(text), 5))


def _recovery_secret(typed: str) -> str:
    """The recovery key as typed, normalised (case, spaces and hyphens do not matter)."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def _derive(secret: str, salt: bytes, cost: KdfCost) -> bytes:
    """The 256-bit wrapping key derived from `secret` with Argon2id."""
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(secret.encode("utf-8"), salt, time_cost=cost.time_cost, memory_cost=cost.memory_kib,
                           parallelism=cost.parallelism, hash_len=_KEY_BYTES, type=Type.ID)


def _slot_label(slot: str) -> bytes:
    return f"mustafid-keystore/{_FORMAT}/{slot}".encode()


def _wrap(keys: DeskKeys, secret: str, slot: str, cost: KdfCost) -> dict[str, Any]:
    """One wrap of the keys under `secret` (Argon2id → AES-256-GCM), bound to its slot."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt = secrets.token_bytes(_SALT_BYTES)
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = AESGCM(_derive(secret, salt, cost)).encrypt(nonce, keys.packed(), _slot_label(slot))
    return {"kdf": "argon2id", "time_cost": cost.time_cost, "memory_kib": cost.memory_kib,
            "parallelism": cost.parallelism, "salt": _b64(salt), "nonce": _b64(nonce), "wrapped": _b64(sealed)}


def _unwrap(entry: dict[str, Any], secret: str, slot: str) -> DeskKeys | None:
    """The keys of one wrap, or None when `secret` is not the one it was wrapped under."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        cost = KdfCost(int(entry["time_cost"]), int(entry["memory_kib"]), int(entry["parallelism"]))
        salt, nonce, sealed = _unb64(entry["salt"]), _unb64(entry["nonce"]), _unb64(entry["wrapped"])
    except (KeyError, TypeError, ValueError) as exc:
        raise KeystoreError("ملف مفاتيح التشفير تالف: استعمل مفتاح الاسترداد أو آخر نسخة احتياطية") from exc
    try:
        packed = AESGCM(_derive(secret, salt, cost)).decrypt(nonce, sealed, _slot_label(slot))
    except InvalidTag:
        return None
    return DeskKeys.unpacked(packed)


class Keystore:
    """The wrapped keys of one desk, as read from (and written to) its keystore file."""

    def __init__(self, path: Path, content: dict[str, Any]) -> None:
        self.path = Path(path)
        self._content = content

    # ------------------------------------------------------------------ the file

    @classmethod
    def load(cls, data_dir: Path) -> Keystore | None:
        """The keystore of the desk in `data_dir`, or None when the desk has none (a plaintext desk)."""
        path = keystore_path(data_dir)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise KeystoreError("تعذرت قراءة ملف مفاتيح التشفير: تحقق من صلاحيات مجلد البيانات") from exc
        try:
            content = json.loads(_platform_unseal(raw).decode("utf-8"))
            if not isinstance(content, dict) or content.get("format") != _FORMAT:
                raise ValueError("unknown keystore format")
        except (ValueError, OSError) as exc:
            raise KeystoreError("ملف مفاتيح التشفير تالف أو من جهاز آخر: استعمل مفتاح الاسترداد") from exc
        return cls(path, content)

    @classmethod
    def create(cls, data_dir: Path, keys: DeskKeys, *, cost: KdfCost | None = None) -> tuple[Keystore, str]:
        """A new keystore for `keys` with its recovery wrap; returns it and the recovery key to print once."""
        raw = secrets.token_bytes(_RECOVERY_BYTES)
        recovery = format_recovery_key(raw)
        chosen = cost or KdfCost()
        content: dict[str, Any] = {
            "format": _FORMAT,
            "cipher": "sqlcipher4-raw-key+aes-256-gcm",
            "accounts": {},
            "recovery": _wrap(keys, _recovery_secret(recovery), "recovery", chosen),
        }
        store = cls(keystore_path(data_dir), content)
        store._save()
        return store, recovery

    def _save(self) -> None:
        """Write the keystore whole or not at all, owner-only (and sealed with DPAPI on Windows)."""
        data = _platform_seal(json.dumps(self._content, ensure_ascii=False, indent=1).encode("utf-8"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".keystore-", dir=self.path.parent)  # mkstemp: mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    # ------------------------------------------------------------------ reading

    def logins(self) -> list[str]:
        """The logins whose password opens this desk's keys."""
        return sorted(self._accounts())

    def has(self, login: str) -> bool:
        """True when `login` has a wrap here."""
        return login in self._accounts()

    def _accounts(self) -> dict[str, Any]:
        accounts = self._content.setdefault("accounts", {})
        assert isinstance(accounts, dict)
        return accounts

    def unlock(self, login: str, password: str) -> DeskKeys:
        """The desk's keys opened with this account's password; `KeystoreError` (Arabic) otherwise."""
        entry = self._accounts().get(login)
        if not isinstance(entry, dict):
            # Derive anyway: a login without a wrap takes as long to refuse as a wrong password.
            _derive(password or "", secrets.token_bytes(_SALT_BYTES), KdfCost())
            raise KeystoreError(SIGN_IN_REFUSED, field="password")
        keys = _unwrap(entry, password or "", f"account/{login}")
        if keys is None:
            raise KeystoreError(SIGN_IN_REFUSED, field="password")
        return keys

    def opens(self, login: str, password: str) -> bool:
        """True when `password` opens this account's wrap (one Argon2id derivation; False without a wrap)."""
        entry = self._accounts().get(login)
        return isinstance(entry, dict) and _unwrap(entry, password or "", f"account/{login}") is not None

    def unlock_with_recovery(self, recovery_key: str) -> DeskKeys:
        """The desk's keys opened with the recovery key printed at setup; `KeystoreError` otherwise."""
        entry = self._content.get("recovery")
        keys = _unwrap(entry, _recovery_secret(recovery_key), "recovery") if isinstance(entry, dict) else None
        if keys is None:
            raise KeystoreError(WRONG_RECOVERY_KEY, field="recovery_key")
        return keys

    # ------------------------------------------------------------------ changing

    def wrap_for(self, keys: DeskKeys, login: str, account_id: str, password: str, *,
                 cost: KdfCost | None = None) -> None:
        """Wrap `keys` for an account under its password (replacing an older wrap) and save."""
        entry = _wrap(keys, password, f"account/{login}", cost or KdfCost())
        entry["account_id"] = account_id
        self._accounts()[login] = entry
        self._save()

    def forget(self, login: str) -> bool:
        """Remove an account's wrap (a disabled account); True when there was one."""
        if self._accounts().pop(login, None) is None:
            return False
        self._save()
        return True

    def replace_recovery(self, keys: DeskKeys, *, cost: KdfCost | None = None) -> str:
        """A new recovery key (the old one stops working); returns it, to print once."""
        recovery = format_recovery_key(secrets.token_bytes(_RECOVERY_BYTES))
        self._content["recovery"] = _wrap(keys, _recovery_secret(recovery), "recovery", cost or KdfCost())
        self._save()
        return recovery


class DeskKeyring:
    """The keys of an unlocked desk with its keystore: what `desktop.staff.StaffService` rewraps through."""

    def __init__(self, keystore: Keystore, keys: DeskKeys, cost: KdfCost | None = None) -> None:
        self.keystore = keystore
        self.keys = keys
        self.cost = cost or KdfCost()

    def wrap_for(self, login: str, account_id: str, password: str) -> None:
        """Let this account's password open the desk (a new account or a changed password)."""
        self.keystore.wrap_for(self.keys, login, account_id, password, cost=self.cost)

    def forget(self, login: str) -> None:
        """This account's password no longer opens the desk (disabled)."""
        self.keystore.forget(login)


# ---------------------------------------------------------------------- the platform's protection


def _platform_seal(data: bytes) -> bytes:
    """On Windows the keystore's bytes sealed with DPAPI for this Windows user; elsewhere as they are."""
    if sys.platform == "win32":  # pragma: no cover - runs on Windows only
        return _DPAPI_MAGIC + dpapi.protect(data)
    return data


def _platform_unseal(data: bytes) -> bytes:
    """The keystore's bytes, unsealed with DPAPI when they were sealed on Windows."""
    if data.startswith(_DPAPI_MAGIC):
        if sys.platform != "win32":
            raise ValueError("a keystore sealed by Windows DPAPI cannot be read on another system")
        return dpapi.unprotect(data[len(_DPAPI_MAGIC):])  # pragma: no cover - Windows only
    return data
