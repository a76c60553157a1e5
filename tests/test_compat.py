"""The worker's compatibility layer: does a torch build have kernels for a GPU (checked against arch lists
recorded from real wheels, worker_env/localclip_worker/compat.py), and torchaudio 2.8's file API on a newer
torchaudio (worker_env/localclip_worker/torch_compat.py, checked against the real torchaudio 2.8)."""

import json
import subprocess
import types
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from localclip.core.paths import SOURCE_ROOT, venv_python
from localclip_worker import torch_compat
from localclip_worker.compat import support_message, supports
from localclip_worker.torch_compat import install_torchaudio_shims

# torch.cuda.get_arch_list() as recorded from real wheels.
CU128 = ("2.8.0+cu128", ["sm_70", "sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120"])
CU118 = ("2.0.1+cu118", ["sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_37", "sm_90"])

RTX_5090 = ("NVIDIA GeForce RTX 5090", (12, 0))
RTX_4090 = ("NVIDIA GeForce RTX 4090", (8, 9))
RTX_3090 = ("NVIDIA GeForce RTX 3090", (8, 6))
A100 = ("NVIDIA A100-SXM4-80GB", (8, 0))
H100 = ("NVIDIA H100 80GB HBM3", (9, 0))
B200 = ("NVIDIA B200", (10, 0))
GTX_1080 = ("NVIDIA GeForce GTX 1080", (6, 1))
K80 = ("Tesla K80", (3, 7))


@pytest.mark.parametrize(
    ("build", "gpu", "expected"),
    [
        (CU128, RTX_5090, True),
        (CU128, RTX_4090, True),  # via sm_86: same major, later minor
        (CU128, RTX_3090, True),
        (CU128, A100, True),
        (CU128, H100, True),
        (CU128, B200, True),
        (CU128, GTX_1080, False),  # Pascal dropped
        (CU128, K80, False),
        (CU118, RTX_5090, False),
        (CU118, RTX_4090, True),  # via sm_86
        (CU118, RTX_3090, True),
        (CU118, H100, True),
        (CU118, B200, False),
        (CU118, GTX_1080, True),  # via sm_60
        (CU118, K80, True),  # sm_37, out of order in the list
    ],
)
def test_recorded_builds(
    build: tuple[str, list[str]], gpu: tuple[str, tuple[int, int]], expected: bool
) -> None:
    version, arch_list = build
    name, capability = gpu
    assert supports(arch_list, capability) is expected
    assert (support_message(name, capability, arch_list, version) == "") is expected


def test_message_for_a_card_too_new_for_the_build() -> None:
    version, arch_list = CU118
    name, capability = RTX_5090
    message = support_message(name, capability, arch_list, version)
    assert name in message
    assert "12.0" in message
    assert "sm_120" in message
    assert f"torch {version}" in message
    assert "sm_86" in message  # what the build does have
    assert "\n" not in message


def test_machine_code_never_runs_on_an_older_minor_or_another_major() -> None:
    assert not supports(["sm_86"], (8, 0))
    assert not supports(["sm_86"], (9, 0))
    assert not supports(["sm_90"], (8, 9))
    assert not supports(["sm_90"], (10, 0))
    assert not supports(["sm_100"], (12, 0))


@pytest.mark.parametrize(
    ("capability", "expected"),
    [((12, 0), True), ((10, 0), True), ((9, 0), True), ((9, 1), True), ((8, 9), False), ((8, 0), False)],
)
def test_ptx_runs_on_any_card_at_least_as_new(capability: tuple[int, int], expected: bool) -> None:
    assert supports(["compute_90"], capability) is expected
    assert supports(["sm_80", "compute_90"], capability) is (expected or capability[0] == 8)


@pytest.mark.parametrize(
    ("capability", "expected"),
    [((9, 0), True), ((9, 1), False), ((10, 0), False), ((12, 0), False), ((8, 9), False)],
)
def test_arch_specific_code_runs_only_on_that_card(capability: tuple[int, int], expected: bool) -> None:
    assert supports(["sm_90a"], capability) is expected


def test_arch_specific_three_digit_architectures() -> None:
    assert supports(["sm_100a"], (10, 0))
    assert not supports(["sm_100a"], (10, 3))
    assert supports(["sm_120a"], (12, 0))
    assert supports(["sm_120"], (12, 1))


@pytest.mark.parametrize("capability", [(12, 0), (8, 9), (3, 7)])
def test_cpu_build(capability: tuple[int, int]) -> None:
    assert not supports([], capability)
    message = support_message("NVIDIA GeForce RTX 5090", capability, [], "2.8.0+cpu")
    assert "CPU-only" in message
    assert "torch 2.8.0+cpu" in message
    assert f"{capability[0]}.{capability[1]}" in message


def test_unrecognised_entries_are_ignored() -> None:
    assert not supports(["", "sm", "sm_", "gfx90a", "sm_86 ", "SM_86", "compute_"], (8, 6))
    assert supports(["gfx90a", "sm_86"], (8, 6))


def test_supported_card_gives_an_empty_message() -> None:
    version, arch_list = CU128
    for name, capability in (RTX_5090, RTX_4090, H100):
        assert support_message(name, capability, arch_list, version) == ""


# -- torchaudio 2.8's file API on a newer torchaudio (worker_env/localclip_worker/torch_compat.py) -----------
# The reference paths (WeSpeaker's extract_embedding, fish-speech's reference loader) call torchaudio.load and
# list_audio_backends; torchaudio 2.9 removed the second and moved the first to TorchCodec. The shim must give
# what torchaudio 2.8 gives: checked against the real torchaudio 2.8 of the pinned worker environment.

PINNED_WORKER_PYTHON = venv_python(SOURCE_ROOT / "worker_env" / ".venv")

# Run by a worker python: each case's load(...) result (or its exception) with torchaudio's own load
# ("torchaudio") or the shim's ("shim"). argv: mode, cases.json, out.npz, out.json.
LOAD_CASES = r"""
import io, json, sys
import numpy as np
mode, cases_file, arrays_file, facts_file = sys.argv[1:5]
if mode == "shim":
    from localclip_worker.torch_compat import load
else:
    import torchaudio
    load = torchaudio.load
arrays, facts = {}, {}
for name, (path, kwargs) in json.loads(open(cases_file, encoding="utf-8").read()).items():
    source = io.BytesIO(open(path, "rb").read()) if kwargs.pop("from_bytes", False) else path
    try:
        waveform, rate = load(source, **kwargs)
    except Exception as error:
        facts[name] = {"error": f"{type(error).__name__}: {error}"}
        continue
    arrays[name] = waveform.numpy()
    facts[name] = {"dtype": str(waveform.dtype), "shape": list(waveform.shape),
                   "stride": list(waveform.stride()), "rate": rate}
np.savez(arrays_file, **arrays)
open(facts_file, "w", encoding="utf-8").write(json.dumps(facts))
"""

# Run by the worker python: the shims on the real torchaudio it has.
INSTALL_ON_REAL_TORCHAUDIO = r"""
import json, torchaudio
from localclip_worker import torch_compat
had = hasattr(torchaudio, "list_audio_backends")
before = torchaudio.load
names = torch_compat.install_torchaudio_shims()
print(json.dumps({
    "version": torchaudio.__version__, "had": had, "names": names,
    "load_is_shim": torchaudio.load is torch_compat.load, "load_kept": torchaudio.load is before,
    "backends": torchaudio.list_audio_backends(), "again": torch_compat.install_torchaudio_shims(),
}))
"""

# (file name, sample rate, channels, soundfile subtype)
AUDIO_FILES = [
    ("pcm16_mono.wav", 16000, 1, "PCM_16"),
    ("pcm16_stereo.wav", 44100, 2, "PCM_16"),
    ("pcm16_3ch.wav", 8000, 3, "PCM_16"),
    ("pcm24_stereo.wav", 48000, 2, "PCM_24"),  # 2.8 refuses it with normalize=False
    ("pcm32_mono.wav", 16000, 1, "PCM_32"),
    ("pcmu8_mono.wav", 16000, 1, "PCM_U8"),  # 2.8 asks soundfile for uint8, which soundfile refuses
    ("float_stereo.wav", 22050, 2, "FLOAT"),
    ("double_mono.wav", 16000, 1, "DOUBLE"),
    ("pcm16_mono.flac", 16000, 1, "PCM_16"),
    ("pcm24_stereo.flac", 44100, 2, "PCM_24"),
    ("vorbis_mono.ogg", 16000, 1, "VORBIS"),
]
LOAD_CALLS = {
    "default": {},
    "native": {"normalize": False},  # WeSpeaker's call
    "window": {"normalize": False, "frame_offset": 123, "num_frames": 400, "channels_first": False},
    "past_end": {"frame_offset": 10**7},
    "from_end": {"frame_offset": -300, "num_frames": 1000},
    "bytes": {"from_bytes": True, "backend": "soundfile"},  # fish-speech's reference loader's call
}


def write_audio_files(folder: Path) -> dict[str, Path]:
    rng = np.random.default_rng(7)
    paths = {}
    for name, rate, channels, subtype in AUDIO_FILES:
        samples = np.clip(0.3 * rng.standard_normal((rate // 2, channels)), -1, 1).astype(np.float32)
        paths[name] = folder / name
        sf.write(paths[name], samples, rate, subtype=subtype)
    return paths


def run_load_cases(python: Path, mode: str, paths: dict[str, Path], folder: Path) -> tuple[dict, dict]:
    cases = {
        f"{file}:{call}": [str(path), kwargs]
        for file, path in paths.items()
        for call, kwargs in LOAD_CALLS.items()
    }
    (folder / "cases.json").write_text(json.dumps(cases), encoding="utf-8")
    arrays, facts = folder / f"{mode}.npz", folder / f"{mode}.json"
    command = [str(python), "-c", LOAD_CASES, mode, str(folder / "cases.json"), str(arrays), str(facts)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    with np.load(arrays) as loaded:
        return dict(loaded), json.loads(facts.read_text(encoding="utf-8"))


def torchaudio_has_file_backends(python: Path) -> bool:
    code = "import torchaudio; print(hasattr(torchaudio, 'list_audio_backends'))"
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=300, check=False)
    return done.stdout.strip() == "True"


def test_shim_load_gives_exactly_what_torchaudio_2_8_gives(worker_python: Path, tmp_path: Path) -> None:
    """Samples, dtype, shape, strides and rate, or the same exception and message, for every file and call;
    the shim running in the worker python under test (the pinned environment, or the GPU machine's twin)."""
    if not PINNED_WORKER_PYTHON.is_file() or not torchaudio_has_file_backends(PINNED_WORKER_PYTHON):
        pytest.skip("no worker environment with torchaudio 2.8's file backends to compare with")
    paths = write_audio_files(tmp_path)
    want_arrays, want = run_load_cases(PINNED_WORKER_PYTHON, "torchaudio", paths, tmp_path)
    got_arrays, got = run_load_cases(worker_python, "shim", paths, tmp_path)
    assert got == want
    assert got_arrays.keys() == want_arrays.keys()
    for name, expected in want_arrays.items():
        assert got_arrays[name].dtype == expected.dtype, name
        assert np.array_equal(got_arrays[name], expected), name
    # The cases that matter, as 2.8 gives them: int16 values for a 16-bit WAV, floats for FLAC, a refusal
    # for a 24-bit WAV (bench/embed_naive.py falls back on that message).
    assert want["pcm16_stereo.wav:native"]["dtype"] == "torch.int16"
    assert want["pcm16_stereo.wav:native"]["shape"] == [2, 22050]
    assert want["pcm16_mono.flac:native"]["dtype"] == "torch.float32"
    assert want["pcm24_stereo.wav:native"] == {"error": "ValueError: Unsupported subtype: PCM_24"}


def test_shims_go_on_the_real_torchaudio_only_when_it_lacks_the_api(worker_python: Path) -> None:
    done = subprocess.run(
        [str(worker_python), "-c", INSTALL_ON_REAL_TORCHAUDIO], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-4000:]
    facts = json.loads(done.stdout.splitlines()[-1])
    if facts["had"]:  # torchaudio <= 2.8 (the pinned environment): its own API stays
        assert facts["names"] == []
        assert facts["load_kept"] and not facts["load_is_shim"]
    else:  # torchaudio >= 2.9 (the GPU machine)
        assert facts["names"] == ["list_audio_backends", "load"]
        assert facts["load_is_shim"]
        assert facts["backends"] == ["soundfile"]
    assert facts["again"] == []


def fake_torchaudio(with_backends: bool) -> types.ModuleType:
    module = types.ModuleType("torchaudio")
    module.load = lambda *args, **kwargs: ("torchcodec's load",)  # type: ignore[attr-defined]
    if with_backends:
        module.list_audio_backends = lambda: ["sox"]  # type: ignore[attr-defined]
    return module


def test_shims_go_on_a_torchaudio_without_list_audio_backends() -> None:
    module = fake_torchaudio(with_backends=False)
    assert install_torchaudio_shims(module) == ["list_audio_backends", "load"]
    assert module.load is torch_compat.load
    assert module.list_audio_backends() == ["soundfile"]
    assert install_torchaudio_shims(module) == []  # once is enough
    assert module.load is torch_compat.load


def test_a_torchaudio_with_its_backends_is_left_alone() -> None:
    module = fake_torchaudio(with_backends=True)
    load, backends = module.load, module.list_audio_backends
    assert install_torchaudio_shims(module) == []
    assert module.load is load
    assert module.list_audio_backends is backends


def test_backend_list_is_a_copy() -> None:
    torch_compat.list_audio_backends().append("ffmpeg")
    assert torch_compat.list_audio_backends() == ["soundfile"]
