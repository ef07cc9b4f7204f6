"""On-disk embedding cache in clawlint's cache directory.

One file per namespace (backend, model, model digest, dimensions, prefix template); inside,
vectors keyed by the SHA-256 of the exact text sent. A warm run re-embeds only changed text.
Every I/O problem just disables the cache: it is an optimisation, never a failure.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from clawlint.atomic import write_bytes

if TYPE_CHECKING:
    import numpy as np

    from clawlint.workspace import Workspace

SUBDIR = "embeddings"
FORMAT_VERSION = 1


def cache_root(ws: Workspace) -> Path | None:
    """The workspace's clawlint cache directory (created with CACHEDIR.TAG and a .gitignore
    of `*`), or None when caching is off or the directory cannot be created."""
    from clawlint.cache import cache_base, ensure_cache_dir

    s = ws.settings
    if getattr(s, "no_cache", False):
        return None
    root = cache_base(ws.root, getattr(s, "cache_dir", "") or "")
    try:
        ensure_cache_dir(root)
        sub = root / SUBDIR
        sub.mkdir(exist_ok=True)
        return sub
    except OSError:
        return None


def namespace(backend: str, model: str, digest: str, dims: int | str | None, prefix: str,
              base_url: str = "") -> str:
    """Cache namespace id. The base URL only matters when no digest identifies the model."""
    parts = [str(FORMAT_VERSION), backend, model, digest, str(dims or "native"), prefix,
             "" if digest else base_url]
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:32]


class EmbeddingCache:
    """Vectors of one namespace: load once, `get` many, `put` new ones, `save` atomically."""

    def __init__(self, directory: Path | None, ns: str) -> None:
        self.path = directory / f"{ns}.npz" if directory is not None else None
        self._vecs: dict[str, np.ndarray] = {}
        self._dirty = False
        self.hits = 0
        self.misses = 0
        self._load()

    def _load(self) -> None:
        if self.path is None or not self.path.is_file():
            return
        import numpy as np

        try:
            with np.load(self.path, allow_pickle=False) as z:
                keys = json.loads(bytes(z["keys"]).decode("utf-8"))
                mat = np.asarray(z["vectors"], dtype=np.float32)
            if mat.ndim != 2 or len(keys) != mat.shape[0]:
                return
            self._vecs = {k: mat[i] for i, k in enumerate(keys)}
        except Exception:  # corrupt or foreign file: start over
            self._vecs = {}

    def get(self, key: str, dims: int | None = None) -> np.ndarray | None:
        v = self._vecs.get(key)
        if v is None or (dims is not None and v.shape[0] != dims):
            self.misses += 1
            return None
        self.hits += 1
        return v

    def put(self, key: str, vec: np.ndarray) -> None:
        self._vecs[key] = vec
        self._dirty = True

    def save(self, keep: set[str] | None = None) -> None:
        """Write the cache; entries not in `keep` are dropped once they outnumber live ones."""
        if self.path is None or not self._dirty or not self._vecs:
            return
        import io

        import numpy as np

        items = self._vecs
        if keep is not None and len(items) > 2 * max(1, len(keep)):
            items = {k: v for k, v in items.items() if k in keep}
        dims = {v.shape[0] for v in items.values()}
        if len(dims) != 1:  # mixed lengths can only come from a model swap: keep the newest
            items = {k: v for k, v in items.items() if keep is None or k in keep}
            if len({v.shape[0] for v in items.values()}) != 1:
                return
        keys = list(items)
        mat = np.stack([items[k] for k in keys]).astype(np.float32)
        buf = io.BytesIO()
        np.savez(buf, keys=np.frombuffer(json.dumps(keys).encode("utf-8"), dtype=np.uint8),
                 vectors=mat)
        try:
            write_bytes(self.path, buf.getvalue())
            self._dirty = False
        except OSError:
            pass
