"""Take QA, worker side: the ``qa`` job in a real worker (the tiny WeSpeaker and the tiny Whisper, random
weights), the clone job's ``token_limit`` flag with the tiny fish-speech checkpoint, and the app's check of
a recogniser folder (docs/qa.md).

Random weights make the scores meaningless but their shape, range and bookkeeping testable: a take that is
its speaker's only reference has voice 1.0 for that speaker whatever the weights, and the tiny Whisper
transcribes anything as some string.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from localclip.core.models.folders import ModelDirError, check_recogniser_dir
from tests.test_embedding_worker import speech_like, worker_run, write16

SCRIPTS = Path(__file__).parent / "worker_scripts"
CLONE_RATE = 44100
THREADS = {"cpu_threads": 1}  # the tiny models on a shared 2-core machine, and deterministic sampling


# -- audio -----------------------------------------------------------------------------------------------


class Audio:
    """References of two speakers and takes: a cloned-looking take (44.1 kHz float, as the clone job
    writes), Bob's own reference used as a take, a take longer than Whisper's 30 s window, and bad ones."""

    def __init__(self, root: Path) -> None:
        self.ana = [
            write16(root / "ana" / "ref1.wav", speech_like(2.5, 11)),
            write16(root / "ana" / "ref2.wav", speech_like(2.0, 12)),
        ]
        self.bob = [write16(root / "bob" / "ref 1 参考.wav", speech_like(2.2, 21, CLONE_RATE), CLONE_RATE)]
        self.take = root / "takes" / "ana_take.wav"
        sf.write(self.take, speech_like(3.0, 13, CLONE_RATE), CLONE_RATE, subtype="FLOAT")
        self.long = root / "takes" / "long.wav"
        sf.write(self.long, speech_like(31.0, 14, CLONE_RATE), CLONE_RATE, subtype="FLOAT")
        self.short = write16(root / "takes" / "short.wav", speech_like(0.05, 15))
        self.corrupt = root / "takes" / "corrupt.wav"
        self.corrupt.write_bytes(b"RIFF" + np.random.default_rng(5).bytes(3000))
        self.missing = root / "takes" / "missing.wav"

    def speakers(self) -> dict[str, list[str]]:
        return {"Ana": [str(p) for p in self.ana], "Bob": [str(p) for p in self.bob]}


@pytest.fixture(scope="module")
def audio(tmp_path_factory: pytest.TempPathFactory) -> Audio:
    root = tmp_path_factory.mktemp("qa audio")
    (root / "takes").mkdir()
    return Audio(root)


def take(item_id: str, path: Path, speaker: str, language: str = "") -> dict[str, Any]:
    return {"id": item_id, "path": str(path), "speaker": speaker, "language": language}


# -- the qa job in a worker -------------------------------------------------------------------------------


def test_qa_job_scores_takes_and_loads_its_models_once(
    make_pool, tiny_wespeaker_model: Path, tiny_whisper_model: Path, audio: Audio, tmp_path: Path
) -> None:
    params = {
        "wespeaker_dir": str(tiny_wespeaker_model),
        "recogniser_dir": str(tiny_whisper_model),
        "speakers": audio.speakers(),
        "device": "cpu",
        **THREADS,
    }
    harness = make_pool(1, items_per_job=16)
    items = [
        take("ana#1", audio.take, "Ana"),
        take("bob#ref", audio.bob[0], "Bob", "zh"),
        take("ana#long", audio.long, "Ana", "en"),
        take("ana#missing", audio.missing, "Ana"),
        take("ana#corrupt", audio.corrupt, "Ana"),
        take("ana#short", audio.short, "Ana"),
        take("carl#1", audio.take, "Carl"),
        take("ana#klingon", audio.take, "Ana", "tlh"),
    ]
    summary = harness.run("qa", items, params, timeout=120)
    assert summary["done"] == 3 and summary["failed"] == 5, summary["failures"]
    results = harness.results
    for item_id in ("ana#1", "bob#ref", "ana#long"):
        result = results[item_id]
        assert set(result) == {"voice", "speaker_similarity", "transcript", "language", "recogniser"}
        assert set(result["voice"]) == {"Ana", "Bob"}
        assert all(-1.0 <= value <= 1.0 for value in result["voice"].values())
        assert isinstance(result["transcript"], str)  # random weights: any text
        assert result["recogniser"] == tiny_whisper_model.name
        json.dumps(result, allow_nan=False)
    # A take that is a speaker's only reference is that speaker's centroid.
    assert results["bob#ref"]["voice"]["Bob"] == pytest.approx(1.0, abs=1e-5)
    # The speakers' centroids apart: one number per other speaker, the same both ways.
    similarity = results["ana#1"]["speaker_similarity"]
    assert set(similarity) == {"Bob"} and -1.0 <= similarity["Bob"] <= 1.0
    assert results["bob#ref"]["speaker_similarity"] == {"Ana": similarity["Bob"]}
    # A language given is used as given; none is detected (a code of the model's list).
    assert results["bob#ref"]["language"] == "zh" and results["ana#long"]["language"] == "en"
    assert isinstance(results["ana#1"]["language"], str) and results["ana#1"]["language"]
    failed = harness.failed
    assert failed["ana#missing"] == ("bad_input", f"no such file: {audio.missing}")
    assert failed["ana#corrupt"][0] == "bad_input" and "cannot decode the audio" in failed["ana#corrupt"][1]
    assert failed["ana#short"][0] == "bad_input" and "too short" in failed["ana#short"][1]
    assert failed["carl#1"] == ("bad_input", "speaker 'Carl' is not among the job's speakers (Ana, Bob)")
    assert failed["ana#klingon"][0] == "bad_input" and "language 'tlh'" in failed["ana#klingon"][1]
    progress = [
        (m["item_id"], m["done"], m["total"], m["message"])
        for _, m in harness.events
        if m["type"] == "progress"
    ]
    assert ("ana#1", 1, 2, "voice") in progress and ("ana#1", 2, 2, "words") in progress

    # A second job: nothing is loaded again, the references come from memory, the take scores the same.
    again = harness.run("qa", [take("ana#1 again", audio.take, "Ana", "ja")], params, timeout=60)
    assert again["done"] == 1, again["failures"]
    assert harness.results["ana#1 again"]["voice"] == results["ana#1"]["voice"]
    assert harness.results["ana#1 again"]["language"] == "ja"
    # No recogniser: no words, the voice still scored.
    quiet = harness.run(
        "qa", [take("ana#2", audio.take, "Ana")], {**params, "recogniser_dir": ""}, timeout=60
    )
    assert quiet["done"] == 1, quiet["failures"]
    assert harness.results["ana#2"] == {
        "voice": results["ana#1"]["voice"],
        "speaker_similarity": similarity,
        "transcript": None,
        "language": "",
        "recogniser": "",
    }
    readies = [m for _, m in harness.events if m["type"] == "ready"]
    assert len(readies) == 1 and readies[0]["kind"] == "qa"
    assert readies[0]["recogniser"] == tiny_whisper_model.name and readies[0]["recogniser_multilingual"]
    assert readies[0]["device"] == "cpu" and readies[0]["embed_dim"] == 32
    logs = [line for _, line in harness.logs]
    assert sum("qa: speaker model" in line and "loaded" in line for line in logs) == 1
    assert sum("qa: recogniser" in line and "loaded" in line for line in logs) == 1
    centroids = [line for line in logs if "speaker centroid(s)" in line]
    assert len(centroids) == 3
    assert "3 reference file(s) embedded, 0 from memory" in centroids[0]
    assert all("0 reference file(s) embedded, 3 from memory" in line for line in centroids[1:])

    # A recogniser folder that cannot be used stops the run once, with the reason; the worker stays.
    broken = tmp_path / "not whisper"
    broken.mkdir()
    (broken / "config.json").write_text('{"model_type": "whisper"}', encoding="utf-8")
    stopped = harness.run("qa", [take("x", audio.take, "Ana")], {**params, "recogniser_dir": str(broken)})
    assert "is not a Whisper model folder" in stopped["setup_error"]
    assert "preprocessor_config.json" in stopped["setup_error"] and stopped["failed"] == 0


def test_long_takes_are_cut_at_a_quiet_point_into_windows_whisper_hears(worker_python: Path) -> None:
    program = """
import json, numpy as np
from localclip_worker.qa.recogniser import SAMPLE_RATE, WINDOW_SECONDS, join, split
rate = SAMPLE_RATE
tone = (0.5 * np.sin(np.arange(70 * rate) * 0.05)).astype(np.float32)
tone[int(27.3 * rate) : int(27.5 * rate)] = 0  # a pause 2.7 s before the first boundary
pieces = split(tone)
print(json.dumps({
    "lengths": [len(p) for p in pieces], "total": len(tone), "short": [len(p) for p in split(tone[:rate])],
    "joined": [join(["hello", "", "world"], "en"), join(["你好", "世界"], "zh")],
}))
"""
    report = json.loads(worker_run(worker_python, "-I", "-c", program).splitlines()[-1])
    lengths = report["lengths"]
    assert sum(lengths) == report["total"] and len(lengths) == 3
    assert all(length <= 30 * 16000 for length in lengths)
    assert 27.3 * 16000 <= lengths[0] <= 27.5 * 16000  # cut inside the pause, not at 30 s
    assert report["short"] == [16000]
    assert report["joined"] == ["hello world", "你好世界"]


FAILURES = """
import json, sys, torch
from unittest import mock
from localclip_worker.embedding.pipeline import DevicePipeline
from localclip_worker.job import ItemContext
from localclip_worker.jobs import create_job
from localclip_worker.qa.recogniser import Recogniser

spec = json.loads(sys.argv[1])
params, items = spec["params"], spec["items"]
job = create_job("qa")
job.setup(params)
context = ItemContext(lambda *args: None, lambda: False, lambda *args: None)
launch, generate, batches = DevicePipeline.launch, Recogniser._generate, []


def oom(what):
    raise torch.cuda.OutOfMemoryError(f"CUDA out of memory. Tried to allocate 2.00 GiB ({what}, simulated)")


def long_clips_do_not_fit(self, clips):
    if max(clip.duration_s for clip in clips) > 20:
        oom("embedding")
    return launch(self, clips)


def two_windows_do_not_fit(self, windows, languages):
    batches.append(len(windows))
    if len(windows) > 1:
        oom("recogniser")
    if any(window.take == 1 for window in windows):
        raise RuntimeError("the model broke on this take")
    return generate(self, windows, languages)


def outcomes(params):
    return {key: ({"type": type(out).__name__, "error": str(out)} if isinstance(out, Exception) else out)
            for key, out in job.run_items(items, params, context)}


with mock.patch.object(DevicePipeline, "launch", long_clips_do_not_fit):
    embedding = outcomes({**params, "recogniser_dir": ""})  # the voice alone
with mock.patch.object(Recogniser, "_generate", two_windows_do_not_fit):
    words = outcomes(params)
print(json.dumps({"embedding": embedding, "words": words, "batches": batches}))
"""


def test_out_of_memory_and_model_errors_fail_only_their_takes(
    worker_python: Path, tiny_wespeaker_model: Path, tiny_whisper_model: Path, audio: Audio
) -> None:
    # No GPU needed: CUDA's out-of-memory error is raised where the GPU would raise it (the embedding's
    # forward pass, the recogniser's generate), as tests/worker_scripts/clone_items.py does for clone.
    params = {
        "wespeaker_dir": str(tiny_wespeaker_model),
        "recogniser_dir": str(tiny_whisper_model),
        "speakers": audio.speakers(),
        "device": "cpu",
        **THREADS,
    }
    items = [
        take("a", audio.take, "Ana", "en"),
        take("b", audio.bob[0], "Bob", "en"),
        take("long", audio.long, "Ana", "en"),
    ]
    spec = json.dumps({"params": params, "items": items})
    report = json.loads(worker_run(worker_python, "-I", "-c", FAILURES, spec).splitlines()[-1])
    embedding, words = report["embedding"], report["words"]
    # A take too long for the GPU alone fails as out of memory (the pool retries it); the others go on.
    assert embedding["long"]["type"] == "OutOfGpuMemory"
    assert "out of GPU memory embedding this take alone (31.0 s" in embedding["long"]["error"]
    assert embedding["b"]["voice"]["Bob"] == pytest.approx(1.0, abs=1e-5) and embedding["a"]["voice"]
    # Four windows (the long take has two): out of memory at 4 and at 2, then one at a time; the model's
    # error on take "b" fails "b" alone.
    assert report["batches"] == [4, 2, 1, 1, 1, 1]
    assert words["b"] == {"type": "RuntimeError", "error": "the model broke on this take"}
    assert isinstance(words["a"]["transcript"], str) and words["a"]["language"] == "en"
    assert words["a"]["voice"] == embedding["a"]["voice"]
    assert isinstance(words["long"]["transcript"], str) and words["long"]["voice"]["Ana"] <= 1.0


# -- the clone job's token limit ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fish_checkpoint(worker_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fish") / "tiny"
    worker_run(worker_python, SCRIPTS / "make_fish_model.py", folder)
    return folder


def test_clone_result_says_when_a_chunk_ran_to_the_token_limit(
    make_pool, fish_checkpoint: Path, tmp_path: Path
) -> None:
    # Random weights do sample the end token now and then (with these seeds after 26-33 tokens, measured),
    # so a generous limit shows lines that end by themselves, and a limit of 3 cuts every chunk short. For
    # a one-chunk line the flag is "tokens == limit" (the end token on the very last step allowed would
    # make that false; it does not happen here).
    reference = tmp_path / "reference.wav"
    sf.write(reference, speech_like(3.0, 1, CLONE_RATE), CLONE_RATE, subtype="PCM_16")
    references = [{"audio": str(reference), "text": "A reference."}]

    def line(item_id: str, seed: int, limit: int, **fields: Any) -> dict[str, Any]:
        return {
            "id": item_id,
            "speaker": "s",
            "text": "Hello world, this is a test.",
            "references": references,
            "out_path": str(tmp_path / f"{item_id}.wav"),
            "seed": seed,
            "max_new_tokens": limit,
            **fields,
        }

    lines = [
        line("free5", 5, 200),
        line("free9", 9, 200),
        line("free10", 10, 200),
        line("cut10", 10, 3),
        line("long0", 0, 40),
        line("chunks", 10, 3, chunks=["Hello world.", "This is a test."]),
    ]
    harness = make_pool(1, items_per_job=len(lines))
    params = {"checkpoint_dir": str(fish_checkpoint), "device": "cpu", **THREADS}
    summary = harness.run("clone", lines, params, timeout=120)
    assert summary["done"] == len(lines), summary["failures"]
    results = harness.results
    for item in lines[:5]:
        result = results[item["id"]]
        assert result["token_limit"] is (result["tokens"] == item["max_new_tokens"]), (item["id"], result)
    assert results["cut10"]["token_limit"] is True and results["cut10"]["tokens"] == 3
    assert results["free10"]["token_limit"] is False and results["free10"]["tokens"] > 3  # same seed, longer
    assert sum(not results[name]["token_limit"] for name in ("free5", "free9", "free10")) >= 1
    assert results["long0"]["token_limit"] is True
    assert results["chunks"]["token_limit"] is True and results["chunks"]["tokens"] == 6


# -- the app's check of a recogniser folder -----------------------------------------------------------------


def test_check_recogniser_dir_accepts_a_whisper_folder_and_names_what_is_missing(
    tiny_whisper_model: Path, tmp_path: Path
) -> None:
    info = check_recogniser_dir(tiny_whisper_model)
    assert info.path == tiny_whisper_model and info.name == "whisper tiny 模型" and info.multilingual
    assert len(info.model_id) == 16 and check_recogniser_dir(tiny_whisper_model).model_id == info.model_id

    copy = tmp_path / "whisper copy"
    shutil.copytree(tiny_whisper_model, copy)
    (copy / "tokenizer.json").unlink()  # the slow tokenizer's vocab.json and merges.txt are enough
    assert check_recogniser_dir(copy).model_id != info.model_id
    (copy / "model.safetensors").rename(copy / "pytorch_model.bin")
    assert check_recogniser_dir(copy).name == "whisper copy"

    (copy / "pytorch_model.bin").unlink()
    (copy / "preprocessor_config.json").unlink()
    (copy / "merges.txt").unlink()
    with pytest.raises(ModelDirError) as error:
        check_recogniser_dir(copy)
    message = str(error.value)
    assert f"{copy} is not a Whisper model folder: missing" in message
    for name in ("model.safetensors (or pytorch_model.bin)", "tokenizer.json (or vocab.json and merges.txt)"):
        assert name in message
    assert "preprocessor_config.json" in message and "config.json," not in message.split("(it needs")[0]

    other = tmp_path / "wav2vec"
    shutil.copytree(tiny_whisper_model, other)
    config = json.loads((other / "config.json").read_text(encoding="utf-8"))
    (other / "config.json").write_text(json.dumps({**config, "model_type": "wav2vec2"}), encoding="utf-8")
    with pytest.raises(ModelDirError, match="describes a 'wav2vec2' model, not Whisper"):
        check_recogniser_dir(other)
    (other / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelDirError, match="is not a valid JSON object"):
        check_recogniser_dir(other)
    with pytest.raises(ModelDirError, match="Model folder not found"):
        check_recogniser_dir(tmp_path / "nowhere")
    english = tmp_path / "whisper-tiny.en"
    shutil.copytree(tiny_whisper_model, english)
    assert not check_recogniser_dir(english).multilingual
