"""Core's structured messages (localclip/core/messages.py) and the window's table that translates them
(localclip/gui/messages.py): English for the command line and the logs, the user's language in the window."""

from __future__ import annotations

import ast
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from localclip.core.machine.gpus import NO_PYNVML_PROBLEM, GpuReport
from localclip.core.machine.plan import NoUsableGpu, PlanSettings, plan_workers
from localclip.core.messages import JOINED, TEXTS, Message, joined
from localclip.gui.messages import CONTEXT, SOURCES, translate_error, translate_message

ROOT = Path(__file__).resolve().parent.parent


def test_the_window_s_table_has_every_key_with_the_same_english() -> None:
    assert set(SOURCES) == set(TEXTS) - {JOINED}
    different = [key for key, text in SOURCES.items() if text != TEXTS[key]]
    assert different == []


def _message_keys_in(path: Path) -> list[tuple[str, int]]:
    keys = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Message" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                keys.append((first.value, node.lineno))
    return keys


def test_every_key_core_uses_is_declared() -> None:
    unknown = [
        f"{path.relative_to(ROOT)}:{line}: {key}"
        for path in sorted((ROOT / "localclip").rglob("*.py"))
        for key, line in _message_keys_in(path)
        if key not in TEXTS
    ]
    assert unknown == []


def test_a_message_is_its_english_text_for_the_command_line_and_the_logs() -> None:
    message = Message("plan.capped_by_work", workers=Message("plan.workers", count=3), items="x")
    assert message == "capped at 3 workers: x"
    assert isinstance(message, str) and message.key == "plan.capped_by_work"
    assert message.args["workers"].key == "plan.workers"
    assert json.dumps({"line": message}) == '{"line": "capped at 3 workers: x"}'
    assert f"{message}" == "capped at 3 workers: x"
    copied = copy.deepcopy(message)
    assert copied == message and copied.key == message.key and copied.args["workers"].key == "plan.workers"
    with pytest.raises(KeyError):
        Message("no.such.key")


def test_joined_messages_read_as_one() -> None:
    one = Message("plan.no_nvidia_gpu")
    assert joined([one]) is one
    assert joined([]) == ""
    both = joined([one, Message("plan.no_work")], "\n")
    assert both == "No NVIDIA GPU found\nno work to do"
    assert both.key == JOINED


def test_plain_text_passes_through_the_window_s_translation_unchanged(qapp: Any) -> None:
    assert translate_message("already translated") == "already translated"
    assert translate_message(None) == ""
    assert translate_message(Message("plan.no_nvidia_gpu")) == "No NVIDIA GPU found"
    assert translate_error(ValueError("plain")) == "plain"


# --- with a translator installed ------------------------------------------------------------------------


class Shouting(QTranslator):
    """A translator built in the test: every "Messages" text in capitals, its placeholders kept."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def isEmpty(self) -> bool:
        return False

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
        if context != CONTEXT:
            return ""
        self.asked.append(source)
        return _upper_outside_fields(source)


def _upper_outside_fields(text: str) -> str:
    parts, depth = [], 0
    for char in text:
        depth += char == "{"
        parts.append(char if depth else char.upper())
        depth -= char == "}"
    return "".join(parts)


@pytest.fixture
def shouting(qapp: Any) -> Any:
    translator = Shouting()
    QCoreApplication.installTranslator(translator)
    yield translator
    QCoreApplication.removeTranslator(translator)


def test_a_message_and_its_message_arguments_are_translated(shouting: Shouting) -> None:
    message = Message("plan.cpu_fallback", reason=Message("plan.no_nvidia_gpu"))
    assert translate_message(message) == "NO NVIDIA GPU FOUND: RUNNING ON CPU"
    assert str(message) == "No NVIDIA GPU found: running on CPU"  # the command line's stays English
    both = joined([Message("plan.no_work"), Message("plan.one_item")], "\n")
    assert translate_message(both) == "NO WORK TO DO\nONLY 1 ITEM OF WORK"
    error = NoUsableGpu(Message("plan.no_usable_gpu", details=Message("plan.no_nvidia_gpu")))
    assert (
        translate_error(error)
        == "THE DEVICE IS SET TO CUDA, BUT NO GPU CAN TAKE A WORKER:\nNO NVIDIA GPU FOUND"
    )


def test_the_gpu_panel_shows_nvml_and_plan_messages_translated(qtbot: Any, shouting: Shouting) -> None:
    from localclip.gui.gpu_panel import GpuPanel

    panel = GpuPanel(reader=lambda: GpuReport((), None, None, NO_PYNVML_PROBLEM))
    qtbot.addWidget(panel)
    panel.set_planner(lambda report: plan_workers(report, PlanSettings(), work_items=5))
    panel.show_report(GpuReport((), None, None, NO_PYNVML_PROBLEM))
    assert panel.detail.text() == translate_message(NO_PYNVML_PROBLEM)
    assert panel.detail.text().startswith("THE NVIDIA-ML-PY PACKAGE")
    assert panel.plan_label.text() == "CPU: 1 WORKER"  # the missing GPU is said once, by the state line

    panel.set_planner(lambda report: plan_workers(report, PlanSettings(), device="cuda"))
    assert panel.plan_label.text().startswith("THE DEVICE IS SET TO CUDA")


def test_the_intake_shows_scan_problems_translated(qtbot: Any, shouting: Shouting, tmp_path: Path) -> None:
    from localclip.core.demo_data import make_dataset
    from localclip.gui.intake import IntakeView

    make_dataset(tmp_path / "set", speakers=1, clips_per_speaker=2)
    speaker = next((tmp_path / "set").iterdir())
    (speaker / "notes.txt").write_text("a note\n", encoding="utf-8")
    (tmp_path / "set" / "empty").mkdir()
    view = IntakeView()
    qtbot.addWidget(view)
    (entry,) = view.add_folders([tmp_path / "set"])
    qtbot.waitUntil(lambda: entry.scanned and entry.task is None, timeout=10_000)
    rows = [view.problems.topLevelItem(i).text(1) for i in range(view.problems.topLevelItemCount())]
    assert "EMPTY SPEAKER FOLDER empty: NO AUDIO FILES" in rows
    assert any(row.startswith("IGNORED 1 NON-AUDIO FILE(S) .txt") for row in rows)
    assert [problem.file for problem in entry.problems if problem.file == "empty"] == ["empty"]
    view.cancel_scans()


def test_a_model_check_failure_is_translated(shouting: Shouting, tmp_path: Path) -> None:
    from localclip.core.kinds import ModelKind
    from localclip.core.models.catalog import folder_problem
    from localclip.core.models.folders import ModelDirError, check_wespeaker_dir

    (tmp_path / "model").mkdir()
    with pytest.raises(ModelDirError) as caught:
        check_wespeaker_dir(tmp_path / "model")
    assert str(caught.value).endswith("(it needs config.yaml and avg_model.pt)")
    assert translate_error(caught.value).endswith("(IT NEEDS config.yaml and avg_model.pt)")
    problem = folder_problem(ModelKind.WESPEAKER, tmp_path / "missing")
    assert translate_message(problem).startswith("MODEL FOLDER NOT FOUND: ")


def test_the_model_manager_shows_catalog_texts_in_chinese(qtbot: Any, qapp: Any, tmp_path: Path) -> None:
    """Each catalog model's description and licence are Messages: English for `localclip models`, the real
    zh_CN translation in the model manager."""
    from localclip.core.models.catalog import CATALOG, find_model
    from localclip.core.options import MODELS_FOLDER
    from localclip.gui.model_manager import ModelManagerDialog
    from localclip.gui.translations import install_translations, remove_translations
    from localclip.settings import Settings

    model = find_model("wespeaker-resnet34")
    assert model.description == "Speaker embeddings, 256 dimensions. Fast; the usual choice."
    assert all(isinstance(m.description, Message) and isinstance(m.licence, Message) for m in CATALOG)
    settings = Settings()
    settings.set(MODELS_FOLDER, str(tmp_path / "models"))
    assert install_translations(qapp, "zh_CN") == "zh_CN"
    try:
        dialog = ModelManagerDialog(settings)
        qtbot.addWidget(dialog)
        dialog.table.selectRow(next(i for i, m in enumerate(CATALOG) if m.id == model.id))
        details = dialog.details_label.text()
        assert "说话人嵌入，256 维。" in details and model.description not in details
        assert "CC BY 4.0（VoxCeleb 的许可协议" in details  # the licence's name stays as it is
        assert str(model.licence) not in details
    finally:
        remove_translations(qapp)


def test_the_intake_shows_a_project_s_problems_in_chinese(qtbot: Any, qapp: Any, tmp_path: Path) -> None:
    """A cloning project's scan problems are Messages: English for `localclip clone` and the logs, the real
    zh_CN translation in the intake's problem rows (a line's reason inside its problem included)."""
    from localclip.core.cloning.project import scan_project
    from localclip.gui.intake import IntakeView
    from localclip.gui.translations import install_translations, remove_translations
    from tests.clone_project_helpers import add_speaker, make_project

    project = make_project(tmp_path / "project", ["anna", "ben"], "id,speaker,text\n1,anna,Hi.\n2,ben,Yo.\n")
    add_speaker(project, "cleo", transcript=None)
    english = {problem.file: problem.message for problem in scan_project(project).problems}
    assert english["speakers/cleo/ref.wav"] == (
        "no transcript: add ref.lab (or .txt) with the words spoken in it"
    )
    assert isinstance(english["speakers/cleo/ref.wav"], Message)
    assert install_translations(qapp, "zh_CN") == "zh_CN"
    try:
        view = IntakeView()
        qtbot.addWidget(view)
        (entry,) = view.add_folders([project])
        qtbot.waitUntil(lambda: entry.scanned and entry.task is None, timeout=10_000)
        rows = {
            view.problems.topLevelItem(i).text(0): view.problems.topLevelItem(i).text(1)
            for i in range(view.problems.topLevelItemCount())
        }
        assert rows["speakers/cleo/ref.wav"] == "没有转写文本：请添加 ref.lab（或 .txt），写入其中所说的话"
        assert rows["speakers/cleo"] == "没有可用的参考音频：无法生成该说话人的台词"
        view.cancel_scans()
    finally:
        remove_translations(qapp)
