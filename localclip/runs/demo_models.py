"""Demo models for trying LocalClip without downloading anything: a WeSpeaker ResNet34 and a tiny
Fish-Speech model with random weights, built by the worker environment (``localclip_worker.demo_models``,
the same command as ``localclip demo``: ``runs.setup.demo_model_command``) in child processes, so the
window never waits on torch.

Random weights run the whole pipeline (embed, speakers, clone, review) with the real model classes;
the similarities mean nothing and the cloned clips are noise in the shape of speech.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Signal

from localclip.core.kinds import ModelKind
from localclip.core.models.catalog import folder_problem
from localclip.pool.child_process import child_process_environment
from localclip.runs.setup import demo_model_command
from localclip.settings import Settings

DEMO_MODELS = (  # kind, folder name under the models folder
    (ModelKind.WESPEAKER, "demo-wespeaker-resnet34-random"),
    (ModelKind.FISH, "demo-fish-speech-tiny-random"),
)
STDERR_KEPT = 4000  # characters of a failed build's stderr shown under "Details"


class DemoModelBuilder(QObject):
    """Builds the demo models one after the other; a model whose folder already exists is kept."""

    built = Signal(object)  # {kind: folder} of every demo model, when all exist
    # Steps done, steps in all (the models to build; those already built are kept and not counted), and
    # the kind being built now ("" once all are built): real counts for the progress shown, not a busy bar.
    progressed = Signal(int, int, str)
    failed = Signal(str, str)  # a message for a person, details (the builder's stderr)

    def __init__(self, settings: Settings, models_root: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings, self.models_root = settings, models_root
        self._queue: list[tuple[str, Path]] = []
        self._process: QProcess | None = None
        self.steps_done = 0
        self.steps_total = 0

    @property
    def running(self) -> bool:
        return self._process is not None

    def folders(self) -> dict[str, Path]:
        return {kind: self.models_root / name for kind, name in DEMO_MODELS}

    def start(self) -> None:
        if self.running:
            return
        # A folder that passes LocalClip's own check is kept; one left half-built is built again.
        self._queue = [(k, folder) for k, folder in self.folders().items() if folder_problem(k, folder)]
        self.steps_done, self.steps_total = 0, len(self._queue)
        self._next()

    def cancel(self) -> None:
        process, self._process, self._queue = self._process, None, []
        if process is not None:
            process.kill()
            process.waitForFinished(5000)

    def _next(self) -> None:
        if not self._queue:
            self._process = None
            self.progressed.emit(self.steps_total, self.steps_total, "")
            self.built.emit(self.folders())
            return
        kind, folder = self._queue.pop(0)
        self.progressed.emit(self.steps_done, self.steps_total, kind)
        process = QProcess(self)
        process.setProcessEnvironment(child_process_environment())
        program, *arguments = demo_model_command(self.settings, folder, kind)
        process.finished.connect(lambda code, status: self._on_finished(process, kind, code, status))
        process.errorOccurred.connect(lambda error: self._on_error(process, error, program))
        self._process = process
        process.start(program, arguments)

    def _on_finished(self, process: QProcess, kind: str, code: int, status: QProcess.ExitStatus) -> None:
        if process is not self._process:
            return  # cancelled
        if status == QProcess.ExitStatus.NormalExit and code == 0:
            self.steps_done += 1
            self._next()
            return
        details = bytes(process.readAllStandardError().data()).decode("utf-8", "replace")[-STDERR_KEPT:]
        self._fail(self.tr("The demo {0} model could not be built.").format(kind), details)

    def _on_error(self, process: QProcess, error: QProcess.ProcessError, program: str) -> None:
        if process is self._process and error == QProcess.ProcessError.FailedToStart:
            self._fail(
                self.tr("The worker environment could not be started: {0}").format(program),
                process.errorString(),
            )

    def _fail(self, message: str, details: str) -> None:
        self._process, self._queue = None, []
        self.failed.emit(message, details)
