"""LocalClip's batched front end against WeSpeaker's own features, file by file (worker python).

    frontend_features.py MODEL_DIR OUT.json WAV... [--window povey --float-scale] [--batch N]

WeSpeaker's side is ``Speaker.extract_embedding``'s path up to the model: the samples at the speaker's
scale, its resampler, its ``compute_features`` (Kaldi fbank, CMN). The samples come from soundfile as
int16 values (what ``torchaudio.load(normalize=False)`` gives for a 16-bit WAV; for FLAC it gives floats
in [-1, 1], a scale WeSpeaker never trains on, whose quiet bins then hit the log floor) or, with
``--float-scale``, as floats in [-1, 1]. LocalClip's side decodes each
file as the embedding job does and computes the features through :class:`DevicePipeline` (on the CPU
here), ``--batch`` files per batch so clips of different rates and lengths share batches. Writes, per file,
max |difference| / max |WeSpeaker's feature| and the frame counts.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import soundfile
import torch
from wespeaker_reference import install_stubs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("wavs", nargs="+")
    parser.add_argument("--window", default="hamming")
    parser.add_argument("--float-scale", action="store_true")
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args()
    install_stubs()
    import torchaudio
    import wespeaker

    from localclip_worker.embedding.batching import make_embedder
    from localclip_worker.embedding.features import read_audio
    from localclip_worker.embedding.frontend import INT16_SCALE, FbankFrontEnd
    from localclip_worker.embedding.models import load_model_dir
    from localclip_worker.embedding.pipeline import DevicePipeline
    from localclip_worker.torch_compat import install_torchaudio_shims

    install_torchaudio_shims()
    speaker = wespeaker.load_model(str(args.model_dir.resolve()))
    speaker.set_window_type(args.window)
    speaker.set_wavform_norm(args.float_scale)
    front_end = FbankFrontEnd("cpu", args.window, 1.0 if args.float_scale else INT16_SCALE)
    pipeline = DevicePipeline(front_end, make_embedder(load_model_dir(args.model_dir)))
    mine: dict[str, torch.Tensor] = {}
    for start in range(0, len(args.wavs), args.batch):
        paths = args.wavs[start : start + args.batch]
        batch = pipeline.features([read_audio(path, min_frames=1) for path in paths])
        for row, index in enumerate(batch.order):
            mine[paths[index]] = batch.features[row, : batch.frames[row]]
    rows = []
    for path in args.wavs:
        data, rate = soundfile.read(path, dtype="float32" if args.float_scale else "int16", always_2d=True)
        pcm = torch.from_numpy(data.T.copy()).to(torch.float)
        if rate != 16000:
            pcm = torchaudio.transforms.Resample(orig_freq=rate, new_freq=16000)(pcm)
        want = speaker.compute_features(pcm, sample_rate=16000, cmn=True)[0]
        got = mine[path]
        same_shape = tuple(got.shape) == tuple(want.shape)
        error = float((got - want).abs().max() / want.abs().max()) if same_shape else float("inf")
        rows.append(
            {"file": Path(path).name, "frames": [int(got.shape[0]), int(want.shape[0])], "error": error}
        )
    args.out.write_text(json.dumps(rows), encoding="utf-8")


if __name__ == "__main__":
    main()
