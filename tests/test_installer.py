"""The Linux installer, built here with PyInstaller and smoke-tested as IT staff would use it.

One build per test session (about a minute; ``-m "not installer"`` leaves it out while
iterating). Each test unpacks the tarball and runs its ``install.sh`` with a throwaway HOME,
then runs the installed program: ``--version``, ``--self-test`` (offscreen, a throwaway desk),
``init`` and the uninstaller, which must keep the data folder.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from lapor_desktop import __version__
from lapor_desktop.desk import Desk
from lapor_desktop.storage import migrate

ROOT = Path(__file__).resolve().parent.parent
BUILD_SCRIPT = ROOT / "installer" / "build-linux.sh"
NAME = f"lapor-desktop-{__version__}-linux-{platform.machine()}"
EXCLUDED_QT = ("Qt6Qml", "Qt6Quick", "Qt6WebEngine", "Qt63D", "Qt6Multimedia", "Qt6Pdf")
PASSWORD = "Daik-Lingga-2104-uji"

SPEC = ROOT / "installer" / "lapor-desktop.spec"
INNO_SCRIPT = ROOT / "installer" / "windows" / "lapor-desktop.iss"

pytestmark = pytest.mark.timeout(1200)
built = pytest.mark.installer
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux installer")


@dataclass(frozen=True)
class Build:
    tarball: Path
    seconds: float
    output: str


@dataclass(frozen=True)
class Installed:
    home: Path
    program: Path
    """The ``lapor-desktop`` command install.sh put in ~/.local/bin."""
    app: Path

    @property
    def data_folder(self) -> Path:
        return self.home / ".local" / "share" / "lapor-desktop"

    @property
    def desktop_file(self) -> Path:
        return self.home / ".local" / "share" / "applications" / "lapor-desktop.desktop"


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """``installer/build-linux.sh`` as a release is built, into a throwaway folder."""
    work = tmp_path_factory.mktemp("installer-build")
    env = clean_env(work / "home")
    env.update(PYTHON=sys.executable, DIST=str(work / "dist"), WORK=str(work / "work"))
    started = time.monotonic()
    result = subprocess.run(
        ["bash", str(BUILD_SCRIPT)], env=env, capture_output=True, text=True, timeout=1100
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    tarball = work / "dist" / f"{NAME}.tar.gz"
    assert tarball.is_file(), result.stdout
    print(f"\ninstaller build: {seconds:.0f} s, {tarball.stat().st_size / 2**20:.0f} MiB")
    return Build(tarball, seconds, result.stdout)


@pytest.fixture(scope="module")
def unpacked(build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive as IT staff unpack it; install.sh copies from here, so it is shared."""
    folder = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(build.tarball) as archive:
        archive.extractall(folder, filter="tar")
    return folder / NAME


@pytest.fixture
def installed(unpacked: Path, tmp_path: Path) -> Installed:
    home = tmp_path / "home"
    home.mkdir()
    result = run([str(unpacked / "install.sh")], home)
    assert result.returncode == 0, result.stderr
    return Installed(
        home=home,
        program=home / ".local" / "bin" / "lapor-desktop",
        app=home / ".local" / "opt" / "lapor-desktop",
    )


def clean_env(home: Path) -> dict[str, str]:
    """No LAPOR_* setting, no display, and a HOME (and temp folder) of the test's own."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "tmp").mkdir(exist_ok=True)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "TMPDIR": str(home / "tmp"),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
    }


def run(command: list[str], home: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(home) | extra
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@built
@linux
def test_build_ran_the_self_test_of_the_frozen_program(build: Build) -> None:
    # The script stops on a failed self-test; this line shows the frozen catalogue was used.
    assert "/work/dist/lapor-desktop/_internal/lapor_desktop/locale" in build.output


@built
@linux
def test_tarball_holds_the_program_its_data_and_the_scripts(build: Build) -> None:
    with tarfile.open(build.tarball) as archive:
        members = {member.name: member for member in archive.getmembers()}
    internal = f"{NAME}/lapor-desktop/_internal"
    for needed in (
        f"{NAME}/lapor-desktop/lapor-desktop",
        f"{NAME}/install.sh",
        f"{NAME}/uninstall.sh",
        f"{NAME}/lapor-desktop.desktop",
        f"{NAME}/lapor-desktop.svg",
        f"{internal}/lapor_desktop/locale/id/LC_MESSAGES/lapor.mo",
        f"{internal}/lapor_desktop/reference/bundled/regions.csv",
        f"{internal}/lapor_desktop/storage/migrations/env.py",
        f"{internal}/lapor_desktop/storage/migrations/script.py.mako",
        f"{internal}/lapor_desktop/storage/migrations/versions/0001_initial_schema.py",
    ):
        assert needed in members, needed
    for script in ("install.sh", "uninstall.sh"):
        assert members[f"{NAME}/{script}"].mode & stat.S_IXUSR
    names = list(members)
    assert not [n for n in names if any(qt in n for qt in EXCLUDED_QT)]
    assert not [n for n in names if n.endswith(".po") or "/Qt/translations/" in n]


@built
@linux
def test_installed_program_shows_its_version_without_creating_the_data_folder(
    installed: Installed,
) -> None:
    result = run([str(installed.program), "--version", "--lang", "en"], installed.home)

    assert result.returncode == 0, result.stderr
    assert f"LAPOR! Desktop {__version__}" in result.stdout
    assert f"Schema revision: {migrate.head_revision()}" in result.stdout
    assert f"Data folder: {installed.data_folder}" in result.stdout
    assert not installed.data_folder.exists()


@built
@linux
def test_installed_program_passes_its_self_test_offscreen(installed: Installed) -> None:
    result = run([str(installed.program), "--self-test", "--lang", "en"], installed.home)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "(installed build)" in result.stdout
    assert re.search(r"registration number 2104-\d{8}-\w{4}-0001", result.stdout)
    assert "Desk window: shown (offscreen)" in result.stdout
    assert "Self-test passed" in result.stdout
    assert not installed.data_folder.exists()  # the check used a throwaway desk
    assert not list((installed.home / "tmp").iterdir())  # and cleaned it up


@built
@linux
@pytest.mark.parametrize(
    ("removed", "check"),
    [
        ("locale/id/LC_MESSAGES/lapor.mo", "Translations"),
        ("storage/migrations/env.py", "New desk and database migrations"),
    ],
    ids=["catalogue", "migrations"],
)
def test_self_test_names_what_a_damaged_installation_lacks(
    installed: Installed, removed: str, check: str
) -> None:
    (installed.app / "_internal" / "lapor_desktop" / removed).unlink()

    result = run([str(installed.program), "--self-test", "--lang", "en"], installed.home)

    assert result.returncode == 1, result.stdout
    assert f"[FAILED] {check}:" in result.stdout
    assert result.stdout.rstrip().endswith("Self-test failed.")


@built
@linux
def test_desktop_entry_starts_the_installed_program(installed: Installed) -> None:
    entry = dict(
        line.split("=", 1)
        for line in installed.desktop_file.read_text(encoding="utf-8").splitlines()
        if "=" in line
    )
    assert entry["Exec"] == f'"{installed.app / "lapor-desktop"}"'
    assert os.access(installed.app / "lapor-desktop", os.X_OK)
    assert Path(entry["Icon"]).is_file()
    assert entry["Terminal"] == "false"
    assert installed.program.resolve() == (installed.app / "lapor-desktop").resolve()
    validator = shutil.which("desktop-file-validate")
    if validator:
        checked = subprocess.run([validator, str(installed.desktop_file)], capture_output=True)
        assert checked.returncode == 0, checked.stdout


@built
@linux
def test_uninstall_removes_the_program_and_keeps_the_data_folder(installed: Installed) -> None:
    key = installed.home / "keys" / "machine.key"
    init = run(
        [
            str(installed.program),
            "init",
            "--office-code",
            "2104",
            "--office-name",
            "Uji",
            "--supervisor",
            "kepala",
        ],
        installed.home,
        LAPOR_MACHINE_KEY_FILE=str(key),
        LAPOR_PASSWORD=PASSWORD,
    )
    assert init.returncode == 0, init.stderr
    version = run([str(installed.program), "--version", "--lang", "en"], installed.home)
    assert f"Database schema: {migrate.head_revision()} (up to date)" in version.stdout
    database = installed.data_folder / "lapor.sqlite3"
    before = database.read_bytes()

    result = run([str(installed.app / "uninstall.sh")], installed.home)

    assert result.returncode == 0, result.stderr
    assert not installed.app.exists()
    assert not installed.program.exists() and not installed.program.is_symlink()
    assert not installed.desktop_file.exists()
    assert database.read_bytes() == before
    assert key.is_file()
    assert f"Your data folder was KEPT: {installed.data_folder}" in result.stdout


@built
@linux
def test_installing_again_replaces_the_program_only(installed: Installed, unpacked: Path) -> None:
    installed.data_folder.mkdir(parents=True)
    keep = installed.data_folder / "lapor.sqlite3"
    keep.write_bytes(b"not touched by an upgrade")
    stale = installed.app / "_internal" / "left-from-an-older-version"
    stale.write_text("old")

    again = run([str(unpacked / "install.sh")], installed.home)

    assert again.returncode == 0, again.stderr
    assert not stale.exists()
    assert keep.read_bytes() == b"not touched by an upgrade"
    assert run([str(installed.program), "--version"], installed.home).returncode == 0


def test_self_test_passes_from_the_source_tree_and_ignores_the_office_database(
    tmp_path: Path,
) -> None:
    env = clean_env(tmp_path / "home")
    env["LAPOR_DATABASE_URL"] = "postgresql://nobody@127.0.0.1:9/not-this-one"
    command = [sys.executable, "-m", "lapor_desktop", "--self-test", "--lang", "en"]

    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "(source tree)" in result.stdout
    assert result.stdout.count("  [ok] ") == 7
    assert "Self-test passed" in result.stdout
    assert not (tmp_path / "home" / ".local").exists()


def test_version_reads_the_schema_of_the_data_folder_without_changing_it(
    sqlite_desk: Desk, tmp_path: Path
) -> None:
    head = migrate.head_revision()
    with sqlite_desk.database.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '0002'"))
    sqlite_desk.close()
    database = sqlite_desk.paths.database
    before = database.read_bytes()
    command = [sys.executable, "-m", "lapor_desktop", "--version", "--lang", "en"]

    def version(folder: Path) -> str:
        result = subprocess.run(
            [*command, "--data-dir", str(folder)],
            env=clean_env(tmp_path / "home"),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert f"Database schema: 0002 (this version expects {head})" in version(database.parent)
    assert database.read_bytes() == before
    assert "Database schema: no database yet" in version(tmp_path / "elsewhere")
    assert not (tmp_path / "elsewhere").exists()


def inno_sections(text: str) -> dict[str, list[str]]:
    """The Inno Setup script's sections, each as its lines without comments and blanks."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if re.fullmatch(r"\[\w+\]", line):
            current = sections.setdefault(line[1:-1], [])
        else:
            current.append(line)
    return sections


def test_windows_installer_packages_what_the_spec_builds() -> None:
    spec = SPEC.read_text(encoding="utf-8")
    script = INNO_SCRIPT.read_text(encoding="utf-8")
    sections = inno_sections(script)

    assert 'name="lapor-desktop",\n)' in spec  # the COLLECT folder: dist/lapor-desktop
    assert 'program("lapor-desktop-window", console=False)' in spec
    assert r'#define DistDir "..\..\dist\lapor-desktop"' in script
    assert sections["Files"][0].startswith(r'Source: "{#DistDir}\*"; DestDir: "{app}"')
    start_menu = sections["Icons"][0]
    assert r'Filename: "{app}\lapor-desktop-window.exe"' in start_menu


def test_windows_uninstaller_keeps_the_data_folder_and_says_so() -> None:
    sections = inno_sections(INNO_SCRIPT.read_text(encoding="utf-8"))

    for line in sections["UninstallDelete"] + sections.get("InstallDelete", []):
        assert 'Name: "{app}' in line, line  # only the program's own folder
    code = "\n".join(sections["Code"])
    assert "usPostUninstall" in code
    assert "{localappdata}\\lapor-desktop" in code
    assert "DataKept" in code
    assert any(line.startswith("english.DataKept=") for line in sections["CustomMessages"])
