"""Download the wheel set the lent GPU machine lacks (bench/gpu_wheels.txt) into ``.whl/``.

    .venv/bin/python bench/gpu_wheels.py [--list bench/gpu_wheels.txt] [--dest .whl] [--limit-mib 30]

The GPU machine (Python 3.12, x86-64 Linux) reaches no package registry: whatever the worker imports that
it lacks travels with the working tree as wheels, which bench/gpu_setup.py installs there. Each listed
``name==version`` is fetched for that machine, never for this one; a pure-Python package that PyPI has only
as a source archive is built into a wheel here (and must come out ``none-any``). Idempotent: a wheel already
in ``--dest`` is kept, and one not on the list is removed. Fails when the set exceeds ``--limit-mib``: the
working tree, wheels included, must stay under the device tool's 64 MiB.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIST = ROOT / "bench" / "gpu_wheels.txt"
DEST = ROOT / ".whl"
LIMIT_MIB = 30.0
TARGET = ["--python-version", "3.12", "--implementation", "cp"]
# pip matches manylinux_2_N exactly: every tag the machine's glibc accepts that a wheel here uses.
for _tag in ("manylinux_2_28", "manylinux_2_27", "manylinux_2_17", "manylinux2014", "manylinux1"):
    TARGET += ["--platform", f"{_tag}_x86_64"]


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_list(path: Path) -> dict[str, str]:
    """{normalized name: version} from ``name==version`` lines; ``#`` starts a comment."""
    pins: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        if not sep or not name.strip() or not version.strip():
            raise SystemExit(f"{path}:{number}: expected name==version, got {raw!r}")
        pins[normalized(name.strip())] = version.strip()
    return pins


def wheel_key(path: Path) -> tuple[str, str]:
    """(normalized name, version) from a wheel's file name."""
    name, version = path.name.split("-")[:2]
    return normalized(name), version


def pip(*args: str | Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pip", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def fetch(name: str, version: str, dest: Path) -> str:
    """The machine's wheel from PyPI, else one built here from the source archive: how it came."""
    spec = f"{name}=={version}"
    done = pip("download", "-q", "--no-deps", "--only-binary=:all:", *TARGET, "-d", dest, spec)
    if done.returncode == 0:
        return "downloaded"
    if "No matching distribution" not in done.stderr:
        raise SystemExit(f"gpu_wheels: pip download {spec} failed:\n{done.stderr[-2000:]}")
    with tempfile.TemporaryDirectory() as scratch:
        built = pip("wheel", "-q", "--no-deps", "--no-binary", name, "-w", scratch, spec)
        wheels = list(Path(scratch).glob("*.whl"))
        if built.returncode != 0 or len(wheels) != 1:
            raise SystemExit(
                f"gpu_wheels: no wheel for {spec}, and building one failed:\n{built.stderr[-2000:]}"
            )
        if not wheels[0].name.endswith("-none-any.whl"):
            raise SystemExit(f"gpu_wheels: {spec} has compiled parts and no wheel for the machine")
        wheels[0].rename(dest / wheels[0].name)
    return "built from its source archive"


def sync(pins: dict[str, str], dest: Path) -> None:
    dest.mkdir(exist_ok=True)
    present: dict[tuple[str, str], Path] = {wheel_key(p): p for p in dest.glob("*.whl")}
    for key, path in present.items():
        if pins.get(key[0]) != key[1]:
            path.unlink()
            print(f"removed {path.name} (not on the list)")
    for name, version in pins.items():
        if (name, version) in present:
            continue
        print(f"{name}=={version}: {fetch(name, version, dest)}", flush=True)
    missing = set(pins.items()) - {wheel_key(p) for p in dest.glob("*.whl")}
    if missing:
        raise SystemExit(f"gpu_wheels: no wheel came for {sorted(missing)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--list", type=Path, default=LIST)
    parser.add_argument("--dest", type=Path, default=DEST)
    parser.add_argument("--limit-mib", type=float, default=LIMIT_MIB)
    args = parser.parse_args()
    pins = read_list(args.list)
    sync(pins, args.dest)
    total = sum(p.stat().st_size for p in args.dest.glob("*.whl")) / 2**20
    print(f"{len(pins)} wheels in {args.dest}: {total:.1f} MiB (limit {args.limit_mib:g} MiB)")
    if total > args.limit_mib:
        raise SystemExit(
            f"gpu_wheels: the wheel set is {total:.1f} MiB, over the {args.limit_mib:g} MiB limit"
        )


if __name__ == "__main__":
    main()
