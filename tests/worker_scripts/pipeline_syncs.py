"""Host synchronisations of the batched device path, counted on the CPU (worker python).

    pipeline_syncs.py MODEL_DIR OUT.json WAV...

Runs the files through ``DevicePipeline.launch`` in batches of four under a dispatch mode that records
every operator which reads a tensor's value back to the host (``.item()``, ``bool(tensor)``, ``nonzero``
and the like: on a GPU each is a synchronisation) and every tensor made from host data (on a GPU, a
host-to-device copy). Then runs the same files through the ``embed`` job with batches of four and counts
the pipeline's waits. Writes the counts as JSON.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from localclip_worker.embedding.batching import make_embedder
from localclip_worker.embedding.features import read_audio
from localclip_worker.embedding.frontend import FbankFrontEnd
from localclip_worker.embedding.models import load_model_dir
from localclip_worker.embedding.pipeline import DevicePipeline
from localclip_worker.job import ItemContext
from localclip_worker.jobs.embed import EmbedJob

HOST_READS = {"_local_scalar_dense", "nonzero", "is_nonzero", "equal", "allclose", "masked_select", "unique"}
FROM_HOST = {"lift_fresh", "lift_fresh_copy", "scalar_tensor"}


class Recorder(TorchDispatchMode):
    def __init__(self) -> None:
        super().__init__()
        self.ops: Counter[str] = Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        name = func.overloadpacket.__name__
        if name in HOST_READS or name in FROM_HOST:
            self.ops[name] += 1
        return func(*args, **(kwargs or {}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("wavs", nargs="+")
    args = parser.parse_args()
    loaded = load_model_dir(args.model_dir)
    pipeline = DevicePipeline(FbankFrontEnd("cpu"), make_embedder(loaded))
    clips = [read_audio(path) for path in args.wavs]
    batches = [clips[i : i + 4] for i in range(0, len(clips), 4)]
    for batch in batches:  # warm: each sample rate's resampler kernel is built on first use
        pipeline.launch(batch).wait()
    warm_waits = pipeline.syncs.waits
    own = Recorder()  # what the model does on its own per pass (ResNet returns a host torch.tensor(0.0))
    with own, torch.inference_mode():
        loaded.model(torch.zeros(1, 20, 80))
    recorder = Recorder()
    launched = []
    for batch in batches:
        with recorder:
            launched.append(pipeline.launch(batch))
    waits_before = pipeline.syncs.waits - warm_waits
    for pending in launched:
        pending.wait()
    job = EmbedJob()
    params = {"model_dir": str(args.model_dir), "device": "cpu", "batch_size": 4}
    job.setup(params)
    items = [{"id": str(i), "path": path} for i, path in enumerate(args.wavs)]
    results = list(job.run_items(items, params, ItemContext(lambda *a: None, lambda: False)))
    assert job._pipeline is not None
    report = {
        "batches": len(batches),
        "launch_ops": dict(recorder.ops),
        "model_ops": dict(own.ops),
        "waits_during_launch": waits_before,
        "waits_after": pipeline.syncs.waits - warm_waits,
        "job_results": len(results),
        "job_failures": sum(isinstance(outcome, Exception) for _, outcome in results),
        "job_waits": job._pipeline.syncs.waits,
    }
    args.out.write_text(json.dumps(report), encoding="utf-8")


if __name__ == "__main__":
    main()
