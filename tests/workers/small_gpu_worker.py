"""The real worker, on a GPU that holds only so many padded frames, simulated on the CPU (for the tests).

    <worker python> -I small_gpu_worker.py FRAMES --worker-id ID --heartbeat SECONDS

Every embedding forward pass of more than FRAMES padded frames (batch size x longest clip) raises torch's
out-of-memory error, as a full GPU would; everything else is the worker as it is.
"""

import sys

import torch

from localclip_worker.embedding.batching import MaskedResNetEmbedder
from localclip_worker.main import main

limit = int(sys.argv[1])
real_embed_batch = MaskedResNetEmbedder.embed_batch


def embed_batch(self, features):
    frames = len(features) * max(int(f.shape[0]) for f in features)
    if frames > limit:
        raise torch.OutOfMemoryError(f"CUDA out of memory. Tried to allocate {frames} frames (simulated)")
    return real_embed_batch(self, features)


MaskedResNetEmbedder.embed_batch = embed_batch
sys.exit(main(sys.argv[2:]))
