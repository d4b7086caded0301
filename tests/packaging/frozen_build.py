"""Build the frozen desk (packaging/mustafid.spec) once for a set of inputs, for the smoke test and the benchmark.

PyInstaller's build (its analysis is the minute) goes to a cache outside the checkout (``$MUSTAFID_FROZEN_CACHE``,
else ``~/.cache/mustafid-desk/frozen``) under the SHA-256 of what it depends on (`analysis_key`): packaging/ (the
spec, the entry scripts, packaging/desk_layer.py), pyproject.toml's settings, the base interpreter, the installed
packages' versions and the modules the desk's code imports from elsewhere. The desk's own code and data files are not in
PyInstaller's analysis (see packaging/desk_layer.py): the tested bundle is that build with its desk layer laid
afresh by the spec's own function and DATA_FILES (`inputs_hash` adds the layer's files to the key), files of the
build linked, not copied. A fresh machine (an empty cache) builds; a change to the desk's code only lays the layer
again (seconds). Two pytest workers asking at once: one builds under a file lock, the other waits for it. Only
the newest few of each are kept.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from importlib import metadata
from pathlib import Path
from types import ModuleType

from tests.sources import collector_paused

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "mustafid.spec"
#: Folders PyInstaller's analysis depends on as files (the desk's own packages are laid, see `lay_desk`).
ANALYSIS_FOLDERS = ("packaging",)
#: Builds kept in the cache (older ones are removed after a build).
KEPT_BUILDS = 3
#: Seconds since a build was last used before it may be removed: never under a suite still running on it (several
#: checkouts on one machine share the cache; each use touches its build).
KEPT_SECONDS = 2 * 3600
#: The folder of the one-folder build inside a cache entry.
BUNDLE_NAME = "mustafid"


def cache_root() -> Path:
    """Where builds are kept between runs."""
    configured = os.environ.get("MUSTAFID_FROZEN_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "mustafid-desk" / "frozen"


@functools.cache
def desk_layer() -> ModuleType:
    """packaging/desk_layer.py, loaded by its path as the spec loads it (once per process)."""
    spec = importlib.util.spec_from_file_location("mustafid_desk_layer", ROOT / "packaging" / "desk_layer.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _hash_files(digest: "hashlib._Hash", folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())


def analysis_key() -> str:
    """SHA-256 of what PyInstaller's build depends on (see the module's docstring), not the desk's own files."""
    layer = desk_layer()
    digest = hashlib.sha256()
    for folder in ANALYSIS_FOLDERS:
        _hash_files(digest, ROOT / folder)
    # pyproject's settings as parsed, not its bytes: a comment or a layout change is no new input of the build.
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    digest.update(json.dumps(settings, sort_keys=True, ensure_ascii=False).encode())
    # The base interpreter and the packages' versions, not the venv's path: a fresh clone's new venv with the same
    # lock finds the build another clone made.
    digest.update(sys.base_prefix.encode() + sys.version.encode())
    packages = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in metadata.distributions())
    digest.update("\n".join(packages).encode())
    digest.update("\n".join(_outside_imports(layer, packages)).encode())
    return "analysis-" + digest.hexdigest()[:24]


def _outside_imports(layer: ModuleType, packages: list[str]) -> list[str]:
    """`layer.outside_imports()`, remembered in the cache (``.outside-imports/``) under the SHA-256 of all it reads:
    the layer's code (packaging/desk_layer.py), the desk's Python files (paths and contents), and what decides
    whether a dotted name is a module (the interpreter, ``sys.path``, the installed `packages`). Computing it parses
    every file of the desk and imports the packages it names (a second of CPU in each worker that builds the desk);
    a fresh cache, or any change to those inputs, computes it again."""
    digest = hashlib.sha256((ROOT / "packaging" / "desk_layer.py").read_bytes())
    for folder in layer.PACKAGES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    digest.update("\0".join([sys.executable, sys.version, *sys.path, *packages]).encode())
    memo = cache_root() / ".outside-imports" / digest.hexdigest()[:32]
    if memo.is_file():
        os.utime(memo)
        return memo.read_text(encoding="utf-8").splitlines()
    with collector_paused():  # it parses every file of the desk: see tests.sources
        names: list[str] = layer.outside_imports()
    memo.parent.mkdir(parents=True, exist_ok=True)
    partial = memo.with_name(f".{memo.name}.{os.getpid()}")
    partial.write_text("\n".join(names), encoding="utf-8")
    os.replace(partial, memo)  # whole or absent: another worker may be reading it
    for old in memo.parent.iterdir():
        if time.time() - old.stat().st_mtime > 7 * 24 * 3600:
            old.unlink(missing_ok=True)
    return names


def inputs_hash(analysis: str | None = None) -> str:
    """SHA-256 of everything the tested bundle is made of: the analysis' key (`analysis`, computed when not given)
    and the desk's own packages, code and data."""
    digest = hashlib.sha256((analysis or analysis_key()).encode())
    for folder in desk_layer().PACKAGES:
        _hash_files(digest, ROOT / folder)
    return digest.hexdigest()[:24]


class BuildFailed(RuntimeError):
    """PyInstaller did not produce the bundle; the message ends with its log."""


def _prune(root: Path, keep: set[str]) -> None:
    """Remove all but the newest `KEPT_BUILDS` PyInstaller builds and as many bundles laid from them (never `keep`,
    nor one used in the last `KEPT_SECONDS`); a bundle's linked files outlive a removed build."""
    for analysed in (True, False):
        builds = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
                         and p.name.startswith("analysis-") == analysed),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        for old in builds[KEPT_BUILDS:]:
            if old.name not in keep and time.time() - old.stat().st_mtime > KEPT_SECONDS:
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


def lay_desk(analysed: Path, destination: Path) -> None:
    """Make `destination` the one-folder bundle of this checkout from PyInstaller's `analysed` one: its files
    linked, except the desk's layer (``_internal/db``, ``desktop``, ``ui``, ``resources``), laid afresh as the spec
    lays it: the packages compiled by `desk_layer.compiled_modules` and the spec's DATA_FILES."""
    from tests.packaging.test_spec import spec_data_patterns

    layer = desk_layer()
    own = set(layer.PACKAGES)
    top = analysed / "_internal"

    def leave_out(folder: str, names: list[str]) -> list[str]:
        return [name for name in names if name in own] if Path(folder) == top else []

    shutil.copytree(analysed, destination, symlinks=True, copy_function=os.link, ignore=leave_out)
    work = destination.parent / f".layer-{destination.name}"
    pairs: list[tuple[str, str]] = layer.compiled_modules(work)
    for pattern, folder in spec_data_patterns():
        pairs += [(str(path), folder) for path in sorted(ROOT.glob(pattern))]
    for source, folder in pairs:
        if folder.split("/", 1)[0] not in own:
            raise BuildFailed(f"{source} goes to {folder}, outside the desk's layer {sorted(own)}")
        (destination / "_internal" / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination / "_internal" / folder)
    shutil.rmtree(work)


def frozen_bundle() -> Path:
    """The one-folder bundle for the current inputs (``…/mustafid`` with both programs): PyInstaller's build for
    the analysis key (built if missing) with this checkout's desk layer laid in (`lay_desk`)."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    analysis = analysis_key()
    key = inputs_hash(analysis)
    entry, analysed = root / key, root / analysis
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker waits here while one builds
        if not (entry / BUNDLE_NAME / "mustafid-admin").exists():
            if not (analysed / BUNDLE_NAME / "mustafid-admin").exists():
                partial = root / f".partial-{analysis}"
                shutil.rmtree(partial, ignore_errors=True)
                build(partial)
                partial.rename(analysed)
            partial = root / f".partial-{key}"
            shutil.rmtree(partial, ignore_errors=True)
            lay_desk(analysed / BUNDLE_NAME, partial / BUNDLE_NAME)
            partial.rename(entry)
            _prune(root, {key, analysis})
        os.utime(entry)
        if analysed.exists():  # kept while bundles are laid from it
            os.utime(analysed)
    return entry / BUNDLE_NAME


def folder_size(folder: Path) -> int:
    """Bytes of every file under `folder`."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())
