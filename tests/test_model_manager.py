"""The model manager dialog: it lists the catalog with each model's state, downloads in a child process
with progress (against a hub on loopback), pauses and resumes, explains a gated model, checks a folder the
user already has, and records the folder in use in the settings."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from localclip.core.models.catalog import CATALOG, ModelState, find_model, model_status
from localclip.core.options import FISH_MODEL_DIR, MODELS_FOLDER, WESPEAKER_MODEL_DIR
from localclip.gui.model_manager import ModelManagerDialog, missing_model_kinds, models_missing
from localclip.settings import Settings
from tests.model_hub_helpers import FakeHub, Gate, start_hub

RESNET221 = find_model("wespeaker-resnet221")
FISH = find_model("openaudio-s1-mini")
REMOTE_NAMES = {"config.yaml": "voxceleb_resnet221_LM.yaml", "avg_model.pt": "voxceleb_resnet221_LM.pt"}
TIMEOUT_MS = 90_000


@pytest.fixture(scope="session")
def tiny_wespeaker(tiny_wespeaker_model: Path) -> Path:
    """The model the hub serves: a real tiny WeSpeaker folder (tests/conftest.py builds it once)."""
    return tiny_wespeaker_model


@pytest.fixture
def hub(tiny_wespeaker: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    fake = FakeHub()
    fake.add_folder(RESNET221.repo, tiny_wespeaker, REMOTE_NAMES)
    fake.files[(FISH.repo, "main", "config.json")] = b"{}"
    fake.gates[FISH.repo] = Gate("hf_good")
    server = start_hub(fake)
    monkeypatch.setenv("HF_ENDPOINT", fake.url)  # the child process inherits it
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    yield fake
    server.shutdown()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings()
    settings.set(MODELS_FOLDER, str(tmp_path / "我的 models"))
    settings.sync()
    return settings


@pytest.fixture
def dialog(qtbot, settings: Settings) -> ModelManagerDialog:
    window = ModelManagerDialog(settings)
    qtbot.addWidget(window)
    window.show()
    return window


def select(dialog: ModelManagerDialog, model_id: str) -> None:
    dialog.table.selectRow(next(i for i, m in enumerate(CATALOG) if m.id == model_id))


def state_cell(dialog: ModelManagerDialog, model_id: str) -> str:
    row = next(i for i, m in enumerate(CATALOG) if m.id == model_id)
    return dialog.table.item(row, 3).text()


def test_the_dialog_lists_every_model_with_its_state(dialog: ModelManagerDialog) -> None:
    assert dialog.table.rowCount() == len(CATALOG) == 4
    assert all(state_cell(dialog, model.id) == "Not installed" for model in CATALOG)
    select(dialog, "openaudio-s1-mini")
    assert dialog.token_row.isVisibleTo(dialog) and "huggingface.co/fishaudio/openaudio-s1-mini" in (
        dialog.details_label.text()
    )
    select(dialog, "wespeaker-resnet34")
    assert not dialog.token_row.isVisibleTo(dialog)
    assert not dialog.use_button.isEnabled() and not dialog.pause_button.isEnabled()


def test_download_shows_progress_and_the_model_is_used(
    qtbot, hub: FakeHub, dialog: ModelManagerDialog, settings: Settings, tiny_wespeaker: Path
) -> None:
    select(dialog, "wespeaker-resnet221")
    values: list[int] = []
    dialog.progress_bar.valueChanged.connect(values.append)
    with qtbot.waitSignal(dialog.download_finished, timeout=TIMEOUT_MS) as finished:
        assert dialog.start_download()
        assert dialog.pause_button.isEnabled() and not dialog.download_button.isEnabled()
    assert finished.args == ["wespeaker-resnet221", True], dialog.message + dialog.details_text.toPlainText()
    assert values[-1] == dialog.progress_bar.maximum() and len(values) >= 2
    folder = Path(settings.get(MODELS_FOLDER)) / "wespeaker-resnet221"
    assert (folder / "avg_model.pt").read_bytes() == (tiny_wespeaker / "avg_model.pt").read_bytes()
    assert state_cell(dialog, "wespeaker-resnet221") == "Installed and verified"
    # nothing of this kind was chosen yet, so the download is used at once
    assert Path(settings.get(WESPEAKER_MODEL_DIR)) == folder.resolve()
    assert "downloaded and verified" in dialog.message


def test_pause_keeps_the_partial_download_and_resume_continues_it(
    qtbot, hub: FakeHub, dialog: ModelManagerDialog, settings: Settings, tiny_wespeaker: Path
) -> None:
    hub.bytes_per_second = 4_000_000
    select(dialog, "wespeaker-resnet221")
    folder = Path(settings.get(MODELS_FOLDER)) / "wespeaker-resnet221"
    part = folder / "avg_model.pt.part"
    with qtbot.waitSignal(dialog.download_finished, timeout=TIMEOUT_MS) as finished:
        dialog.start_download()
        qtbot.waitUntil(lambda: part.exists() and part.stat().st_size > 1_000_000, timeout=TIMEOUT_MS)
        dialog.pause_button.click()
    assert finished.args == ["wespeaker-resnet221", False] and "Paused" in dialog.message
    kept = part.stat().st_size
    assert model_status(RESNET221, folder).state is ModelState.PARTIAL
    assert state_cell(dialog, "wespeaker-resnet221") == "Partly downloaded"
    assert dialog.download_button.text() == "Resume" and dialog.download_button.isEnabled()
    hub.bytes_per_second = 0
    with qtbot.waitSignal(dialog.download_finished, timeout=TIMEOUT_MS) as finished:
        dialog.download_button.click()
    assert finished.args == ["wespeaker-resnet221", True], dialog.message
    assert hub.gets("/cdn/")[-1]["range"] == f"bytes={kept}-"
    assert (folder / "avg_model.pt").read_bytes() == (tiny_wespeaker / "avg_model.pt").read_bytes()


def test_a_gated_model_asks_for_the_licence_and_the_token(
    qtbot, hub: FakeHub, dialog: ModelManagerDialog
) -> None:
    select(dialog, "openaudio-s1-mini")
    assert not dialog.start_download()  # no token: said at once, nothing started
    assert "accept the licence at" in dialog.message and FISH.page_url in dialog.message
    dialog.token_edit.setText("hf_wrong")
    with qtbot.waitSignal(dialog.download_finished, timeout=TIMEOUT_MS) as finished:
        assert dialog.start_download()
    assert finished.args == ["openaudio-s1-mini", False]
    assert "refused the access token" in dialog.message and FISH.page_url in dialog.message
    assert "hf_wrong" not in dialog.message + dialog.details_text.toPlainText()


def test_use_a_folder_i_already_have_names_what_is_missing(
    qtbot, dialog: ModelManagerDialog, settings: Settings, tiny_wespeaker: Path, tmp_path: Path, monkeypatch
) -> None:
    incomplete = tmp_path / "my model 模型"
    incomplete.mkdir()
    (incomplete / "config.yaml").write_text((tiny_wespeaker / "config.yaml").read_text("utf-8"), "utf-8")
    assert not dialog.use_folder(incomplete)
    assert "missing avg_model.pt" in dialog.message and not settings.get(WESPEAKER_MODEL_DIR)
    monkeypatch.setattr(
        "localclip.gui.model_manager.QFileDialog.getExistingDirectory", lambda *_: str(tiny_wespeaker)
    )
    with qtbot.waitSignal(dialog.model_used) as used:
        dialog.folder_button.click()
    assert used.args == ["wespeaker", str(tiny_wespeaker.resolve())]
    assert Path(settings.get(WESPEAKER_MODEL_DIR)) == tiny_wespeaker.resolve()
    assert str(tiny_wespeaker.resolve()) in dialog.in_use_label.text()


def test_use_switches_to_a_downloaded_model(
    qtbot, hub: FakeHub, dialog: ModelManagerDialog, settings: Settings, tiny_wespeaker: Path
) -> None:
    dialog.use_folder(tiny_wespeaker)  # the person's own folder is in use
    select(dialog, "wespeaker-resnet221")
    with qtbot.waitSignal(dialog.download_finished, timeout=TIMEOUT_MS):
        dialog.start_download()
    assert Path(settings.get(WESPEAKER_MODEL_DIR)) == tiny_wespeaker.resolve()  # not replaced silently
    assert "Click Use" in dialog.message and dialog.use_button.isEnabled()
    with qtbot.waitSignal(dialog.model_used) as used:
        dialog.use_button.click()
    folder = (Path(settings.get(MODELS_FOLDER)) / "wespeaker-resnet221").resolve()
    assert used.args == ["wespeaker", str(folder)] and Path(settings.get(WESPEAKER_MODEL_DIR)) == folder
    assert not dialog.use_button.isEnabled()


def test_models_missing_until_both_kinds_have_a_usable_folder(
    settings: Settings, tiny_wespeaker: Path, tmp_path: Path
) -> None:
    assert models_missing(settings) and missing_model_kinds(settings) == ["wespeaker", "fish"]
    settings.set(WESPEAKER_MODEL_DIR, str(tiny_wespeaker))
    fish = tmp_path / "fish model"
    fish.mkdir()
    for name in ("config.json", "model.pth", "tokenizer.tiktoken", "codec.pth"):
        (fish / name).write_bytes(b"x")
    settings.set(FISH_MODEL_DIR, str(fish))
    assert not models_missing(settings)
    (fish / "codec.pth").unlink()  # moved away or deleted since
    assert missing_model_kinds(settings) == ["fish"]


def test_closing_the_dialog_pauses_the_download(
    qtbot, hub: FakeHub, dialog: ModelManagerDialog, settings: Settings
) -> None:
    hub.bytes_per_second = 2_000_000
    select(dialog, "wespeaker-resnet221")
    part = Path(settings.get(MODELS_FOLDER)) / "wespeaker-resnet221" / "avg_model.pt.part"
    dialog.start_download()
    qtbot.waitUntil(lambda: part.exists() and part.stat().st_size > 0, timeout=TIMEOUT_MS)
    dialog.reject()
    assert not dialog.is_downloading() and part.exists()


def test_demo_models_are_built_by_the_worker_environment_and_used(dialog, settings: Settings, qtbot) -> None:
    """Random-weight models for trying LocalClip offline: built in child processes, checked, recorded."""
    from localclip.core.models.folders import check_fish_dir, check_wespeaker_dir

    steps: list[tuple[int, int, str]] = []
    labels: list[str] = []

    def step(done: int, total: int, kind: str) -> None:
        steps.append((done, total, kind))
        labels.append(dialog.progress_label.text())

    with qtbot.waitSignal(dialog.demo_models_built, timeout=300_000) as built:
        dialog.make_demo_models(confirmed=True)
        dialog.demo_builder.progressed.connect(step)
    folders = built.args[0]
    # Real progress: a step per model, counted (the first step was announced before the connection).
    assert steps == [(1, 2, "fish"), (2, 2, "")]
    assert labels == [
        "Demo models: 1 of 2 built; building the Fish-Speech model…",
        "Demo models: 2 of 2 built",
    ]
    assert dialog.progress_bar.value() == dialog.progress_bar.maximum()
    # Both are listed under the catalog, in use.
    demo_rows = range(len(CATALOG), dialog.table.rowCount())
    assert [dialog.table.item(row, 4).text() for row in demo_rows] == ["yes", "yes"]
    assert set(folders) == {"wespeaker", "fish"}
    assert all("我的 models" in str(folder) for folder in folders.values())
    check_wespeaker_dir(folders["wespeaker"])
    check_fish_dir(folders["fish"])
    assert Settings().get(WESPEAKER_MODEL_DIR) == str(folders["wespeaker"].resolve())
    assert Settings().get(FISH_MODEL_DIR) == str(folders["fish"].resolve())
    assert not missing_model_kinds(Settings())


def test_demo_models_the_settings_point_at_are_listed_in_use(
    qtbot, settings: Settings, tiny_wespeaker: Path
) -> None:
    """A demo model is not in the catalog: once built it is listed under it, "in use" when chosen, and its
    row cannot be selected (nothing to download)."""
    dialog = ModelManagerDialog(settings)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == len(CATALOG)  # none built yet: no demo rows
    kind, folder = dialog.demo_folders()[0]
    assert kind == "wespeaker"
    shutil.copytree(tiny_wespeaker, folder)
    dialog.refresh()
    row = len(CATALOG)
    assert dialog.table.rowCount() == row + 1
    assert "Demo model" in dialog.table.item(row, 0).text() and dialog.table.item(row, 3).text() == "Built"
    assert dialog.table.item(row, 4).text() == ""
    settings.set(WESPEAKER_MODEL_DIR, str(folder))
    dialog.refresh()
    assert dialog.table.item(row, 4).text() == "yes"
    assert "(demo model, random weights)" in dialog.in_use_label.text()
    dialog.table.selectRow(row)
    assert dialog.selected_model() in CATALOG  # the demo row is not selectable
