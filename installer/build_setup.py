"""Build LocalClip's Windows setup program, build/LocalClip-Setup.exe, with NSIS: on Linux (Debian's `nsis`
package, which `python installer/dev.py` installs) or on Windows.

    python installer/build_setup.py [--out FILE] [--stage DIR]

It stages, in build/setup/ (--stage):
    uv.exe          from PyPI's uv wheel for Windows x64 (pip download, kept in build/setup-cache/)
    localclip.ico   the app's icon, drawn from resources/icons/localclip.svg (with PySide6, when present)
    bootstrap/      installer/bootstrap*.py: the program that makes the environments on the user's machine
    app/            LocalClip's source: localclip/, resources/, worker_env/ (the worker program and its
                    requirement files), pyproject.toml, README.md. The bootstrap installs it in place
                    (editable), so the app finds resources/ and worker_env/ beside its code.
then runs makensis on installer/localclip.nsi and checks that the result is a Windows x64 program.
"""

from __future__ import annotations

import argparse
import shutil
import struct
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NSIS_SCRIPT = ROOT / "installer" / "localclip.nsi"
UV_VERSION = "0.13.9"  # the uv bundled for Windows: the version the bootstrap is tested with
APP_FILES = ["pyproject.toml", "README.md", "localclip", "resources"]
WORKER_FILES = ["pyproject.toml", "requirements.txt", "requirements-nodeps.txt", "localclip_worker"]
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".venv", "build", "output", ".cache")
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
PE_MACHINE_AMD64 = 0x8664


class BuildError(Exception):
    pass


def say(text: str) -> None:
    print(f"[build_setup] {text}", flush=True)


def app_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def python_version() -> str:
    sys.path.insert(0, str(ROOT / "installer"))
    import bootstrap

    return bootstrap.PYTHON_VERSION


def find_makensis() -> str:
    found = shutil.which("makensis")
    if found is None:
        raise BuildError(
            "makensis was not found: install NSIS (Debian/Ubuntu: apt-get install nsis; "
            "`python installer/dev.py test` does it as root), or add it to PATH on Windows."
        )
    return found


def uv_exe(cache: Path) -> Path:
    """uv.exe for Windows x64, from the uv wheel on PyPI (downloaded once into ``cache``)."""
    cache.mkdir(parents=True, exist_ok=True)
    wheels = sorted(cache.glob(f"uv-{UV_VERSION}-*win_amd64.whl"))
    if not wheels:
        say(f"downloading uv {UV_VERSION} for Windows from PyPI")
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            f"uv=={UV_VERSION}",
            "--only-binary=:all:",
            "--platform",
            "win_amd64",
            "--no-deps",
            "--disable-pip-version-check",
            "--quiet",
            "--dest",
            str(cache),
        ]
        subprocess.run(command, check=True)
        wheels = sorted(cache.glob(f"uv-{UV_VERSION}-*win_amd64.whl"))
        if not wheels:
            raise BuildError(f"pip download did not leave a uv {UV_VERSION} wheel for win_amd64 in {cache}")
    target = cache / f"uv-{UV_VERSION}.exe"
    if not target.exists():
        with zipfile.ZipFile(wheels[-1]) as wheel:
            member = next((name for name in wheel.namelist() if name.endswith("/scripts/uv.exe")), None)
            if member is None:
                raise BuildError(f"{wheels[-1].name} has no uv.exe")
            partial = target.with_name(target.name + ".part")
            partial.write_bytes(wheel.read(member))
            partial.replace(target)
    return target


def stage(folder: Path, cache: Path) -> Path | None:
    """Lay out everything the setup program carries in ``folder``; returns the icon, if one was drawn."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "bootstrap").mkdir(parents=True)
    shutil.copy2(uv_exe(cache), folder / "uv.exe")
    for script in sorted((ROOT / "installer").glob("bootstrap*.py")):
        shutil.copy2(script, folder / "bootstrap" / script.name)
    app = folder / "app"
    for name in APP_FILES:
        copy(ROOT / name, app / name)
    for name in WORKER_FILES:
        copy(ROOT / "worker_env" / name, app / "worker_env" / name)
    return make_icon(ROOT / "resources" / "icons" / "localclip.svg", folder / "localclip.ico")


def copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, ignore=SKIPPED)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def make_icon(svg: Path, ico: Path) -> Path | None:
    """A Windows icon with the usual sizes drawn from ``svg``; None without PySide6 (NSIS's own icon then)."""
    try:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QImage, QPainter
        from PySide6.QtSvg import QSvgRenderer
    except ImportError:
        say("PySide6 is not available: the setup program gets NSIS's default icon")
        return None
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise BuildError(f"{svg} is not a valid SVG")
    images = []
    for size in ICON_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        # Format_ARGB32 is 0xAARRGGBB per pixel: B, G, R, A bytes in memory, as a 32-bit icon bitmap wants.
        rows = [bytes(image.constScanLine(y))[: size * 4] for y in range(size)]
        images.append((size, rows))
    ico.write_bytes(ico_bytes(images))
    return ico


def ico_bytes(images: list[tuple[int, list[bytes]]]) -> bytes:
    """An .ico file of 32-bit BGRA bitmaps (``rows`` top to bottom), the format every Windows version and
    NSIS read."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, blobs = [], []
    for size, rows in images:
        mask_row = ((size + 31) // 32) * 4  # the 1-bit AND mask: all zero, the alpha channel does the work
        info = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, size * size * 4, 0, 0, 0, 0)
        blob = info + b"".join(reversed(rows)) + bytes(mask_row * size)
        side = 0 if size >= 256 else size  # 0 means 256
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset))
        blobs.append(blob)
        offset += len(blob)
    return header + b"".join(entries) + b"".join(blobs)


def is_windows_x64_program(path: Path) -> bool:
    """An MZ header whose PE header says AMD64."""
    data = path.read_bytes()[:4096]
    if len(data) < 64 or data[:2] != b"MZ":
        return False
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    if pe + 6 > len(data) or data[pe : pe + 4] != b"PE\0\0":
        return False
    return struct.unpack_from("<H", data, pe + 4)[0] == PE_MACHINE_AMD64


def build(out: Path, stage_dir: Path, cache: Path) -> Path:
    makensis = find_makensis()
    started = time.monotonic()
    icon = stage(stage_dir, cache)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.stem + ".part.exe")
    defines = {
        "VERSION": app_version(),
        "STAGE": str(stage_dir.resolve()),
        "OUTFILE": str(partial.resolve()),
        "PYTHON_VERSION": python_version(),
    }
    if icon is not None:
        defines["ICON"] = str(icon.resolve())
    command = [
        makensis,
        "-V2",
        "-INPUTCHARSET",
        "UTF8",
        *(f"-D{key}={value}" for key, value in defines.items()),
    ]
    say(
        f"running makensis (LocalClip {defines['VERSION']}, Python {defines['PYTHON_VERSION']}, "
        f"uv {UV_VERSION})"
    )
    result = subprocess.run([*command, str(NSIS_SCRIPT)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildError(f"makensis failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    if not is_windows_x64_program(partial):
        raise BuildError(f"makensis produced {partial}, which is not a Windows x64 program")
    partial.replace(out)
    size = out.stat().st_size / 1024**2
    say(f"built {out} ({size:.1f} MB) in {time.monotonic() - started:.1f} s")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "LocalClip-Setup.exe")
    parser.add_argument("--stage", type=Path, default=ROOT / "build" / "setup", help="staging folder")
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "setup-cache", help="uv wheel cache")
    args = parser.parse_args(argv)
    try:
        build(args.out, args.stage, args.cache)
    except (BuildError, subprocess.CalledProcessError) as error:
        print(f"build_setup: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
