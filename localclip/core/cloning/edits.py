"""Edits made in the review, kept beside the results: a line's new text, or the one reference recording
of its speaker it should be spoken from. The editor's script file is never touched.

Stored in ``<project>/output/line_edits.json`` (written atomically, read strictly: a damaged file is a
clear error, never half applied). :func:`localclip.core.cloning.project.scan_project` applies them, so the
manifest sees the new inputs and plans a new take (the earlier takes are kept).

    {"version": 1, "lines": {"001": {"text": "New words.", "reference": "calm.wav"}}}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localclip.core.files import write_bytes_atomically
from localclip.core.messages import Message

EDITS_FILE = "line_edits.json"
EDITS_VERSION = 1
_OUTPUT_FOLDER = "output"  # the manifest's folder (core/cloning/manifest.py OUTPUT_FOLDER)
_FIELDS = ("text", "reference")


class EditsError(ValueError):
    """The edits file cannot be read or an edit is not valid; the message says which and why."""


@dataclass
class LineEdits:
    project: Path
    _lines: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.project / _OUTPUT_FOLDER / EDITS_FILE

    @classmethod
    def load(cls, project: Path) -> LineEdits:
        """The project's edits (none when the file does not exist). Raises EditsError."""
        edits = cls(Path(project).absolute())
        try:
            data = edits.path.read_bytes()
        except FileNotFoundError:
            return edits
        except OSError as error:
            raise EditsError(
                Message("project.edits_unreadable", path=str(edits.path), error=str(error.strerror or error))
            ) from None
        try:
            edits._lines = _parse(json.loads(data.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError, TypeError, ValueError) as error:
            raise EditsError(
                Message("project.edits_damaged", path=str(edits.path), error=str(error))
            ) from None
        return edits

    def text(self, line_id: str) -> str | None:
        return self._lines.get(line_id, {}).get("text")

    def reference(self, line_id: str) -> str | None:
        """The chosen reference audio file's name within the line's speaker folder."""
        return self._lines.get(line_id, {}).get("reference")

    def line_ids(self) -> list[str]:
        return sorted(self._lines)

    def set_text(self, line_id: str, text: str | None) -> None:
        """The line's new text (None: the script's text again). Saved by :meth:`save`."""
        if text is not None and not text.strip():
            raise EditsError(Message("project.edit_empty_text", line=line_id))
        self._set(line_id, "text", text.strip() if text is not None else None)

    def set_reference(self, line_id: str, name: str | None) -> None:
        """Speak the line from this one reference of its speaker (a file name, no folder); None: all."""
        if name is not None and (not name.strip() or Path(name).name != name or name in (".", "..")):
            raise EditsError(Message("project.edit_not_a_reference", line=line_id, name=repr(name)))
        self._set(line_id, "reference", name)

    def save(self) -> None:
        data = {
            "version": EDITS_VERSION,
            "lines": {key: dict(self._lines[key]) for key in sorted(self._lines)},
        }
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomically(self.path, text.encode("utf-8"))

    def _set(self, line_id: str, key: str, value: str | None) -> None:
        if not isinstance(line_id, str) or not line_id:
            raise EditsError(Message("project.edit_not_a_line_id", line=repr(line_id)))
        line = self._lines.setdefault(line_id, {})
        if value is None:
            line.pop(key, None)
        else:
            line[key] = value
        if not line:
            del self._lines[line_id]


def _parse(data: Any) -> dict[str, dict[str, str]]:
    if not isinstance(data, dict) or not isinstance(data.get("lines"), dict):
        raise ValueError('expected an object with "version" and "lines"')
    if data.get("version") != EDITS_VERSION:
        raise ValueError(f"version {data.get('version')!r}, this LocalClip reads version {EDITS_VERSION}")
    lines: dict[str, dict[str, str]] = {}
    for line_id, edit in data["lines"].items():
        if not isinstance(edit, dict) or not edit or set(edit) - set(_FIELDS):
            raise ValueError(f"line {line_id!r}: expected an object with {' and/or '.join(_FIELDS)}")
        if not all(isinstance(value, str) and value.strip() for value in edit.values()):
            raise ValueError(f"line {line_id!r}: every edit must be a non-empty text")
        lines[line_id] = dict(edit)
    return lines
