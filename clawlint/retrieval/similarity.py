"""Exact all-pairs cosine in blocks (so 10,000 x 10,000 never sits in memory) and top-k."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

BLOCK_ROWS = 1024


def normalize_rows(m: np.ndarray) -> np.ndarray:
    import numpy as np

    m = np.asarray(m, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms


def pairs_above(m: np.ndarray, threshold: float, block: int = BLOCK_ROWS) -> list[tuple[int, int, float]]:
    """All (i, j, cosine) with i < j and cosine >= threshold; rows of `m` must be unit length.

    Peak memory is one `block x n` float32 slab (40 MB for n = 10,000)."""
    import numpy as np

    n = m.shape[0]
    out: list[tuple[int, int, float]] = []
    for start in range(0, n, block):
        stop = min(n, start + block)
        # Only columns >= start: the lower triangle was covered by earlier blocks.
        sims = m[start:stop] @ m[start:].T
        rows, cols = np.nonzero(sims >= threshold)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            i, j = start + r, start + c
            if j > i:
                out.append((i, j, float(sims[r, c])))
    return out


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indexes of the k largest scores of a 1-D array, best first (ties by index)."""
    import numpy as np

    n = scores.shape[0]
    if n == 0 or k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k < n:
        idx = np.argpartition(-scores, k - 1)[:k]
    else:
        idx = np.arange(n)
    return idx[np.lexsort((idx, -scores[idx]))]
