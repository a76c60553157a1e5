"""The oracle: WeSpeaker's own ``load_model(dir).extract_embedding(path)`` for each file (worker python).

    wespeaker_reference.py MODEL_DIR OUT.npy WAV...

Saves the embeddings stacked as [files, dim] float32. VAD is off and every setter is at WeSpeaker's
default (int16-scale input, 16 kHz, hamming window), so this is plain extraction. ``import wespeaker``
runs the whole CLI, which imports packages the worker environment does not have; their names are only
needed at import time, so stubs stand in for them.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import sys
import types
from pathlib import Path

import numpy as np

STUBBED = ["umap", "hdbscan", "onnxruntime", "s3prl", "s3prl.nn", "whisper", "transformers", "peft"]


class _Stub(types.ModuleType):
    """Any public attribute is a placeholder class (``from peft import LoraConfig`` and the like)."""

    def __getattr__(self, name: str) -> type:
        if name.startswith("__"):
            raise AttributeError(name)
        return type(name, (), {})


def install_stubs() -> None:
    for name in STUBBED:
        if name in sys.modules:
            continue
        try:
            __import__(name)  # a real package, when there is one, is better than a stub
        except ImportError:
            stub = _Stub(name)
            stub.__path__ = []  # a package, so "s3prl.nn" can sit under it
            # A spec, so importlib.util.find_spec(name) (torch._dynamo calls it) does not raise ValueError.
            stub.__spec__ = importlib.machinery.ModuleSpec(name, None, is_package=True)
            sys.modules[name] = stub


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("wavs", nargs="+")
    parser.add_argument("--window", choices=["hamming", "povey"], default="hamming")
    parser.add_argument("--float-scale", action="store_true", help="as for 3D-Speaker's CAM++/ERes2Net")
    args = parser.parse_args()
    install_stubs()
    import torch
    import wespeaker

    from localclip_worker.torch_compat import install_torchaudio_shims

    install_torchaudio_shims()  # torchaudio >= 2.9: WeSpeaker's torchaudio.load as 2.8 did it
    speaker = wespeaker.load_model(str(args.model_dir.resolve()))  # a path, never a hub name
    speaker.set_vad(False)
    speaker.set_wavform_norm(args.float_scale)
    speaker.set_resample_rate(16000)
    speaker.set_window_type(args.window)
    speaker.set_device("cpu")
    torch.set_grad_enabled(False)
    rows = []
    for wav in args.wavs:
        embedding = speaker.extract_embedding(wav)
        if embedding is None:
            raise SystemExit(f"WeSpeaker found no speech in {wav}")
        rows.append(embedding.numpy().astype(np.float32))
    np.save(args.out, np.stack(rows))


if __name__ == "__main__":
    main()
