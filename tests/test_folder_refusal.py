"""Folders that are not what they claim (core/intake.py, shown by gui/intake.py): a drive or filesystem
root is refused; the temporary folder, a home folder, its Desktop / Documents / Downloads, and a folder
whose problems far outnumber its clips wait for the user's confirmation; results never go at the top of a
drive."""

from __future__ import annotations

import tempfile
from pathlib import Path, PureWindowsPath
from typing import Any

import pytest

from localclip.core.demo_data import make_dataset
from localclip.core.intake import (
    DatasetListed,
    DurationStep,
    Earlier,
    NeedsConfirmation,
    Recognised,
    Refused,
    default_embeddings_folder,
    folder_caution,
    is_filesystem_root,
    problems_caution,
    results_folder_refusal,
    scan_steps,
)
from localclip.core.messages import Message
from localclip.runs.folders import FolderStatus


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder shaped like a home folder, and Path.home() pointing at it."""
    home = tmp_path / "home" / "me"
    for name in ("Desktop", "Documents", "Downloads", "Music", ".cache"):
        (home / name).mkdir(parents=True)
    (home / ".bashrc").write_text("# shell\n", encoding="utf-8")
    (home / "notes.txt").write_text("notes\n", encoding="utf-8")
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: home))
    return home


def kinds(steps: list[Any]) -> list[type]:
    return [type(step) for step in steps]


# --- core ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "root", [Path("/"), PureWindowsPath("C:/"), PureWindowsPath("D:\\"), PureWindowsPath("//server/share/")]
)
def test_drive_and_filesystem_roots_are_roots(root: Any) -> None:
    assert is_filesystem_root(root)


@pytest.mark.parametrize("folder", [PureWindowsPath("C:/voices"), PureWindowsPath("//server/share/voices")])
def test_folders_inside_a_root_are_not_roots(folder: Any) -> None:
    assert not is_filesystem_root(folder)


def test_a_filesystem_root_is_refused_before_anything_is_read() -> None:
    steps = list(scan_steps(Path("/")))
    assert kinds(steps) == [Refused]
    assert isinstance(steps[0].reason, Message)
    assert steps[0].reason.key == "scan.refused_root"
    assert "root of a drive" in steps[0].reason


def test_a_home_folder_waits_for_confirmation_and_nothing_in_it_is_listed(home: Path) -> None:
    steps = list(scan_steps(home))
    assert kinds(steps) == [NeedsConfirmation]
    assert steps[0].reason.key == "scan.caution_home"
    assert str(home) in steps[0].reason


@pytest.mark.parametrize("name", ["Desktop", "Documents", "Downloads"])
def test_a_personal_folder_itself_waits_for_confirmation(home: Path, name: str) -> None:
    reason = folder_caution(home / name)
    assert reason is not None and reason.key == "scan.caution_personal" and reason.args["name"] == name
    # A folder inside it is an ordinary folder.
    (home / name / "voices").mkdir()
    assert folder_caution(home / name / "voices") is None


def test_a_desktop_moved_into_onedrive_waits_for_confirmation(home: Path) -> None:
    (home / "OneDrive - Studio" / "Desktop").mkdir(parents=True)
    reason = folder_caution(home / "OneDrive - Studio" / "Desktop")
    assert reason is not None and reason.key == "scan.caution_personal"


def test_the_temporary_folder_waits_for_confirmation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    temp = tmp_path / "Temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(temp))
    assert folder_caution(temp).key == "scan.caution_temp"
    assert folder_caution(Path("/tmp")).key == "scan.caution_temp"
    assert folder_caution(tmp_path) is None


def test_a_confirmed_home_folder_is_scanned(home: Path) -> None:
    make_dataset(home / "Music", speakers=2, clips_per_speaker=2)  # <home>/<dataset>/<speaker>/<clip>
    steps = list(scan_steps(home, confirmed=True))
    assert kinds(steps)[:3] == [Recognised, DatasetListed, Earlier]
    assert steps[1].scan.speaker_count == 2


def test_a_folder_with_far_more_problems_than_clips_waits_for_confirmation(tmp_path: Path) -> None:
    make_dataset(tmp_path / "mixed", speakers=1, clips_per_speaker=2)
    speaker = next((tmp_path / "mixed").iterdir())
    for number in range(30):
        (speaker / f"page {number}.pdf").write_bytes(b"%PDF")
    steps = list(scan_steps(tmp_path / "mixed"))
    assert kinds(steps) == [Recognised, DatasetListed, NeedsConfirmation]
    assert steps[-1].reason.key == "scan.caution_problems"
    assert steps[-1].reason.args["problems"] == 30  # one problem line, counted as the 30 files it names
    confirmed = list(scan_steps(tmp_path / "mixed", confirmed=True))
    assert kinds(confirmed)[:3] == [Recognised, DatasetListed, Earlier]
    assert isinstance(confirmed[-1], DurationStep)


def test_problems_count_only_when_they_far_outnumber_the_items() -> None:
    assert problems_caution(["a problem"] * 21, 7) is None  # 21 = 3 x 7: not far more
    assert problems_caution(["a problem"] * 22, 7) is not None
    assert problems_caution(["a problem"] * 20, 0) is None  # few problems: the scan's own error says it


def test_results_are_never_written_at_the_top_of_a_drive() -> None:
    assert default_embeddings_folder(Path("/srv/voices")) == Path("/srv/voices embeddings")
    # /voices embeddings would lie in the root: the results go in a hidden folder the scans skip.
    assert default_embeddings_folder(Path("/voices")) == Path("/voices/.localclip embeddings")
    assert default_embeddings_folder(Path("/")) == Path("/.localclip embeddings")
    assert results_folder_refusal(Path("/")) is not None
    assert results_folder_refusal(Path("/srv")) is None


# --- the window ------------------------------------------------------------------------------------------


@pytest.fixture
def view(qtbot: Any) -> Any:
    from localclip.gui.intake import IntakeView

    widget = IntakeView()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    yield widget
    widget.cancel_scans()


def scanned(qtbot: Any, entry: Any) -> None:
    qtbot.waitUntil(lambda: entry.scanned and entry.task is None, timeout=10_000)


def test_the_window_shows_a_home_folder_as_waiting_then_uses_it_once_confirmed(
    qtbot: Any, view: Any, home: Path
) -> None:
    make_dataset(home / "Music", speakers=2, clips_per_speaker=2)
    (entry,) = view.add_folders([home])
    scanned(qtbot, entry)
    assert entry.status == FolderStatus.UNCONFIRMED
    assert not entry.usable
    assert "needs your confirmation" in view.queue.item(0).text()
    assert view.caution.isVisible()
    assert "home folder" in view.caution.text.text()
    assert view.caution.use_anyway.text().replace("&", "") == "Use anyway"

    view.caution.use_anyway.click()
    scanned(qtbot, entry)
    assert entry.confirmed and entry.status == FolderStatus.READY and entry.usable
    assert not view.caution.isVisible()
    assert entry.dataset is not None and entry.dataset.speaker_count == 2


def test_the_window_refuses_a_filesystem_root(qtbot: Any, view: Any) -> None:
    (entry,) = view.add_folders([Path("/")])
    scanned(qtbot, entry)
    assert entry.status == FolderStatus.INVALID and not entry.usable
    assert "cannot be used" in view.queue.item(0).text()
    assert "root of a drive" in view.tree.topLevelItem(0).text(0)
    assert not view.caution.isVisible()
    assert view.confirm(entry) is False  # a refusal is not a question


def test_the_window_never_takes_a_drive_root_as_the_results_folder(
    qtbot: Any, view: Any, tmp_path: Path
) -> None:
    make_dataset(tmp_path / "set", speakers=1, clips_per_speaker=2)
    (entry,) = view.add_folders([tmp_path / "set"])
    scanned(qtbot, entry)
    before = entry.out_dir
    assert view.set_out_dir(entry, Path("/")) is False
    assert entry.out_dir == before
    assert "root of a drive" in view.out_label.text()
