"""Every data file the desk opens at run time is listed in packaging/mustafid.spec (a missing one would fail at an
association, not here): the resource loaders are found by walking the sources, not by a list kept beside them."""

from __future__ import annotations

import ast
import fnmatch
import re
from pathlib import Path

import pytest

import resources

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "mustafid.spec"
PACKAGES = ("db", "desktop", "ui", "resources")

#: ``Path(__file__).resolve().parent[.parent…] / "folder"`` — a folder found next to a module.
_NEXT_TO_MODULE = re.compile(r'Path\(__file__\)\.resolve\(\)((?:\.parent)+)\s*/\s*"([^"]+)"')
#: ``resources.ROOT / "styles" / "desk.qss"`` and ``resources.FONTS``-like constants.
_RESOURCES_PATH = re.compile(r'resources\.([A-Z_]+)((?:\s*/\s*"[^"]+")*)')
#: Other ways of reaching a data file, which this test would have to learn before they are used.
_UNKNOWN_LOADERS = re.compile(r"importlib\.resources|pkgutil\.get_data|pkg_resources|__spec__\.origin")


def _sources() -> list[Path]:
    """The Python sources of the packages frozen into the desk."""
    return [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
            if "__pycache__" not in path.parts]


def spec_data_patterns() -> list[tuple[str, str]]:
    """`DATA_FILES` of the spec: (glob relative to the checkout, folder in the bundle)."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "DATA_FILES" for t in node.targets):
            value = ast.literal_eval(node.value)
            return [(str(pattern), str(folder)) for pattern, folder in value]
    raise AssertionError("packaging/mustafid.spec has no DATA_FILES")


def opened_data_files() -> dict[Path, str]:
    """Every file the sources can open at run time, and the loader that reaches it (file:line)."""
    found: dict[Path, str] = {}

    def add_tree(base: Path, where: str) -> None:
        files = [base] if base.is_file() else [p for p in base.rglob("*") if p.is_file()]
        for path in files:
            if "__pycache__" in path.parts or path.suffix == ".pyc" or path.name == "__init__.py":
                continue
            found.setdefault(path, where)

    for source in _sources():
        text = source.read_text(encoding="utf-8")
        if not any(pattern.search(text) for pattern in (_UNKNOWN_LOADERS, _NEXT_TO_MODULE, _RESOURCES_PATH)):
            continue  # no line of it can match (most files): not read line by line
        for number, line in enumerate(text.splitlines(), start=1):
            where = f"{source.relative_to(ROOT)}:{number}"
            assert not _UNKNOWN_LOADERS.search(line), f"{where}: a resource loader this test does not know"
            for match in _NEXT_TO_MODULE.finditer(line):
                base = source.parent
                for _ in range(match.group(1).count(".parent") - 1):
                    base = base.parent
                target = base / match.group(2)
                if target.exists() and source.name != "bootstrap.py":  # bootstrap: the checkout, not the app
                    add_tree(target, where)
            for match in _RESOURCES_PATH.finditer(line):
                base = getattr(resources, match.group(1), None)
                if not isinstance(base, Path):
                    continue
                parts = re.findall(r'"([^"]+)"', match.group(2))
                target = base.joinpath(*parts)
                assert target.exists(), f"{where}: {target} does not exist"
                add_tree(target, where)
    # The resources package's own folders (fonts, policies, styles, icons, translations): all of it is data.
    add_tree(resources.ROOT, "resources/__init__.py")
    return found


def test_the_loaders_are_found() -> None:
    """The walk finds the fonts, the policies, the style sheet and both sets of migrations (it reads the code)."""
    names = {str(path.relative_to(ROOT)) for path in opened_data_files()}
    assert "resources/fonts/Amiri-Regular.ttf" in names
    assert "resources/fonts/IBMPlexSansArabic-Regular.ttf" in names
    assert "resources/styles/desk.qss" in names
    assert "resources/policies/qader-tabuk.toml" in names
    assert "db/migrations/env.py" in names and "db/migrations/script.py.mako" in names
    assert "db/migrations/versions/0001_initial.py" in names
    assert "desktop/server/migrations/env.py" in names


def test_every_opened_file_is_listed_in_the_spec() -> None:
    """Each such file matches a glob of the spec's DATA_FILES, and lands in the bundle where the code looks."""
    patterns = spec_data_patterns()
    missing, misplaced = [], []
    for path, where in sorted(opened_data_files().items()):
        relative = path.relative_to(ROOT).as_posix()
        matches = [folder for pattern, folder in patterns if fnmatch.fnmatch(relative, pattern)]
        if not matches:
            missing.append(f"{relative} (opened by {where})")
        elif Path(relative).parent.as_posix() not in matches:
            misplaced.append(f"{relative} → {matches}")
    assert missing == [], "not in packaging/mustafid.spec: " + "; ".join(missing)
    assert misplaced == []


@pytest.mark.parametrize("pattern", [pattern for pattern, _ in spec_data_patterns()])
def test_spec_patterns_are_not_stale(pattern: str) -> None:
    """A glob of the spec names a real folder of the checkout (a moved folder is not silently left out)."""
    assert (ROOT / pattern).parent.is_dir() or pattern.startswith(("resources/icons", "resources/i18n")), pattern
