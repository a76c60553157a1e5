"""Make this interpreter a LocalClip worker on the lent GPU machine (and on its twin, bench/gpu_twin.py).

    python3 bench/gpu_setup.py [--wheels .whl] [--site /tmp/site]

The GPU machine has torch and most of what the worker imports, but no package registry: the rest travels
as wheels in ``.whl/`` (bench/gpu_wheels.py). They are installed without their declared dependencies into
``--site``, and a ``.pth`` file in this interpreter's own site-packages puts on its path, at every start:

- ``--site``: the wheels;
- ``worker_env``: the worker program (``localclip_worker``), from this checkout, as the worker
  environment's editable install has it (bench/ scripts put the checkout's root on their own path).

A ``.pth`` file rather than PYTHONPATH, because the app starts workers with ``python -I``, which ignores
PYTHONPATH but still reads site-packages. Standard library only; idempotent. Ends by importing the worker
program under ``-I``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PTH_NAME = "localclip_gpu.pth"
CHECK = (
    "import importlib.metadata, localclip_worker, soundfile, torch; "
    "print(localclip_worker.__file__, importlib.metadata.version('localclip-worker'), torch.__version__)"
)


def say(message: str) -> None:
    print(f"gpu_setup: {message}", flush=True)


def install_wheels(wheels: list[Path], site: Path) -> None:
    # Made anew, so a wheel dropped from the set does not linger; only a folder of installed packages.
    if site.is_dir() and any(site.iterdir()) and not any(site.glob("*.dist-info")):
        raise SystemExit(f"gpu_setup: {site} holds other files than installed packages: not replacing it")
    shutil.rmtree(site, ignore_errors=True)
    command = [sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--no-compile"]
    command += ["--no-cache-dir", "--upgrade", "--target", str(site), *map(str, wheels)]
    subprocess.run(command, check=True)
    say(f"{len(wheels)} wheels installed into {site}")


def write_worker_metadata(site: Path) -> None:
    """The worker program's metadata, as an install would leave it (importlib.metadata reads the version):
    its egg-info in the checkout is git-ignored, so it would be found on the twin and not on the machine."""
    project = tomllib.loads((ROOT / "worker_env" / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    folder = site / f"localclip_worker-{project['version']}.dist-info"
    folder.mkdir()
    text = f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    (folder / "METADATA").write_text(text, encoding="utf-8")


def write_pth(site: Path) -> Path:
    """One path a line: site-packages' .pth files append these to sys.path, after the machine's own
    packages (the wheel set holds only packages the machine lacks, so nothing is shadowed)."""
    target = Path(sysconfig.get_paths()["purelib"]) / PTH_NAME
    try:
        target.write_text(f"{site}\n{ROOT / 'worker_env'}\n", encoding="utf-8")
    except OSError as error:  # -I leaves no other way in: PYTHONPATH and the user's site are ignored
        message = f"gpu_setup: cannot write {target} ({error}); workers would not see the wheels"
        raise SystemExit(message) from error
    say(f"wrote {target}")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--wheels", type=Path, default=ROOT / ".whl", help="folder of wheels (default: .whl)")
    parser.add_argument("--site", type=Path, default=Path("/tmp/site"), help="where to install them")
    args = parser.parse_args()
    wheels = sorted(args.wheels.resolve().glob("*.whl"))
    if not wheels:
        raise SystemExit(
            f"gpu_setup: no wheels in {args.wheels}: run bench/gpu_wheels.py where PyPI is reached"
        )
    site = args.site.resolve()
    install_wheels(wheels, site)
    write_worker_metadata(site)
    write_pth(site)
    done = subprocess.run([sys.executable, "-I", "-c", CHECK], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"gpu_setup: the worker program does not import under -I:\n{done.stderr[-3000:]}")
    say(f"{sys.executable} -I imports {done.stdout.strip()}")


if __name__ == "__main__":
    main()
