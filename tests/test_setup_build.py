"""The Windows setup program: build/LocalClip-Setup.exe is built with NSIS on Linux (CI installs Debian's
nsis through installer/dev.py) and is a Windows x64 program; the NSIS script and the bootstrap agree on
where things go."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "installer"))

import bootstrap  # noqa: E402
import build_setup  # noqa: E402

NSIS_SCRIPT = (ROOT / "installer" / "localclip.nsi").read_text(encoding="utf-8")


def test_setup_program_builds(tmp_path: Path) -> None:
    if shutil.which("makensis") is None:
        if os.environ.get("CI"):
            pytest.fail("makensis is missing in CI: installer/dev.py installs Debian's nsis package")
        pytest.skip("makensis is not installed (apt-get install nsis, or run `python installer/dev.py test`)")
    out = ROOT / "build" / "LocalClip-Setup.exe"
    stage = tmp_path / "stage with spaces 测试"
    command = [
        sys.executable,
        str(ROOT / "installer" / "build_setup.py"),
        "--out",
        str(out),
        "--stage",
        str(stage),
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, encoding="utf-8", timeout=900, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert build_setup.is_windows_x64_program(out)
    assert out.stat().st_size > 5 * 1024**2  # uv.exe alone compresses to more than that
    print(result.stdout.strip().splitlines()[-1])
    # What the program carries: Windows' uv, the bootstrap, and the source with the worker's pins unchanged.
    assert build_setup.is_windows_x64_program(stage / "uv.exe")
    assert sorted(path.name for path in (stage / "bootstrap").iterdir()) == sorted(
        path.name for path in (ROOT / "installer").glob("bootstrap*.py")
    )
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        assert (stage / "app" / "worker_env" / name).read_bytes() == (ROOT / "worker_env" / name).read_bytes()
    assert (stage / "app" / "localclip" / "__main__.py").is_file()  # `pythonw -m localclip` opens the window
    assert (stage / "app" / "resources" / "icons" / "localclip.svg").is_file()
    assert not list(stage.rglob("__pycache__")) and not list(stage.rglob("*.egg-info"))
    bootstrap.find_payload(stage / "app")  # the bootstrap accepts what was staged


def test_icon_file_layout() -> None:
    rows = [bytes([255, 0, 0, 255]) * 16] * 16  # 16 x 16, opaque blue (B, G, R, A)
    data = build_setup.ico_bytes([(16, rows), (256, [bytes(4 * 256)] * 256)])
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind, count) == (0, 1, 2)
    width, height, _, _, planes, bits, size, offset = struct.unpack_from("<BBBBHHII", data, 6)
    assert (width, height, planes, bits) == (16, 16, 1, 32)
    assert size == 40 + 16 * 16 * 4 + 4 * 16 and offset == 6 + 2 * 16
    assert struct.unpack_from("<BB", data, 6 + 16) == (0, 0)  # 256 is written as 0
    assert struct.unpack_from("<Ii", data, offset) == (40, 16)


def test_not_a_windows_program(tmp_path: Path) -> None:
    text = tmp_path / "readme.exe"
    text.write_text("MZ but nothing else", encoding="utf-8")
    assert not build_setup.is_windows_x64_program(text)


def test_nsis_script_and_bootstrap_agree() -> None:
    """The installer's shortcuts, uninstaller and environment variables name the bootstrap's folders."""
    layout = bootstrap.Layout(Path("D"), Path("D") / "Logs", Path("D") / "uv-cache")
    for folder in (
        layout.app_env,
        layout.worker_env,
        layout.pythons,
        layout.downloads,
        layout.cache,
        layout.logs,
    ):
        assert f'"$DataDir\\{folder.name}' in NSIS_SCRIPT, folder.name
    assert "$DataDir\\app-env\\Scripts\\pythonw.exe" in NSIS_SCRIPT
    assert f"!define EXIT_GPU_UNUSABLE {bootstrap.EXIT_GPU_UNUSABLE}" in NSIS_SCRIPT
    assert "RequestExecutionLevel user" in NSIS_SCRIPT and "Unicode true" in NSIS_SCRIPT
    assert '"$LOCALAPPDATA\\Programs\\LocalClip"' in NSIS_SCRIPT
    # Every command line quotes its paths (user names with spaces).
    (command,) = re.findall(r"nsExec::ExecToLog '(.*)'", NSIS_SCRIPT)
    for path in ("$INSTDIR\\uv.exe", "$INSTDIR\\bootstrap\\bootstrap.py", "$INSTDIR\\app", "$DataDir"):
        assert f'"{path}"' in command, path
    assert command.count('"') == 10  # five quoted paths (uv twice)
