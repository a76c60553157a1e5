"""What the last `clone` of a project ran with (model, device, sampling), so `regenerate PROJECT ID` and
the review window can make a new take of a line without asking for them again."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from localclip.core.cloning.manifest import CloneParams

SETTINGS_FILE = "clone-settings.json"


@dataclass(frozen=True)
class CloneRunSettings:
    checkpoint_dir: str
    codec_path: str
    device: str = "auto"
    precision: str = ""
    params: dict[str, Any] = field(default_factory=lambda: CloneParams().to_dict())
    seed: int | None = None

    @property
    def clone_params(self) -> CloneParams:
        return CloneParams.from_dict(self.params)


def save_run_settings(output_dir: Path, settings: CloneRunSettings) -> None:
    """Written atomically (temporary file in the same folder, then renamed)."""
    output_dir.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=".clone-settings-", suffix=".tmp", dir=output_dir)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(asdict(settings), file, ensure_ascii=False, indent=2)
    Path(temporary).replace(output_dir / SETTINGS_FILE)


def load_run_settings(output_dir: Path) -> CloneRunSettings | None:
    """The settings of the last clone run, or None when there was none (or the file is unreadable)."""
    try:
        data = json.loads((output_dir / SETTINGS_FILE).read_text(encoding="utf-8"))
        settings = CloneRunSettings(**data)
        settings.clone_params  # noqa: B018 - validates the recorded parameters
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return settings
