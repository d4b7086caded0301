"""The Windows installer script and the workflow that builds it (neither can run here: no Windows, no Inno Setup).
Checked: the workflow is valid YAML of the shape GitHub Actions reads and names files that exist; the installer
script says what an association's IT volunteer expects (per-user by default, Arabic, shortcuts in Arabic, the
.toml association the desk's command line accepts, data kept on uninstall, optional signing)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ui.app import parse_arguments

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "windows.yml"
ISS = ROOT / "packaging" / "windows" / "mustafid.iss"


def _workflow() -> dict[object, object]:
    return dict(yaml.safe_load(WORKFLOW.read_text(encoding="utf-8")))


def _iss() -> str:
    return ISS.read_text(encoding="utf-8-sig")


def _section(name: str) -> list[str]:
    """The non-comment lines of one [Section] of the script."""
    text = _iss()
    match = re.search(rf"^\[{name}\]\r?\n(.*?)(?=^\[|\Z)", text, re.M | re.S)
    assert match is not None, name
    return [line for line in match.group(1).splitlines() if line.strip() and not line.startswith(";")]


def test_the_workflow_is_a_windows_job_of_valid_steps() -> None:
    """One job on windows-latest; every step either uses an action or runs a script; triggers as expected."""
    workflow = _workflow()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert isinstance(triggers, dict) and {"push", "pull_request", "workflow_dispatch"} <= set(triggers)
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    job = jobs["installer"]
    assert job["runs-on"] == "windows-latest"
    for step in job["steps"]:
        assert ("uses" in step) != ("run" in step), step
        assert set(step) <= {"name", "uses", "with", "run", "env", "if", "id", "continue-on-error", "shell"}


def test_the_workflow_builds_installs_and_runs_the_installed_copy() -> None:
    """It builds the spec and the script of this checkout, installs silently, runs policy list and a PDF, uploads."""
    text = WORKFLOW.read_text(encoding="utf-8")
    for path in re.findall(r"packaging[/\\][\w/\\.-]+\.(?:spec|iss)", text):
        assert (ROOT / path.replace("\\", "/")).is_file(), path
    for needed in ("PyInstaller", "ISCC", "/VERYSILENT", "policy list", "pdf blank-declaration",
                   "MUSTAFID_STARTUP_PROBE", "upload-artifact", "screenshots/*.png", "requirements/desk.lock",
                   "unins000.exe"):
        assert needed in text, needed


def test_the_installer_is_per_user_by_default_and_arabic() -> None:
    """No administrator needed (machine-wide by choice); Arabic messages, no language question."""
    setup = _section("Setup")
    assert "PrivilegesRequired=lowest" in setup
    assert "PrivilegesRequiredOverridesAllowed=dialog commandline" in setup
    assert r"DefaultDirName={autopf}\MustafidDesk" in setup
    assert "ShowLanguageDialog=no" in setup
    languages = _section("Languages")
    assert len(languages) == 1 and '"arabic"' in languages[0]
    assert '#define ArabicIsl "compiler:Languages\\Arabic.isl"' in _iss()


def test_shortcuts_are_named_in_arabic() -> None:
    """Start menu and desktop shortcuts carry the program's Arabic name."""
    icons = "\n".join(_section("Icons"))
    assert '{group}\\{#AppName}"' in icons and '{autodesktop}\\{#AppName}"' in icons
    assert '#define AppName "مكتب المستفيد"' in _iss()
    tasks = "\n".join(_section("Tasks"))
    assert re.search(r"[\u0600-\u06FF]", tasks)


def test_the_toml_association_calls_an_argument_the_desk_accepts() -> None:
    """«فتح باستخدام» for .toml runs `mustafid.exe --import-policy "%1"`, which the desk's parser reads."""
    registry = "\n".join(_section("Registry"))
    assert r"Software\Classes\.toml\OpenWithProgids" in registry  # listed, never every .toml's default program
    command = re.search(r'--import-policy ""%1""', registry)
    assert command is not None
    arguments, rest = parse_arguments(["--import-policy", r"C:\Users\officer\policy.toml"])
    assert arguments.import_policy is not None and rest == []


def test_uninstall_keeps_the_data_unless_asked_and_upgrades_replace_the_libraries() -> None:
    """The data folder is deleted only on «نعم» (default «لا») or /DELETEDATA; an upgrade clears old libraries."""
    code = _iss().split("[Code]", 1)[1]
    assert "MB_DEFBUTTON2" in code and "/DELETEDATA" in code and "UninstallSilent" in code
    assert r'#define DataDir "{localappdata}\Mustafid\MustafidDesk"' in _iss()
    assert r'Type: filesandordirs; Name: "{app}\_internal"' in _section("InstallDelete")


def test_the_data_folder_is_where_the_desk_keeps_it() -> None:
    """The folder the uninstaller may remove is the desk's own data folder on Windows (platformdirs)."""
    from desktop.startup import APP_AUTHOR, APP_NAME

    assert (APP_AUTHOR, APP_NAME) == ("Mustafid", "MustafidDesk")


def test_signing_is_optional_and_documented() -> None:
    """Signing happens only when defined (SignTool inside #ifdef Sign) and SIGNING.md says how."""
    assert re.search(r"#ifdef Sign\s+SignTool=mustafid\s+SignedUninstaller=yes\s+#endif", _iss())
    signing = (ROOT / "packaging" / "windows" / "SIGNING.md").read_text(encoding="utf-8")
    assert "signtool sign" in signing and "Saudi Arabia" in signing
