"""Windows DPAPI for the desk's secrets on disk (the sync credential, the keystore): sealed for this Windows user.

`protect`/`unprotect` call ``CryptProtectData``/``CryptUnprotectData`` through ctypes (no UI, no extra
entropy): another Windows account on the PC, or the file copied to another PC, cannot unseal it. Windows only;
elsewhere the files are owner-only (0600) and these functions are not called.
"""

from __future__ import annotations

__all__ = ["protect", "unprotect"]

_UI_FORBIDDEN = 0x1  # CRYPTPROTECT_UI_FORBIDDEN


def protect(data: bytes) -> bytes:  # pragma: no cover - Windows only
    """`data` sealed by DPAPI for the current Windows user."""
    return _call(data, protect=True)


def unprotect(data: bytes) -> bytes:  # pragma: no cover - Windows only
    """The bytes `protect` sealed (OSError for another user's or another PC's)."""
    return _call(data, protect=False)


def _call(data: bytes, *, protect: bool) -> bytes:  # pragma: no cover - Windows only
    import ctypes
    from ctypes import wintypes

    class Blob(ctypes.Structure):
        _fields_ = [("cbData", wintypes.DWORD), ("pbData", ctypes.POINTER(ctypes.c_char))]

    buffer = ctypes.create_string_buffer(data, len(data))
    source = Blob(len(data), ctypes.cast(buffer, ctypes.POINTER(ctypes.c_char)))
    target = Blob()
    crypt32 = ctypes.windll.crypt32  # type: ignore[attr-defined]
    function = crypt32.CryptProtectData if protect else crypt32.CryptUnprotectData
    if not function(ctypes.byref(source), None, None, None, None, _UI_FORBIDDEN, ctypes.byref(target)):
        raise OSError("DPAPI failed")
    try:
        return ctypes.string_at(target.pbData, target.cbData)
    finally:
        ctypes.windll.kernel32.LocalFree(target.pbData)  # type: ignore[attr-defined]
