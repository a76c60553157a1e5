"""The naive baseline for bench/embed.py (run with the worker python): WeSpeaker's own per-file loop.

    embed_naive.py MODEL_DIR OUT_DIR RESULT.json [--threads N] CLIP...

As the seeds' naive script: WeSpeaker's ``Speaker`` loaded once (not timed), VAD off (as LocalClip), then
for each file ``extract_embedding(path)`` and a synchronous write of one pickle per clip at
``OUT_DIR/<speaker>/<clip stem>.pkl``. torch keeps the thread count WeSpeaker leaves it with (one: the
silero-vad package, which WeSpeaker imports, calls ``torch.set_num_threads(1)``), unless ``--threads``
sets another after loading; the result records it.

WeSpeaker reads files with ``torchaudio.load(path, normalize=False)``. torchaudio 2.8's soundfile backend
gives int16 values that way for 16-bit WAV only: float samples in [-1, 1] for FLAC, OGG, MP3 and float WAV
(WeSpeaker's own behaviour, kept here: the cost is the same), and it refuses 24-bit WAV. For those
(counted in the result) the samples come from soundfile at int16 scale and go through WeSpeaker's own
``extract_embedding_from_pcm``: the same WeSpeaker work per file, only the decoder differs. Under
torchaudio >= 2.9 (no soundfile backend, ``load`` needs TorchCodec) the worker's shim
(localclip_worker.torch_compat) gives ``torchaudio.load`` 2.8's behaviour back, so the run is the same.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import pickle
import sys
import time
import warnings
from pathlib import Path

ORACLE = Path(__file__).resolve().parents[1] / "tests" / "worker_scripts" / "wespeaker_reference.py"


def install_wespeaker_stubs() -> None:
    """``import wespeaker`` runs its CLI, which imports packages the worker environment lacks: the test
    oracle's stubs stand in for them."""
    spec = importlib.util.spec_from_file_location("wespeaker_reference", ORACLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.install_stubs()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("result", type=Path)
    parser.add_argument("clips", nargs="+", type=Path)
    parser.add_argument("--threads", type=int, help="torch threads (default: as WeSpeaker leaves them)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")  # torchaudio's deprecation notices, once per file
    started = time.perf_counter()
    install_wespeaker_stubs()
    import numpy as np
    import soundfile
    import torch
    import wespeaker

    from localclip_worker.torch_compat import install_torchaudio_shims

    install_torchaudio_shims()  # torchaudio >= 2.9: WeSpeaker's torchaudio.load as 2.8 did it
    speaker = wespeaker.load_model(str(args.model_dir.resolve()))
    speaker.set_vad(False)
    speaker.set_wavform_norm(False)
    speaker.set_resample_rate(16000)
    speaker.set_window_type("hamming")
    speaker.set_device("cpu")
    if args.threads:
        torch.set_num_threads(args.threads)
    load_seconds = time.perf_counter() - started

    done = fallback = failed = 0
    loop_started = time.perf_counter()
    for path in args.clips:
        try:
            embedding = speaker.extract_embedding(str(path))
        except ValueError:  # "Unsupported subtype": torchaudio's soundfile backend, normalize=False
            samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
            pcm = torch.from_numpy(samples.T.copy() * 32768.0)
            embedding = speaker.extract_embedding_from_pcm(pcm, rate)
            fallback += 1
        if embedding is None:
            failed += 1
            continue
        target = args.out_dir / path.parent.name / f"{path.stem}.pkl"
        target.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "embedding": embedding.numpy().astype(np.float32),
            "speaker_id": path.parent.name,
            "path": str(path),
        }
        with target.open("wb") as file:  # synchronous, one file per clip, as the seeds' script
            pickle.dump(record, file)
        done += 1
    seconds = time.perf_counter() - loop_started
    result = {
        "load_seconds": round(load_seconds, 3),
        "seconds": round(seconds, 3),
        "done": done,
        "failed": failed,
        "torchaudio_fallback": fallback,
        "torch_threads": torch.get_num_threads(),
    }
    args.result.write_text(json.dumps(result), encoding="utf-8")
    print(json.dumps(result), file=sys.stderr)


if __name__ == "__main__":
    main()
