"""The README's two commands: set up this checkout (system libraries, venv, packages), then run the app or the tests.

Usage, from the root of a checkout, with any Python 3.11+ (standard library only, nothing installed yet):

    python3 -m desktop.bootstrap run  [--data-dir DIR]     # opens the application
    python3 -m desktop.bootstrap test [pytest arguments]  # runs the whole test suite (``-n 4`` unless told)

The virtual environment lives in ``.venv`` beside ``pyproject.toml``; it is (re)installed only when
``pyproject.toml`` or the lock changed since the last install, so a second run starts at once. The packages come
from ``requirements/dev.lock`` (the exact versions the suite passed with, see ``packaging/lock.py``), then the
project itself with ``--no-deps``. They are installed by uv (``requirements/bootstrap.lock`` pins it and pip), which
the venv's own pip puts in first: uv downloads and unpacks in parallel and installed the lock in ~3 s where pip took
~16 s, a tenth of a fresh clone's whole test run. Where uv cannot be installed (no wheel for the platform) or cannot
install (it reads none of pip's settings: a mirror, a proxy's certificate), pip installs the same files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".mustafid-installed"
#: The exact versions the README's commands install (the desk, the server and the test tools).
LOCK = ROOT / "requirements" / "dev.lock"
#: The installers' own versions: uv, which installs the locks, and the pip left in the venv (`packaging/lock.py`).
BOOTSTRAP_LOCK = ROOT / "requirements" / "bootstrap.lock"

# Debian packages the application needs at run time: Qt's shared libraries (offscreen and X11/xcb platforms),
# fontconfig, and the system Amiri font (the app bundles its own copy; this one serves other programs too).
RUN_PACKAGES = [
    "libgl1", "libegl1", "libopengl0", "libxkbcommon0", "libxkbcommon-x11-0", "libfontconfig1", "libfreetype6",
    "libglib2.0-0", "libdbus-1-3", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-shape0",
    "libxcb-randr0", "libxcb-render-util0", "libxcb-image0", "libxcb-xinerama0", "libxcb-xkb1", "libx11-xcb1",
    "fonts-hosny-amiri",
]
# ... and what the tests use besides: PDF checks (pdftotext/pdftoppm, qpdf) and a real PostgreSQL for sync tests.
TEST_PACKAGES = ["poppler-utils", "qpdf", "postgresql"]


def _say(message: str) -> None:
    """Print one progress line on stderr (stdout stays the program's own)."""
    print(f"[mustafid] {message}", file=sys.stderr, flush=True)


def _missing_debian_packages(packages: list[str]) -> list[str]:
    """Return the packages dpkg does not report as installed."""
    if shutil.which("dpkg-query") is None:
        return []
    missing = []
    for name in packages:
        done = subprocess.run(
            ["dpkg-query", "-W", "-f=${db:Status-Status}", name],
            capture_output=True, text=True, check=False,
        )
        if done.stdout.strip() != "installed":
            missing.append(name)
    return missing


def ensure_system_packages(packages: list[str]) -> None:
    """Install missing Debian packages with apt-get when running as root; otherwise say what to install."""
    if not sys.platform.startswith("linux") or shutil.which("apt-get") is None:
        return
    missing = _missing_debian_packages(packages)
    if not missing:
        return
    if os.geteuid() != 0:
        _say("missing system packages; install them with: sudo apt-get install -y " + " ".join(missing))
        raise SystemExit(1)
    _say("installing system packages: " + " ".join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=True, env=env)


def venv_python() -> Path:
    """Path of the virtual environment's interpreter."""
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _pyproject_hash() -> str:
    """Hash of pyproject.toml and the locks: a changed file means the packages are installed again."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    for lock in (LOCK, BOOTSTRAP_LOCK):
        if lock.is_file():
            digest.update(lock.read_bytes())
    return digest.hexdigest()


def _pinned(name: str) -> str:
    """The requirement ``name==version`` as `BOOTSTRAP_LOCK` pins it."""
    for line in BOOTSTRAP_LOCK.read_text(encoding="utf-8").splitlines():
        if line.split("==", 1)[0].strip().lower() == name:
            return line.strip()
    raise LookupError(f"{name} is not pinned in {BOOTSTRAP_LOCK}")


def install_commands(python: Path, installer: str = "uv") -> list[list[str]]:
    """The commands that install this checkout: the lock's exact versions (and the pinned pip), then the project
    without deps; by uv (run as ``python -m uv`` for the venv's interpreter), or by pip when `installer` is "pip".
    Both leave the packages compiled (pip does by default; uv is asked to), so the tests' four workers do not each
    compile the same modules at their first import.

    Without a lock (a tree that lost it) the project is installed with its test extra as pyproject.toml says.
    """
    if installer == "uv":
        tool = [str(python), "-m", "uv", "pip", "install", "-q", "--compile-bytecode", "--python", str(python)]
    else:
        tool = [str(python), "-m", "pip", "install", "-q"]
    if LOCK.is_file():
        return [[*tool, _pinned("pip"), "-r", str(LOCK)], [*tool, "--no-deps", "-e", str(ROOT)]]
    return [[*tool, "-e", f"{ROOT}[test]"]]


def _install_uv(python: Path) -> bool:
    """Put the pinned uv in the venv with the venv's own pip; False (pip will install) when that fails."""
    return subprocess.run([str(python), "-m", "pip", "install", "-q", _pinned("uv")], check=False).returncode == 0


def _ran(commands: list[list[str]]) -> bool:
    """Run the commands in order until one fails; True when all succeeded."""
    return all(subprocess.run(command, check=False).returncode == 0 for command in commands)


def ensure_venv() -> Path:
    """Create .venv and install the project with its test extra when needed; return its python."""
    python = venv_python()
    if not python.exists():
        _say(f"creating the virtual environment in {VENV}")
        try:
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        except subprocess.CalledProcessError:
            # Debian's own python3 ships venv without ensurepip until python3-venv is installed.
            shutil.rmtree(VENV, ignore_errors=True)
            minor = f"python3.{sys.version_info.minor}-venv"
            ensure_system_packages(["python3-venv", minor])
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    wanted = _pyproject_hash()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        _say("installing Python packages (requirements/dev.lock, then the project with --no-deps)")
        if not (_install_uv(python) and _ran(install_commands(python, "uv"))):
            # uv reads none of pip's settings (an index mirror, a proxy's certificate): where it cannot install
            # what pip can, pip does it.
            _say("pip installs the packages (uv could not)")
            for command in install_commands(python, "pip"):
                subprocess.run(command, check=True)
        STAMP.write_text(wanted)
    return python


#: Test worker processes (pytest-xdist) when the caller does not choose. The machine the suite is sized for has 2 cores;
#: a worker often waits on the server, PostgreSQL or a desk process it started. Measured on it (whole suite, same
#: code): two workers left the cores idle a fifth of the run; three ~135 s (idle 5 %); four 126-127 s (idle 1.7 %);
#: five 130 s.
TEST_WORKERS = 4


def _chooses_workers(args: list[str]) -> bool:
    """True when pytest arguments already say how to distribute (``-n``, ``--numprocesses``, ``-p no:xdist``)."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg.startswith(("-n", "--numprocesses")):
            return True
        if arg == "-p" and index + 1 < len(args) and args[index + 1] == "no:xdist":
            return True
        if arg == "-pno:xdist":
            return True
    return False


def pytest_arguments(args: list[str]) -> list[str]:
    """The arguments for pytest: the caller's, with ``-n 4`` (`TEST_WORKERS`) in front unless they chose otherwise."""
    if _chooses_workers(args):
        return list(args)
    return ["-n", str(TEST_WORKERS), *args]


def suite_environment(environ: dict[str, str]) -> dict[str, str]:
    """The environment the test suite runs in: `environ` with Qt offscreen and compiled modules kept.

    The tests start the desk, its commands and the sync server as processes about a hundred times; with compiled
    modules kept (in the ignored __pycache__ folders) only the first compiles the desk's code. Container images
    often set PYTHONDONTWRITEBYTECODE, which would have every one of them compile it again.
    """
    env = dict(environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _exec(argv: list[str], env: dict[str, str]) -> int:
    """Run a command in the checkout and return its exit code."""
    return subprocess.run(argv, cwd=ROOT, env=env, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    """Entry point: `run` opens the application, `test` runs the whole test suite."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in {"run", "test"}:
        print(__doc__, file=sys.stderr)
        return 2
    if sys.version_info < (3, 11):
        _say("Python 3.11 or newer is needed")
        return 1
    command, rest = args[0], args[1:]
    packages = RUN_PACKAGES + (TEST_PACKAGES if command == "test" else [])
    ensure_system_packages(packages)
    python = ensure_venv()
    env = dict(os.environ)
    if command == "run":
        return _exec([str(python), "-m", "desktop", *rest], env)
    return _exec([str(python), "-m", "pytest", *pytest_arguments(rest)], suite_environment(env))


if __name__ == "__main__":
    raise SystemExit(main())
