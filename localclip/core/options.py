"""The user's settings, declared once each with its type, default and bounds (plain Python, no Qt).

``localclip.settings.Settings`` stores them (QSettings INI); :class:`Defaults` reads every option at its
default, for the places that plan runs without a settings file (the GPU check, tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from localclip.core.machine.plan import GPU_IO_THREADS, GPU_TORCH_THREADS
from localclip_worker.embedding.budget import gpu_memory_gb

T = TypeVar("T")


@dataclass(frozen=True)
class Option(Generic[T]):
    key: str
    default: T
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[T, ...] | None = None  # the only values allowed, where there is such a list

    def coerce(self, raw: Any) -> T:
        kind = type(self.default)
        try:
            if kind is bool:
                value: Any = (
                    raw if isinstance(raw, bool) else str(raw).strip().lower() in ("1", "true", "yes")
                )
            else:
                value = kind(raw)
        except (TypeError, ValueError):
            return self.default
        if isinstance(value, float) and not math.isfinite(value):
            return self.default
        if (self.minimum is not None and not value >= self.minimum) or (
            self.maximum is not None and not value <= self.maximum
        ):
            return self.default
        if self.choices is not None and value not in self.choices:
            return self.default
        return value


MEMORY_PER_WORKER_GB = Option("plan/memory_per_worker_gb", 8.0, minimum=0.1, maximum=1024.0)
RESERVE_FRACTION = Option("plan/reserve_fraction", 0.10, minimum=0.0, maximum=0.9)
MAX_WORKERS = Option("plan/max_workers", 0, minimum=0, maximum=256)  # 0: no maximum
CPU_WORKERS = Option("plan/cpu_workers", 1, minimum=1, maximum=64)
# CPU threads of each GPU worker (core/machine/plan.py: reasoned defaults, to be decided by measurement).
GPU_WORKER_TORCH_THREADS = Option("plan/gpu_torch_threads", GPU_TORCH_THREADS, minimum=1, maximum=256)
EMBED_GPU_IO_THREADS = Option("embed/gpu_io_threads", GPU_IO_THREADS, minimum=0, maximum=256)
# A WeSpeaker ResNet needs far less GPU memory than Fish-Speech; embedding batches on the GPU, so one
# worker per GPU with large batches is the default (0: no per-GPU maximum). A worker's memory is what its
# largest batch reaches, derived from the batch cap (localclip_worker/embedding/budget.py: 6.0 GB), so the
# plan never puts more workers on a GPU than their batches can use.
EMBED_MEMORY_PER_WORKER_GB = Option(
    "embed/memory_per_worker_gb", gpu_memory_gb(), minimum=0.1, maximum=1024.0
)
EMBED_WORKERS_PER_GPU = Option("embed/workers_per_gpu", 1, minimum=0, maximum=64)
# A clone worker decodes many lines at once in one model copy (rows sized from the GPU's free memory by
# the worker itself), so one worker per GPU uses it; more workers only time-share it. 0: as many as fit.
CLONE_WORKERS_PER_GPU = Option("clone/workers_per_gpu", 1, minimum=0, maximum=64)
# On the CPU an embedding worker runs one clip per forward pass, and several single-threaded workers beat
# one worker with a torch thread per core (measured: bench/embed.py, docs/benchmarks.md); 0: one worker per
# core. Each CPU worker gets an equal share of the cores as torch threads (localclip/runs/setup.py).
EMBED_CPU_WORKERS = Option("embed/cpu_workers", 0, minimum=0, maximum=64)

# Model folders chosen in the window or the model manager ("" : none chosen yet). The model manager
# downloads into MODELS_FOLDER ("" : the per-user data folder, localclip.core.paths).
WESPEAKER_MODEL_DIR = Option("models/wespeaker_dir", "")
FISH_MODEL_DIR = Option("models/fish_dir", "")
MODELS_FOLDER = Option("models/folder", "")
MODEL_MANAGER_OFFERED = Option("models/manager_offered", False)  # opened once at the first start

# The window's run settings (the commands take these as options). Cloning defaults are fish-speech's
# (CloneParams; tests/test_gui_window.py checks they agree). CLONE_SEED -1: a random seed per line.
RUN_DEVICE = Option("run/device", "auto")  # auto, cpu or cuda
# Where runs go: this workstation's workers, or a Dask cluster's nodes (docs/cluster.md). The address and
# the TLS files are kept when the choice goes back to this workstation.
RUN_WHERE = Option("run/where", "local", choices=("local", "cluster"))
CLUSTER_ADDRESS = Option("cluster/address", "")  # tcp://HOST:8786, tls://HOST:8786 or HOST
CLUSTER_TLS_CA = Option("cluster/tls_ca", "")
CLUSTER_TLS_CERT = Option("cluster/tls_cert", "")
CLUSTER_TLS_KEY = Option("cluster/tls_key", "")
EMBED_BATCH_SIZE = Option("embed/batch_size", 0, minimum=0, maximum=4096)  # 0: the worker adapts it
# The embedding model's arithmetic on a GPU (localclip_worker/embedding/pipeline.py Precision): exact is
# float32 with TF32 off, LocalClip's equality bar with WeSpeaker. A faster mode becomes the default only
# once measured on a GPU to keep every embedding within cosine 0.9999 of exact
# (bench/gpu_phases/embed_precision.py).
EMBED_PRECISION = Option("embed/precision", "exact", choices=("exact", "tf32", "bf16", "fp16"))
SPEAKERS_NORMALIZE = Option("speakers/normalize", False)
SPEAKERS_MIN_UTTERANCES = Option("speakers/min_utterances", 1, minimum=1, maximum=1_000_000)
CLONE_TEMPERATURE = Option("clone/temperature", 0.8, minimum=0.01, maximum=1.99)
CLONE_TOP_P = Option("clone/top_p", 0.8, minimum=0.01, maximum=1.0)
CLONE_REPETITION_PENALTY = Option("clone/repetition_penalty", 1.1, minimum=0.01, maximum=1.99)
CLONE_MAX_NEW_TOKENS = Option("clone/max_new_tokens", 1024, minimum=0, maximum=1_000_000)
CLONE_SEED = Option("clone/seed", -1, minimum=-1, maximum=2**32 - 1)
WINDOW_GEOMETRY = Option("window/geometry", "")  # base64 of QMainWindow.saveGeometry()
WINDOW_STATE = Option("window/state", "")  # base64 of the splitters' saveState()
LAST_FOLDER = Option("window/last_folder", "")  # where Open folder starts
# File > Open recent and the workspace restored at the next start. Lists are JSON arrays of paths in one
# string (INI values are strings); a damaged value reads as an empty list (localclip.settings).
RECENT_FOLDERS = Option("window/recent_folders", "[]")  # newest first, at most RECENT_KEPT
WORKSPACE_FOLDERS = Option("workspace/folders", "[]")  # the folder list at the last close, in order
WORKSPACE_CURRENT = Option("workspace/current", "")  # the folder shown at the last close
WORKSPACE_SIDE_TAB = Option("workspace/side_tab", "")  # "folder" or "settings"
WORKSPACE_TAB = Option("workspace/tab", "")  # "workers", "log", "review" or "speakers"
REVIEW_AUTO_PLAY_NEXT = Option("review/auto_play_next", True)  # the review pane plays line after line
# The review's warm cloning worker (new takes) holds a model copy outside any run's plan: stopped after this
# many minutes unused (0: kept until a run starts or the window closes).
REVIEW_WORKER_IDLE_MINUTES = Option("review/worker_idle_minutes", 5.0, minimum=0.0, maximum=24 * 60.0)
LANGUAGE = Option("ui/language", "")  # "": the system's language; "en", "zh_CN" (applied at the next start)
# The export dialog's last choices (gui/export_dialog.py). Sample rate 0: each take keeps its own rate;
# loudness 0.0: no normalisation. The folder is not remembered: each export starts in its project's folder.
EXPORT_SAMPLE_RATE = Option("export/sample_rate", 48_000, choices=(48_000, 44_100, 0))
EXPORT_SUBTYPE = Option("export/subtype", "PCM_24", choices=("PCM_24", "PCM_16", "FLOAT"))
EXPORT_NAME_TEMPLATE = Option("export/name_template", "{id}")
EXPORT_BY_SPEAKER = Option("export/by_speaker", False)
EXPORT_APPROVED_ONLY = Option("export/approved_only", False)
EXPORT_LOUDNESS_LUFS = Option("export/loudness_lufs", 0.0, choices=(0.0, -23.0, -16.0))
EXPORT_TIMELINE = Option("export/timeline", True)


def python_option(kind: str) -> Option[str]:
    return Option(f"workers/python_{kind}", "")  # empty: the bundled worker environment


class OptionSource(Protocol):
    """Anything that reads options: the user's Settings, or Defaults."""

    def get(self, option: Option[T]) -> T: ...


class Defaults:
    """Every option at its default."""

    def get(self, option: Option[T]) -> T:
        return option.default


# Take QA (docs/qa.md, localclip/core/qa/flags.py): the thresholds that turn a take's stored scores into
# flags, read when the review shows them (a changed threshold needs no new scoring), and how many new takes
# a clone run makes of a flagged line (0: none; the best-scored take is kept, no take is deleted).
QA_VOICE_MARGIN = Option("qa/voice_margin", 0.05, minimum=0.0, maximum=1.0)  # own speaker over the others
QA_VOICE_FRACTION = Option("qa/voice_fraction", 0.75, minimum=0.1, maximum=2.0)  # of the voices' spacing
QA_MAX_ERROR_RATE = Option("qa/max_error_rate", 0.15, minimum=0.0, maximum=1.0)  # words or characters wrong
QA_MAX_SILENCE_S = Option("qa/max_silence_s", 1.5, minimum=0.1, maximum=60.0)  # inside a take
QA_MAX_CLIPPED_SAMPLES = Option("qa/max_clipped_samples", 10, minimum=0, maximum=100_000_000)
QA_DURATION_Z = Option("qa/duration_z", 3.0, minimum=0.5, maximum=100.0)  # standard deviations
QA_RETAKES = Option("qa/retakes", 0, minimum=0, maximum=10)  # automatic new takes of a flagged line
QA_ENABLED = Option("qa/enabled", True)  # check every new take (needs the speaker embedding model)
RECOGNISER_MODEL_DIR = Option("models/recogniser_dir", "")  # a Whisper folder; "": words are not checked
