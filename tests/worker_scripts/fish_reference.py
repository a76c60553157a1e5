"""fish-speech's own TTSInferenceEngine: the audio LocalClip's clone job must equal (worker python).

    fish_reference.py SPEC.json OUT_DIR

SPEC: {"checkpoint_dir", "cpu_threads", "requests": [{"name", "precision", "reference", "reference_text",
"text", "seed", "max_new_tokens", "temperature", "top_p", "repetition_penalty"}]}. Writes
OUT_DIR/<name>.npy (float32).

The engine is built as fish-speech's server builds it: the language model behind
launch_thread_safe_queue (fish-speech's own init_model and from_pretrained), and the codec as decoder_model.
The codec comes from LocalClip's loader, because fish-speech's (dac.inference) cannot be imported from an
installed package; it is the same class with the same weights.
"""

import json
import sys
from pathlib import Path

import numpy as np
import torch
from fish_speech.inference_engine import TTSInferenceEngine
from fish_speech.models.text2semantic.inference import launch_thread_safe_queue
from fish_speech.utils.schema import ServeReferenceAudio, ServeTTSRequest

from localclip_worker.cloning.models import PRECISIONS, load_codec
from localclip_worker.torch_compat import install_torchaudio_shims


def engine_for(checkpoint: Path, precision: torch.dtype) -> TTSInferenceEngine:
    queue = launch_thread_safe_queue(
        checkpoint_path=checkpoint, device="cpu", precision=precision, compile=False
    )
    codec, _ = load_codec(checkpoint / "codec.pth", "cpu")
    return TTSInferenceEngine(llama_queue=queue, decoder_model=codec, precision=precision, compile=False)


def speak(engine: TTSInferenceEngine, request: dict) -> np.ndarray:
    reference = ServeReferenceAudio(
        audio=Path(request["reference"]).read_bytes(), text=request["reference_text"]
    )
    fields = ("text", "seed", "max_new_tokens", "temperature", "top_p", "repetition_penalty")
    tts = ServeTTSRequest(references=[reference], **{key: request[key] for key in fields})
    for result in engine.inference(tts):
        if result.code == "error":
            raise RuntimeError(f"fish-speech failed: {result.error}")
        if result.code == "final":
            return result.audio[1]
    raise RuntimeError("fish-speech returned no final audio")


def main() -> None:
    install_torchaudio_shims()  # torchaudio >= 2.9: the reference loader's list_audio_backends and load
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    torch.set_num_threads(spec["cpu_threads"])  # as the clone job's param: the same float reductions
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    engines: dict[str, TTSInferenceEngine] = {}
    for request in spec["requests"]:
        precision = request["precision"]
        if precision not in engines:
            engines[precision] = engine_for(Path(spec["checkpoint_dir"]), PRECISIONS[precision])
        np.save(out / f"{request['name']}.npy", speak(engines[precision], request).astype(np.float32))


if __name__ == "__main__":
    main()
