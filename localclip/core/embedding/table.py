"""Every stored clip embedding at once, as arrays: what the speakers and the exports are computed from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class EmbeddingTable:
    """Every stored clip embedding, in key order; `matrix` row i belongs to `keys[i]`."""

    keys: list[str]
    datasets: list[str]
    speakers: list[str]
    paths: list[str]
    durations: np.ndarray  # float64 [N]
    sample_rates: np.ndarray  # int64 [N]
    matrix: np.ndarray  # float32 [N, dim], read-only

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[1])
