"""Regenerate LocalClip's translation files: ``.venv/bin/python resources/translations/update.py``.

1. ``pyside6-lupdate`` extracts every ``self.tr(...)`` / ``QCoreApplication.translate(...)`` string of the
   window (localclip/gui) and of what it runs (localclip/runs) into ``localclip_zh_CN.ts`` (every message)
   and ``localclip_en.ts`` (plural forms only: English needs "1 worker" / "2 workers" and nothing else).
   Translations already in a file are kept; strings gone from the sources are dropped.
2. ``pyside6-lrelease`` compiles each ``.ts`` into the ``.qm`` the app loads (localclip/gui/translations.py).

New or changed strings come out marked ``type="unfinished"``: translate them with Qt Linguist
(``.venv/bin/pyside6-linguist resources/translations/localclip_zh_CN.ts``) or in a text editor, then run
this again so the ``.qm`` files follow. tests/test_translations.py fails while a string is untranslated,
a ``.qm`` is stale, or a source string is missing from the ``.ts``. Both ``.ts`` and ``.qm`` are committed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SOURCE_FOLDERS = ("localclip/gui", "localclip/runs")
SOURCE_LANGUAGE = "en"
LANGUAGES = ("zh_CN", "en")  # en: plural forms only


def ts_path(language: str) -> Path:
    return HERE / f"localclip_{language}.ts"


def qm_path(language: str) -> Path:
    return HERE / f"localclip_{language}.qm"


def sources() -> list[str]:
    """The source files, relative to the repository root (so the .ts locations do not name a checkout)."""
    return sorted(
        path.relative_to(ROOT).as_posix()
        for folder in SOURCE_FOLDERS
        for path in (ROOT / folder).glob("*.py")
    )


def tool(name: str) -> str:
    """``pyside6-<name>`` from the environment running this script, else from PATH."""
    folder = Path(sys.executable).parent
    for candidate in (folder / f"pyside6-{name}", folder / f"pyside6-{name}.exe"):
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(f"pyside6-{name}")
    if found is None:
        raise SystemExit(f"pyside6-{name} not found: run this with the app environment's Python (.venv)")
    return found


def extract(language: str, ts: Path) -> None:
    """Update ``ts`` (created when missing) from the sources; run from the repository root."""
    arguments = [
        tool("lupdate"),
        *sources(),
        "-ts",
        str(ts),
        "-no-obsolete",
        "-locations",
        "absolute",
        "-source-language",
        SOURCE_LANGUAGE,
        "-target-language",
        language,
        "-silent",
    ]
    if language == SOURCE_LANGUAGE:
        arguments.append("-pluralonly")
    subprocess.run(arguments, cwd=ROOT, check=True)


def compile_qm(ts: Path, qm: Path) -> None:
    subprocess.run([tool("lrelease"), str(ts), "-qm", str(qm), "-silent"], cwd=ROOT, check=True)


def main() -> int:
    for language in LANGUAGES:
        extract(language, ts_path(language))
        compile_qm(ts_path(language), qm_path(language))
        print(f"{ts_path(language).relative_to(ROOT)} -> {qm_path(language).name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
