"""Build the frozen desk (packaging/mustafid.spec) once for a set of inputs, for the smoke test and the benchmark.

The build goes to a cache outside the checkout (``$MUSTAFID_FROZEN_CACHE``, else ``~/.cache/mustafid-desk/frozen``)
under the SHA-256 of everything it is made of: the sources and data files of db/, desktop/, ui/, resources/ and
packaging/, pyproject.toml, the interpreter and the installed packages' versions. A fresh machine (an empty cache)
builds it; a second run of the suite with nothing changed finds it. Two pytest workers asking at once: one builds
under a file lock, the other waits for it. Only the newest few builds are kept.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "mustafid.spec"
#: Folders whose files go into the bundle (the sources PyInstaller freezes, the data the spec lists).
INPUT_FOLDERS = ("db", "desktop", "ui", "resources", "packaging")
#: Builds kept in the cache (older ones are removed after a build).
KEPT_BUILDS = 3
#: The folder of the one-folder build inside a cache entry.
BUNDLE_NAME = "mustafid"


def cache_root() -> Path:
    """Where builds are kept between runs."""
    configured = os.environ.get("MUSTAFID_FROZEN_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "mustafid-desk" / "frozen"


def inputs_hash() -> str:
    """SHA-256 of what the build is made of (see the module's docstring)."""
    digest = hashlib.sha256()
    for folder in INPUT_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update((ROOT / "pyproject.toml").read_bytes())
    digest.update(sys.executable.encode() + sys.version.encode())
    packages = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in metadata.distributions())
    digest.update("\n".join(packages).encode())
    return digest.hexdigest()[:24]


class BuildFailed(RuntimeError):
    """PyInstaller did not produce the bundle; the message ends with its log."""


def _prune(root: Path, keep: str) -> None:
    """Remove all but the newest `KEPT_BUILDS` builds (never `keep`)."""
    builds = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in builds[KEPT_BUILDS:]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)


def build(destination: Path) -> float:
    """Run PyInstaller on the spec into `destination` (``destination/mustafid``); return the seconds it took."""
    work = destination.parent / f".work-{destination.name}"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(destination), "--workpath", str(work), str(SPEC)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    shutil.rmtree(work, ignore_errors=True)
    if done.returncode != 0 or not (destination / BUNDLE_NAME).is_dir():
        shutil.rmtree(destination, ignore_errors=True)
        raise BuildFailed(f"PyInstaller exit {done.returncode}\n{done.stdout[-4000:]}\n{done.stderr[-8000:]}")
    return time.perf_counter() - started


def frozen_bundle() -> Path:
    """The one-folder build for the current inputs (``…/mustafid`` with both programs), built if missing."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    key = inputs_hash()
    entry = root / key
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker waits here while one builds
        if not (entry / BUNDLE_NAME / "mustafid-admin").exists():
            partial = root / f".partial-{key}"
            shutil.rmtree(partial, ignore_errors=True)
            build(partial)
            partial.rename(entry)
            _prune(root, key)
        os.utime(entry)
    return entry / BUNDLE_NAME


def folder_size(folder: Path) -> int:
    """Bytes of every file under `folder`."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())
