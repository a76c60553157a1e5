"""Speaker embeddings: LocalClip's batched WeSpeaker path against WeSpeaker's own ``extract_embedding``,
strict model loading, bad and unusual clips, and the ``embed`` job in a real worker.

The app environment has no torch, so the worker-side work runs under the worker python: the scripts in
tests/worker_scripts, short inline programs, and the worker itself through the pool. A tiny ResNet34
(WeSpeaker's class, random weights, embed_dim 32) is built once per session.
"""

from __future__ import annotations

import base64
import json
import pickle
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

SCRIPTS = Path(__file__).parent / "worker_scripts"
RATE = 16000
EMBED_DIM = 32
TOLERANCE = 1e-4  # max |difference| / norm per clip; measured about 5e-7
SPEECH_SECONDS = np.geomspace(0.2, 15.0, 42)  # the equality test's mono 16 kHz clips
EXTRA = ["silence_around.wav", "stereo_44k.wav", "mono_8k.wav"]  # also compared with WeSpeaker


# -- helpers ----------------------------------------------------------------------------------------------


def speech_like(seconds: float, seed: int, rate: int = RATE) -> np.ndarray:
    """A deterministic voiced, syllable-like signal (float32, peak 0.5): harmonics of a gliding f0 weighted
    by three formants, switched on and off at a syllable rate, plus a little noise."""
    rng = np.random.default_rng(seed)
    n = round(seconds * rate)
    t = np.arange(n) / rate
    f0 = rng.uniform(90, 240) * (1 + 0.15 * np.sin(2 * np.pi * rng.uniform(0.2, 1.5) * t + rng.uniform(0, 6)))
    phase = 2 * np.pi * np.cumsum(f0) / rate
    formants = rng.uniform([300, 900, 2200], [900, 2200, 3200])
    wave = np.zeros(n)
    for k in range(1, 30):
        gain = sum(np.exp(-((((k * f0.mean()) - f) / 150) ** 2)) for f in formants) + 0.05 / k
        wave += gain * np.sin(k * phase)
    envelope = np.clip(np.sin(2 * np.pi * rng.uniform(2.5, 6) * t + rng.uniform(0, 6)), 0, None) ** 0.7
    wave = wave * envelope + 0.003 * wave.std() * rng.standard_normal(n)
    return (0.5 * wave / np.abs(wave).max()).astype(np.float32)


def as_int16(wave: np.ndarray) -> np.ndarray:
    return np.round(wave * 32767).astype(np.int16)


def write16(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, as_int16(samples) if samples.dtype != np.int16 else samples, rate, subtype="PCM_16")
    return path


def worker_run(worker_python: Path, *args: Any, timeout: float = 300) -> str:
    """Run the worker python; its stdout. Fails the test, with the end of stderr, on a non-zero exit."""
    done = subprocess.run(
        [str(worker_python), *map(str, args)], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


def relative_errors(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    return np.abs(got - want).max(axis=-1) / np.linalg.norm(want, axis=-1)


def decode(result: dict[str, Any]) -> np.ndarray:
    vector = np.frombuffer(base64.b64decode(result["embedding_b64"]), dtype="<f4")
    assert vector.shape == (result["dim"],) == (EMBED_DIM,)
    assert np.isfinite(vector).all()
    return vector


# -- session fixtures: the model, the clips, WeSpeaker's embeddings and ours --------------------------------


@pytest.fixture(scope="session")
def model_dir(worker_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("model") / "resnet34"
    worker_run(worker_python, SCRIPTS / "make_wespeaker_model.py", folder, "--embed-dim", EMBED_DIM)
    return folder


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("clips")
    paths = [write16(folder / f"speech{i:02d}.wav", speech_like(s, i)) for i, s in enumerate(SPEECH_SECONDS)]
    silence = np.zeros(round(0.4 * RATE), np.float32)  # digital silence: fbank hits its floor there
    paths.append(write16(folder / EXTRA[0], np.concatenate([silence, speech_like(2.0, 100), silence])))
    stereo = np.stack([as_int16(speech_like(3.0, 101, 44100)), as_int16(speech_like(3.0, 102, 44100))], 1)
    paths.append(write16(folder / EXTRA[1], stereo, 44100))
    paths.append(write16(folder / EXTRA[2], speech_like(2.5, 103, 8000), 8000))
    return paths


@pytest.fixture(scope="session")
def reference(worker_python: Path, model_dir: Path, clips: list[Path], tmp_path_factory) -> np.ndarray:
    out = tmp_path_factory.mktemp("reference") / "wespeaker.npy"
    worker_run(worker_python, SCRIPTS / "wespeaker_reference.py", model_dir, out, *clips)
    return np.load(out)


@pytest.fixture(scope="session")
def batched(worker_python: Path, model_dir: Path, clips: list[Path], tmp_path_factory) -> np.ndarray:
    out = tmp_path_factory.mktemp("batched") / "localclip.npy"
    worker_run(worker_python, SCRIPTS / "embed_files.py", model_dir, out, *clips, "--batch-frames", 2000)
    return np.load(out)


# -- (a) equality with WeSpeaker --------------------------------------------------------------------------


def test_batched_embeddings_equal_wespeakers_extract_embedding(
    reference: np.ndarray, batched: np.ndarray, clips: list[Path]
) -> None:
    assert reference.shape == batched.shape == (len(clips), EMBED_DIM)
    errors = relative_errors(batched, reference)
    worst = int(errors.argmax())
    assert errors.max() <= TOLERANCE, f"{clips[worst].name}: {errors.max():.2e}"
    # Random weights must still tell clips apart, or equal embeddings would prove little.
    unit = reference / np.linalg.norm(reference, axis=1, keepdims=True)
    assert (unit @ unit.T)[np.triu_indices(len(clips), 1)].min() < 0.99


def test_one_batch_of_very_different_lengths_equals_wespeaker(
    worker_python: Path, model_dir: Path, clips: list[Path], reference: np.ndarray, tmp_path: Path
) -> None:
    picks = [33, 0, 20, 5, 42]  # 6.3 s down to 0.2 s in one batch: most of it padding
    out = tmp_path / "one_batch.npy"
    worker_run(worker_python, SCRIPTS / "embed_files.py", model_dir, out, *[clips[i] for i in picks])
    assert relative_errors(np.load(out), reference[picks]).max() <= TOLERANCE


# -- (b) model folders that cannot be used ----------------------------------------------------------------

LOAD_ALL = """
import json, sys, torch
from pathlib import Path
from localclip_worker.embedding.models import ModelError, load_model_dir
root, good = Path(sys.argv[1]), Path(sys.argv[2])
weights = torch.load(good / "avg_model.pt", weights_only=True)
variants = {
    "extra_key": {**weights, "encoder.extra": torch.zeros(3)},
    "missing_layer4": {k: v for k, v in weights.items() if not k.startswith("layer4.")},
    "projection_head": {**weights, "projection.weight": torch.zeros(10, 32)},
    "wrapped": {"state_dict": weights, "epoch": 7},
}
for name, data in variants.items():
    (root / name).mkdir()
    (root / name / "config.yaml").write_bytes((good / "config.yaml").read_bytes())
    torch.save(data, root / name / "avg_model.pt")
messages = {}
for folder in sorted(root.iterdir()):
    try:
        loaded = load_model_dir(folder)
        messages[folder.name] = f"OK {loaded.model_name} {loaded.embed_dim} ignored={loaded.ignored_keys}"
    except ModelError as error:
        messages[folder.name] = str(error)
print(json.dumps(messages))
"""


class _RunsCode:
    """Unpickling this runs print(): weights_only must refuse it."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (print, ("UNPICKLED",))


def _bad_model_dirs(root: Path, good: Path) -> None:
    config = (good / "config.yaml").read_text(encoding="utf-8")

    def folder(name: str, config_text: str | None = config, weights: bytes | None = None) -> None:
        path = root / name
        path.mkdir()
        if config_text is not None:
            (path / "config.yaml").write_text(config_text, encoding="utf-8")
        if weights is not None:
            (path / "avg_model.pt").write_bytes(weights)

    real = (good / "avg_model.pt").read_bytes()
    folder("no_weights")
    folder("no_config", None, real)
    folder("dim64", config.replace("embed_dim: 32", "embed_dim: 64"), real)
    folder("feat40", config.replace("feat_dim: 80", "feat_dim: 40"), real)
    folder("garbage", config, np.random.default_rng(1).bytes(4096))
    folder("object_pickle", config, pickle.dumps({"weights": _RunsCode()}, protocol=2))
    folder("no_model_args", "model: ResNet34\n", real)
    folder("unknown_name", config.replace("ResNet34", "ResNet35"), real)
    folder("ecapa", config.replace("ResNet34", "ECAPA_TDNN_GLOB_c512"), real)
    folder("simam", config.replace("ResNet34", "SimAM_ResNet34"), real)


def test_model_folders_that_cannot_be_used_say_why(worker_python: Path, model_dir: Path, tmp_path) -> None:
    root = tmp_path / "models"
    root.mkdir()
    _bad_model_dirs(root, model_dir)
    stdout = worker_run(worker_python, "-c", LOAD_ALL, root, model_dir)
    assert "UNPICKLED" not in stdout
    messages = json.loads(stdout.strip().splitlines()[-1])
    expected = {
        "no_weights": "has no avg_model.pt",
        "no_config": "has no config.yaml",
        "dim64": "seg_1.weight is (32, 5120) in the file, (64, 5120) in the model",
        "feat40": "feat_dim is 40",
        "garbage": "is not a PyTorch weights file",
        "object_pickle": "Unsupported global",
        "no_model_args": "has no model_args",
        "unknown_name": "'ResNet35', which WeSpeaker does not know",
        "ecapa": "do not fit ECAPA_TDNN_GLOB_c512: ECAPA_TDNN_GLOB_c512() got an unexpected keyword",
        "simam": "'SimAM_ResNet34', which LocalClip does not support",
        "extra_key": "1 unexpected tensors (encoder.extra)",
        "missing_layer4": "tensors missing (layer4.0.conv1.weight",
        "projection_head": "OK ResNet34 32 ignored=['projection.weight']",
        "wrapped": "OK ResNet34 32 ignored=[]",
    }
    assert set(messages) == set(expected)
    for name, text in expected.items():
        assert text in messages[name], (name, messages[name])
        if not text.startswith("OK"):
            assert str(root / name) in messages[name], (name, messages[name])


# -- (c) bad and unusual clips, (d) the embed job in a real worker -----------------------------------------


def _unusual_clips(folder: Path) -> dict[str, Path]:
    """Bad clips, and the same 2 s of int16 audio in several containers, bit depths and paths."""
    base = as_int16(speech_like(2.0, 7))
    paths = {name: folder / name for name in ("corrupt.wav", "text.flac", "missing.wav")}
    paths["corrupt.wav"].write_bytes(np.random.default_rng(2).bytes(20_000))
    paths["text.flac"].write_text("this is not audio\n" * 50, encoding="utf-8")
    paths["short.wav"] = write16(folder / "short.wav", speech_like(0.05, 8))
    paths["silent.wav"] = write16(folder / "silent.wav", np.zeros(RATE, np.float32))
    paths["empty.wav"] = write16(folder / "empty.wav", np.zeros(0, np.float32))
    paths["pcm16.wav"] = write16(folder / "pcm16.wav", base)
    paths["pcm24.wav"] = folder / "pcm24.wav"  # int32 data: the 24-bit file holds the int16 values << 8
    sf.write(paths["pcm24.wav"], base.astype(np.int32) << 16, RATE, subtype="PCM_24")
    paths["float.wav"] = folder / "float.wav"
    sf.write(paths["float.wav"], base.astype(np.float32) / 32768, RATE, subtype="FLOAT")
    paths["lossless.flac"] = folder / "lossless.flac"
    sf.write(paths["lossless.flac"], base, RATE, subtype="PCM_16")
    paths["vorbis.ogg"] = folder / "vorbis.ogg"
    sf.write(paths["vorbis.ogg"], base.astype(np.float32) / 32768, RATE, format="OGG", subtype="VORBIS")
    paths["layer3.mp3"] = folder / "layer3.mp3"
    sf.write(paths["layer3.mp3"], base.astype(np.float32) / 32768, RATE, format="MP3")
    left, right = as_int16(speech_like(2.0, 9, 44100)), as_int16(speech_like(2.0, 10, 44100))
    paths["stereo44.wav"] = write16(folder / "stereo44.wav", np.stack([left, right], 1), 44100)
    paths["left44.wav"] = write16(folder / "left44.wav", left, 44100)
    paths["right44.wav"] = write16(folder / "right44.wav", right, 44100)
    paths["chinese"] = folder / "测试 数据" / "语音 片段.wav"
    paths["chinese"].parent.mkdir()
    shutil.copy(paths["pcm16.wav"], paths["chinese"])
    return paths


BAD_CLIPS = {
    "corrupt.wav": "cannot decode the audio",
    "text.flac": "cannot decode the audio",
    "missing.wav": "no such file",
    "short.wav": "too short: 0.05 s; this model needs at least 0.105 s",
    "silent.wav": "silent",
    "empty.wav": "empty",
}


def test_bad_and_unusual_clips_in_one_job(make_pool, model_dir: Path, tmp_path: Path) -> None:
    paths = _unusual_clips(tmp_path)
    harness = make_pool(1, items_per_job=64)
    items = [{"id": name, "path": str(path)} for name, path in paths.items()]
    params = {"model_dir": str(model_dir), "device": "cpu", "batch_frames": 3000, "io_threads": 2}
    summary = harness.run("embed", items, params, timeout=120)
    assert summary["failed"] == len(BAD_CLIPS) and summary["done"] == len(items) - len(BAD_CLIPS)
    for name, reason in BAD_CLIPS.items():
        code, text = harness.failed[name]
        assert code == "bad_input" and reason in text, (name, code, text)
    vectors = {name: decode(harness.results[name]) for name in paths if name not in BAD_CLIPS}
    pcm16 = vectors["pcm16.wav"]
    for name in ("pcm24.wav", "float.wav", "lossless.flac", "chinese"):  # the same int16 samples
        assert relative_errors(vectors[name], pcm16) <= 1e-6, name
    for name in ("vorbis.ogg", "layer3.mp3"):  # lossy, so only close to the original
        cosine = vectors[name] @ pcm16 / np.linalg.norm(vectors[name]) / np.linalg.norm(pcm16)
        assert cosine > 0.9, (name, cosine)
    assert relative_errors(vectors["stereo44.wav"], vectors["left44.wav"]) <= 1e-6  # channel 0, no downmix
    assert relative_errors(vectors["stereo44.wav"], vectors["right44.wav"]) > 1e-3
    stereo = harness.results["stereo44.wav"]
    assert stereo["sample_rate"] == 44100 and stereo["duration"] == pytest.approx(2.0)
    assert stereo["frames"] == 1 + (2 * RATE - 400) // 160


def test_embed_job_in_a_real_worker_matches_the_batched_script(
    make_pool, model_dir: Path, clips: list[Path], batched: np.ndarray, reference: np.ndarray
) -> None:
    picks = [*range(0, 42, 6), 41, 42, 43, 44]
    harness = make_pool(1, items_per_job=64)
    items = [{"id": f"clip{i}", "path": str(clips[i])} for i in picks]
    summary = harness.run("embed", items, {"model_dir": str(model_dir), "device": "cpu"}, timeout=120)
    assert summary["done"] == len(picks) and summary["failed"] == 0, summary["failures"]
    got = np.stack([decode(harness.results[f"clip{i}"]) for i in picks])
    assert relative_errors(got, batched[picks]).max() <= TOLERANCE
    assert relative_errors(got, reference[picks]).max() <= TOLERANCE
    [ready] = [m for _, m in harness.events if m["type"] == "ready"]
    assert ready["kind"] == "embed" and ready["embed_dim"] == EMBED_DIM and ready["model_name"] == "ResNet34"
    assert ready["device"] == "cpu" and ready["memory_bytes"] > 0 and ready["load_seconds"] > 0
    first = harness.results["clip0"]
    assert first["sample_rate"] == RATE and first["duration"] == pytest.approx(0.2)
    assert first["frames"] == 1 + (round(0.2 * RATE) - 400) // 160
    # A later run naming a folder that cannot be used stops once with the reason (a set-up error, no clip
    # failed), and the worker stays.
    broken = {"model_dir": str(model_dir.parent / "nowhere"), "device": "cpu"}
    stopped = harness.run("embed", [{"id": "x", "path": str(clips[0])}], broken)
    assert "nowhere does not exist" in stopped["setup_error"] and "x" not in harness.failed
    assert stopped["failed"] == 0 and stopped["cancelled"] == 1


# -- out of GPU memory and cancel, simulated on the CPU ------------------------------------------------------

SIMULATE = """
import json, sys, torch
from localclip_worker.job import ItemContext
from localclip_worker.jobs import create_job
from localclip_worker.main import _failure_code
model_dir, limit, *paths = sys.argv[1:]
job = create_job("embed")
params = {"model_dir": model_dir, "device": "cpu", "batch_frames": 4000}
job.setup(params)
real, calls = job._embedder.forward, []
ERRORS = {  # what a full GPU raises: torch's own error, or a CUDA library's (gpu_memory.py)
    "torch": lambda: torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB (simulated)"),
    "cudnn": lambda: RuntimeError("cuDNN error: CUDNN_STATUS_ALLOC_FAILED (simulated)"),
    "other": lambda: RuntimeError("CUDA error: device-side assert triggered (simulated)"),
}
raising = ["torch"]
def flaky(padded, lengths, lengths_on_device):
    calls.append(padded.shape[0] * padded.shape[1])
    if calls[-1] > int(limit):
        raise ERRORS[raising[0]]()
    return real(padded, lengths, lengths_on_device)
job._embedder.forward = flaky
items = [{"id": str(i), "path": p} for i, p in enumerate(paths)]
never = ItemContext(lambda *a: None, lambda: False)
def failures(outcomes):
    failed = {k: v for k, v in outcomes.items() if isinstance(v, Exception)}
    return {k: [str(v), type(v).__name__, _failure_code(v)] for k, v in failed.items()}
outcomes = dict(job.run_items(items, params, never))
budget = job._budget
checks = iter(range(1000))
cancelled = dict(job.run_items(items, params, ItemContext(lambda *a: None, lambda: next(checks) >= 2)))
kept = job._budget is budget  # a later job with the same params goes on with what the worker learnt
raising[0], started = "cudnn", len(calls)
other_params = {**params, "batch_frames": 3999}  # a new budget, so the first batch fails again
cudnn = dict(job.run_items(items, other_params, never))
raising[0] = "other"
job._budget.frames = job._budget.ceiling = 4000
try:
    dict(job.run_items(items, other_params, never))
    other = "nothing raised"
except RuntimeError as error:
    other = str(error)
print(json.dumps({
    "calls": calls[:started],
    "cudnn_calls": calls[started:],
    "budget": budget.frames,
    "budget_kept": kept,
    "failed": failures(outcomes),
    "done": {k: v["embedding_b64"] for k, v in outcomes.items() if not isinstance(v, Exception)},
    "cancelled_run": len(cancelled),
    "cudnn_failed": failures(cudnn),
    "other": other,
}))
"""


def test_out_of_memory_halves_the_batch_and_retries(
    worker_python: Path, model_dir: Path, clips: list[Path], reference: np.ndarray
) -> None:
    picks = [*range(20), 35]  # 0.2 s to 1.5 s, and one of 8 s (about 800 frames) that fails even alone
    stdout = worker_run(worker_python, "-c", SIMULATE, model_dir, 700, *[clips[i] for i in picks])
    report = json.loads(stdout.strip().splitlines()[-1])
    assert report["calls"][0] > 700 and report["budget"] < 700  # the first batch failed: budget halved
    big = str(len(picks) - 1)
    assert set(report["failed"]) == {big}
    reason, kind, code = report["failed"][big]
    assert "out of GPU memory for this clip alone" in reason and "cutting into shorter clips" in reason
    assert kind == "OutOfGpuMemory" and code == "out_of_memory"  # the pool retries it, then fails it
    assert set(report["done"]) == {str(n) for n in range(len(picks) - 1)}
    for n, i in enumerate(picks[:-1]):
        vector = np.frombuffer(base64.b64decode(report["done"][str(n)]), dtype="<f4")
        assert relative_errors(vector, reference[i]) <= TOLERANCE
    assert 0 < report["cancelled_run"] < len(picks)  # cancel is seen between batches
    assert report["budget_kept"]
    # A cuDNN allocation failure backs off the same way; an error that is not about memory is raised.
    assert report["cudnn_calls"][0] > 700 and report["cudnn_calls"][1] < report["cudnn_calls"][0]
    assert {k: v[2] for k, v in report["cudnn_failed"].items()} == {big: "out_of_memory"}
    assert "device-side assert triggered" in report["other"]


def test_a_clip_that_never_fits_fails_with_its_reason_after_its_attempts(
    qtbot, worker_python: Path, model_dir: Path, tmp_path: Path
) -> None:
    from localclip.core.embedding.datasets import scan_dataset
    from localclip.core.models.folders import check_wespeaker_dir
    from localclip.pool.launch import WorkerLaunch
    from localclip.runs.embed import EmbedOptions, EmbedRun

    root = tmp_path / "data"
    for n, seconds in enumerate(np.linspace(0.5, 1.0, 6)):
        write16(root / ("anna" if n % 2 else "ben") / f"clip{n}.wav", speech_like(seconds, 50 + n))
    write16(root / "anna" / "long.wav", speech_like(5.0, 60))  # ~500 frames: more than the GPU holds
    # batch_size 4: batched passes on the CPU, so the simulated GPU limit of 300 padded frames bites.
    options = EmbedOptions(device="cpu", batch_size=4, clips_per_job=8)
    run = EmbedRun(scan_dataset(root), check_wespeaker_dir(model_dir), tmp_path / "out", options)
    script = Path(__file__).parent / "workers" / "small_gpu_worker.py"
    arguments = ("-I", str(script), "300", "--worker-id", "0", "--heartbeat", "0.25")
    pool = run.create_pool([WorkerLaunch("0", worker_python, heartbeat_seconds=0.25, arguments=arguments)])
    requeued: list[tuple[str, str]] = []
    pool.item_requeued.connect(lambda item, worker, code: requeued.append((item, code)))
    with qtbot.waitSignal(run.finished, timeout=180_000) as finished:
        run.start()
    report = finished.args[0]
    assert report["done"] == 6 and report["failed"] == 1 and not report["not_done"]
    long_key = next(clip.key for clip in run.scan.clips if clip.path.name == "long.wav")
    # Retried while attempts are left (another worker might have had room), then failed: never a loop.
    assert requeued == [(long_key, "out_of_memory")] * (pool.options.max_item_attempts - 1)
    with sqlite3.connect(tmp_path / "out" / "embeddings.sqlite") as connection:
        failures = connection.execute("SELECT key, code, reason FROM failures").fetchall()
    [(key, code, reason)] = failures
    assert (key, code) == (long_key, "out_of_memory")
    assert reason.startswith("out of GPU memory for this clip alone (5.0 s, 498 frames): it needs a GPU")
    assert reason.endswith("(OutOfMemoryError: CUDA out of memory. Tried to allocate 498 frames (simulated))")
    with qtbot.waitSignal(pool.stopped, timeout=30_000):
        pool.shutdown()
