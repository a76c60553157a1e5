"""The real worker, on a GPU that holds only so many padded frames, simulated on the CPU (for the tests).

    <worker python> -I small_gpu_worker.py FRAMES --worker-id ID --heartbeat SECONDS

Every embedding forward pass of more than FRAMES padded frames (batch size x longest clip) raises torch's
out-of-memory error, as a full GPU would; everything else is the worker as it is.
"""

import sys

import torch

from localclip_worker.embedding.batching import BatchEmbedder
from localclip_worker.main import main

limit = int(sys.argv[1])
real_forward = BatchEmbedder.forward


def forward(self, padded, lengths, lengths_on_device):
    frames = padded.shape[0] * padded.shape[1]
    if frames > limit:
        raise torch.OutOfMemoryError(f"CUDA out of memory. Tried to allocate {frames} frames (simulated)")
    return real_forward(self, padded, lengths, lengths_on_device)


BatchEmbedder.forward = forward
sys.exit(main(sys.argv[2:]))
