"""File names from folders and scripts, made safe; files replaced atomically. One home for both.

Names that come from a user's folders or scripts never escape the folder they are written under, on any
system LocalClip runs on. Every output is written under a temporary name beside its target and renamed
into place, so a crash never leaves a half-written file; on Windows the rename is retried while another
process (a virus scanner, a media player) briefly holds the target open.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

REPLACE_TRIES = 5
_WINDOWS_FORBIDDEN = frozenset('<>:"|?*')
WINDOWS_DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)), *(f"lpt{n}" for n in range(1, 10))}
)

# Entries an operating system leaves in folders: never a user's clip, speaker or reference.
SYSTEM_NAMES = frozenset(
    {"thumbs.db", "desktop.ini", "__macosx", "$recycle.bin", "system volume information"}
)

Writer = Callable[[IO[bytes]], None]


class UnsafeName(ValueError):
    """A name from a folder or a script cannot be used as a file name inside the output folder."""


def is_hidden_or_system(name: str) -> bool:
    """A dot file or an operating system's own entry: skipped silently when a folder is read."""
    return name.startswith(".") or name.lower() in SYSTEM_NAMES


def safe_path(root: Path, *parts: str) -> Path:
    """`root/part/part...`, refusing any part that could name something outside `root`: absolute parts,
    "." and "..", separators, NUL, and (checked last) anything that resolves outside `root` through links.
    """
    for part in parts:
        check_name(part)
    path = root.joinpath(*parts)
    if not path.resolve().is_relative_to(root.resolve()):
        raise UnsafeName(f"{'/'.join(parts)!r} resolves outside {root}")
    return path


def check_name(part: str) -> None:
    """Refuse a name that is not one plain file or folder name on every system LocalClip runs on."""
    if not isinstance(part, str) or not part:
        raise UnsafeName(f"{part!r} is not a file name")
    if "\x00" in part or "/" in part or "\\" in part:
        raise UnsafeName(f"{part!r} contains a path separator or NUL")
    if part in (".", ".."):
        raise UnsafeName(f"{part!r} names a folder, not a file")
    if os.name == "nt" and _unsafe_on_windows(part):
        raise UnsafeName(f"{part!r} cannot be a file name on Windows")


def _unsafe_on_windows(part: str) -> bool:
    # Windows drops trailing dots and spaces ("..  " is ".."), reads "C:x" as a drive and "a:b" as a
    # stream, and reserves device names (CON, NUL.txt).
    stripped = part.rstrip(" .")
    device = stripped.split(".", 1)[0].casefold()
    return stripped in ("", ".") or ":" in part or device in WINDOWS_DEVICE_NAMES


def refused_by_windows(name: str) -> bool:
    """Whether Windows refuses ``name`` as a file name (checked on every system where files move between
    machines): forbidden or control characters, a trailing dot or space, a device name (CON, NUL.txt)."""
    stripped = name.rstrip(" .")
    return (
        any(char in _WINDOWS_FORBIDDEN or ord(char) < 32 for char in name)
        or stripped != name
        or stripped.split(".", 1)[0].casefold() in WINDOWS_DEVICE_NAMES
    )


def temporary_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def replace_file(source: Path, target: Path) -> None:
    """``os.replace`` (atomic on one file system), retried while Windows refuses it for an open file."""
    for attempt in range(REPLACE_TRIES):
        try:
            source.replace(target)
            return
        except PermissionError:
            if attempt == REPLACE_TRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


def write_atomically(path: Path, write: Writer) -> None:
    """Write ``path`` through ``write(stream)`` into a temporary file, then rename it into place."""
    temporary = temporary_beside(path)
    try:
        with temporary.open("wb") as stream:
            write(stream)
        replace_file(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def write_bytes_atomically(path: Path, data: bytes) -> None:
    write_atomically(path, lambda stream: stream.write(data))


def copy_atomically(source: Path, target: Path) -> None:
    temporary = temporary_beside(target)
    try:
        shutil.copyfile(source, temporary)
        replace_file(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
