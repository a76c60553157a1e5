"""The workspace between starts: File > Open recent, the folders, folder and tab restored at the next start
(a folder gone since dropped with a line in the log), a finished project opening straight in the review,
and Help > Keyboard shortcuts listing the window's and the review's keys."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from localclip.core.cloning.manifest import CloneParams, Manifest, SeedPolicy
from localclip.core.cloning.project import scan_project
from localclip.core.options import RECENT_FOLDERS, WORKSPACE_FOLDERS
from localclip.gui import shortcuts
from localclip.gui.main_window import MainWindow
from localclip.runs.folders import FolderStatus
from localclip.settings import RECENT_KEPT, Settings
from tests.clone_project_helpers import make_project, write_wav
from tests.test_gui_window import NO_GPU

SCRIPT = "id,speaker,text\n001,anna,Hello there.\n002,bob,How are you?\n"


def project_at(folder: Path, finished: bool) -> Path:
    """A two-line project; ``finished``: a take of every line is in its manifest."""
    make_project(folder, ["anna", "bob"], SCRIPT)
    if finished:
        manifest = Manifest.load(folder)
        for plan in manifest.plan_lines(scan_project(folder), "demo", CloneParams(), SeedPolicy(7)):
            write_wav(plan.out_path, seconds=0.4)
            manifest.record_done(plan, 0.4)
        manifest.save()
    return folder


def make_window(qtbot, settings: Settings | None = None) -> MainWindow:
    window = MainWindow(settings or Settings(), gpu_reader=NO_GPU, offer_model_manager=False)
    window.ask = lambda *_args: True
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.worker_panes is not None, timeout=30_000)
    return window


def scanned(qtbot, window: MainWindow, path: Path) -> None:
    qtbot.waitUntil(
        lambda: (entry := window.intake.entry_for(path)) is not None and entry.status == FolderStatus.READY,
        timeout=20_000,
    )


def close(qtbot, window: MainWindow) -> None:
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20_000)


def test_a_finished_project_opens_straight_in_the_review(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot)
    unfinished = project_at(tmp_path / "half done 项目", finished=False)
    window.open_folders([unfinished])
    scanned(qtbot, window, unfinished)
    qtbot.wait(200)
    assert window.tabs.currentIndex() != window.tabs.indexOf(window.review)  # nothing to review yet
    finished = project_at(tmp_path / "all done 项目", finished=True)
    with qtbot.waitSignal(window.review.project_loaded, timeout=20_000):
        window.open_folders([finished])
    assert window.tabs.currentWidget() is window.review and window.review.project == finished
    assert window.review.model.rowCount() == 2


def test_the_edit_menu_undoes_the_review_s_edits(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot)
    project = project_at(tmp_path / "edit menu 项目", finished=True)
    with qtbot.waitSignal(window.review.project_loaded, timeout=20_000):
        window.open_folders([project])
    actions = window.edit_menu.actions()
    assert window.edit_menu.isEnabled()
    assert actions == [window.review.undo_action(), window.review.redo_action()]
    line_id = window.review.model.line(0).line_id
    assert window.review.set_approved([line_id], True)
    assert Manifest.load(project).lines[line_id].approved
    actions[0].trigger()  # Edit > Undo
    assert not Manifest.load(project).lines[line_id].approved
    actions[1].trigger()  # Edit > Redo
    assert Manifest.load(project).lines[line_id].approved
    close(qtbot, window)


def test_open_recent_lists_the_last_folders_and_disables_missing_ones(qtbot, tmp_path: Path) -> None:
    settings = Settings()
    folders = [project_at(tmp_path / f"project {n}", finished=False) for n in range(RECENT_KEPT + 2)]
    window = make_window(qtbot, settings)
    for folder in folders:
        window.open_folders([folder])
    assert settings.recent_folders() == list(reversed(folders))[:RECENT_KEPT]  # newest first, 8 kept
    shutil.rmtree(folders[-1])
    window._fill_recent_menu()
    entries = [action for action in window.recent_menu.actions() if action.data()]
    assert [Path(action.data()) for action in entries] == settings.recent_folders()
    assert not entries[0].isEnabled() and "(missing)" in entries[0].text()
    assert all(action.isEnabled() for action in entries[1:])
    assert window.open_recent(folders[-1]) is False  # gone: taken off the list, no error box
    assert folders[-1] not in settings.recent_folders()
    window.intake.queue.setCurrentRow(0)
    window.intake.remove_current()
    entries = [action for action in window.recent_menu.actions() if action.data()]
    entries[-1].trigger()  # the oldest one kept
    assert window.intake.entry_for(Path(entries[-1].data())) is not None
    window.clear_recent_action.trigger()
    assert settings.recent_folders() == [] and settings.get(RECENT_FOLDERS) == "[]"


def test_the_workspace_comes_back_at_the_next_start(qtbot, tmp_path: Path) -> None:
    first = project_at(tmp_path / "first 项目", finished=False)
    done = project_at(tmp_path / "done 项目", finished=True)
    gone = project_at(tmp_path / "gone soon", finished=False)
    window = make_window(qtbot)
    window.open_folders([first, gone, done])
    for path in (first, gone, done):
        scanned(qtbot, window, path)
    window.intake.select(window.intake.entry_for(done))
    window.show_results(window.intake.entry_for(done))
    qtbot.waitUntil(lambda: window.review.project == done)
    close(qtbot, window)
    assert Settings().get_paths(WORKSPACE_FOLDERS) == [first, gone, done]
    shutil.rmtree(gone)
    again = make_window(qtbot)
    qtbot.waitUntil(lambda: len(again.intake.entries) == 2, timeout=20_000)
    assert [entry.path for entry in again.intake.entries] == [first, done]
    assert again.intake.current_entry().path == done
    qtbot.waitUntil(lambda: again.review.project == done, timeout=20_000)
    assert again.tabs.currentWidget() is again.review
    again.log_panel.flush()
    assert f"{gone} is gone since the last session" in again.log_panel.view.toPlainText()
    assert again.settings.recent_folders()[:3] == [done, gone, first]  # restoring is not a new choice
    close(qtbot, again)


def test_a_damaged_workspace_value_is_an_empty_workspace(qtbot) -> None:
    settings = Settings()
    settings.set(WORKSPACE_FOLDERS, "not json [")
    assert settings.get_paths(WORKSPACE_FOLDERS) == []
    settings.set(WORKSPACE_FOLDERS, '{"a": 1}')
    assert settings.get_paths(WORKSPACE_FOLDERS) == []
    window = make_window(qtbot, settings)
    assert window.intake.entries == []


def test_the_shortcut_list_holds_every_key_of_the_window_and_the_review(qtbot) -> None:
    window = make_window(qtbot)
    window.shortcuts_action.trigger()
    dialog = window.shortcuts_dialog
    assert dialog is not None and dialog.isVisible()
    rows = dict(dialog.rows())
    for keys in ("Ctrl+O", "F5", "Shift+F5", "F1", "Ctrl+1", "Ctrl+6", "Space", "R", "J", "K", "L", "I", "O"):
        assert keys in rows, keys
    for keys in ("Ctrl+Z", "Ctrl+Shift+Z", "A", "B", "Left, Right", "Return, Enter"):
        assert keys in rows, keys
    # The window's actions take their keys from the same table.
    assert window.run_action.shortcut().toString() == shortcuts.RUN
    assert window.tab_actions["review"].shortcut().toString() == shortcuts.TAB_KEYS[4]
    assert window.shortcuts_action.shortcut().toString() == shortcuts.SHOW_SHORTCUTS


@pytest.mark.parametrize("option", [RECENT_FOLDERS, WORKSPACE_FOLDERS])
def test_path_lists_keep_non_ascii_names(option, tmp_path: Path) -> None:
    settings = Settings()
    paths = [tmp_path / "项目 one", tmp_path / "ü two"]
    settings.set_paths(option, paths)
    assert Settings().get_paths(option) == paths
